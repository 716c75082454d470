/**
 * Finds money mentions in free text (emails, model prose). Used by the validation gate (every mention
 * must be an allowed amount) and by the offline classifier (the counterparty's ask).
 */
import { type Cents, decimalToCents, parseDecimal } from './money.ts';

export interface AmountMention {
  text: string;
  index: number;
  /** USD value in cents; null for another currency or an amount that cannot be read. */
  cents: Cents | null;
}

const OTHER_SYMBOLS = '€£¥₹₩₽₺₪₱₦₫₴฿';
// Codes that are also common lower-case words (try, php, sar, rub) are left out on purpose.
const OTHER_CODES = 'EUR|GBP|JPY|CNY|RMB|CAD|AUD|NZD|CHF|INR|MXN|BRL|SEK|NOK|DKK|PLN|ZAR|SGD|HKD|KRW|AED';
const USD_WORDS = String.raw`(?:us|u\.s\.|american)\s+dollars?|dollars?|bucks|usd`;
const OTHER_WORDS = String.raw`(?:canadian|australian|aussie|new\s+zealand|hong\s+kong|singapore|mexican)\s+dollars?|${OTHER_CODES}|euros?|pounds?(?:\s+sterling)?|quid|yen|yuan|rupees?|pesos?|francs?`;
const CURRENCY_WORDS = `${USD_WORDS}|${OTHER_WORDS}`;
const NUM = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;

const NUMERIC = new RegExp(
  String.raw`(?:(?<prefix>\b(?:US|CA|C|AU|A|NZ|HK|SG|S|MX|NT|R)\$|\$|[${OTHER_SYMBOLS}]|\b(?:USD|${OTHER_CODES}))\s*|(?<![\w.,]))` +
    `(?<num>${NUM})` +
    String.raw`(?:\s?(?<k>k)\b|\s*(?<word>thousand|million|grand)\b|(?<m>mm?)\b)?` +
    String.raw`(?:(?:\s*-\s*|\s*)(?<suffix>${CURRENCY_WORDS})\b|(?<sym>\$|[${OTHER_SYMBOLS}])(?!\d)|\s(?<sym2>\$|[${OTHER_SYMBOLS}])(?!\s*\d))?`,
  'gi',
);

// "80k views" is an audience size, not money.
const COUNT_AFTER_K =
  /^\+?\s*(?:[a-z-]+\s+)?(?:views?|viewers?|followers?|subscribers?|subs|likes?|impressions?|reach|fans?|plays?|streams?|comments?|shares?|saves?|downloads?|readers?|visitors?|members?|people|users?|accounts?|clicks?|engagements?)\b/i;

const SMALL: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALE: Record<string, number> = { hundred: 100, thousand: 1000, million: 1_000_000 };
const NUMBER_WORD = `(?:${[...Object.keys(SMALL), ...Object.keys(SCALE)].sort((a, b) => b.length - a.length).join('|')})\\b`;
const WORDS = new RegExp(
  String.raw`\b(?<words>(?:an?\s+(?=hundred|thousand|million))?${NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+)${NUMBER_WORD})*)` +
    String.raw`(?:\s*-\s*|\s+)(?<cur>${CURRENCY_WORDS}|grand)\b`,
  'gi',
);

const NUMBER_WORDS = new RegExp(
  String.raw`\b(?:an?\s+(?=hundred|thousand|million))?${NUMBER_WORD}(?:(?:\s+and\s+|[\s-]+)${NUMBER_WORD})*`,
  'gi',
);

/**
 * Numbers written in words with a scale ("forty-eight thousand seven hundred") and no currency: the gate reads
 * them as dollars too, since prose has no reason to spell out large numbers.
 */
export function numberWordValues(text: string): { text: string; index: number; value: number }[] {
  const found = [];
  for (const m of normalizeNumerals(text).matchAll(NUMBER_WORDS)) {
    if (!/hundred|thousand|million/i.test(m[0])) continue;
    const value = wordsValue(m[0]);
    if (value != null && value >= 100) found.push({ text: m[0], index: m.index ?? 0, value });
  }
  return found;
}

function isUsdWord(word: string): boolean {
  return new RegExp(`^(?:${USD_WORDS})$`, 'i').test(word.trim()) || /^grand$/i.test(word);
}

function prefixIsUsd(prefix: string): boolean {
  if (prefix === '$') return true;
  if (prefix.endsWith('$')) {
    const letters = prefix.slice(0, -1);
    // "us$" or a lower-case typo like "a$500" is read as dollars; "C$", "AU$" are not USD.
    return letters.toUpperCase() === 'US' || letters !== letters.toUpperCase();
  }
  return prefix.toUpperCase() === 'USD';
}

function numericMention(m: RegExpExecArray, text: string): AmountMention | null {
  const g = m.groups ?? {};
  const markers: boolean[] = []; // true = USD, false = another currency
  if (g.prefix) markers.push(prefixIsUsd(g.prefix));
  if (g.suffix) markers.push(isUsdWord(g.suffix));
  const sym = g.sym ?? g.sym2; // "2000$" or "2000 €", but not the "$" of "2000 $3000"
  if (sym) markers.push(sym === '$');
  const grand = g.word?.toLowerCase() === 'grand';
  if (markers.length === 0) {
    if (!g.k && !grand) return null;
    if (g.k && !g.word && COUNT_AFTER_K.test(text.slice(m.index + m[0].length))) return null;
  }
  if (markers.includes(false)) return { text: m[0], index: m.index, cents: null };
  const multiplier = g.k || grand || g.word?.toLowerCase() === 'thousand' ? 1000n : g.word || g.m ? 1_000_000n : 1n;
  const d = parseDecimal(g.num.replace(/,/g, ''));
  const cents = d ? decimalToCents(d, multiplier) : null;
  return { text: m[0], index: m.index, cents: cents != null && Number.isSafeInteger(cents) ? cents : null };
}

function wordsValue(words: string): number | null {
  const tokens = words
    .toLowerCase()
    .split(/[\s-]+/)
    .filter((t) => t !== 'and');
  if (tokens[0] in SCALE) return null; // "thousand dollars" after "a few": the count is unknown
  let total = 0;
  let current = 0;
  for (const t of tokens) {
    if (t === 'a' || t === 'an') current = 1;
    else if (t in SMALL) current += SMALL[t];
    else if (t === 'hundred') current = (current || 1) * 100;
    else {
      total += (current || 1) * SCALE[t];
      current = 0;
    }
  }
  return total + current;
}

function wordMention(m: RegExpExecArray): AmountMention {
  const g = m.groups ?? {};
  const value = wordsValue(g.words);
  const scale = /^grand$/i.test(g.cur) ? 1000 : 1;
  const cents = value != null && isUsdWord(g.cur) ? value * scale * 100 : null;
  return { text: m[0], index: m.index, cents };
}

/**
 * Lookalike digits and symbols read as what they look like (NFKC: "＄２，０００" is "$2,000"), invisible
 * characters dropped, and digit groups separated by spaces or apostrophes ("2 900", "2'900") joined with a
 * comma, so a figure can never be read as a smaller one ("$2 900" is not "$2").
 */
export function normalizeNumerals(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/(\d)[ \u00a0\u2009\u202f'’](?=\d{3}(?!\d))/g, '$1,');
}

/** Every money mention in the text (read through normalizeNumerals), in order of appearance. */
export function findAmounts(raw: string): AmountMention[] {
  const text = normalizeNumerals(raw);
  const found: AmountMention[] = [];
  for (const m of text.matchAll(WORDS)) found.push(wordMention(m));
  NUMERIC.lastIndex = 0;
  for (let m = NUMERIC.exec(text); m; m = NUMERIC.exec(text)) {
    const mention = numericMention(m, text);
    if (mention) found.push(mention);
    // A rejected bare number may hide a mention that starts inside it; retry from the next character.
    else NUMERIC.lastIndex = m.index + 1;
  }
  found.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const result: AmountMention[] = [];
  let end = -1;
  for (const a of found) {
    if (a.index < end) continue; // overlaps an earlier mention ("2 thousand dollars" read twice)
    result.push(a);
    end = a.index + a.text.length;
  }
  return result;
}
