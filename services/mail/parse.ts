/**
 * Parses a raw RFC 2822 message (llm-email.md §7.4 [Port]): headers read case-insensitively from the MIME, the
 * declared charset honoured, HTML-only mail converted to text, and the new text separated from quoted history,
 * forwarded content, signatures and mobile footers. Rules are English-only, like the original's parser.
 */
import { type AddressObject, simpleParser } from 'mailparser';

export interface ParsedEmail {
  messageId: string | null; // angle brackets included
  from: string; // "Name <address>" or a bare address
  to: string;
  subject: string;
  inReplyTo: string | null;
  references: string[];
  date: string | null; // the Date header as ISO 8601 UTC
  text: string; // the new text only
  signature: string | null; // what the "-- " delimiter or a mobile footer cut off (the counterparty classifier reads it)
  fullText: string;
}

export async function parseRawEmail(raw: Buffer | string): Promise<ParsedEmail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  // mailparser converts HTML-only mail to text with html-to-text; a text part wins when both exist.
  const fullText = normalise(mail.text ?? '');
  const { text, signature } = extractNewText(fullText);
  return {
    messageId: mail.messageId ?? null,
    from: formatAddresses(mail.from),
    to: formatAddresses(mail.to),
    subject: mail.subject ?? '',
    inReplyTo: mail.inReplyTo ?? null,
    references: toList(mail.references),
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    text,
    signature,
    fullText,
  };
}

function formatAddresses(header: AddressObject | AddressObject[] | undefined): string {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return objects
    .flatMap((o) => o.value)
    .map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : (a.address ?? a.name)))
    .join(', ');
}

const toList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : value.split(/\s+/)).filter(Boolean);

/** LF line ends, no-break spaces as spaces, no trailing whitespace on any line. */
function normalise(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

// ---- new-text extraction ----

const QUOTED = /^\s*>/;
const SIGNATURE_DELIMITER = /^--$/; // "-- " once trailing whitespace is trimmed
const MOBILE_FOOTER =
  /^(?:Sent from my \w+|Sent from (?:Outlook|Mail|Yahoo Mail|Gmail)(?: for (?:iOS|Android|Mac|Windows))?|Get Outlook for (?:iOS|Android))\b/i;
const FORWARD_MARKER = /^(?:-{5,}\s*Forwarded message\s*-{5,}|Begin forwarded message:)$/i;
const ORIGINAL_MESSAGE = /^-{3,}\s*Original Message\s*-{3,}$/i;
const UNDERSCORE_SEPARATOR = /^_{20,}$/; // Outlook's "________________________________"
const RULE = /^[-_=]{10,}$/; // any horizontal rule, e.g. an HTML <hr> rendered as text
const HEADER_FROM = /^\*?From:\*?\s*\S/i;
const HEADER_FIELD = /^\*?(?:Sent|Date|To|Cc|Subject):\*?\s/i;
// "On <date> <name> wrote:" (Gmail) and "On <date>, at <time>, <name> wrote:" (Apple Mail). A time, a year or a
// numeric date must be there, so "On second thought, $2,100 works. Jess wrote:" stays the sender's own text.
const ATTRIBUTION = /^On\s.+\swrote:$/i;
const ATTRIBUTION_DATE = /\d{1,2}:\d{2}|\b(?:19|20)\d{2}\b|\d{1,2}\/\d{1,2}\/\d{2}/;
const isAttribution = (s: string) => ATTRIBUTION.test(s) && ATTRIBUTION_DATE.test(s);
const ATTRIBUTION_MAX_LINES = 3; // Gmail wraps a long attribution, often just before the "<address>"

type Cut = { at: number; kind: 'attribution' | 'forward' | 'history'; end: number };

/** Splits a message into the sender's new text and the signature it cut off. */
export function extractNewText(fullText: string): { text: string; signature: string | null } {
  const lines = normalise(fullText).split('\n');
  const cut = findHistory(lines);
  let { text, signature } = ownText(lines.slice(0, cut?.at ?? lines.length));
  // A bottom-posted reply: nothing above the attribution, the answer follows the quote.
  if (!text && cut?.kind === 'attribution') ({ text, signature } = ownText(lines.slice(cut.end)));
  if (!text) text = firstParagraph(lines);
  return { text: text.replace(/\n{3,}/g, '\n\n'), signature };
}

function findHistory(lines: string[]): Cut | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (FORWARD_MARKER.test(line)) return { at: i, kind: 'forward', end: i + 1 };
    if (ORIGINAL_MESSAGE.test(line) || UNDERSCORE_SEPARATOR.test(line)) return { at: i, kind: 'history', end: i + 1 };
    if (isHeaderBlock(lines, i)) return { at: ruleAbove(lines, i), kind: 'history', end: i + 1 };
    const attribution = attributionAt(lines, i);
    if (attribution) return { at: i, kind: 'attribution', end: attribution };
  }
  return null;
}

/** A "From:" line followed closely by at least two of Sent/Date/To/Cc/Subject: a quoted message's headers. */
function isHeaderBlock(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i].trim())) return false;
  return lines.slice(i + 1, i + 7).filter((l) => HEADER_FIELD.test(l.trim())).length >= 2;
}

/** Moves a cut up over the blank lines and the horizontal rule that introduce a header block. */
function ruleAbove(lines: string[], i: number): number {
  let at = i;
  while (at > 0 && (lines[at - 1].trim() === '' || RULE.test(lines[at - 1].trim()))) at--;
  return at;
}

/** The index after the attribution starting at line i, or 0 when none starts there. */
function attributionAt(lines: string[], i: number): number {
  if (!/^On\s/i.test(lines[i].trim())) return 0;
  let joined = '';
  for (let n = 0; n < ATTRIBUTION_MAX_LINES && i + n < lines.length; n++) {
    const next = lines[i + n].trim();
    if (n > 0 && (next === '' || QUOTED.test(next))) return 0;
    joined = joined ? `${joined} ${next}` : next;
    if (joined.length > 400) return 0;
    if (isAttribution(joined)) return i + n + 1;
  }
  return 0;
}

/** The unquoted lines up to a signature delimiter or a mobile footer, and that signature. */
function ownText(lines: string[]): { text: string; signature: string | null } {
  const own = lines.filter((l) => !QUOTED.test(l));
  const sig = own.findIndex((l) => SIGNATURE_DELIMITER.test(l.trim()) || MOBILE_FOOTER.test(l.trim()));
  if (sig < 0) return { text: own.join('\n').trim(), signature: null };
  const start = SIGNATURE_DELIMITER.test(own[sig].trim()) ? sig + 1 : sig;
  return { text: own.slice(0, sig).join('\n').trim(), signature: own.slice(start).join('\n').trim() || null };
}

/** The last resort: the first paragraph that is not a marker, a header block or a quote; else the first one. */
function firstParagraph(lines: string[]): string {
  const paragraphs = lines
    .join('\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const structural = (l: string) =>
    QUOTED.test(l) ||
    FORWARD_MARKER.test(l) ||
    ORIGINAL_MESSAGE.test(l) ||
    RULE.test(l) ||
    HEADER_FROM.test(l) ||
    HEADER_FIELD.test(l) ||
    isAttribution(l);
  const content = paragraphs.find((p) => !p.split('\n').every((l) => structural(l.trim())));
  return content ?? paragraphs[0] ?? '';
}
