// The pages in a real browser (issue #14): the calculator on every measure, a round through the
// pages alone (applicant -> reviewer -> expert -> officer), the permission test, the English
// switch, a phone-width run, axe-core on every page visited, escaping, CSRF and the headers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { EVIL_NAME, TODAY, launchBrowser, signIn, startServer } from './lib.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let server, browser;
const visited = new Map();  // path -> the role that saw it, for the axe run at the end
const state = {};           // ids made along the way

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// A fresh context per person; any JavaScript dialog fails the test (escaping).
async function personPage(token, options = {}) {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  const page = await context.newPage();
  page.on('dialog', async (d) => { await d.dismiss(); throw new Error('a script ran: dialog ' + d.message()); });
  page.on('pageerror', (e) => { throw e; });
  if (token) await signIn(page, server.url, token);
  return page;
}

async function open(page, path, who, expectStatus = 200) {
  const response = await page.goto(server.url + path);
  assert.equal(response.status(), expectStatus, `${path} answered ${response.status()}`);
  visited.set(path, who);
  return response;
}

const text = (page, selector = 'main') => page.locator(selector).innerText();

// Fills an application form generated from a measure, whatever facts it declares.
async function fillApplication(page, { name = '深圳市示例科技有限公司', uscc = '91440300MA5XXXXXXR', subject = 'TEST-2026-001', kind = 'enterprise' } = {}) {
  await page.fill('#f-applicant-uscc', uscc);
  await page.fill('#f-applicant-name', name);
  await page.selectOption('#f-applicant-kind', kind);
  await page.check('input[name="applicant.registered_in_shenzhen"][value="true"]');
  await page.check('input[name="applicant.serious_dishonesty"][value="false"]');
  await page.fill('#f-applicant-established_on', '2015-03-01');
  await page.fill('#f-subject', subject);
  await page.fill('#f-obtained_on', '2026-03-01');
  const radios = await page.$$eval('input[type=radio][name^="facts."]', (els) => [...new Set(els.map((e) => e.name))]);
  for (const n of radios) {
    // The first value, or the one the guide counts ("higher" maturity) when offered.
    const higher = page.locator(`input[type=radio][name="${n}"][value="higher"]`);
    await ((await higher.count()) ? higher : page.locator(`input[type=radio][name="${n}"]`).first()).check();
  }
  for (const s of await page.$$('select[name^="facts."]')) await s.selectOption({ index: 1 });
  for (const d of await page.$$('input[type=date][name^="facts."]')) await d.fill('2026-03-01');
  let i = 0;
  for (const t of await page.$$('input[type=text][name^="facts."]')) {
    const n = await t.getAttribute('name');
    await t.fill(n.endsWith('body') ? 'A2LA' : n.endsWith('standard') ? 'ISO 10668' : n.endsWith('maturity') ? 'higher'
      : `CERT-${subject}-${++i}`);
  }
}

describe('web pages', () => {
  test('security headers, static assets, HttpOnly session cookie and CSRF', async () => {
    const r = await fetch(server.url + '/');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
    assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'same-origin');
    assert.equal((await fetch(server.url + '/static/style.css')).status, 200);
    const page = await personPage(server.tokens['unit-a']);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === '__Host-qg_session');
    assert.ok(session, 'the session cookie is set (Chromium treats 127.0.0.1 as secure)');
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.notEqual(session.value, server.tokens['unit-a'], 'the cookie holds a session id, not the token');
    assert.equal(await page.evaluate(() => document.cookie.includes('qg_session')), false, 'scripts cannot read the session');
    assert.equal((await page.content()).includes(server.tokens['unit-a']), false, 'the token never reaches the page');
    // A POST with the session but without the form's token is refused.
    const forged = await page.request.post(server.url + '/signout', { form: { csrf: 'forged' } });
    assert.equal(forged.status(), 403);
    const bad = await page.request.post(server.url + '/applications/new?round=2026-demo&measure=china_quality_award', { form: {} });
    assert.equal(bad.status(), 403);
    // Sign-in goes back only to a path of this site, and nothing can end the Location header. The
    // sign-in form's own token comes with its page, in a hidden field and a cookie.
    const form = await fetch(server.url + '/signin');
    const signinCookie = form.headers.getSetCookie().find((c) => c.startsWith('__Host-qg_signin=')).split(';')[0];
    const formToken = (await form.text()).match(/name="signin" value="([0-9a-f]+)"/)[1];
    for (const next of ['//evil.example/x', '/\r\nX-Evil: 1', 'https://evil.example/']) {
      const r2 = await fetch(server.url + '/signin', { method: 'POST', redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signinCookie },
        body: new URLSearchParams({ token: server.tokens['unit-a'], next, signin: formToken }).toString() });
      assert.equal(r2.status, 303);
      assert.equal(r2.headers.get('location'), '/applications', `next=${JSON.stringify(next)}`);
      assert.equal(r2.headers.get('x-evil'), null);
    }
    // Without the form's token (a sign-in posted from another site) nobody is signed in.
    const csrfLogin = await fetch(server.url + '/signin', { method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: server.tokens['unit-a'], next: '/' }).toString() });
    assert.equal(csrfLogin.status, 403);
    assert.equal(csrfLogin.headers.getSetCookie().some((c) => c.startsWith('__Host-qg_session=') && !c.includes('Max-Age=0')), false);
    // Signing out ends the session on the server: the old cookie, put back, signs nobody in.
    await page.goto(server.url + '/applications');
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('header form[action="/signout"] button[type=submit]')]);
    await page.context().addCookies([session]);
    await page.goto(server.url + '/applications');
    assert.equal(new URL(page.url()).pathname, '/signin', 'the ended session no longer works');
    const anon = await personPage(null);
    await anon.goto(server.url + '/signin');
    await anon.fill('#f-token', 'not-a-token');
    await anon.click('main button[type=submit]');
    assert.match(await anon.title(), /^错误：/);
    assert.equal(await anon.getAttribute('#f-token', 'aria-invalid'), 'true');
    assert.match(await anon.getAttribute('#f-token', 'aria-describedby'), /f-token-err/);
    await page.context().close();
    await anon.context().close();
  });

  test('the calculator decides every measure from its generated form', async () => {
    const measures = (await (await fetch(server.url + '/api/v1/measures')).json()).items;
    assert.ok(measures.length >= 14);
    const page = await personPage(null);
    await open(page, '/', 'anonymous');
    for (const m of measures) {
      assert.ok(await page.locator(`a[href="/measures/${m.id}"]`).count() === 1, `${m.id} is listed`);
    }
    for (const m of measures) {
      await open(page, `/measures/${m.id}`, 'anonymous');
      await fillApplication(page, { subject: `CALC-${m.id}`, kind: (m.applicants || [])[0] || 'enterprise' });
      await page.click('form.calc button[type=submit]:not([name])');
      const result = page.locator('#result .decision');
      await result.waitFor();
      const shown = await result.innerText();
      assert.doesNotMatch(shown, /申报信息有误/, `${m.id}: the generated form made a valid application: ${shown}`);
      if (m.support === 'payment') {
        assert.match(shown, /符合条件/, `${m.id}: ${shown}`);
        assert.match(shown, /可获资助：[\d.]+万元（[\d,]+\.\d\d元）/, `${m.id}: amount in 万元 and 元`);
        assert.match(shown, /第（[一二三四五六七八九十]+）条/, `${m.id}: the reasons cite the clause`);
      } else if (m.support === 'referral') {
        assert.match(shown, /不由本系统核算/, `${m.id}: ${shown}`);
      }
    }
    // The exact amount of a level: a China Quality Award winner.
    await page.goto(server.url + '/measures/china_quality_award');
    await fillApplication(page, { subject: 'CQA-2026' });
    await page.check('input[name="facts.level"][value="winner"]');
    await page.click('form.calc button[type=submit]:not([name])');
    await page.locator('#result .decision').waitFor();
    assert.match(await text(page, '#result'), /可获资助：300万元（3,000,000.00元）/);
    await page.context().close();
  });

  test('the calculator works without JavaScript, adds certificate rows and shows errors beside fields', async () => {
    const page = await personPage(null, { javaScriptEnabled: false });
    await page.goto(server.url + '/measures/high_end_certification');
    await fillApplication(page, { subject: 'HEC-1' });
    await page.click('button[name=add_row]');
    assert.equal(await page.locator('fieldset.row').count(), 2, 'one more certificate row');
    assert.equal(await page.inputValue('#f-subject'), 'HEC-1', 'what was typed is kept');
    await page.fill('input[name="facts.certificates[1].number"]', 'CERT-2');
    await page.fill('input[name="facts.certificates[1].issued_on"]', '2026-02-01');
    await page.selectOption('select[name="facts.certificates[1].type"]', { index: 1 });
    await page.click('form.calc button[type=submit]:not([name])');
    assert.match(await text(page, '#result'), /可获资助：10万元（100,000.00元）/);
    // A wrong USCC: the problem beside the field, linked to it, and in the summary.
    await page.fill('#f-applicant-uscc', '91440300MA5XXXXXXX');
    await page.click('form.calc button[type=submit]:not([name])');
    assert.equal(await page.getAttribute('#f-applicant-uscc', 'aria-invalid'), 'true');
    assert.match(await text(page, '#f-applicant-uscc-err'), /校验码/);
    assert.equal(await page.locator('#error-summary a[href="#f-applicant-uscc"]').count(), 1);
    await page.context().close();
  });

  test('a unit named <script> shows as text', async () => {
    const page = await personPage(server.tokens.evil);
    await page.goto(server.url + '/applications');
    assert.ok((await text(page, 'header')).includes(EVIL_NAME), 'the name is shown as text');
    assert.equal(await page.locator('header script').count(), 0);
    // The same name typed into an application reaches the reviewer's pages as text too.
    await page.goto(server.url + '/applications/new?round=2026-demo&measure=performance_excellence');
    await fillApplication(page, { name: EVIL_NAME, uscc: '91440300708461136T', subject: 'PE-<b>x</b>' });
    await page.click('main form button[type=submit]:not([name])');
    assert.ok((await text(page)).includes(EVIL_NAME));
    assert.ok((await text(page)).includes('PE-<b>x</b>'));
    state.evilCase = new URL(page.url()).pathname;
    await page.click('text=预览并提交');
    await page.click('main form button[type=submit]');
    assert.match(await text(page, 'main .state'), /已提交/);
    await page.context().close();
  });

  test('a round through the pages: applicant -> reviewer -> expert -> officer -> finance', async () => {
    // The applicant makes a draft, submits it after the confirm page.
    const a = await personPage(server.tokens['unit-a']);
    await open(a, '/applications', 'unit-a');
    await a.selectOption('#f-round', '2026-demo');
    await a.selectOption('#f-measure', 'china_quality_award');
    await a.click('main form[action="/applications/new"] button');
    visited.set(new URL(a.url()).pathname + new URL(a.url()).search, 'unit-a');
    await fillApplication(a, { subject: 'CQA-2025-winner' });
    await a.check('input[name="facts.level"][value="winner"]');
    await a.click('main form button[type=submit]:not([name])');
    assert.match(await text(a), /已保存/);
    assert.match(await text(a, 'main .state'), /草稿/);
    state.caseUrl = new URL(a.url()).pathname;
    state.caseId = decodeURIComponent(state.caseUrl.split('/').pop());
    visited.set(state.caseUrl, 'unit-a');
    await a.click('text=预览并提交');
    visited.set(new URL(a.url()).pathname, 'unit-a');
    assert.match(await text(a), /300万元（3,000,000.00元）/, 'the confirm page previews the decision');
    await a.click('main form button[type=submit]');
    assert.match(await text(a, 'main .state'), /已提交/);

    // The reviewer finds it in the queue and returns it; a return without a note is refused beside the field.
    const r = await personPage(server.tokens.reviewer);
    await open(r, '/review?state=submitted', 'reviewer');
    await r.click(`a[href="${state.caseUrl}"]`);
    await r.fill('#f-return-deadline', '2026-06-10');
    await r.click('form[action$="/actions/return"] button[type=submit]');
    assert.equal(await r.getAttribute('#f-return-note', 'aria-invalid'), 'true', 'the missing note is shown at its field');
    await r.fill('#f-return-note', '请补充获奖证书扫描件');
    await r.fill('#f-return-deadline', '2026-06-10');
    await r.click('form[action$="/actions/return"] button[type=submit]');
    assert.match(await text(r, 'main .state'), /退回补正/);

    // The applicant sees the note and the deadline, edits and resubmits.
    await a.goto(server.url + state.caseUrl);
    assert.match(await text(a, '.banner'), /请补充获奖证书扫描件/);
    assert.match(await text(a, '.banner'), /2026年6月10日/);
    await a.click(`a[href="${state.caseUrl}/edit"]`);
    visited.set(new URL(a.url()).pathname, 'unit-a');
    await a.fill('#f-applicant-name', '深圳市示例科技有限公司（已补正）');
    await a.click('main form button[type=submit]:not([name])');
    await a.click('text=预览并提交');
    await a.click('main form button[type=submit]');
    assert.match(await text(a, 'main .state'), /已提交/);
    assert.match(await text(a, '.timeline'), /退回补正/, 'the timeline shows the return');

    // The expert declares no conflict and passes it; the reviewer accepts it.
    const e = await personPage(server.tokens.expert);
    await open(e, '/review', 'expert');
    await e.goto(server.url + state.caseUrl);
    await e.check('input[name="conflict_of_interest"][value="false"]');
    await e.check('input[name="passed"][value="true"]');
    await e.fill('#f-score', '90');
    await e.fill('#f-note', '材料齐全');
    await e.click('form[action$="/review"] button[type=submit]');
    assert.match(await text(e), /已办理/);
    assert.match(await text(e), /90/);
    await r.goto(server.url + state.caseUrl);
    await r.click('form[action$="/actions/accept"] button[type=submit]');
    assert.match(await text(r, 'main .state'), /已受理/);

    // The officer sees the round's totals (table and chart), creates a round, closes the demo round.
    const o = await personPage(server.tokens.officer);
    await open(o, '/rounds', 'officer');
    await o.click('a[href="/rounds/2026-demo"]');
    visited.set('/rounds/2026-demo', 'officer');
    assert.match(await text(o), /2000万元（20,000,000.00元）/, 'the budget');
    assert.equal(await o.locator('svg.chart[role=img]').count() >= 1, true, 'a chart');
    assert.match(await text(o, 'table >> nth=0'), /已受理\s+1\s+300万元/, 'the accepted case counted by state');
    await o.goto(server.url + '/rounds');
    await o.fill('#f-id', '2027-pilot');
    await o.fill('#f-title', '2027年度试点批次');
    await o.selectOption('#f-guide', '2026');
    await o.fill('#f-budget_fen', '5000000');
    await o.fill('#f-opens_on', '2026-07-01');
    await o.fill('#f-closes_on', '2026-09-30');
    await o.click('form[action="/rounds"] button[type=submit]');
    assert.match(await text(o), /2027年度试点批次/);
    assert.match(await text(o), /500万元（5,000,000.00元）/);
    // 免申即享: the officer screens the shipped registry; unit-a confirms its certificate invitation.
    await o.goto(server.url + '/rounds/2026-demo');
    await o.selectOption('#f-registry_file', 'registry.jsonl');
    await o.click('form[action$="/invitations"] button[type=submit]');
    assert.match(new URL(o.url()).search, /^\?invited=/, 'the POST answered 303 to the round page');
    assert.match(await text(o, '.result'), /已邀请 [1-9]/);
    await o.reload();  // a GET: shows the same, invites nobody again
    assert.match(await text(o, '.result'), /已邀请 [1-9]/);
    await open(a, '/invitations', 'unit-a');
    const card = a.locator('li.card', { hasText: 'HEC-2026' });
    assert.match(await card.innerText(), /5万元（50,000.00元）/);
    await card.locator('form[action$="/confirm"] button').click();
    assert.match(await text(a, 'main .state'), /已提交/, 'confirming creates the application, submitted');
    await o.goto(server.url + '/rounds/2026-demo');
    await o.click('form[action$="/close"] button[type=submit]');
    assert.match(await text(o, 'dl.summary'), /已截止/);
    // Allocation: the result table and chart; the case becomes 拟资助 (the applicant still sees 已受理).
    await o.click('form[action$="/allocate"] button[type=submit]');
    assert.match(new URL(o.url()).search, /^\?allocated=1$/, 'the POST answered 303 to the round page');
    assert.match(await text(o, '.result'), /分配结果/);
    assert.match(await text(o, '.result'), /已分配合计 300万元（3,000,000.00元）/);
    assert.equal(await o.locator('.result svg.chart').count(), 1);
    await a.goto(server.url + state.caseUrl);
    assert.match(await text(a, 'main .state'), /已受理/);
    // The notice: 5 working days from 2026-06-01 end on 2026-06-08 (the API counts them).
    await o.goto(server.url + '/rounds/2026-demo');
    await o.fill('#f-starts_on', TODAY);
    await o.fill('#f-working_days', '5');
    await o.click('form[action$="/notice"] button[type=submit]');
    // A confirm page gives the last day first (WCAG 3.3.4); nothing is posted until confirmed.
    assert.match(await text(o, 'main'), /公示期：2026年6月1日至2026年6月8日（5个工作日）/);
    await o.click('form[action$="/notice"] button[type=submit]');
    assert.match(await text(o, 'dl.summary'), /公示中/);
    assert.equal(await o.locator('button[disabled][aria-describedby="approve-why"]').count(), 1, 'approve waits for the notice');
    assert.match(await text(o, 'dl.summary'), /2026年6月1日 – 2026年6月8日（5个工作日）/);
    // The public list, with its total, open to anyone; a signed-in unit objects on it.
    const anon = await personPage(null);
    await open(anon, '/rounds/2026-demo/notice', 'anonymous');
    assert.match(await text(anon, 'table'), /深圳市示例科技有限公司（已补正）/);
    assert.match(await text(anon, 'tr.total'), /300万元（3,000,000.00元）/);
    const b = await personPage(server.tokens['unit-b']);
    await b.goto(server.url + '/rounds/2026-demo/notice');
    await b.selectOption('#f-application_id', state.caseId);
    await b.click('form[action$="/objections"] button[type=submit]');
    assert.equal(await b.getAttribute('#f-text', 'aria-invalid'), 'true', 'an empty objection is refused at its field');
    assert.equal(await b.locator('#error-summary a[href="#f-text"]').count(), 1);
    await b.fill('#f-text', '该奖项为2021年获得');
    await b.click('form[action$="/objections"] button[type=submit]');
    assert.match(await text(b), /异议已提交/);
    // The officer dismisses it on the round page.
    await o.goto(server.url + '/rounds/2026-demo');
    assert.match(await text(o), /该奖项为2021年获得/);
    await o.click('form[action^="/objections/"] button[type=submit]');  // nothing chosen: refused, nothing changed
    assert.match(await o.title(), /^错误：/);
    assert.equal(await o.locator('#error-summary a[href^="#f-upheld-"]').count(), 1);
    assert.match(await text(o), /待处理/);
    await o.locator('form[action^="/objections/"] input[type=text]').fill('经核查，奖项为2025年获得');
    await o.locator('form[action^="/objections/"] input[type=radio][value=false]').check();
    await o.click('form[action^="/objections/"] button[type=submit]');
    assert.match(await text(o), /异议不成立/);
    // After the notice period (the service date moves on), the officer approves.
    await server.restart('2026-06-10');
    await o.goto(server.url + '/rounds/2026-demo');
    await o.click('form[action$="/approve"] button[type=submit]');
    assert.match(await text(o, 'main'), /批准公示中的 1 件申报/);
    await o.click('form[action$="/approve"] button[type=submit]');
    assert.match(await text(o, 'dl.summary'), /已批准/);
    // Finance records the payment; the applicant sees 已拨付 and the decision letter.
    const f = await personPage(server.tokens.finance);
    await open(f, '/rounds/2026-demo/payments', 'finance');
    assert.match(await text(f, 'table >> nth=0'), /300万元（3,000,000.00元）/);
    await f.locator('form[action^="/payments/"] button[value=paid]').first().click();  // no reference: refused at its field
    assert.equal(await f.locator('form[action^="/payments/"] input[type=text]').first().getAttribute('aria-invalid'), 'true');
    assert.match(await text(f, 'table >> nth=0'), /待拨付/);
    await f.locator('form[action^="/payments/"] input[type=text]').first().fill('BANK-2026-0001');
    await f.locator('form[action^="/payments/"] button[value=paid]').first().click();
    assert.match(await text(f, 'main'), /确认登记已拨付[\s\S]*BANK-2026-0001/, 'paid is final: confirmed first');
    await f.click('main form[action^="/payments/"] button[type=submit]');
    assert.match(await text(f, 'table >> nth=0'), /已拨付/);
    assert.match(await text(f, 'table >> nth=0'), /BANK-2026-0001/);
    assert.match(await text(f, 'table >> nth=1'), /已拨付\s+1\s+300万元/, 'the totals by status');
    await a.goto(server.url + state.caseUrl);
    assert.match(await text(a, 'main .state'), /已拨付/);
    // The exports and the letter's PDF reach a cookie-holding browser through the pages.
    const csv = await f.request.get(server.url + '/rounds/2026-demo/payments/export?format=csv');
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /text\/csv/);
    assert.match(await csv.text(), /BANK-2026-0001/);
    await a.click(`a[href="${state.caseUrl}/letter"]`);
    visited.set(state.caseUrl + '/letter', 'unit-a');
    assert.match(await text(a, 'article.letter'), /深圳市示例科技有限公司/);
    assert.match(await text(a, 'article.letter'), /300万元（3,000,000.00元）/);
    const pdf = await a.request.get(server.url + state.caseUrl + '/letter.pdf');
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    for (const c of [anon, b, f]) await c.context().close();
    for (const c of [a, r, e, o]) await c.context().close();
  });

  test('an applicant cannot open another unit\'s case, even by URL', async () => {
    const b = await personPage(server.tokens['unit-b']);
    const response = await b.goto(server.url + state.caseUrl);
    assert.equal(response.status(), 404);
    assert.match(await text(b, 'h1'), /未找到/);
    assert.doesNotMatch(await text(b), /深圳市示例科技有限公司/);
    const edit = await b.goto(server.url + state.caseUrl + '/edit');
    assert.equal(edit.status(), 404);
    // Nor act on it: the API's 404 again.
    await b.goto(server.url + '/applications');
    const csrf = await b.inputValue('form[action="/signout"] input[name=csrf]');
    const post = await b.request.post(server.url + state.caseUrl + '/actions/withdraw', { form: { csrf } });
    assert.equal(post.status(), 404);
    visited.set('/applications#unit-b', 'unit-b');
    await b.context().close();
  });

  test('the English switch keeps the page and sets <html lang>', async () => {
    const page = await personPage(null);
    await page.goto(server.url + '/measures/china_quality_award');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.click('a.lang');
    assert.equal(new URL(page.url()).pathname, '/measures/china_quality_award');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(await text(page, 'h1'), /China Quality Award/i);
    assert.match(await text(page), /3,000,000\.00 yuan/);
    await page.click('a.lang');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.context().close();
  });

  test('applicant pages at phone width (375px) do not scroll sideways', async () => {
    const page = await personPage(server.tokens['unit-a'], { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    for (const path of ['/', '/measures/high_end_certification', '/applications',
      '/applications/new?round=2026-demo&measure=high_end_certification', state.caseUrl]) {
      await page.goto(server.url + path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `${path} is ${width}px wide at 375px`);
      const small = await page.$$eval('main button, main input[type=radio]', (els) =>
        els.filter((e) => e.tagName === 'BUTTON' && e.getBoundingClientRect().height < 44).length);
      assert.equal(small, 0, `${path}: buttons are at least 44px high`);
    }
    await page.context().close();
  });

  test('every page has no serious or critical axe violations', async () => {
    const pages = [
      ['/', null], ['/signin', null], ['/measures/high_end_certification', null], ['/measures/metrology', null],
      ['/applications', 'unit-a'], ['/applications/new?round=2026-demo&measure=high_end_certification', 'unit-a'],
      [state.caseUrl, 'unit-a'], [state.caseUrl + '/edit', 'unit-a'], ['/invitations', 'unit-a'],
      ['/review', 'reviewer'], ['/review?state=accepted', 'reviewer'], [state.caseUrl, 'reviewer'],
      [state.evilCase, 'reviewer'], [state.evilCase, 'expert'],
      ['/rounds', 'officer'], ['/rounds/2026-demo', 'officer'], ['/rounds/2027-pilot', 'officer'], ['/simulate', 'officer'],
      ['/rounds/2026-demo/payments', 'finance'], ['/rounds/2026-demo/notice', null], [state.caseUrl + '/letter', 'unit-a'],
      ['/audit', 'auditor'], ['/audit?action=application', 'auditor'],
    ];
    const failures = [];
    for (const en of [false, true]) {
      const contexts = {};
      for (const [path, who] of pages) {
        if (!contexts[who]) {
          contexts[who] = await personPage(who ? server.tokens[who] : null);
          if (en) {
            await contexts[who].goto(server.url + '/lang?to=en&back=/');
          }
        }
        const page = contexts[who];
        await page.goto(server.url + path);
        if (path === '/simulate') await page.click('main form button[type=submit]');
        // Through the DevTools protocol: the pages' CSP rightly refuses an inline script tag.
        await page.evaluate(AXE_SOURCE);
        const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
        assert.ok(result.passes.length > 10, `axe checked ${path}`);
        for (const v of result.violations) {
          if (v.impact === 'serious' || v.impact === 'critical') {
            failures.push(`${en ? 'en' : 'zh'} ${path} (${who}): ${v.id} ${v.impact}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
          }
        }
      }
      for (const c of Object.values(contexts)) await c.context().close();
    }
    assert.deepEqual(failures, []);
  });

  test('the simulation page compares baseline and reform with a table and a chart', async () => {
    const page = await personPage(server.tokens.officer);
    await page.goto(server.url + '/simulate');
    await page.click('main form button[type=submit]');
    const shown = await text(page, '#result');
    assert.match(shown, /按登记库测算/);
    assert.match(shown, /合计/);
    assert.equal(await page.locator('#result svg.chart').count(), 1);
    // The reform doubles the certificate grant: the change row of that measure is positive.
    assert.match(shown, /高端品质认证[^\n]*\n?[^\n]*5万元/);
    // The same figures as CSV.
    const csrf = await page.inputValue('main form input[name=csrf]');
    const csv = await page.request.post(server.url + '/simulate', { form: { csrf, reform: 'reform-double-certification.yaml',
      registry: 'registry.jsonl', as_of: TODAY, format: 'csv' } });
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /text\/csv/);
    assert.match(await csv.text(), /high_end_certification/);
    await page.context().close();
  });

  test('ten minutes before the session ends an alert offers to extend it (WCAG 2.2.1)', async () => {
    const page = await personPage(server.tokens['unit-a']);
    await page.goto(server.url + '/applications');
    const ends = Date.parse(await page.getAttribute('[data-ends]', 'data-ends'));
    assert.ok(ends > Date.now(), 'the header says when the session ends');
    await page.clock.install({ time: new Date(ends - 11 * 60 * 1000) });
    await page.goto(server.url + '/applications');
    assert.equal(await page.locator('main [role=alert]').count(), 0, 'no alert an hour early');
    await page.clock.fastForward('02:00');
    const alert = page.locator('main [role=alert]');
    assert.match(await alert.innerText(), /登录将在10分钟内到期/);
    // A second of real time, so that the new end (12 hours from the server's now, to the second)
    // is later than the old one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const reloaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/applications' && r.request().method() === 'GET');
    await alert.locator('button').click();
    await reloaded;
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/applications', 'back on the same page');
    const later = Date.parse(await page.getAttribute('[data-ends]', 'data-ends'));
    assert.ok(later > ends, `extended: ${later} > ${ends}`);
    await page.context().close();
  });

  test('the audit page verifies the chain and filters', async () => {
    const page = await personPage(server.tokens.auditor);
    await page.goto(server.url + '/audit');
    assert.match(await text(page, '[role=status]'), /审计链校验通过/);
    await page.fill('#f-action', 'round');
    await page.click('form.filters button');
    const rows = await page.$$eval('table.audit tbody tr td:nth-child(4)', (tds) => tds.map((t) => t.innerText));
    assert.ok(rows.length > 0 && rows.every((a) => a.includes('round')), 'only matching entries: ' + rows.join(','));
    await page.context().close();
  });
});
