/**
 * The amount a reply asks for, read the way a careful person reads it (D16): flat prices; per-unit prices
 * multiplied out against the package being negotiated ("$800 per Reel" for 2 Reels is $1,600); CPM quotes
 * converted with the influencer's average views; bare numbers and number words in a money context; marks that may
 * be decimal or thousands separators read from evidence or not at all. Amounts that only repeat our standing offer
 * are not an ask; an ask exactly at our offer is an acceptance of it.
 */
import { centsOf, type Mention, mentions, styleEvidence, unreadAmounts, YEAR_BEFORE } from './amounts.ts';
import type { Cents } from './money.ts';
import { SMALL_WORDS } from './numerals.ts';
import { writesDots } from './reading-language.ts';
import { deliverableItems } from './sow.ts';

export interface MoneyContext {
  lastOfferCents: Cents | null;
  /** The deliverables being negotiated, e.g. "1 Instagram Reel, 2 Instagram Stories". */
  package: string | null;
  averageViews: number | null;
}

export type MoneyReading =
  | { kind: 'none'; offerMentioned: boolean }
  /** atOffer: the ask is exactly our standing offer (an acceptance). marked: written with a currency. */
  | { kind: 'ask'; cents: Cents; atOffer: boolean; marked: boolean; text: string }
  | { kind: 'unclear'; why: string };

const UNIT_CANON: [RegExp, string][] = [
  [/^reels?$/i, 'reel'],
  [/^stor(?:y|ies)$/i, 'story'],
  [/^(?:posts?|carousels?|photos?)$/i, 'post'],
  [/^(?:videos?|tiktoks?|vlogs?)$/i, 'video'],
  [/^shorts?$/i, 'short'],
  [/^integrations?$/i, 'integration'],
  [/^(?:lives?|livestreams?|streams?)$/i, 'live'],
  [/^tweets?$/i, 'tweet'],
  [/^pins?$/i, 'pin'],
  [/^(?:deliverables?|pieces?|items?|assets?|each)$/i, 'any'],
];
export const UNIT =
  'reels?|stor(?:y|ies)|posts?|carousels?|photos?|videos?|tiktoks?|vlogs?|shorts?|integrations?|lives?|livestreams?|streams?|tweets?|pins?|deliverables?|pieces?|items?|assets?';
export const PLATFORM = String.raw`(?:(?:instagram|insta|ig|tiktok|youtube|yt|feed|in-feed|static|dedicated|short-form|long-form)\s+)?`;
const COUNT = String.raw`(?:\d+|${Object.keys(SMALL_WORDS).join('|')}|a|an|one|the|both|all(?:\s+(?:two|three|four|five))?)`;

export function canon(word: string): string | null {
  for (const [pattern, unit] of UNIT_CANON) if (pattern.test(word)) return unit;
  return null;
}

export function countOf(word: string | undefined): number | null {
  if (!word) return null;
  const w = word.toLowerCase();
  if (/^\d+$/.test(w)) return Number(w);
  if (w === 'a' || w === 'an') return 1;
  return SMALL_WORDS[w] ?? null;
}

/** "1 Instagram Reel, 2 Instagram Stories" -> reel: 1, story: 2; null when an item has no known unit. */
export function packageUnits(pkg: string | null): Map<string, number> | null {
  if (!pkg?.trim()) return null;
  const units = new Map<string, number>();
  for (const item of deliverableItems(pkg).flatMap((i) => i.split(/\s*(?:\+|&|;|\band\b)\s*/i))) {
    if (!item.trim()) continue;
    const qty = countOf(/^\s*(\d+|[a-z]+)\b/i.exec(item)?.[1]) ?? 1;
    const found = [...item.matchAll(new RegExp(`\\b(${UNIT})\\b`, 'gi'))]
      .map((m) => canon(m[1]))
      .filter((u) => u && u !== 'any');
    const unit = found[0];
    if (!unit) return null;
    units.set(unit, (units.get(unit) ?? 0) + qty);
  }
  return units.size ? units : null;
}

/**
 * A CPM or per-view price applied to the average views, in cents. A price written with more than two decimals
 * ("$0.035 per view") is taken as written, not rounded to a cent first (that would read $3,200 for $2,800).
 */
function perViews(t: Term, views: number): number {
  const per = t.basis === 'cpm' ? 1000n : 1n;
  const fine = /^(\d*)[.,](\d{3,6})$/.exec(t.mention.q.text);
  if (!fine || (t.mention.q.reading.kind === 'ambiguous' && !/^0*$/.test(fine[1]))) {
    return t.basis === 'cpm' ? Math.round((t.cents * views) / 1000) : t.cents * views;
  }
  const scale = 10n ** BigInt(fine[2].length);
  const units = BigInt(fine[1] || '0') * scale + BigInt(fine[2]); // the price in 1/scale dollars
  const denominator = scale * per;
  return Number((units * BigInt(views) * 100n * 2n + denominator) / (2n * denominator)); // half-up
}

interface Term {
  cents: Cents;
  mention: Mention;
  basis: 'flat' | 'unit' | 'group' | 'cpm' | 'view';
  /** unit/group: the units it prices, with the count written (null: as many as the package has). */
  units: { unit: string; count: number | null }[];
}

const CPM_AFTER =
  /^\s*(?:e?cpm\b|(?:per|\/|a|for\s+every|for\s+each|every)\s*(?:1[,.' ]?000|one\s+thousand|thousand|1k|k|mille|m)\s*(?:views?|impressions?|viewers?|plays?)?(?![\p{L}\d]))/iu;
const CPM_BEFORE =
  /(?:\be?cpm\s*(?:rate\s*)?|\bper\s*(?:1[,.' ]?000|one\s+thousand|thousand|1k|mille)\s*(?:views?|impressions?|plays?)?\s*)(?:of|is|at|would\s+be|will\s+be|=|:|-)?\s*(?:around|about|roughly|~)?\s*$/i;
const VIEW_AFTER = /^\s*(?:per|\/|a|each|for\s+each|for\s+every)\s*(?:view|impression|play)\b/i;
const PER_UNIT_AFTER = new RegExp(
  String.raw`^\s*(?:per|\/|a|an|each|for\s+each|for\s+every|every|pro|por|par|je|за|na|p\/)\s*${PLATFORM}(?<unit>${UNIT})\b`,
  'i',
);
const EACH_AFTER = /^\s*(?:each|apiece|a\s+piece|per\s+piece|per\s+deliverable|each\s+one)\b/i;
const GROUP_AFTER = new RegExp(
  String.raw`^\s*(?:for|covering|to\s+cover|includes?|including)\s+(?:the\s+|my\s+|your\s+)?(?<list>${COUNT}?\s*${PLATFORM}(?:${UNIT})(?:\s*(?:,|and|&|\+|plus)\s*(?:the\s+)?${COUNT}?\s*${PLATFORM}(?:${UNIT}))*)`,
  'i',
);
const WHOLE_AFTER =
  /^\s*(?:for|covering)\s+(?:the\s+)?(?:whole\s+|full\s+|entire\s+)?(?:package|bundle|everything|all(?:\s+of\s+it)?|the\s+lot|whole\s+thing|set|campaign|deal|collab(?:oration)?|partnership|scope)\b/i;
const UNIT_BEFORE = new RegExp(
  String.raw`(?:(?<count>${COUNT})\s+)?${PLATFORM}(?<unit>${UNIT})\s*(?<link>is|are|at|cost|costs|for|:|-|–|—|=|@|x|×|would\s+be|will\s+be)?\s*(?:around|about|just|only)?\s*$`,
  'i',
);
const LIST_BEFORE = new RegExp(
  String.raw`(?<list>(?:${COUNT}\s+)?${PLATFORM}(?:${UNIT})(?:\s*(?:,|and|&|\+|plus)\s*(?:the\s+)?(?:${COUNT}\s+)?${PLATFORM}(?:${UNIT}))*)(?:\s+(?:for|at|is|are|would\s+be|will\s+be)|\s*(?::|=|-|–))\s*(?:just|only|around|about)?\s*$`,
  'i',
);

/** The units a list names, with their counts ("1 Reel and 2 Stories", "the Reel and the Stories"). */
function unitsOf(list: string): { unit: string; count: number | null; one?: boolean }[] {
  return [...list.matchAll(new RegExp(`(?:(${COUNT})\\s+)?${PLATFORM}(${UNIT})\\b`, 'gi'))].map((u) => ({
    unit: canon(u[2]) ?? 'unknown',
    count: /^(?:the|both|all|a|an|my|your)$/i.test(u[1] ?? '') ? null : countOf(u[1]),
    one: /^(?:a|an|one|each|every)$/i.test(u[1] ?? ''), // "$300 for a Story": a price per Story
  }));
}

/** A price for "a Story" is a price per Story; for "the Stories" or "2 Stories", a price for them all. */
function groupTerm(cents: Cents, m: Mention, units: ReturnType<typeof unitsOf>): Term {
  if (units.length === 1 && units[0].one)
    return { cents, mention: m, basis: 'unit', units: [{ unit: units[0].unit, count: null }] };
  return { cents, mention: m, basis: 'group', units: units.map(({ unit, count }) => ({ unit, count })) };
}

const TIMES_AFTER = new RegExp(
  String.raw`^\s*[,;(]?\s*(?:so\s+)?(?:x|×|times)\s*(?<n>\d+)\b|^\s*[,;(]?\s*(?:for\s+|x\s*|×\s*)?(?<n2>${COUNT})\s+${PLATFORM}(?<unit>${UNIT})\b`,
  'i',
);
const TIMES_BEFORE = /(?<n>\d+)\s*(?:x|×)\s*$/i;
/** Amounts that are not the price of the package: an add-on, a deposit, a difference. */
const PART_BEFORE =
  /(?:\badd|\bplus|\+|\badditional|\bextra|\bon\s+top\s+of|\bdeposit\s+of|\bupfront|\bbonus\s+of|\bdifference\s+of|\bincrease\s+of|\braise\s+of|\bbump\s+of|\bbump\s+(?:it\s+)?by|\bincrease\s+(?:it\s+)?by|\braise\s+(?:it\s+)?by|\bmore\s+than|\bover|\babove|\bbeyond|\bhigher\s+than|\bless\s+than|\bbelow|\bunder|\bbetween)\s*$/i;
const PART_AFTER =
  /^\s*(?:(?:\+|plus)\s*(?:\d+(?:[.,]\d+)?\s*%\s*)?(?:sales\s+)?(?:tax|taxes|vat|gst|hst|iva|mwst|tva|fees?|expenses|shipping|costs?|travel)\b|(?:per|a|an|\/)\s*(?:month|mo|week|wk|year|yr|day|hour|hr)\b|monthly\b|weekly\b|yearly\b|annually\b|\s*(?:more|extra|on\s+top|additional|upfront|up\s+front|deposit|bonus|in\s+advance|less|higher|lower|above|below|over|difference)\b)/i;
/** How our own offer is repeated: "your offer of $2,000", "the $2,000 you offered". */
const REPEAT_BEFORE =
  /\b(?:your|you|you've|you'?re|offered|offer(?:\s+of)?|mentioned|proposed|quoted|suggested|said|instead\s+of|rather\s+than|from|original(?:ly)?|budget\s+of)\s*(?:of\s+|is\s+|was\s+|at\s+)?$/i;
const REPEAT_AFTER =
  /^\s*(?:you\s+(?:offered|mentioned|proposed|quoted|suggested|said)|offer|is\s+too|too\s+low|is\s+(?:not|a\s+bit|quite|rather|very|really|way)|isn'?t|doesn'?t|does\s+not|won'?t|will\s+not|falls?\s+short|is\s+below|is\s+under|is\s+low)/i;
const NEGATED_BEFORE = /\b(?:can'?t|cannot|won'?t|not|couldn'?t|unable\s+to|no)\b[^.!?,]{0,30}$/i;

/** Year-likes and small figures count as money only right after words that ask for money ("make it 2000"). */
const STRONG_CUE =
  /(?:\bmake\s+it|\bdo\s+(?:it|this|that|them|both|all)(?:\s+all)?\s+for|\brate\s+(?:is|of|would\s+be|will\s+be)|\bfee\s+(?:is|of)|\bcharge|\bprice\s+(?:is|of)|\bpay\s+me|\bhow\s+about|\bwhat\s+about|\b(?:can|could|would)\s+(?:you|we)\s+(?:do|go|meet|make\s+it)|\bgo\s+(?:up|down)\s+to|\bmeet\s+(?:me\s+)?(?:at|in\s+the\s+middle\s+at)|\bsettle\s+(?:at|on|for)|\bbump\s+(?:it\s+)?(?:up\s+)?to|\braise\s+(?:it\s+)?to|\basking\s+(?:for)?|\bask\s+is|\blooking\s+for|\bi'?d\s+(?:take|do\s+it\s+for)|\bi'?ll\s+(?:take|do\s+it\s+for)|\bi\s+(?:can|could)\s+do|\bfor\s+(?:just|only))\s*[:~]?\s*$/i;
/** After a bare figure, only these may follow for it to be money ("2500 works", "2500 for the package"). */
const BARE_FOLLOW =
  /^\s*(?:$|[.,!?;:)\]-]|\b(?:for|and|if|or|per|flat|total|all[\s-]in|net|each|is|would|will|works?|sounds?|please|then|to|plus|but|so|at|with|instead|minimum|min|max|tops|usd|dollars?|would|should|could|and\s+we|sounds|seems|feels|okay|ok)\b)/i;

function termsOf(text: string, ms: Mention[]): (Term | { unclear: string })[] {
  const ev = styleEvidence(ms);
  // The language settles a dot ("2.500 USD" in Spanish), not a comma (Mexico writes "2,500" as in English).
  const evDot = { us: ev.us, eu: ev.eu || (!ev.us && writesDots(text)) };
  const out: (Term | { unclear: string })[] = [];
  for (const m of ms) {
    if (m.role === 'vague' && m.currency !== 'other') {
      out.push({ unclear: `a vague amount ("${m.text}")` });
      continue;
    }
    const before = text.slice(Math.max(0, m.index - 60), m.index);
    const after = text.slice(m.end, m.end + 80);
    const cpm = CPM_AFTER.test(after) || CPM_BEFORE.test(before);
    // A year-like figure is money where a price stands ("happy with 2000"), a small one only as a CPM ("CPM is 30").
    const yearAsMoney =
      m.role === 'year' && !YEAR_BEFORE.test(before) && (STRONG_CUE.test(before) || BARE_FOLLOW.test(after));
    if (m.role !== 'money' && !yearAsMoney && !(m.role === 'small' && cpm)) continue;
    const unmarked = m.currency == null && !m.q.scaled && !m.q.words;
    if (unmarked) {
      // A bare figure is money when words that ask for money stand before it, or nothing else follows it.
      const strong = STRONG_CUE.test(before);
      if (!strong && !BARE_FOLLOW.test(after) && !cpm && !PER_UNIT_AFTER.test(after)) continue;
    } else if (m.currency == null && m.q.words && !m.q.scaled) continue; // "two", "twenty five": not money
    const cents = centsOf(m, m.q.reading.kind === 'ambiguous' && m.q.reading.mark === '.' ? evDot : ev);
    if (m.currency === 'other') {
      out.push({ unclear: `an amount in another currency ("${m.text}")` });
      continue;
    }
    if (cents == null) {
      out.push({ unclear: `an amount whose separators can be read two ways ("${m.text}")` });
      continue;
    }
    // "Not $2,000 — $2,500": a correction, not a range
    const corrected =
      /\b(?:not|no)\s+[$€£]?\s*\d[\d.,]*\s*[-–—]\s*[$€£]?\s*$/i.test(before) ||
      (/\b(?:not|no)\s*$/i.test(before) && /^\s*[-–—]/.test(after));
    const range =
      /\d\s*(?:-|–|—|to|and|or)\s*[$€£]?\s*$/i.test(before) || /^\s*(?:-|–|—|to|or)\s*[$€£]?\s*\d/i.test(after);
    if (range && !corrected) {
      out.push({ unclear: `a range of amounts ("${m.text}")` });
      continue;
    }
    const floor =
      /(?:\bno|\bnot|n't|\bnever|\bcannot)(?:\s+[a-z']+){0,5}?\s+(?:less\s+than|below|under|lower\s+than)\s*$/i.test(
        before,
      );
    if (!floor && (PART_BEFORE.test(before) || PART_AFTER.test(after))) {
      out.push({ unclear: `an amount that is not a price for the package ("${m.text}")` });
      continue;
    }
    if (cpm) {
      out.push({ cents, mention: m, basis: 'cpm', units: [] });
      continue;
    }
    if (VIEW_AFTER.test(after)) {
      out.push({ cents, mention: m, basis: 'view', units: [] });
      continue;
    }
    const listBefore = LIST_BEFORE.exec(before);
    const several = listBefore?.groups?.list ? unitsOf(listBefore.groups.list) : [];
    if (several.length > 1 && !PER_UNIT_AFTER.test(after) && !EACH_AFTER.test(after)) {
      // "1 Reel and 2 Stories for $2,300", "Reel + Stories: $2,300"
      out.push({ cents, mention: m, basis: 'group', units: several });
      continue;
    }
    const per = PER_UNIT_AFTER.exec(after) ?? (EACH_AFTER.test(after) ? { groups: { unit: 'each' } } : null);
    const unitBefore = UNIT_BEFORE.exec(before);
    const link = (unitBefore?.groups?.link ?? '').trim();
    const counted = unitBefore?.groups?.count && !/^(?:the|a|an|one|each|my|your)$/i.test(unitBefore.groups.count);
    const priceOfUnit = unitBefore?.groups && ((!/^for$/i.test(link) && !counted) || /^(?:at|@|x|×)$/i.test(link));
    if (per?.groups?.unit || priceOfUnit) {
      const perUnit = per?.groups?.unit === 'each' && unitBefore?.groups ? undefined : per?.groups?.unit;
      const unit = canon(perUnit ?? unitBefore?.groups?.unit ?? per?.groups?.unit ?? '') ?? 'unknown';
      const tail = per ? after.slice((per as RegExpExecArray)[0]?.length ?? 0) : after;
      const times = TIMES_AFTER.exec(tail);
      const timesBefore = TIMES_BEFORE.exec(before);
      let count =
        countOf(times?.groups?.n ?? times?.groups?.n2) ??
        countOf(timesBefore?.groups?.n) ??
        countOf(unitBefore?.groups?.count);
      if (times?.groups?.unit && canon(times.groups.unit) !== unit) count = null;
      if (count === 1 && /^(?:a|an|the|one)$/i.test(unitBefore?.groups?.count ?? '')) count = null;
      out.push({ cents, mention: m, basis: 'unit', units: [{ unit, count }] });
      continue;
    }
    const group = GROUP_AFTER.exec(after);
    if (group?.groups?.list && !WHOLE_AFTER.test(after)) {
      out.push(groupTerm(cents, m, unitsOf(group.groups.list)));
      continue;
    }
    if (listBefore?.groups?.list && counted) {
      // "2 Reels for $1,600", "1 Reel and 2 Stories for $2,300"
      out.push(groupTerm(cents, m, unitsOf(listBefore.groups.list)));
      continue;
    }
    out.push({ cents, mention: m, basis: 'flat', units: [] });
  }
  return out;
}

const mul = (cents: Cents, n: number): Cents => cents * n;

/** Reads the amount their new text asks for (normalized text). */
export function readMoney(text: string, ctx: MoneyContext): MoneyReading {
  const ms = mentions(text);
  const terms = termsOf(text, ms);
  const problem = terms.find((t): t is { unclear: string } => 'unclear' in t);
  if (problem) return { kind: 'unclear', why: problem.unclear };
  // "Ich mache es für zweitausendfünfhundert Dollar": an amount we cannot read is never a yes to ours.
  const unread = unreadAmounts(text, ms)[0];
  if (unread) return { kind: 'unclear', why: `an amount we cannot read ("${unread.text}")` };
  const priced = terms as Term[];
  const offer = ctx.lastOfferCents;
  const totals: { cents: Cents; term: Term }[] = [];

  // Per-unit and group prices, matched against the package.
  const unitTerms = priced.filter((t) => t.basis === 'unit' || t.basis === 'group');
  if (unitTerms.length) {
    const pkg = packageUnits(ctx.package);
    if (!pkg) return { kind: 'unclear', why: 'a price per unit, and the package has no units to count' };
    const covered = new Map<string, Cents>();
    for (const t of unitTerms) {
      const units = t.units.map((u) => ({
        ...u,
        unit: u.unit === 'any' ? (pkg.size === 1 ? [...pkg.keys()][0] : 'any') : u.unit,
      }));
      for (const u of units) {
        if (u.unit === 'any' || !pkg.has(u.unit)) {
          return {
            kind: 'unclear',
            why: `a price per ${u.unit === 'any' ? 'piece' : u.unit} that does not match the package`,
          };
        }
        if (u.count != null && u.count !== pkg.get(u.unit)) {
          return {
            kind: 'unclear',
            why: `a price for ${u.count} ${u.unit}(s) where the package has ${pkg.get(u.unit)}`,
          };
        }
      }
      const value = t.basis === 'unit' ? mul(t.cents, pkg.get(units[0].unit) ?? 1) : t.cents;
      const key = units
        .map((u) => u.unit)
        .sort()
        .join('+');
      if (covered.has(key) && covered.get(key) !== value)
        return { kind: 'unclear', why: 'two prices for the same units' };
      covered.set(key, value);
    }
    const coveredUnits = [...covered.keys()].flatMap((k) => k.split('+'));
    const complete = pkg.size === new Set(coveredUnits).size && coveredUnits.length === pkg.size;
    if (complete) {
      const first = unitTerms[0];
      totals.push({ cents: [...covered.values()].reduce((a, b) => a + b, 0), term: first });
    } else if (!priced.some((t) => t.basis === 'flat' && t.cents !== offer)) {
      return { kind: 'unclear', why: 'prices for part of the package only' };
    }
  }

  for (const t of priced) {
    if (t.basis === 'cpm' || t.basis === 'view') {
      const views = ctx.averageViews;
      if (!views || views <= 0) return { kind: 'unclear', why: 'a CPM quote without the average views to apply it to' };
      const total = perViews(t, views);
      if (!Number.isSafeInteger(total)) return { kind: 'unclear', why: 'a CPM quote too large to read' };
      totals.push({ cents: total, term: t });
    }
  }

  const flats = priced.filter((t) => t.basis === 'flat');
  let offerMentioned = false;
  let offerAccepted = false;
  let offerNegated = false;
  for (const t of flats) {
    if (offer != null && t.cents === offer) {
      offerMentioned = true;
      const before = text.slice(Math.max(0, t.mention.index - 40), t.mention.index);
      const after = text.slice(t.mention.end, t.mention.end + 40);
      if (REPEAT_BEFORE.test(before) || REPEAT_AFTER.test(after)) continue;
      if (NEGATED_BEFORE.test(before)) offerNegated = true;
      else offerAccepted = true;
      continue;
    }
    totals.push({ cents: t.cents, term: t });
  }

  const distinct = [...new Set(totals.map((t) => t.cents))];
  const asks = distinct.filter((c) => c !== offer);
  if (asks.length > 1) return { kind: 'unclear', why: 'several different amounts' };
  if (asks.length === 1) {
    const t = totals.find((x) => x.cents === asks[0]) as { cents: Cents; term: Term };
    return {
      kind: 'ask',
      cents: asks[0],
      atOffer: false,
      marked: t.term.mention.currency != null,
      text: t.term.mention.text,
    };
  }
  if (distinct.length === 1 || (offerAccepted && !offerNegated)) {
    const t = totals[0];
    return {
      kind: 'ask',
      cents: offer as Cents,
      atOffer: true,
      marked: t ? t.term.mention.currency != null : true,
      text: t?.term.mention.text ?? '',
    };
  }
  return { kind: 'none', offerMentioned };
}
