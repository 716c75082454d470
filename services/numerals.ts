/**
 * Numbers in free text, as a careful reader sees them: lookalike and other-script digits read as the digits they
 * are, digit groups separated by commas, dots, spaces or apostrophes, decimal marks that may be either, scale
 * words ("2.5k", "24 hundred", "two thousand four hundred", "nine grand") and number words. The money readers
 * (services/amounts.ts, services/reading.ts) and the gate build on this; nothing here decides what is money.
 */

/** Code point -> its digit value, for every decimal digit script (\p{Nd} comes in aligned runs of ten). */
const digitCache = new Map<number, string>();
function asciiDigit(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  let d = digitCache.get(cp);
  if (d === undefined) {
    let start = cp;
    while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    d = String((cp - start) % 10);
    digitCache.set(cp, d);
  }
  return d;
}

/**
 * One code point per code point where possible, so positions stay meaningful: NFKC (full-width "＄２，０００"),
 * every digit script to ASCII, Arabic decimal/thousands marks to "." and ",", exotic spaces to a space,
 * invisible characters (zero-width, bidi controls, soft hyphen) dropped.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '')
    .replace(/[^\P{Nd}0-9]/gu, asciiDigit)
    .replace(/\u066b/g, '.')
    .replace(/\u066c/g, ',')
    .replace(/[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/[’ʼ‘`´]/g, "'");
}

// ---- number words ----

export const SMALL_WORDS: Record<string, number> = {
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
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

/** Scale words, English and the D16 languages' "thousand" after digits ("2 mil", "2 Tausend", "2 тысячи"). */
const SCALE_WORDS: [RegExp, bigint][] = [
  [/^(?:hundred|hundreds)$/i, 100n],
  [
    /^(?:thousands?|grand|k|mil|mille|mila|tausend|tsd\.?|duizend|tys\.?|tysiąc|tysiące|tysięcy|tusen|tusind|тысяч[аи]?|тыс\.?)$/i,
    1000n,
  ],
  [
    /^(?:millions?|mio\.?|mn|mm|m|millones|millions|millionen|miljoen|milionów|miljon|миллион(?:а|ов)?|млн\.?)$/i,
    1_000_000n,
  ],
];

export function scaleOf(word: string): bigint | null {
  for (const [pattern, value] of SCALE_WORDS) if (pattern.test(word)) return value;
  return null;
}

/**
 * A number in digits: groups of three after commas, dots, spaces or apostrophes, an optional decimal part. A
 * space or apostrophe separates groups only before exactly three digits, so "2 Reels 3 Stories" stays apart.
 */
const DIGITS = String.raw`\d{1,3}(?:[,.' ]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)?`;
// Japanese, Chinese and Korean write numbers against words ("2,800ドル", "約2,800"): their letters do not glue.
const LATIN_LIKE_LETTER = String.raw`(?:(?![\p{sc=Han}\p{sc=Hira}\p{sc=Kana}\p{sc=Hang}])\p{L})`;
const TOKEN = new RegExp(
  String.raw`(?<!${LATIN_LIKE_LETTER}|\d)(?<digits>${DIGITS})(?<suffix>mm|MM|[kKmM])?(?<glued>(?:${LATIN_LIKE_LETTER}|\d)?)|(?<word>\p{L}+\.?)`,
  'gu',
);

export type MarkReading =
  | { kind: 'definite'; cents: bigint }
  /** One "," or "." followed by exactly three digits: a thousands (group) mark or a decimal one. */
  | { kind: 'ambiguous'; mark: ',' | '.'; group: bigint; decimal: bigint };

export interface Quantity {
  text: string;
  index: number;
  end: number;
  /** What it reads as, in hundredths of whatever it counts (cents when it is money). */
  reading: MarkReading;
  /** A scale was part of it: "k", "thousand", "grand", "hundred", "million". */
  scaled: boolean;
  /** Written (at least partly) in words. */
  words: boolean;
  /** What its separators show about the writer's style: "2.500,00" is 'eu', "2,500.00" is 'us'. */
  style: 'us' | 'eu' | null;
  /** Digits only, no separator, no scale: "2026", "30". */
  plainInteger: boolean;
  /** A scale with no count ("thousands", "a few thousand"): money of unknown size. */
  vague: boolean;
}

function centsOf(intDigits: string, fraction: string): bigint {
  let cents = BigInt(intDigits || '0') * 100n + BigInt(`${fraction}00`.slice(0, 2));
  if (fraction.length > 2 && Number(fraction[2]) >= 5) cents += 1n; // half-up
  return cents;
}

/** Reads one digits form; its marks decide between group and decimal separators. */
/** More digits than any amount has: read as too large (BigInt parsing of huge runs is slow, and never money). */
const TOO_LONG: MarkReading = { kind: 'definite', cents: 10n ** 30n };

export function readDigits(raw: string): { reading: MarkReading; style: 'us' | 'eu' | null } {
  if (raw.length > 40) return { reading: TOO_LONG, style: null };
  const marks = [...raw.matchAll(/[,.' ]/g)].map((m) => ({ ch: m[0], at: m.index ?? 0 }));
  const digitsOnly = (s: string) => s.replace(/[,.' ]/g, '');
  if (marks.length === 0) return { reading: { kind: 'definite', cents: BigInt(raw) * 100n }, style: null };
  const last = marks[marks.length - 1];
  const after = raw.slice(last.at + 1);
  const before = raw.slice(0, last.at);
  const others = new Set(marks.slice(0, -1).map((m) => m.ch));
  const decimalMark = last.ch === ',' || last.ch === '.';
  if (decimalMark && (after.length !== 3 || (others.size > 0 && !others.has(last.ch)))) {
    // "2.500,00", "2,500.00", "2 500,50", "9000.5", "2,50": the last mark is the decimal one
    const style = last.ch === ',' ? 'eu' : 'us';
    return { reading: { kind: 'definite', cents: centsOf(digitsOnly(before), after) }, style };
  }
  if (decimalMark && marks.length === 1) {
    if (/^0+$/.test(before)) return { reading: { kind: 'definite', cents: centsOf(before, after) }, style: null };
    const group = BigInt(before + after) * 100n;
    const decimal = centsOf(before, after);
    return { reading: { kind: 'ambiguous', mark: last.ch as ',' | '.', group, decimal }, style: null };
  }
  // group separators only: "1,500,000", "1.500.000", "2 900", "2'900", "1.500 000"
  const style = marks.some((m) => m.ch === '.') ? 'eu' : marks.filter((m) => m.ch === ',').length > 1 ? 'us' : null;
  return { reading: { kind: 'definite', cents: BigInt(digitsOnly(raw)) * 100n }, style };
}

interface Token {
  kind: 'num' | 'word' | 'scale' | 'a' | 'and' | 'half' | 'other';
  text: string;
  index: number;
  end: number;
  value?: bigint; // num/word: whole units; scale: multiplier
  digits?: { reading: MarkReading; style: 'us' | 'eu' | null };
  suffix?: bigint; // a glued "k"/"m"
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const index = m.index ?? 0;
    const g = m.groups ?? {};
    if (g.digits !== undefined) {
      if (g.glued) {
        tokens.push({ kind: 'other', text: m[0], index, end: index + m[0].length });
        continue;
      }
      const text = g.digits + (g.suffix ?? '');
      const suffix = g.suffix ? (/^k$/i.test(g.suffix) ? 1000n : 1_000_000n) : undefined;
      tokens.push({ kind: 'num', text, index, end: index + text.length, digits: readDigits(g.digits), suffix });
      continue;
    }
    const word = g.word.replace(/\.$/, '');
    const lower = word.toLowerCase();
    const end = index + g.word.length;
    if (lower in SMALL_WORDS) tokens.push({ kind: 'word', text: word, index, end, value: BigInt(SMALL_WORDS[lower]) });
    else if (scaleOf(g.word) != null || scaleOf(word) != null)
      tokens.push({ kind: 'scale', text: g.word, index, end, value: scaleOf(g.word) ?? scaleOf(word) ?? 1n });
    else if (lower === 'a' || lower === 'an') tokens.push({ kind: 'a', text: word, index, end });
    else if (lower === 'and') tokens.push({ kind: 'and', text: word, index, end });
    else if (lower === 'half') tokens.push({ kind: 'half', text: word, index, end });
    else tokens.push({ kind: 'other', text: word, index, end });
  }
  return tokens;
}

const add = (a: MarkReading, b: MarkReading): MarkReading => {
  if (a.kind === 'definite' && b.kind === 'definite') return { kind: 'definite', cents: a.cents + b.cents };
  if (a.kind === 'definite' && b.kind === 'ambiguous')
    return { ...b, group: b.group + a.cents, decimal: b.decimal + a.cents };
  if (a.kind === 'ambiguous' && b.kind === 'definite')
    return { ...a, group: a.group + b.cents, decimal: a.decimal + b.cents };
  return a;
};
/** × n, plus half of n when "and a half" */
const scaleBy = (a: MarkReading, n: bigint, half: boolean): MarkReading => {
  const f = (c: bigint) => c * n + (half ? 50n * n : 0n);
  return a.kind === 'definite'
    ? { kind: 'definite', cents: f(a.cents) }
    : { ...a, group: f(a.group), decimal: f(a.decimal) };
};

/** Whether only spaces/hyphens (or a comma before "and") separate two tokens. */
const joined = (text: string, from: number, to: number) => /^[\s-]*$/.test(text.slice(from, to)) && to - from <= 3;

/** Every quantity in normalized text (see normalizeText), in order. */
export function scanQuantities(text: string): Quantity[] {
  const tokens = tokenize(text);
  const found: Quantity[] = [];
  let i = 0;
  while (i < tokens.length) {
    const start = tokens[i];
    const leadA = start.kind === 'a' && tokens[i + 1]?.kind === 'scale' && joined(text, start.end, tokens[i + 1].index);
    if (leadA && tokens[i - 1]?.kind === 'half' && joined(text, tokens[i - 1].end, start.index)) {
      // "half a grand": a fraction we do not do arithmetic on; money of unclear size
      const scale = tokens[i + 1];
      const reading: MarkReading = { kind: 'definite', cents: (scale.value ?? 1n) * 100n };
      const index = tokens[i - 1].index;
      found.push({
        text: text.slice(index, scale.end),
        index,
        end: scale.end,
        reading,
        scaled: true,
        words: true,
        style: null,
        plainInteger: false,
        vague: true,
      });
      i += 2;
      continue;
    }
    if (start.kind === 'scale' && /^(?:thousands?|grand|hundreds?|millions?)$/i.test(start.text)) {
      // "a few thousand", "thousands": a scale with no count, money of unknown size
      const reading: MarkReading = { kind: 'definite', cents: (start.value ?? 1n) * 100n };
      const { text: t, index, end } = start;
      found.push({
        text: t,
        index,
        end,
        reading,
        scaled: true,
        words: true,
        style: null,
        plainInteger: false,
        vague: true,
      });
      i++;
      continue;
    }
    if (start.kind !== 'num' && start.kind !== 'word' && !leadA) {
      i++;
      continue;
    }
    let total: MarkReading = { kind: 'definite', cents: 0n };
    let current: MarkReading | null = null;
    let scaled = false;
    let words = false;
    let vague = false;
    let style: 'us' | 'eu' | null = null;
    let j = i;
    let lastEnd = start.index;
    let lastTensWord = false;
    let afterHundred = false;
    let lastScale = 1_000_000_000n;
    let gapStart = start.index;
    if (leadA) {
      current = { kind: 'definite', cents: 100n };
      words = true;
      lastEnd = gapStart = start.end;
      j = i + 1;
    }
    for (; j < tokens.length; j++) {
      const t = tokens[j];
      if (j > i && !joined(text, gapStart, t.index)) break;
      if (t.kind === 'num') {
        const r = t.digits?.reading ?? { kind: 'definite', cents: 0n };
        // after "2 thousand", only "400" or "4 hundred" continue it ("2 grand 5" is not 2,005)
        const next = tokens[j + 1];
        const scaledNext = next?.kind === 'scale' && joined(text, t.end, next.index);
        if (!current && scaled && !t.suffix && !/^\d{3}$/.test(t.text) && !scaledNext) break;
        if (current) {
          // "2 hundred 50" adds up; "2 4" is two numbers
          if (!(afterHundred && !t.suffix && r.kind === 'definite' && r.cents < 10000n)) break;
          current = add(current, r);
          afterHundred = false;
          lastEnd = gapStart = t.end;
          continue;
        }
        current = r;
        style = style ?? t.digits?.style ?? null;
        lastEnd = gapStart = t.end;
        lastTensWord = false;
        afterHundred = false;
        if (t.suffix) {
          if (scaled && lastScale <= t.suffix) break; // "2.5k 3k": two amounts
          lastScale = t.suffix;
          total = add(total, scaleBy(current, t.suffix, false));
          current = null;
          scaled = true;
        }
        continue;
      }
      if (t.kind === 'word') {
        const v = t.value ?? 0n;
        const addsUp = (lastTensWord && v > 0n && v < 10n) || (afterHundred && v < 100n);
        if (current && !addsUp) break;
        current = current ? add(current, { kind: 'definite', cents: v * 100n }) : { kind: 'definite', cents: v * 100n };
        lastTensWord = v >= 20n && v % 10n === 0n && !afterHundred;
        afterHundred = false;
        words = true;
        lastEnd = gapStart = t.end;
        continue;
      }
      if (t.kind === 'scale') {
        const n = t.value ?? 1n;
        if (!current) {
          if (j > i) break; // "2k thousand": not one quantity
          vague = true;
          current = { kind: 'definite', cents: 100n };
        }
        scaled = true;
        words = words || /^\p{L}{2,}/u.test(t.text);
        if (n > 100n && lastScale <= n) break; // "2 thousand 3 thousand"
        if (n > 100n) lastScale = n;
        const v = scaleBy(current, n, false);
        if (n === 100n) current = v;
        else {
          total = add(total, v);
          current = null;
        }
        afterHundred = n === 100n;
        lastEnd = gapStart = t.end;
        lastTensWord = false;
        continue;
      }
      if (t.kind === 'and') {
        // "two thousand and fifty", "two and a half thousand"
        const next = tokens[j + 1];
        const next2 = tokens[j + 2];
        const next3 = tokens[j + 3];
        if (next?.kind === 'a' && next2?.kind === 'half' && next3?.kind === 'scale' && current) {
          current = add(current, { kind: 'definite', cents: 50n });
          j += 2;
          gapStart = next2.end;
          continue;
        }
        // "two thousand and fifty", "five hundred and twenty": words on both sides
        if (next?.kind === 'word' && scaled && tokens[j - 1]?.kind === 'scale' && (next.value ?? 0n) < 100n) {
          if (!current) current = { kind: 'definite', cents: 0n };
          afterHundred = true;
          gapStart = t.end;
          continue;
        }
        break;
      }
      break;
    }
    const first = leadA ? start : tokens[i];
    const endToken = tokens[j - 1];
    if (!endToken || (!current && total.kind === 'definite' && total.cents === 0n && !scaled)) {
      i = Math.max(j, i + 1);
      continue;
    }
    const reading = current ? add(total, current) : total;
    const textOf = text.slice(first.index, lastEnd);
    found.push({
      text: textOf,
      index: first.index,
      end: lastEnd,
      reading,
      scaled,
      words,
      style,
      plainInteger: !scaled && !words && /^\d+$/.test(textOf),
      vague,
    });
    i = Math.max(j, i + 1);
  }
  return found;
}

/** The values a reading may have: one, or both sides of an ambiguous mark (group first). */
export function readingsOf(reading: MarkReading): bigint[] {
  return reading.kind === 'definite' ? [reading.cents] : [reading.group, reading.decimal];
}
