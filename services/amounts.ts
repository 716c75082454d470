/**
 * Money mentions in free text (emails, model prose), on top of services/numerals.ts: which quantities carry a
 * currency (before or after, symbols, codes and words in the D16 languages), which are counts, years, dates,
 * times, phone numbers or percentages, and what each is worth in cents. The reply reader (services/reading.ts)
 * and the validation gate (services/gate.ts) both read money through this module.
 */
import { type Cents, MAX_MONEY_CENTS } from './money.ts';
import { type Quantity, readingsOf, normalizeText as normalize, scanQuantities } from './numerals.ts';

export { normalize as normalizeText };

/** Where a bare number is not money: it counts something, or it is a year, a small number, part of a date... */
export type Role = 'money' | 'count' | 'year' | 'small' | 'vague' | 'masked';

export interface Mention {
  /** The quantity with its currency marks, as written (normalized text). */
  text: string;
  index: number;
  end: number;
  q: Quantity;
  /** Marked currency: US dollars, another currency, or none. */
  currency: 'usd' | 'other' | null;
  /** The currency word is one that writes "2.500,00" (dólares, dollari, долларов...). */
  euHint: boolean;
  role: Role;
}

const OTHER_SYMBOLS = '€£¥₹₩₽₺₪₱₦₫₴฿₿₸₼₾';
const OTHER_CODES =
  'EUR|GBP|JPY|CNY|RMB|CAD|AUD|NZD|CHF|INR|MXN|BRL|SEK|NOK|DKK|PLN|ZAR|SGD|HKD|KRW|AED|RUB|UAH|CZK|HUF|RON|TRY|ILS|THB|IDR|PHP|MYR|NGN|ARS|CLP|COP|PEN|SAR|QAR|KWD|EGP|VND|TWD|ISK|BGN';
const DOLLAR_PREFIX = String.raw`(?:US|U\.S\.|CA|C|AU|A|NZ|HK|SG|S|MX|NT|R|Z)?\$`;
const USD_WORDS_EN = String.raw`(?:us|u\.s\.|american)\s+dollars?|dollars?|bucks|usd|us\$`;
const USD_WORDS_EU = String.raw`us-dollars?|d[óo]lares(?:\s+(?:americanos|estadounidenses))?|d[óo]lar(?:\s+americano)?|dollari|dollaro|dolar[óo]w|dolary|dolara|доллар\p{L}*|долл\.?`;
// Japanese, Chinese and Korean write words without spaces: "2,800ドルでお願いします" is $2,800.
const USD_WORDS_CJK = '米ドル|ドル|美元|美金|달러';
const OTHER_DOLLARS = String.raw`(?:canadian|australian|aussie|new\s+zealand|nz|hong\s+kong|singapore|mexican|taiwan)\s+dollars?`;
const OTHER_WORDS = String.raw`${OTHER_DOLLARS}|${OTHER_CODES}|euros?|евро|pounds?(?:\s+sterling)?|sterling|quid|libras?|sterline|yen|yuan|renminbi|rupees?|pesos?|reais|z[łl]otych|z[łl]oty|z[łl]|kronor|kroner|kronur|kr\.?|rubles?|roubles?|рубл\p{L}*|руб\.?|francs?|franken|lira|lire|rand|won|shekels?|baht|ringgit|dirhams?|riyals?|forint|koruna|hryvnia|гривен\p{L}*|rupia|rupiah|naira`;

const PREFIX = new RegExp(
  String.raw`(?:(?<usd>(?<![\p{L}])(?:US|U\.S\.)?\$|(?<![\p{L}])usd|(?<![\p{L}])us-dollars?)|(?<other>(?<![\p{L}])${DOLLAR_PREFIX}|[${OTHER_SYMBOLS}]|(?<![\p{L}])(?:${OTHER_CODES}|Rs\.?|kr\.?|zł|R)))[\s:]*$`,
  'iu',
);
const SUFFIX = new RegExp(
  String.raw`^(?:\s*-\s*|\s*[()\[\]"”]?\s*)(?:(?<other>${OTHER_WORDS})(?![\p{L}'])|(?<usd>${USD_WORDS_EN})(?![\p{L}])|(?<eu>${USD_WORDS_EU})(?![\p{L}])|(?<cjk>${USD_WORDS_CJK})|(?<sym>\$|[${OTHER_SYMBOLS}])(?!\s*\d))`,
  'iu',
);

// Something counted, not money: an audience, deliverables, time, measures ("80k views", "2 Reels", "30 days").
const COUNTED = String.raw`views?|viewers?|followers?|subscribers?|subs|likes?|impressions?|reach|fans?|plays?|streams?|comments?|shares?|saves?|downloads?|readers?|visitors?|members?|people|persons?|users?|accounts?|clicks?|engagements?|listeners?|watchers?|audience|reels?|stor(?:y|ies)|posts?|videos?|tiktoks?|shorts?|integrations?|lives?|livestreams?|tweets?|pins?|carousels?|photos?|images?|pictures?|clips?|frames?|slides?|mentions?|links?|deliverables?|pieces?|items?|assets?|hashtags?|captions?|drafts?|revisions?|rounds?|versions?|edits?|concepts?|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos?|years?|yrs?|nights?|weekends?|quarters?|am|pm|a\.m\.|p\.m\.|o'?clock|percent|per\s?cent|pct|times|kg|kgs|lbs?|km|miles?|cm|inches|feet|ft|words?|characters?|chars?|pages?|emails?|messages?|creators?|influencers?|brands?|campaigns?|countries|languages?|kids?|children|products?|units?|pcs|boxes|samples?|stars?|points?|steps?|questions?|things?|ideas?|options?|spots?|slots?|locations?|cities|stores?|episodes?|seasons?|chapters?|parts?|percentiles?|orders?|sales?|conversions?|signups?|sign-ups?|installs?|leads?|uploads?|entries|winners?|packages?|bundles?|sets?|looks?|outfits?|recipes?|tabs?|languages?|ratings?|reviews?|customers?|clients?|partners?|employees?|retailers?|markets?|shoppers?|buyers?|k\s+views`;
const COUNT_AFTER = new RegExp(
  String.raw`^\s*(?:\+|-)?\s*(?:${COUNTED})(?![\p{L}])|^\s*(?:%|x\b|×|-?(?:day|week|month|year|hour|minute|second|time|part|step|page)s?\b)`,
  'iu',
);
// A few words may sit between a count and the counted thing only when they are such words ("80k monthly views").
const COUNT_ADJECTIVES =
  /^(?:\s*(?:\+|-)?\s*)((?:(?:monthly|weekly|daily|average|avg|total|organic|unique|instagram|ig|tiktok|youtube|yt|facebook|fb|twitter|x|snapchat|pinterest|linkedin|twitch|more|extra|additional|new|separate|dedicated|feed|in-feed|static|short|long|live|active|engaged|loyal|real|paid|sponsored|story|video|photo|carousel|more|of|my|the|your|those|these|such|similar)\s+){0,3})/i;
const LABEL_BEFORE =
  /(?:#|\bno\.?|\bnumber|\bnr\.?|\border|\binvoice|\bref(?:erence)?|\bticket|\broom|\bsuite|\bapt\.?|\bunit|\bzip|\bpostal(?:\s+code)?|\bcode|\bext\.?|\bflight|\btel\.?|\bphone|\bcall(?:\s+me)?(?:\s+at|\s+on)?|\btext(?:\s+me)?(?:\s+at|\s+on)?|\bwhatsapp|\bversion|\bv|\bstep|\boption|\bday|\bweek|\bpage|\bchapter|\bepisode|\bpart|\bseason|\btop|\bQ|\bPO|\bid|\baccount|\bnet|\bage|\baged|\bsize|\blevel|\bpoint|\bpoints|\broute|\bbox|\bbuilding|\bfloor|\blot|\bseat|\bgate|\bplatform|\btrack|\btracking|\bchannel|\bmodel|\biphone|\bpixel|\bgalaxy|\bwindows|\bstreet|\bst\.?|\bavenue|\bave\.?|\broad|\brd\.?|\bpin|\bpassword|\bcoupon|\bpromo|\bdiscount\s+code)(?:\s+(?:is|was|number|no\.?|nr\.?|#|code|id))*\s*[:#]?\s*$/i;

const MONTHS =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|januar|februar|märz|juni|juli|oktober|dezember|janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|dezembro|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre';

/** Spans that hold digits but never money: dates, times, phone numbers, percentages, URLs, addresses, "net 30". */
const MASKS: RegExp[] = [
  /\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}\/\d{1,2}\b/g,
  /\b\d{1,2}[:h]\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?|\b\d{1,2}\s*[ap]\.?m\.?(?![\p{L}])/giu,
  /\+\d[\d\s().-]{6,}\d|\(\d{3}\)\s*\d{3}[\s.-]\d{4}|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b|\b\d{3}-\d{4}\b|\b\d{2,4}(?:\s\d{2,4}){3,}\b/g,
  // ids and references ("4471-2290"), US zip codes ("CA 94043")
  /(?<![$\d,.])\b\d{3,}(?:-\d{3,})+\b(?!\s*(?:\$|usd|dollars?))/gi,
  /\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b/g,
  /(?<![\d.,])\d+(?:[.,]\d+)?\s*(?:%|percent\b|per\s?cent\b)/gi,
  /https?:\/\/\S+|www\.\S+|(?<![^\s<("'])[^\s@<>()]+@[^\s@]+\.\S+/gi,
  /\bnet[\s-]?\d{1,3}\b/gi,
  new RegExp(
    String.raw`\b(?:${MONTHS})\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\b\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:of\s+|de\s+)?(?:${MONTHS})(?:,?\s+\d{4})?|\b(?:${MONTHS})\s+\d{4}\b`,
    'giu',
  ),
  /\b(?:19|20)\d{2}\s*[-–]\s*(?:19|20)?\d{2}\b/g,
];

/** The masked spans, sorted and merged, so each quantity is checked against them in one sweep. */
function maskedSpans(text: string): [number, number][] {
  const spans: [number, number][] = [];
  for (const re of MASKS) for (const m of text.matchAll(re)) spans.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([span[0], span[1]]);
  }
  return merged;
}

/** Whether the words right after a quantity say what it counts ("views", "Reels", "days", "%"). */
export function countedAfter(after: string): boolean {
  if (COUNT_AFTER.test(after)) return true;
  const adjectives = COUNT_ADJECTIVES.exec(after)?.[0] ?? '';
  return (
    adjectives.length > 0 &&
    new RegExp(String.raw`^(?:${COUNTED})(?![\p{L}])`, 'iu').test(after.slice(adjectives.length))
  );
}

function currencyAround(text: string, q: Quantity) {
  const before = text.slice(Math.max(0, q.index - 12), q.index);
  const pre = PREFIX.exec(before);
  const after = text.slice(q.end, q.end + 40);
  const suf = SUFFIX.exec(after);
  let currency: 'usd' | 'other' | null = null;
  const marks: ('usd' | 'other')[] = [];
  if (pre?.groups?.usd) marks.push('usd');
  if (pre?.groups?.other) marks.push(/^(?:us|u\.s\.)?\$$/i.test(pre.groups.other) ? 'usd' : 'other');
  if (suf?.groups?.usd || suf?.groups?.eu || suf?.groups?.cjk) marks.push('usd');
  if (suf?.groups?.other) marks.push('other');
  if (suf?.groups?.sym) marks.push(suf.groups.sym === '$' ? 'usd' : 'other');
  if (marks.length) currency = marks.includes('other') ? 'other' : 'usd';
  const start = pre ? q.index - (before.length - pre.index) : q.index;
  const end = suf ? q.end + suf[0].length : q.end;
  return { currency, start, end, euHint: Boolean(suf?.groups?.eu) };
}

/** A bare 19xx/20xx after these words is a year ("in 2026", "for 2026", "the 2026 campaign"). */
export const YEAR_BEFORE =
  /\b(?:in|since|until|till|by|during|of|from|through|for|early|late|mid|spring|summer|fall|autumn|winter|q[1-4]|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|this|next|last|the|year|copyright|©|est\.?|founded|born|class\s+of)\s*,?\s*$/i;

/** Every quantity of normalized text with its currency and role, in order. */
export function mentions(text: string): Mention[] {
  const masks = maskedSpans(text);
  let k = 0;
  const out: Mention[] = [];
  for (const q of scanQuantities(text)) {
    while (k < masks.length && masks[k][1] <= q.index) k++; // quantities come in order
    const { currency, start, end, euHint } = currencyAround(text, q);
    const after = text.slice(q.end, q.end + 60);
    const before = text.slice(Math.max(0, q.index - 24), q.index);
    let role: Role = 'money';
    const value = readingsOf(q.reading)[0];
    if (k < masks.length && masks[k][0] < q.end && !currency) role = 'masked';
    else if (currency) role = q.vague ? 'vague' : 'money';
    // A label numbers things ("option 2", "order 4471"); a figure with a separator or cents is not a label.
    else if (countedAfter(after) || (q.plainInteger && LABEL_BEFORE.test(before))) role = 'count';
    else if (q.vague) role = 'vague';
    else if (q.plainInteger && value >= 190000n && value <= 209900n) role = 'year';
    else if (!q.scaled && value < 10000n) role = 'small';
    out.push({ text: text.slice(start, end), index: start, end, q, currency, euHint, role });
  }
  return out;
}

/** What the separators written in a text show: "1.500,00" or "Dólares" say 'eu', "2,500.00" says 'us'. */
export function styleEvidence(ms: Mention[]): { us: boolean; eu: boolean } {
  const ev = { us: false, eu: false };
  for (const m of ms) {
    if (m.role !== 'money') continue;
    if (m.q.style === 'us') ev.us = true;
    if (m.q.style === 'eu' || m.euHint) ev.eu = true;
  }
  return ev;
}

const safe = (c: bigint): Cents | null => (c > 0n && c <= BigInt(MAX_MONEY_CENTS) ? Number(c) : c === 0n ? 0 : null);

/**
 * The cents a money mention is worth, or null when it cannot be told: another currency, a vague amount, or a mark
 * that may be a decimal or a thousands separator without clear evidence ("$1.500" alone). A comma before three
 * digits is a thousands separator unless the text writes the other style; a dot needs evidence ("2.500,00"
 * elsewhere, or "dólares"), and is never read as a decimal: never $1.50.
 */
export function centsOf(m: Mention, ev: { us: boolean; eu: boolean }): Cents | null {
  if (m.currency === 'other' || m.q.vague) return null;
  const r = m.q.reading;
  if (r.kind === 'definite') return safe(r.cents);
  const eu = ev.eu || m.euHint;
  if (r.mark === ',') return eu ? null : safe(r.group);
  return eu && !ev.us ? safe(r.group) : null;
}

/** Every value a money mention might be read as (the gate allows a mention only if all are allowed). */
export function possibleCents(m: Mention, ev: { us: boolean; eu: boolean }): (Cents | null)[] {
  if (m.currency === 'other' || m.q.vague) return [null];
  const r = m.q.reading;
  if (r.kind === 'definite') return [safe(r.cents)];
  const eu = ev.eu || m.euHint;
  if (r.mark === ',' && !eu) return [safe(r.group)];
  if (r.mark === '.' && eu && !ev.us) return [safe(r.group)];
  return readingsOf(r).map(safe);
}

/** A currency written with no amount we can read beside it ("nueve mil dólares", "a few euros more"). */
const CURRENCY_WORD =
  /(?<![\p{L}])(?:dollars?|bucks|usd|us\$|d[óo]lares|d[óo]lar|dollari|dolar[óo]w|доллар\p{L}*|euros?|eur|евро|gbp|pounds?\s+sterling|sterling|yen|yuan|rmb|rupees?|pesos?|reais|z[łl]otych|kronor|kroner|rubles?|roubles?|рубл\p{L}*|francs?|chf|cad|aud|jpy|inr|brl|mxn|sek|nok|dkk|pln)(?![\p{L}])|[$€£¥₹₩₽₺₪₱₦₫₴฿](?!\{)/giu;
/** Money slang no reader does arithmetic on ("9G" for nine grand, "2k5" for 2,500); "5G phone" is no amount. */
const SLANG_AMOUNT =
  /\b\d+(?:[.,]\d+)?\s?G\b(?![-\s]?(?:network|lte|phone|speed|coverage|signal|connection|data))|\b\d+[kK]\d+\b/g;
/** Thousands in words of the D16 languages, apart or compounded ("dos mil", "neuf mille", "duemila", "zweitausend"). */
const FOREIGN_THOUSANDS =
  /\b(?:un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|dois|duas|três|quatro|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|dwa|trzy|cztery|pięć|sześć|siedem|osiem|dziewięć|två|tre|fyra|fem|sex|sju|åtta|nio|tio|to|fire|seks|syv|otte|ni|ti)\s*(?:mil|mille|mila|duizend|tysiące|tysięcy|tysiąc|tusen|tusind)(?![\p{L}])|\b(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn)\p{L}*tausend\p{L}*|(?<![\p{L}])(?:две|два|три|четыре|пять|шесть|семь|восемь|девять|десять)\s+тысяч\p{L}*/iu;

/**
 * Money we cannot read (the gate and the reader alike): a currency with no amount beside it, thousands
 * written in words of the D16 languages, or money slang ("9G", "2k5"). In normalized text; `all` are its mentions.
 */
export function unreadAmounts(text: string, all: Mention[]): { text: string; kind: 'currency' | 'words' | 'slang' }[] {
  const found: { text: string; kind: 'currency' | 'words' | 'slang' }[] = [];
  const money = all.filter((m) => m.currency != null);
  let k = 0;
  for (const c of text.matchAll(CURRENCY_WORD)) {
    const at = c.index ?? 0;
    while (k < money.length && money[k].end <= at) k++; // both in order of position
    if (!(k < money.length && money[k].index <= at)) found.push({ text: c[0], kind: 'currency' });
  }
  const words = FOREIGN_THOUSANDS.exec(text);
  if (words) found.push({ text: words[0], kind: 'words' });
  for (const slang of text.matchAll(SLANG_AMOUNT)) found.push({ text: slang[0], kind: 'slang' });
  return found;
}

/** A money mention as the original API reported it. */
export interface AmountMention {
  text: string;
  index: number;
  /** USD value in cents; null for another currency or an amount that cannot be read. */
  cents: Cents | null;
}

/**
 * Amounts marked as money: a currency before or after, or a "k"/"grand" scale ("2.5k", "2 grand") that does not
 * count an audience ("80k views"). Bare numbers are left to the reader and the gate, which know their context.
 */
export function findAmounts(raw: string): AmountMention[] {
  const text = normalize(raw);
  const all = mentions(text);
  const ev = styleEvidence(all);
  return all
    .filter(
      (m) =>
        (m.currency != null && m.role !== 'masked') ||
        (m.role === 'money' && /(?:\dk|\sk|grand)$/i.test(m.q.text)) ||
        (m.role === 'vague' && m.currency != null),
    )
    .map((m) => ({ text: m.text, index: m.index, cents: centsOf(m, ev) }));
}
