#!/usr/bin/env node
// A reference implementation of the sz-quality-brand rules in plain JavaScript, for timing only.
//
// This is NOT the engine and nothing relies on it: it is the hand-written competitor that
// bench/eval_vs_js.sh runs beside `qgrant eval` to put the engine's throughput in proportion
// (issue #15). It decides the measures of policies/sz-quality-brand/policy.yaml by CONTRACT.md §2–§6
// the way a developer would write them out by hand: the rules are a table in this file (no YAML,
// no policy language), the input is read in large chunks and split into lines, the ledger is a
// few Maps. Node 20, no npm packages.
//
//   node bench/reference/rules.js [--ledger LEDGER.jsonl] [--as-of YYYY-MM-DD] [APPLICATIONS.jsonl]
//
// One JSON line out per non-blank line in (stdin when no file), in input order:
//   {"id", "measure", "clause", "outcome", "cap_fen", "amount_fen", "reasons": [{"code"}], "items"}
// outcome is eligible, ineligible, referred or invalid. The reasons carry codes only: the
// engine's bilingual texts, traces and provenance are not produced, which spares this program
// work the engine does.
//
// What it leaves out (none of it occurs in bench/gen_workload's output): guides (windows, per-unit
// item limits, guide conditions), amendments, upgrade_pays: difference, JSON objects with a
// repeated member name (JSON.parse keeps the last), money written as 1.0 or 1e3 (JSON.parse cannot
// tell them from 1 and 1000), invalid UTF-8 (decoded to U+FFFD rather than rejected), and full
// Unicode case mapping of keys (toUpperCase() after NFKC, close to but not exactly utf8proc's).
'use strict';

const fs = require('fs');

// ---------------------------------------------------------------------------------- the policy

const ALL_KINDS = ['enterprise', 'public_institution', 'social_organization', 'park_organizer'];
const EFFECTIVE_FROM = '2026-01-01';
const VALID_UNTIL = '2031-01-01'; // effective_from + validity_years (5), exclusive
const ACHIEVEMENTS_FROM = '2025-01-01';
const POLICY_ID = 'sz-quality-brand';

const ACCREDITATION_BODIES = ['A2LA', 'NVLAP', 'UKAS', 'DAkkS', 'COFRAC', 'ANAB', 'IAS', 'NATA', 'JAB', 'IANZ'];
const BRAND_VALUE_STANDARDS = ['ISO 10668', 'ISO 20671', 'GB/T 29187', 'GB/T 39654'];
const MATURITY_LEVELS = ['higher'];
const DRAFTING = new Set(['international_recommendation', 'national_regulation', 'provincial_regulation']);

// Fact declarations: {type, required, enum, match, min_items, fields}.
const str = (required, values) => ({ type: 'string', required, enum: values ? new Set(values) : null });
const LEVEL_WINNER_NOMINEE = { level: str(true, ['winner', 'nominee']) };

// support: payment (default), referral or non_monetary. once: first_time, one_time or per_item.
// byMeasure: a first-time rule keyed by the measure, not the level. ceiling: fen, or fen by level.
// check(facts): the measure's own conditions, the reason code of the first that fails or null.
const MEASURES = {
  industry_chain_quality_service: { clause: '一（一）', kinds: ALL_KINDS, facts: {}, ceiling: 300_000_000, review: true, code: 'industry_chain_quality_service' },
  quality_innovation: {
    clause: '一（二）', kinds: ['enterprise'], review: true, code: 'quality_innovation',
    facts: { category: str(true, ['technology', 'management', 'work_method']) },
    level: 'category', ceiling: { technology: 30_000_000, management: 30_000_000, work_method: 30_000_000 },
  },
  high_end_certification: {
    clause: '一（三）', kinds: ['enterprise'], once: 'per_item', ceiling: 5_000_000, code: 'per_certificate',
    facts: {
      certificates: {
        type: 'list', required: true, min_items: 1,
        fields: {
          type: str(true, ['green_product', 'green_finance', 'carbon_footprint', 'automotive_chip', 'robot', 'other_high_end']),
          number: str(true),
          issued_on: { type: 'date', required: true },
        },
      },
    },
  },
  shenzhen_standard_certification: {
    clause: '一（三）', kinds: ['enterprise'], support: 'referral',
    facts: { scheme: str(true, ['zhenpin', 'shenzhen_standard']) },
  },
  trustworthy_consumption_environment: { clause: '一（四）', kinds: ALL_KINDS, support: 'non_monetary', facts: {} },
  public_technical_platform: {
    clause: '二（五）', kinds: ALL_KINDS, support: 'referral',
    facts: { level: str(true, ['national', 'provincial', 'municipal']), kind: str(true, ['platform', 'quality_standard_lab']) },
  },
  metrology: {
    clause: '二（六）', kinds: ALL_KINDS, ceiling: 80_000_000, code: 'metrology_project',
    facts: {
      activity: str(true, ['international_recommendation', 'national_regulation', 'provincial_regulation',
        'technical_committee', 'demonstration', 'municipal_measurement_standard']),
      role: str(false, ['lead', 'participate']),
    },
    check: (f) => (DRAFTING.has(f.activity) && f.role == null ? 'role_missing' : null),
  },
  international_accreditation: {
    clause: '二（六）', kinds: ALL_KINDS, ceiling: 30_000_000, code: 'international_accreditation', onePerUnitPerRound: true,
    facts: { body: { type: 'string', required: true, match: 'key' } },
    check: (f) => (openList(ACCREDITATION_BODIES, 'key').has(matchKey(f.body)) ? null : 'body_not_recognised'),
  },
  qi_demonstration: { clause: '二（七）', kinds: ALL_KINDS, facts: {}, ceiling: 20_000_000, review: true, code: 'qi_demonstration' },
  china_quality_award: {
    clause: '三（八）', kinds: ALL_KINDS, facts: LEVEL_WINNER_NOMINEE, level: 'level', once: 'first_time', code: 'first_time',
    ceiling: { winner: 300_000_000, nominee: 100_000_000 },
  },
  guangdong_quality_award: {
    clause: '三（八）', kinds: ALL_KINDS, facts: LEVEL_WINNER_NOMINEE, level: 'level', once: 'first_time', code: 'first_time',
    ceiling: { winner: 100_000_000, nominee: 10_000_000 },
  },
  mayor_quality_award: {
    clause: '三（八）', kinds: ALL_KINDS, facts: { grade: str(true, ['gold', 'silver', 'bronze']) }, level: 'grade',
    once: 'first_time', byMeasure: true, code: 'first_time',
    ceiling: { gold: 200_000_000, silver: 100_000_000, bronze: 50_000_000 },
  },
  performance_excellence: {
    clause: '三（九）', kinds: ALL_KINDS, facts: { maturity: { type: 'string', required: true, match: 'key' } },
    level: 'maturity', once: 'first_time', ceiling: 30_000_000, code: 'performance_excellence',
    check: (f) => (openList(MATURITY_LEVELS, 'key').has(matchKey(f.maturity)) ? null : 'maturity_not_reached'),
  },
  regional_brand_demo_zone: {
    clause: '三（十）', kinds: ['park_organizer', 'social_organization', 'public_institution'],
    facts: { level: str(true, ['national', 'provincial']) }, level: 'level', once: 'one_time', subjectPaidOnce: true,
    ceiling: { national: 100_000_000, provincial: 50_000_000 }, code: 'one_time',
  },
  brand_value_evaluation: {
    clause: '三（十一）', kinds: ['enterprise'], facts: { standard: { type: 'string', required: true, match: 'standard' } },
    once: 'one_time', review: true, ceiling: 50_000_000, code: 'one_time',
    check: (f) => (openList(BRAND_VALUE_STANDARDS, 'standard').has(standardKey(f.standard)) ? null : 'standard_not_recognised'),
  },
};
for (const [id, m] of Object.entries(MEASURES)) {
  m.id = id;
  m.support = m.support || 'payment';
  m.kindSet = new Set(m.kinds);
  m.factNames = new Set(Object.keys(m.facts));
  if (!m.level) m.byMeasure = true; // a measure without levels: any earlier entry blocks
}

// ------------------------------------------------------------------------------ keys and dates

// Subjects, certificate numbers and open-list values compare as keys (CONTRACT §6): NFKC,
// upper case, white space and invisible characters trimmed. Plain upper-case ASCII is its own key.
const PLAIN_KEY = /^[\x21-\x60\x7b-\x7e](?:[\x20-\x60\x7b-\x7e]*[\x21-\x60\x7b-\x7e])?$/;
const TRIM = /^[\s\u200b-\u200d\u2060\ufeff\u00ad]+|[\s\u200b-\u200d\u2060\ufeff\u00ad]+$/g;
function matchKey(s) {
  if (PLAIN_KEY.test(s)) return s;
  return s.normalize('NFKC').toUpperCase().replace(TRIM, '');
}
// A standard's edition year is ignored: "GB/T 29187-2012" is "GB/T 29187".
function standardKey(s) {
  const k = matchKey(s);
  return k.length > 5 && /[-:][0-9]{4}$/.test(k) ? k.slice(0, -5).replace(/ +$/, '') : k;
}
const openLists = new Map();
function openList(values, match) {
  let set = openLists.get(values);
  if (!set) openLists.set(values, (set = new Set(values.map(match === 'standard' ? standardKey : matchKey))));
  return set;
}
// An open-list value as the policy spells it when it matches an entry, else its key (the level of
// performance_excellence, which keys the first-time rule).
function canonical(values, s) {
  const k = matchKey(s);
  return values.find((v) => matchKey(v) === k) ?? k;
}

// YYYY-MM-DD and a real calendar day; as text such dates compare in calendar order.
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function isDate(s) {
  const m = DATE.exec(s);
  if (!m) return false;
  const y = +m[1], mo = +m[2], d = +m[3];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
}

// Unified social credit code, GB 32100-2015: 18 characters and the check character.
const USCC_SET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function usccOk(code) {
  if (code.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 18; i++) {
    const v = USCC_SET.indexOf(code[i]);
    if (v < 0) return false;
    if (i < 17) sum += v * USCC_WEIGHTS[i];
  }
  return USCC_SET[(31 - (sum % 31)) % 31] === code[17];
}

// ----------------------------------------------------------------------------------- the ledger

// Entries: {measure, level, scope, amount, inRound, subjectOnly, isItem}, indexed by
// (uscc, subject), (uscc, measure) and for items (measure, subject). Lookups want the earliest.
class Ledger {
  constructor() {
    this.bySubject = new Map();
    this.byMeasure = new Map();
    this.byItem = new Map();
  }
  add(uscc, subject, e) {
    push(this.bySubject, uscc + '\0' + subject, e);
    push(this.byMeasure, uscc + '\0' + e.measure, e);
    if (e.isItem) {
      const k = e.measure + '\0' + subject;
      if (!this.byItem.has(k)) this.byItem.set(k, e);
    }
  }
  // Clause （十二）: the same unit and subject paid by the city, under any policy and measure.
  subject(uscc, subject) {
    const list = this.bySubject.get(uscc + '\0' + subject);
    return list ? list.find((e) => e.scope === 'city' && (e.inRound || e.amount > 0)) : undefined;
  }
  // First time / one time: the unit's entries of the measure, at `level` unless it is ''.
  level(uscc, measure, level) {
    const list = this.byMeasure.get(uscc + '\0' + measure);
    return list ? list.find((e) => !e.subjectOnly && (level === '' || e.level === level)) : undefined;
  }
  // （六）: an eligible application of the same unit and measure earlier in this round.
  inRound(uscc, measure) {
    const list = this.byMeasure.get(uscc + '\0' + measure);
    return list ? list.find((e) => e.inRound && !e.subjectOnly) : undefined;
  }
  // A certificate number (or a subject paid once whoever applies) of the measure, for anyone.
  item(measure, key) {
    return this.byItem.get(measure + '\0' + key);
  }
}
function push(map, key, value) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const LEDGER_FIELDS = new Set(['uscc', 'policy', 'measure', 'level', 'subject', 'granted_on', 'scope', 'application_id', 'round', 'amount_fen']);
const SCOPES = new Set(['city', 'district', 'province', 'national']);

// A bad line stops everything: a ledger read in part would let a unit be paid twice.
function loadLedger(path, ledger) {
  let n = 0;
  forEachLine(path, (line) => {
    n++;
    if (/^[ \t\r]*$/.test(line)) return;
    const fail = (msg) => {
      process.stderr.write(`rules.js: ${path}: line ${n}: ${msg}\n`);
      process.exit(2);
    };
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      fail('not valid JSON');
    }
    if (r === null || typeof r !== 'object' || Array.isArray(r)) fail('not a JSON object');
    for (const k in r) if (!LEDGER_FIELDS.has(k)) fail(`unknown field '${k}'`);
    for (const k of ['uscc', 'policy', 'measure', 'subject']) {
      if (r[k] == null) fail(`missing '${k}'`);
      if (typeof r[k] !== 'string') fail(`'${k}' must be a string`);
      if (r[k] === '') fail(`'${k}' must not be empty`);
    }
    for (const k of ['level', 'granted_on', 'scope', 'application_id', 'round']) {
      if (r[k] != null && typeof r[k] !== 'string') fail(`'${k}' must be a string`);
    }
    if (r.granted_on && !isDate(r.granted_on)) fail("'granted_on' is not a date YYYY-MM-DD");
    const amount = r.amount_fen ?? 0;
    if (!Number.isSafeInteger(amount) || amount < 0) fail("'amount_fen' must be a whole number of fen, not negative");
    if (amount > 1e15) fail("'amount_fen' is above 10^15 fen");
    const scope = r.scope ?? 'city';
    if (!SCOPES.has(scope)) fail("'scope' must be city, district, province or national");
    const level = r.level ?? '';
    const m = MEASURES[r.measure];
    if (m && m.level && (m.once === 'first_time' || m.once === 'one_time')) {
      if (level === '') fail(`'level' is required for measure '${r.measure}' (its ${m.level})`);
      const spec = m.facts[m.level];
      if (spec.enum && !spec.enum.has(level)) fail(`'level' ${level} is not a level of measure '${r.measure}'`);
    }
    const subject = matchKey(r.subject);
    if (subject === '') fail("'subject' must not be empty");
    ledger.add(r.uscc, subject, {
      measure: r.measure, level, scope, amount, inRound: false, subjectOnly: false, isItem: true, policy: r.policy,
    });
  });
}

// --------------------------------------------------------------------------- the applications

const ROOT_FIELDS = new Set(['id', 'applicant', 'measure', 'subject', 'obtained_on', 'requested_fen', 'facts', 'submitted_on', 'review']);
const APPLICANT_FIELDS = new Set(['uscc', 'name', 'kind', 'registered_in_shenzhen', 'serious_dishonesty', 'established_on', 'district']);
const APPLICANT_FACTS = { years_operating: 'int' }; // declared by the policy

class Evaluator {
  constructor(ledger, asOf) {
    this.ledger = ledger;
    this.asOf = asOf;
  }

  // One line in, one decision object out.
  decide(line) {
    let app;
    try {
      app = JSON.parse(line);
    } catch {
      return invalid(null, '', '', [{ code: 'not_json', path: '' }]);
    }
    if (app === null || typeof app !== 'object' || Array.isArray(app)) return invalid(null, '', '', [{ code: 'not_object', path: '' }]);
    const errors = [];
    const err = (path, code) => errors.push({ code, path });
    for (const k in app) if (!ROOT_FIELDS.has(k)) err(k, 'unknown_field');

    let id = null;
    if (app.id == null) err('id', 'missing');
    else if (typeof app.id !== 'string') err('id', 'wrong_type');
    else {
      id = app.id;
      if (id === '') err('id', 'empty');
    }

    const a = app.applicant;
    let uscc = '', kind = '';
    if (a == null) err('applicant', 'missing');
    else if (typeof a !== 'object' || Array.isArray(a)) err('applicant', 'wrong_type');
    else {
      for (const k in a) {
        if (APPLICANT_FIELDS.has(k)) continue;
        const type = APPLICANT_FACTS[k];
        if (!type) err('applicant.' + k, 'unknown_field');
        else if (a[k] != null && !Number.isSafeInteger(a[k])) err('applicant.' + k, 'wrong_type');
      }
      const s = requiredString(a.uscc, 'applicant.uscc', err);
      if (s != null) {
        uscc = s;
        if (!usccOk(s)) err('applicant.uscc', 'invalid_uscc');
      }
      requiredString(a.name, 'applicant.name', err);
      const k = requiredString(a.kind, 'applicant.kind', err);
      if (k != null) {
        if (ALL_KINDS.includes(k)) kind = k;
        else err('applicant.kind', 'not_in_list');
      }
      requiredBool(a.registered_in_shenzhen, 'applicant.registered_in_shenzhen', err);
      requiredBool(a.serious_dishonesty, 'applicant.serious_dishonesty', err);
      if (a.established_on != null) dateField(a.established_on, 'applicant.established_on', err);
      if (a.district != null && typeof a.district !== 'string') err('applicant.district', 'wrong_type');
    }

    let m = null, measureId = '';
    const ms = requiredString(app.measure, 'measure', err);
    if (ms != null) {
      measureId = ms;
      m = Object.hasOwn(MEASURES, ms) ? MEASURES[ms] : null;
      if (!m) err('measure', 'unknown_measure');
    }
    let subject = '';
    const ss = requiredString(app.subject, 'subject', err);
    if (ss != null) {
      subject = matchKey(ss);
      if (subject === '') err('subject', 'empty');
    }
    const obtained = requiredString(app.obtained_on, 'obtained_on', err);
    if (obtained != null) this.pastDate(obtained, 'obtained_on', err);
    const submitted = app.submitted_on;
    if (submitted != null) {
      if (typeof submitted !== 'string') err('submitted_on', 'wrong_type');
      else this.pastDate(submitted, 'submitted_on', err);
    }
    const requested = app.requested_fen;
    if (requested != null && !(Number.isSafeInteger(requested) && requested >= 1 && requested <= 1e15)) {
      err('requested_fen', 'not_positive_integer');
    }
    let reviewPassed;
    if (app.review != null) reviewPassed = readReview(app.review, err);
    let facts = app.facts;
    if (facts == null) facts = {};
    else if (typeof facts !== 'object' || Array.isArray(facts)) {
      err('facts', 'wrong_type');
      facts = null;
    }
    if (m) this.checkFacts(facts, m.facts, m.factNames, 'facts', err);
    if (errors.length) return invalid(id, measureId, m ? m.clause : '', errors);

    // The policy's validity, judged on the submission date when given.
    const judgedOn = submitted ?? this.asOf;
    if (judgedOn < EFFECTIVE_FROM || judgedOn >= VALID_UNTIL) return decision(id, m, 'ineligible', 0, 0, ['policy_not_in_force']);
    // Exclusions come first, for every measure.
    const excluded = [];
    if (a.registered_in_shenzhen !== true) excluded.push('not_registered_in_shenzhen');
    if (a.serious_dishonesty === true) excluded.push('serious_dishonesty');
    if (excluded.length) return decision(id, m, 'ineligible', 0, 0, excluded);
    if (m.support === 'non_monetary') return decision(id, m, 'ineligible', 0, 0, ['no_funding']);
    const failed = [];
    if (!m.kindSet.has(kind)) failed.push('applicant_kind_not_allowed');
    if (m.support === 'referral') return failed.length ? decision(id, m, 'ineligible', 0, 0, failed) : decision(id, m, 'referred', 0, 0, ['referral']);
    if (m.once !== 'per_item' && obtained < ACHIEVEMENTS_FROM) failed.push('achievement_before_policy');
    const f = facts || {};
    if (m.check) {
      const code = m.check(f);
      if (code) failed.push(code);
    }
    if (m.review && reviewPassed === false) failed.push('review_not_passed');
    let level = '';
    if (m.level) level = m.level === 'maturity' ? canonical(MATURITY_LEVELS, f.maturity) : f[m.level];
    return this.settle(id, m, uscc, subject, level, requested, failed, reviewPassed, f);
  }

  // The rules that need the ledger, and what an eligible decision records in it.
  settle(id, m, uscc, subject, level, requested, failed, reviewPassed, facts) {
    const ledger = this.ledger;
    if (ledger.subject(uscc, subject)) failed.push('double_benefit');
    if (m.once === 'first_time' || m.once === 'one_time') {
      if (ledger.level(uscc, m.id, m.byMeasure ? '' : level)) failed.push(m.once === 'first_time' ? 'not_first_time' : 'already_received');
    }
    if (m.onePerUnitPerRound && ledger.inRound(uscc, m.id)) failed.push('unit_already_funded_in_round');
    if (m.subjectPaidOnce && ledger.item(m.id, subject)) failed.push('honour_already_funded');
    const cap = typeof m.ceiling === 'number' ? m.ceiling : m.ceiling[level] ?? 0;
    if (m.once === 'per_item') {
      const certs = facts.certificates;
      if (failed.length) return decision(id, m, 'ineligible', cap * certs.length, 0, failed);
      return this.settleItems(id, m, uscc, subject, certs, requested);
    }
    if (failed.length) return decision(id, m, 'ineligible', cap, 0, failed);
    const amount = requested != null && requested < cap ? requested : cap;
    ledger.add(uscc, subject, {
      measure: m.id, level: m.level ? level : '', scope: 'city', amount, inRound: true, subjectOnly: false,
      isItem: !!m.subjectPaidOnce, policy: POLICY_ID,
    });
    const reasons = [m.code];
    if (m.review) reasons.push(reviewPassed === true ? 'review_passed' : 'subject_to_review');
    reasons.push(requested == null || requested === cap ? 'ceiling' : requested < cap ? 'requested_below_ceiling' : 'capped_at_ceiling');
    return decision(id, m, 'eligible', cap, amount, reasons);
  }

  // （三）: each certificate on its own, in order; the request is taken from them in order.
  settleItems(id, m, uscc, subject, certs, requested) {
    const ledger = this.ledger;
    const perItem = m.ceiling;
    let remaining = requested ?? Infinity;
    let total = 0, payable = 0, beforePolicy = 0, repeatedOrBefore = 0;
    const seen = new Set();
    const items = [];
    for (const c of certs) {
      const key = matchKey(c.number);
      let code;
      let pay = 0;
      if (seen.has(key)) {
        code = 'duplicate_in_application';
        repeatedOrBefore++;
      } else {
        seen.add(key);
        let paidElsewhere;
        if (c.issued_on < ACHIEVEMENTS_FROM) {
          code = 'achievement_before_policy';
          beforePolicy++;
          repeatedOrBefore++;
        } else if ((paidElsewhere = ledger.subject(uscc, key)) && paidElsewhere.measure !== m.id) {
          code = 'double_benefit';
        } else if (ledger.item(m.id, key)) {
          code = 'certificate_already_funded';
        } else {
          payable++;
          pay = Math.min(perItem, remaining);
          remaining -= pay;
          total += pay;
          code = pay === perItem ? 'per_certificate' : 'requested_below_ceiling';
        }
      }
      items.push({ key, code, pay, paid: code === 'per_certificate' || code === 'requested_below_ceiling' });
    }
    if (payable === 0) {
      const why = beforePolicy > 0 && repeatedOrBefore === certs.length ? 'achievement_before_policy' : 'no_payable_certificate';
      return decision(id, m, 'ineligible', 0, 0, [why], items);
    }
    for (const it of items) {
      if (it.paid && it.pay > 0) {
        ledger.add(uscc, it.key, {
          measure: m.id, level: '', scope: 'city', amount: it.pay, inRound: true, subjectOnly: false, isItem: true, policy: POLICY_ID,
        });
      }
    }
    ledger.add(uscc, subject, {
      measure: m.id, level: '', scope: 'city', amount: 0, inRound: true, subjectOnly: true, isItem: false, policy: POLICY_ID,
    });
    const capTotal = payable * perItem;
    const reasons = [m.code, requested != null && requested < capTotal ? 'requested_below_ceiling' : 'ceiling'];
    return decision(id, m, 'eligible', capTotal, total, reasons, items);
  }

  // A date of something that happened: a real date, not after the evaluation date.
  pastDate(s, path, err) {
    if (!isDate(s)) err(path, 'invalid_date');
    else if (s > this.asOf) err(path, 'future_date');
  }

  // Validates an object of facts against its declarations (closed lists, types, required, unknown).
  checkFacts(obj, specs, names, path, err) {
    if (obj) for (const k in obj) if (!names.has(k)) err(path + '.' + k, 'unknown_field');
    for (const name of names) {
      const spec = specs[name];
      const v = obj ? obj[name] : undefined;
      const p = path + '.' + name;
      if (v == null) {
        if (spec.required) err(p, 'missing');
        continue;
      }
      switch (spec.type) {
        case 'string':
          if (typeof v !== 'string') err(p, 'wrong_type');
          else if (spec.enum) {
            if (!spec.enum.has(v)) err(p, 'not_in_list');
          } else if (spec.required && v === '') err(p, 'empty');
          break;
        case 'date':
          if (typeof v !== 'string') err(p, 'wrong_type');
          else this.pastDate(v, p, err); // the only date fact is a certificate's issued_on
          break;
        case 'list': {
          if (!Array.isArray(v)) {
            err(p, 'wrong_type');
            break;
          }
          if (v.length < spec.min_items) err(p, 'empty');
          const fieldNames = spec.fieldNames || (spec.fieldNames = new Set(Object.keys(spec.fields)));
          for (let i = 0; i < v.length; i++) {
            const item = v[i];
            if (item === null || typeof item !== 'object' || Array.isArray(item)) err(`${p}[${i}]`, 'wrong_type');
            else this.checkFacts(item, spec.fields, fieldNames, `${p}[${i}]`, err);
          }
          break;
        }
      }
    }
  }
}

function requiredString(v, path, err) {
  if (v == null) err(path, 'missing');
  else if (typeof v !== 'string') err(path, 'wrong_type');
  else if (v === '') err(path, 'empty');
  else return v;
  return null;
}

function requiredBool(v, path, err) {
  if (v == null) err(path, 'missing');
  else if (typeof v !== 'boolean') err(path, 'wrong_type');
}

function dateField(v, path, err) {
  if (typeof v !== 'string') err(path, 'wrong_type');
  else if (!isDate(v)) err(path, 'invalid_date');
}

// {"passed": bool, "note": string}: the experts' finding, if any.
function readReview(r, err) {
  if (typeof r !== 'object' || Array.isArray(r)) {
    err('review', 'wrong_type');
    return undefined;
  }
  let passed;
  for (const k in r) {
    if (k === 'passed') {
      if (typeof r.passed !== 'boolean') err('review.passed', 'wrong_type');
      else passed = r.passed;
    } else if (k === 'note') {
      if (r.note != null && typeof r.note !== 'string') err('review.note', 'wrong_type');
    } else err('review.' + k, 'unknown_field');
  }
  if (!('passed' in r) && Object.keys(r).length > 0) err('review.passed', 'missing');
  return passed;
}

// --------------------------------------------------------------------------------- the output

function decision(id, m, outcome, cap, amount, reasons, items) {
  return { id, measure: m.id, clause: m.clause, outcome, cap_fen: cap, amount_fen: amount, reasons, items };
}

function invalid(id, measure, clause, errors) {
  return { id, measure, clause, outcome: 'invalid', cap_fen: 0, amount_fen: 0, errors };
}

function toJson(d) {
  let reasons;
  if (d.errors) reasons = d.errors.map((e) => `{"code":"${e.code}","path":${JSON.stringify(e.path)}}`).join(',');
  else reasons = d.reasons.map((c) => `{"code":"${c}"}`).join(',');
  let items = '';
  if (d.items) items = d.items.map((it) => `{"key":${JSON.stringify(it.key)},"outcome":"${it.paid ? 'eligible' : 'ineligible'}","amount_fen":${it.pay},"code":"${it.code}"}`).join(',');
  return `{"id":${d.id === null ? 'null' : JSON.stringify(d.id)},"measure":${JSON.stringify(d.measure)},"clause":"${d.clause}",` +
    `"outcome":"${d.outcome}","cap_fen":${d.cap_fen},"amount_fen":${d.amount_fen},"reasons":[${reasons}],"items":[${items}]}\n`;
}

// ----------------------------------------------------------------------------- lines in and out

// Calls fn(line) for every line of the file (fd 0 for "-"), read in chunks of 256 KB: a file of
// a million applications is several hundred MB, more than one string may hold, and small chunks
// decode faster (they stay in cache) and keep less memory alive than large ones.
function forEachLine(path, fn) {
  const fd = path === '-' ? 0 : fs.openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(1 << 18);
  let carry = Buffer.alloc(0);
  let first = true;
  for (;;) {
    let n;
    try {
      n = fs.readSync(fd, chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === 'EAGAIN') continue;
      if (e.code === 'EOF') n = 0;
      else throw e;
    }
    if (n === 0) break;
    let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
    const last = buf.lastIndexOf(10);
    if (last < 0) {
      carry = Buffer.from(buf);
      continue;
    }
    let text = buf.toString('utf8', 0, last);
    carry = Buffer.from(buf.subarray(last + 1));
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark
    first = false;
    for (const line of text.split('\n')) fn(line.endsWith('\r') ? line.slice(0, -1) : line);
  }
  if (carry.length) {
    let text = carry.toString('utf8');
    if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    fn(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
  if (fd !== 0) fs.closeSync(fd);
}

// Writes to stdout synchronously, whatever stdout is (a file, a pipe that may say EAGAIN).
function writeOut(s) {
  const buf = Buffer.from(s);
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
}

function main(argv) {
  let ledgerPath = null, asOf = null, input = '-';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ledger') ledgerPath = argv[++i];
    else if (a === '--as-of') asOf = argv[++i];
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node rules.js [--ledger LEDGER.jsonl] [--as-of YYYY-MM-DD] [APPLICATIONS.jsonl]\n');
      return 0;
    } else if (a.startsWith('--')) {
      process.stderr.write(`rules.js: unknown option ${a}\n`);
      return 2;
    } else input = a;
  }
  // Today in Asia/Shanghai (UTC+8), as the engine's default.
  if (asOf == null) asOf = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  if (!isDate(asOf)) {
    process.stderr.write(`rules.js: --as-of ${asOf} is not a date YYYY-MM-DD\n`);
    return 2;
  }
  const ledger = new Ledger();
  if (ledgerPath) loadLedger(ledgerPath, ledger);
  const evaluator = new Evaluator(ledger, asOf);
  const counts = { eligible: 0, ineligible: 0, referred: 0, invalid: 0 };
  let out = '';
  let total = 0;
  forEachLine(input, (line) => {
    if (/^[ \t\r]*$/.test(line)) return; // blank lines make no decision
    const d = evaluator.decide(line);
    counts[d.outcome]++;
    if (d.outcome === 'eligible') total += d.amount_fen;
    out += toJson(d);
    if (out.length > 1 << 20) {
      writeOut(out);
      out = '';
    }
  });
  writeOut(out);
  const n = counts.eligible + counts.ineligible + counts.referred + counts.invalid;
  process.stderr.write(`rules.js: ${n} decision(s): ${counts.eligible} eligible, ${counts.ineligible} ineligible, ` +
    `${counts.referred} referred, ${counts.invalid} invalid; eligible total ${total} fen\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
