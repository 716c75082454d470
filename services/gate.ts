/**
 * The deterministic validation gate (D10). It checks the model's prose, before the SOW block is inserted:
 * the block itself carries the usage rights and a struck-through ask, so it is never part of the check.
 */
import { findAmounts } from './amounts.ts';
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

export function validateEmail(input: GateInput): GateResult {
  const { prose, allowedCents, requireSow, agreement, forbiddenPhrases, minLength = 50 } = input;
  const failures: GateFailure[] = [];
  const error = (check: GateFailure['check'], detail: string) => failures.push({ check, detail, severity: 'error' });
  const allowed = allowedCents.map(formatUsd).join(', ') || 'none';

  for (const amount of findAmounts(prose)) {
    if (amount.cents == null) {
      error('monetary_value', `"${amount.text}" is not a readable USD amount (allowed: ${allowed})`);
    } else if (!allowedCents.includes(amount.cents)) {
      error('monetary_value', `"${amount.text}" is not an allowed amount (allowed: ${allowed})`);
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
