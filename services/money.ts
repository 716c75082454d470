/**
 * Money is integer cents inside the program. Decimal text is parsed exactly (BigInt), never through
 * binary floats; rounding is half-up (away from zero on .5), as the original's Decimal quantize.
 */
export type Cents = number;

/** $100,000,000: no amount the agent handles is larger; anything above is a typo or an attack, refused. */
export const MAX_MONEY_CENTS: Cents = 10_000_000_000;

/** An exact decimal: value = n / 10^scale. */
export interface Decimal {
  readonly n: bigint;
  readonly scale: number;
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** Parses plain decimal text ("25", "25.555", "-3.5"); anything else is null. */
export function parseDecimal(text: string): Decimal | null {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const n = BigInt(m[2] + frac);
  return { n: m[1] === '-' ? -n : n, scale: frac.length };
}

/** num / den rounded half-up (ties away from zero); den must be positive. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError('divisor must be positive');
  const sign = num < 0n ? -1n : 1n;
  const abs = num < 0n ? -num : num;
  return sign * ((2n * abs + den) / (2n * den));
}

/** A decimal times num/den, rounded half-up to cents. */
export function decimalToCents(d: Decimal, num = 1n, den = 1n): Cents {
  return Number(divRoundHalfUp(d.n * 100n * num, 10n ** BigInt(d.scale) * den));
}

const GROUPED = /^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/; // "1,500.50"; "2,60" is no amount

/**
 * Reads a money amount; 'inexact' when it is not a whole number of cents ("50000.005"), never rounded. `plain`:
 * dollars as typed into a form, no "k" and no currency word.
 */
function readMoney(input: string | number, plain = false): Cents | 'inexact' | 'too_large' | null {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    input = String(input);
    if (/e/i.test(input)) return null;
  }
  let text = input.trim().replace(/^\$\s*/, '');
  if (!plain) text = text.replace(/\s*(usd|dollars?)$/i, '');
  let multiplier = 1n;
  if (!plain && /k$/i.test(text)) {
    multiplier = 1000n;
    text = text.slice(0, -1).trim();
  }
  if (text.includes(',')) {
    if (!GROUPED.test(text)) return null;
    text = text.replace(/,/g, '');
  }
  const d = parseDecimal(text);
  if (!d) return null;
  if ((d.n * multiplier * 100n) % 10n ** BigInt(d.scale) !== 0n) return 'inexact';
  const cents = decimalToCents(d, multiplier);
  return Number.isSafeInteger(cents) && Math.abs(cents) <= MAX_MONEY_CENTS ? cents : 'too_large';
}

/**
 * Parses a money amount given by a person or a form: numbers, "1500", "1,500.50", "$1,500", "1.5k",
 * "1500 USD". Returns cents, or null when the text is not an amount, is beyond $100,000,000, or is not a
 * whole number of cents (more than two decimals are refused, never rounded). Numbers are read through their
 * shortest decimal text (JSON numbers are decimal text on the wire). "-0" is zero.
 */
export function parseMoney(input: string | number): Cents | null {
  const read = readMoney(input);
  return typeof read === 'number' ? read : null;
}

/**
 * The one reading of a money amount entered as input (API fields, approvals, forms): exact cents, more than
 * zero unless `allowZero`, or the reason it is refused (for a 400 naming the field). `plain` (Slack's amount field):
 * dollars and cents only, "2,600" or "$2600.50", no "2.6k" or "2600 USD".
 */
export function moneyInput(
  input: unknown,
  options: { allowZero?: boolean; plain?: boolean } = {},
): { cents: Cents } | { error: string } {
  const shown = JSON.stringify(input)?.slice(0, 60) ?? String(input);
  const read = typeof input === 'string' || typeof input === 'number' ? readMoney(input, options.plain) : null;
  if (read === 'inexact') return { error: `${shown} has more than two decimals (amounts are dollars and cents)` };
  if (read === 'too_large') return { error: `${shown} is more than $100,000,000` };
  if (read === null) return { error: `${shown} is not an amount` };
  if (read < 0) return { error: `${shown} must not be negative` };
  if (read === 0 && !options.allowZero) return { error: `${shown} must be more than 0` };
  return { cents: read };
}

/** Wire format: "2000.00". */
export function formatMoney(cents: Cents): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Email/Slack format: "$2,000.00". */
export function formatUsd(cents: Cents): string {
  const [whole, frac] = formatMoney(Math.abs(cents)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${cents < 0 ? '-' : ''}$${grouped}.${frac}`;
}

/** Wire format for optional amounts. */
export function formatMoneyOrNull(cents: Cents | null | undefined): string | null {
  return cents == null ? null : formatMoney(cents);
}

/** Internal data on the wire: every `xxxCents` amount becomes `xxx: "2000.00"`. */
export function withMoney(data: Record<string, unknown>, withBodies = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key.endsWith('Cents') && (typeof value === 'number' || value === null))
      out[key.slice(0, -5)] = formatMoneyOrNull(value);
    else if (!withBodies && (key === 'text' || key === 'draft')) continue;
    else out[key] = value;
  }
  return out;
}
