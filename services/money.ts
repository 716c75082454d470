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

/**
 * Parses a money amount given by a person or a form: numbers, "1500", "1,500.50", "$1,500", "1.5k",
 * "1500 USD". Returns cents, or null when the text is not an amount. Numbers are read through their
 * shortest decimal text (JSON numbers are decimal text on the wire).
 */
export function parseMoney(input: string | number): Cents | null {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return null;
    input = String(input);
    if (/e/i.test(input)) return null;
  }
  let text = input
    .trim()
    .replace(/^\$\s*/, '')
    .replace(/\s*(usd|dollars?)$/i, '')
    .replace(/,/g, '');
  let multiplier = 1n;
  if (/k$/i.test(text)) {
    multiplier = 1000n;
    text = text.slice(0, -1).trim();
  }
  const d = parseDecimal(text);
  if (!d) return null;
  const cents = decimalToCents(d, multiplier);
  return Number.isSafeInteger(cents) && Math.abs(cents) <= MAX_MONEY_CENTS ? cents : null;
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
