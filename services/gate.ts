/**
 * The deterministic validation gate (D10). It checks the model's prose, before the SOW block is inserted:
 * the block itself carries the usage rights and a struck-through ask, so it is never part of the check.
 */
import { mentions, normalizeText, possibleCents, styleEvidence, unreadAmounts, YEAR_BEFORE } from './amounts.ts';
import { type Cents, formatUsd } from './money.ts';

export const SOW_PLACEHOLDER = '{{SOW}}';

/** Internal figures must never leak (case-insensitive substrings). */
export const DEFAULT_FORBIDDEN_PHRASES: string[] = [
  'ceiling',
  'floor rate',
  'our floor',
  'cpm floor',
  'max cost',
  'maximum cost',
  'max budget',
  'maximum budget',
  'budget cap',
  'approval threshold',
  'without approval',
];

export interface GateInput {
  prose: string;
  allowedCents: Cents[];
  requireSow: boolean;
  agreement: boolean;
  forbiddenPhrases: string[];
  /** Default 50. */
  minLength?: number;
}

export interface GateFailure {
  check:
    | 'monetary_value'
    | 'commitment'
    | 'agreement_claim'
    | 'forbidden_phrase'
    | 'too_short'
    | 'sow_placeholder'
    | 'payment_terms';
  detail: string;
  severity: 'error' | 'warning';
}

export interface GateResult {
  passed: boolean;
  failures: GateFailure[];
}

// Usage rights only ever appear inside the SOW block, so they count as a commitment in agreement mode too.
const COMMITMENTS: { pattern: RegExp; what: string }[] = [
  {
    pattern:
      /\b(?:exclusiv|exklusiv|esclusiv|ekskluzyw)\w*|\bnon-?compete\b|\bsole\s+(?:partner|creator|ambassador|brand)\b/i,
    what: 'exclusivity',
  },
  {
    pattern:
      /\bguarant(?:ee|ie|ía|ia|ir|ier)\w*|\bwe\s+promise\b|\bpromis(?:e|es|ed|ing)\s+(?:you\s+)?(?:results|views|sales|growth|reach|exposure|success|performance|more)\b|\bassur(?:e|ed|ance)\s+(?:you\s+)?(?:of\s+)?(?:results|views|sales|growth|performance|success)\b|\brisk-?free\b/i,
    what: 'a guarantee',
  },
  {
    pattern:
      /\bfuture\s+(?:\w+\s+)?(?:deals?|campaigns?|partnerships?|collaborations?|work|projects?|bookings?)\b|\b(?:ongoing|long-?term|repeat|recurring)\s+(?:\w+\s+)?(?:deals?|campaigns?|partnerships?|collaborations?|work|bookings?)\b|\b(?:more|additional|further)\s+(?:paid\s+)?(?:campaigns|deals|bookings)\s+(?:with\s+you|later|down\s+the\s+line)\b/i,
    what: 'future work',
  },
  { pattern: /\busage\s+rights?\b/i, what: 'usage rights' },
  { pattern: /\brights?\s+extensions?\b/i, what: 'a rights extension' },
];

/** Saying or implying that we agree to terms: only the agreement confirmation may (D16). */
const AGREEMENT_CLAIMS =
  /\b(?:we|i)(?:\s+are|'re|\s+am|'m)?\s+(?:(?:happy|glad|pleased|delighted|thrilled)\s+to\s+|(?:hereby|gladly|happily|fully)\s+)?(?:agree|accept|approve)\b|\b(?:we|i)(?:\s+are|'re|\s+am|'m)\s+(?:all\s+set|aligned|in\s+agreement|on\s+the\s+same\s+page|on\s+board\s+with\s+(?:your|the|that|this))\b|\b(?:glad|happy|great|pleased)\s+(?:that\s+)?we\s+(?:could|can|were\s+able\s+to|managed\s+to)\s+(?:agree|settle|land|align)\b|\bconsider\s+it\s+(?:done|a\s+deal|settled|agreed)\b|\b(?:the|our)\s+agreed(?:-upon|\s+upon)?\s+(?:rate|fee|price|amount|terms)\b|\b(?:we|i)(?:'ve|\s+have)\s+(?:agreed|accepted)\b|\b(?:it'?s|that'?s|(?:it|this|that)\s+is|we\s+have|we'?ve\s+got|you'?ve\s+got|you\s+have|got\s+(?:yourself|ourselves))\s+(?:a|our)\s+deal\b|\bdone\s+deal\b|\bdeal\s*!|\bdeal\s+is\s+(?:done|set|on|sealed)\b|\bagreed\b|\b(?:reached|have|made|sealed|closed)\s+(?:an?\s+|the\s+|our\s+)?(?:agreement|deal)\b|\bconfirm(?:ed|ing|s)?\s+(?:at|the\s+deal|the\s+agreement|our\s+agreement|the\s+partnership|our\s+partnership|your\s+(?:rate|ask|price|offer|terms)|the\s+(?:rate|booking|collaboration))\b|\b(?:happy|pleased|glad|thrilled|delighted|excited)\s+to\s+confirm\b|\block(?:ed)?\s+(?:it\s+)?in\b|\bwelcome\s+(?:aboard|to\s+the\s+team)\b|\byour\s+(?:rate|price|ask|offer|terms|proposal|fee)\s+(?:works|is\s+(?:fine|accepted|approved|agreed|good)|has\s+been\s+(?:accepted|approved))\b|\b(?:we|i)(?:\s+(?:can|will)|'ll)\s+(?:do|pay|meet|go\s+with|move\s+forward\s+with|proceed\s+(?:with|at))\s+your\s+(?:rate|price|ask|offer|fee|number|figure)\b|\bpleasure\s+doing\s+business\b|\bsigned,?\s+sealed\b|\b(?:de\s+acuerdo|trato\s+hecho|d'accord|marché\s+conclu|einverstanden|abgemacht|fechado|combinado|affare\s+fatto|akkoord|договорились)\b/i;
const NEGATED_CLAIM =
  /\b(?:not|never|cannot|can'?t|won'?t|unable|couldn'?t|don'?t|isn'?t|aren'?t|if|whether|once|until|before)\b[^.!?\n]*$|\b(?:hope|hoping|would\s+love\s+to|looking\s+forward\s+to)\s+(?:[\w']+\s+){0,2}$/i;

const PAYMENT_WORDS = /payment|paid|processed|invoice|compensat/i;
/** "the 2026 summer campaign": a year naming something. */
const YEAR_AFTER =
  /^\s*(?:summer|spring|fall|autumn|winter|holiday|campaigns?|season|collection|launch|edition|calendar|line|lineup|plans?|goals?|roadmap|drop|programs?|program+e|budget\s+year|fiscal)\b/i;

/** A small bare figure right after these words is a price ("we can pay 95"), not a count. */
const PRICE_BEFORE =
  /\b(?:pay|paying|offer|offering|fee|rate|price|budget|compensation|total|sum|amount|how\s+about|go\s+(?:up|down)\s+to|stretch\s+to|meet\s+(?:you\s+)?at)(?:\s+(?:of|is|at|would\s+be|will\s+be|you|just|only))?\s*[:~]?\s*$/i;

/** Every amount in the prose, in any spelling, that is not an allowed amount (compared as cents). */
function amountFailures(prose: string, allowedCents: Cents[]): string[] {
  const text = normalizeText(prose);
  const all = mentions(text);
  const ev = styleEvidence(all);
  const bad: string[] = [];
  for (const m of all) {
    const priced = m.role === 'small' && PRICE_BEFORE.test(text.slice(Math.max(0, m.index - 30), m.index));
    if (m.currency == null && (m.role === 'masked' || m.role === 'count' || (m.role === 'small' && !priced))) continue;
    if (
      m.currency == null &&
      m.role === 'year' &&
      (YEAR_BEFORE.test(text.slice(Math.max(0, m.index - 20), m.index)) ||
        YEAR_AFTER.test(text.slice(m.end, m.end + 30)))
    )
      continue;
    if (m.currency == null && m.q.words && !m.q.scaled) continue; // "two Stories", "twenty"
    const values = possibleCents(m, ev);
    if (values.some((v) => v == null)) bad.push(`"${m.text}" is not a readable USD amount`);
    else if (!values.every((v) => allowedCents.includes(v as Cents))) bad.push(`"${m.text}" is not an allowed amount`);
  }
  for (const u of unreadAmounts(text, all)) {
    bad.push(
      u.kind === 'currency'
        ? `"${u.text}" names a currency without a readable amount`
        : u.kind === 'slang'
          ? `"${u.text}" is not a readable USD amount`
          : `"${u.text}" is an amount in words`,
    );
  }
  return bad;
}

function agreementClaim(prose: string): string | null {
  const text = normalizeText(prose).replace(/[‘’]/g, "'");
  for (const m of text.matchAll(new RegExp(AGREEMENT_CLAIMS.source, 'gi'))) {
    const clauseStart = Math.max(
      text.lastIndexOf('.', m.index),
      text.lastIndexOf('!', m.index - 1),
      text.lastIndexOf('?', m.index),
      text.lastIndexOf('\n', m.index),
    );
    if (NEGATED_CLAIM.test(text.slice(clauseStart + 1, m.index))) continue;
    return m[0];
  }
  return null;
}

export function validateEmail(input: GateInput): GateResult {
  const { prose, allowedCents, requireSow, agreement, forbiddenPhrases, minLength = 50 } = input;
  const failures: GateFailure[] = [];
  const error = (check: GateFailure['check'], detail: string) => failures.push({ check, detail, severity: 'error' });
  const allowed = allowedCents.map(formatUsd).join(', ') || 'none';

  for (const problem of amountFailures(prose, allowedCents))
    error('monetary_value', `${problem} (allowed: ${allowed})`);

  for (const { pattern, what } of COMMITMENTS) {
    const m = pattern.exec(prose);
    if (m) error('commitment', `Promises ${what}: "${m[0]}"`);
  }
  const claim = agreement ? null : agreementClaim(prose);
  if (claim) error('agreement_claim', `Claims or implies an agreement before one exists: "${claim}"`);

  const lower = prose.toLowerCase();
  for (const phrase of forbiddenPhrases) {
    if (phrase.trim() && lower.includes(phrase.trim().toLowerCase())) {
      error('forbidden_phrase', `Contains forbidden phrase "${phrase}"`);
    }
  }

  const length = prose.trim().length;
  if (length < minLength) error('too_short', `Email is ${length} characters; at least ${minLength} required`);

  const placeholders = prose.split(SOW_PLACEHOLDER).length - 1;
  if (requireSow && placeholders !== 1) {
    error('sow_placeholder', `${SOW_PLACEHOLDER} must appear exactly once, found ${placeholders}`);
  } else if (!requireSow && placeholders > 0) {
    error('sow_placeholder', `${SOW_PLACEHOLDER} must not appear, found ${placeholders}`);
  }

  if (agreement && !PAYMENT_WORDS.test(prose)) {
    failures.push({ check: 'payment_terms', detail: 'Agreement email does not mention payment', severity: 'warning' });
  }

  return { passed: failures.every((f) => f.severity !== 'error'), failures };
}
