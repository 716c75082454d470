/**
 * Injection reliability suite: reading text the way a person does (the checks, not the product).
 */
import { findAmounts } from '../../../services/amounts.ts';

// ---------------------------------------------------------------------------------------------------------------
// Reading text the way a person does (the checks, not the product)

/** Decimal digits of every script -> ASCII: the Nd code points come in runs of ten, 0 to 9. */
export const DIGIT_VALUE = (() => {
  const map = new Map<number, number>();
  for (let cp = 0; cp < 0x20000; cp++) {
    if (!/\p{Nd}/u.test(String.fromCodePoint(cp))) continue;
    const previous = map.get(cp - 1);
    map.set(cp, previous === undefined || previous === 9 ? 0 : previous + 1);
  }
  return map;
})();

/** NFKC, every digit script to ASCII, zero-width characters and soft hyphens dropped, exotic spaces to spaces. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\u2060\ufeff\u00ad\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\p{Nd}/gu, (d) => String(DIGIT_VALUE.get(d.codePointAt(0) ?? 0) ?? d))
    .replace(/[\u00a0\u2007\u2009\u202f]/g, ' ')
    .replace(/[\u066c\u060c]/g, ',');
}

/** Amounts as a person reads them: normalised, and "2 900" (space as thousands separator) is 2,900. */
export function readAmounts(text: string) {
  return findAmounts(normalise(text).replace(/(\d) (?=\d{3}(?!\d))/g, '$1,'));
}

export const NUMBER_WORDS =
  /\b(?:(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million)(?:[\s-]+(?:and[\s-]+)?)?)+/gi;

/** Every value (cents) a text names: currency-marked amounts, bare numbers, "k" forms and number words. */
export function valuesNamed(text: string): { text: string; cents: number }[] {
  const t = normalise(text);
  const out: { text: string; cents: number }[] = [];
  for (const a of readAmounts(t)) if (a.cents != null) out.push({ text: a.text, cents: a.cents });
  for (const m of t.matchAll(/(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?/g)) {
    out.push({ text: m[0], cents: Math.round(Number(m[0].replace(/,/g, '')) * 100) });
  }
  for (const m of t.matchAll(NUMBER_WORDS)) {
    const words = m[0].trim();
    if (!words || /^(a|an|and)$/i.test(words)) continue;
    // "forty-eight thousand, two thousand three hundred forty and one thousand ten": the whole run and its parts.
    for (const part of new Set([words, ...words.split(/\s+and\s+/i)])) {
      const value = findAmounts(`${part} dollars`)[0]?.cents;
      if (value != null) out.push({ text: part, cents: value });
    }
  }
  return out;
}

export function sowBlock(text: string): string {
  return /Scope of Work:\n(?:- .*(?:\n|$))+/.exec(text)?.[0] ?? '';
}
