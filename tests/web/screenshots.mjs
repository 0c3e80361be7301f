// Regenerates doc/screenshots/*.png, one per page (scripts/screenshots.sh): a demo server with
// a few cases made through the JSON API (a returned one, an accepted one with an expert's
// review, an invitation, a second round), then each page; then the round to the end (notice,
// approval, payments, the letter), and each page again as the role that uses it, in Chinese at desktop width,
// plus the English calculator and the applicant's case at phone width.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, signIn, startServer } from './lib.mjs';

const out = join(process.env.QGRANT_ROOT, 'doc/screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();

async function api(who, method, path, body) {
  const r = await fetch(server.url + path, {
    method, headers: { authorization: 'Bearer ' + server.tokens[who], 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

const applicant = (uscc, name) => ({ uscc, name, kind: 'enterprise', registered_in_shenzhen: true, serious_dishonesty: false });
const a1 = await api('unit-a', 'POST', '/api/v1/rounds/2026-demo/applications', {
  applicant: applicant('91440300MA5XXXXXXR', '深圳市示例科技有限公司'), measure: 'china_quality_award',
  subject: 'CQA-2025-winner', obtained_on: '2025-09-12', facts: { level: 'winner' } });
await api('unit-a', 'POST', `/api/v1/applications/${a1.id}/actions/submit`, {});
await api('reviewer', 'POST', `/api/v1/applications/${a1.id}/actions/return`, { note: '请补充获奖证书扫描件', deadline: '2026-06-10' });
const a2 = await api('unit-a', 'POST', '/api/v1/rounds/2026-demo/applications', {
  applicant: applicant('91440300MA5XXXXXXR', '深圳市示例科技有限公司'), measure: 'high_end_certification', subject: 'HEC-2026',
  obtained_on: '2026-02-01', facts: { certificates: [{ type: 'green_product', number: 'GP-2026-001', issued_on: '2026-01-15' },
    { type: 'robot', number: 'RB-2026-007', issued_on: '2026-02-01' }] } });
await api('unit-a', 'POST', `/api/v1/applications/${a2.id}/actions/submit`, {});
const b1 = await api('unit-b', 'POST', '/api/v1/rounds/2026-demo/applications', {
  applicant: applicant('914403001922038216', '深圳市某通信技术有限公司'), measure: 'mayor_quality_award', subject: 'MQA-2025',
  obtained_on: '2025-12-01', facts: { grade: 'silver' } });
await api('unit-b', 'POST', `/api/v1/applications/${b1.id}/actions/submit`, {});
await api('expert', 'POST', `/api/v1/applications/${b1.id}/reviews`, { passed: true, score: 88, note: '材料齐全', conflict_of_interest: false });
await api('reviewer', 'POST', `/api/v1/applications/${b1.id}/actions/accept`, {});
await api('reviewer', 'POST', `/api/v1/applications/${a2.id}/actions/accept`, {});
await api('officer', 'POST', '/api/v1/rounds/2026-demo/invitations', { registry: readFileSync(join(process.env.QGRANT_ROOT,
  'examples/registry.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l)) });
await api('officer', 'POST', '/api/v1/rounds', { id: '2027-pilot', title: '2027年度试点批次', guide: '2026', budget_fen: 500000000,
  opens_on: '2026-07-01', closes_on: '2026-09-30' });

const shots = [
  ['calculator', null, '/'],
  ['measure-result', null, '/measures/china_quality_award?calc=1&applicant.uscc=91440300MA5XXXXXXR&applicant.name=%E6%B7%B1%E5%9C%B3%E5%B8%82%E7%A4%BA%E4%BE%8B%E7%A7%91%E6%8A%80%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8&applicant.kind=enterprise&applicant.registered_in_shenzhen=true&applicant.serious_dishonesty=false&subject=CQA-2025&obtained_on=2025-09-12&facts.level=winner#result'],
  ['measure-certificates', null, '/measures/high_end_certification'],
  ['signin', null, '/signin'],
  ['applications', 'unit-a', '/applications'],
  ['application-new', 'unit-a', '/applications/new?round=2026-demo&measure=high_end_certification'],
  ['case-returned', 'unit-a', `/applications/${a1.id}`],
  ['case-confirm-submit', 'unit-a', `/applications/${a1.id}/confirm/submit`],
  ['invitations', 'unit-a', '/invitations'],
  ['review-queue', 'reviewer', '/review?state=accepted'],
  ['review-case', 'reviewer', `/applications/${a2.id}`],
  ['expert-case', 'expert', `/applications/${a2.id}`],
  ['rounds', 'officer', '/rounds'],
  ['round', 'officer', '/rounds/2026-demo'],
  ['audit', 'auditor', '/audit'],
  ['simulate', 'officer', '/simulate'],
];
const contexts = {};
async function pageFor(who, options = {}) {
  const key = (who || 'anonymous') + JSON.stringify(options);
  if (!contexts[key]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', ...options });
    const page = await context.newPage();
    if (who) await signIn(page, server.url, server.tokens[who]);
    contexts[key] = page;
  }
  return contexts[key];
}
async function shoot(name, who, path) {
  const page = await pageFor(who);
  await page.goto(server.url + path);
  if (name === 'simulate') await page.click('main form button[type=submit]');
  await page.screenshot({ path: join(out, name + '.png'), fullPage: true });
  console.log('doc/screenshots/' + name + '.png');
}
for (const [name, who, path] of shots) await shoot(name, who, path);
// The round to the end: allocation, the notice, approval after it (a later service date).
await api('officer', 'POST', '/api/v1/rounds/2026-demo/close', {});
await api('officer', 'POST', '/api/v1/rounds/2026-demo/allocate', {});
await api('officer', 'POST', '/api/v1/rounds/2026-demo/notice', { starts_on: '2026-06-01', working_days: 5 });
await shoot('notice', null, '/rounds/2026-demo/notice');
await shoot('round-in-notice', 'officer', '/rounds/2026-demo');
await server.restart('2026-06-10');
await api('officer', 'POST', '/api/v1/rounds/2026-demo/approve', {});
await shoot('payments', 'finance', '/rounds/2026-demo/payments');
await shoot('round-approved', 'officer', '/rounds/2026-demo');
await shoot('case-approved', 'unit-b', `/applications/${b1.id}`);
await shoot('letter', 'unit-b', `/applications/${b1.id}/letter`);
const en = await pageFor(null, { locale: 'en' });
await en.goto(server.url + '/lang?to=en&back=/measures/high_end_certification');
await en.screenshot({ path: join(out, 'calculator-english.png'), fullPage: true });
console.log('doc/screenshots/calculator-english.png');
const phone = await pageFor('unit-a', { viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
await phone.goto(server.url + `/applications/${a1.id}`);
await phone.screenshot({ path: join(out, 'case-phone.png'), fullPage: true });
console.log('doc/screenshots/case-phone.png');
await browser.close();
await server.stop();
