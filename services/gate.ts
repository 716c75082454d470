/**
 * The deterministic validation gate (D10). It checks the model's prose, before the SOW block is inserted:
 * the block itself carries the usage rights and a struck-through ask, so it is never part of the check.
 */
import { findAmounts, normalizeNumerals, numberWordValues } from './amounts.ts';
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
  check: 'monetary_value' | 'commitment' | 'forbidden_phrase' | 'too_short' | 'sow_placeholder' | 'payment_terms';
  detail: string;
  severity: 'error' | 'warning';
}

export interface GateResult {
  passed: boolean;
  failures: GateFailure[];
}

// Usage rights only ever appear inside the SOW block, so they count as a commitment in agreement mode too.
const COMMITMENTS: { pattern: RegExp; what: string }[] = [
  { pattern: /\bexclusiv(?:e|ity)\b/i, what: 'exclusivity' },
  { pattern: /\bguarantee(?:s|d|ing)?\b/i, what: 'a guarantee' },
  {
    pattern: /\bfuture\s+(?:\w+\s+)?(?:deals?|campaigns?|partnerships?|collaborations?)\b/i,
    what: 'future work',
  },
  { pattern: /\busage\s+rights?\b/i, what: 'usage rights' },
  { pattern: /\brights?\s+extensions?\b/i, what: 'a rights extension' },
];

const PAYMENT_WORDS = /payment|paid|processed|invoice|compensat/i;
const BARE_NUMBER = /(?<![\w.,$€£¥-])(\d{1,3}(?:,\d{3})+|\d{4,})(?![\w%.,]\d|[\w%])/g;
// "80,000 views": an audience, not money
const COUNT_WORDS =
  /^\s*(?:[a-z-]+\s+)?(?:views?|viewers?|followers?|subscribers?|subs|likes?|impressions?|reach|fans?|plays?|streams?|people|accounts?)\b/i;

export function validateEmail(input: GateInput): GateResult {
  const { prose, allowedCents, requireSow, agreement, forbiddenPhrases, minLength = 50 } = input;
  const failures: GateFailure[] = [];
  const error = (check: GateFailure['check'], detail: string) => failures.push({ check, detail, severity: 'error' });
  const allowed = allowedCents.map(formatUsd).join(', ') || 'none';

  const mentions = findAmounts(prose);
  for (const amount of mentions) {
    if (amount.cents == null) {
      error('monetary_value', `"${amount.text}" is not a readable USD amount (allowed: ${allowed})`);
    } else if (!allowedCents.includes(amount.cents)) {
      error('monetary_value', `"${amount.text}" is not an allowed amount (allowed: ${allowed})`);
    }
  }
  // A large bare number (no currency) is read as dollars too: "we can do 48700" names an amount all the same.
  const plain = normalizeNumerals(prose);
  for (const m of plain.matchAll(BARE_NUMBER)) {
    const value = Number(m[1].replace(/,/g, ''));
    const year = /^(19|20)\d\d$/.test(m[1]);
    const counted = COUNT_WORDS.test(plain.slice((m.index ?? 0) + m[0].length));
    const covered = mentions.some((a) => a.text.includes(m[1]));
    if (year || counted || covered || !Number.isSafeInteger(value * 100)) continue;
    if (!allowedCents.includes(value * 100)) {
      error('monetary_value', `"${m[1]}" reads as an amount that is not allowed (allowed: ${allowed})`);
    }
  }
  for (const w of numberWordValues(prose)) {
    const counted = COUNT_WORDS.test(plain.slice(w.index + w.text.length));
    const covered = mentions.some((a) => a.text.toLowerCase().includes(w.text.toLowerCase()));
    if (!counted && !covered && !allowedCents.includes(w.value * 100)) {
      error('monetary_value', `"${w.text}" reads as an amount that is not allowed (allowed: ${allowed})`);
    }
  }

  for (const { pattern, what } of COMMITMENTS) {
    const m = pattern.exec(prose);
    if (m) error('commitment', `Promises ${what}: "${m[0]}"`);
  }

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
