/**
 * Reply extraction (decisions D16), one pipeline for every mailbox: the counterparty's new words, separated
 * from quoted history, forwarded content, our own scope-of-work block and signatures. Text between quoted
 * blocks (inline and bottom-posted answers) is theirs. When their words cannot be separated with confidence
 * the reply is `uncertain`, and the negotiation reads it as unclear, never as agreement.
 *
 * Steps, each linear in the body: "> " quoting; history markers (history.ts), a marker followed by "> " lines
 * quoting just those, any other marker quoting everything below it; lines repeating earlier messages of the
 * thread (thread.ts, when the caller passes them); our scope-of-work block pasted in a format nothing else
 * recognised; then the signature of each run of own lines (signature.ts). Bounded: a body over MAX_BODY_CHARS
 * (or MAX_LINES) is read up to there, and a scan of a large body over TIME_BUDGET_MS stops and reads the reply
 * as uncertain.
 */
import { findHistory, isQuotedLine } from './history.ts';
import { contactBlock, findSignature, senderNames, signatureEnd } from './signature.ts';
import { indexThread, markRepeats, type ThreadIndex } from './thread.ts';

export interface ReplyHints {
  /** Texts of earlier messages of the thread: our sent emails and their earlier replies. */
  thread?: string[];
  /** The sender's display name ("Maya Lopez"): a line with it starts their signature. */
  senderName?: string | null;
}

export interface ExtractedReply {
  /** Their new words, inline answers kept in order. */
  text: string;
  /** The quoted history and forwarded content cut away: context, never their words. */
  quoted: string | null;
  /** What the signature and footer rules cut off. */
  signature: string | null;
  /** Their new words could not be separated with confidence: read the reply as unclear (D16). */
  uncertain: boolean;
}

export const MAX_BODY_CHARS = 2_000_000;
export const MAX_LINES = 100_000; // a real 1 MB email has some 20,000
export const TIME_BUDGET_MS = 25;
/** A quoted part proves it holds a message of the thread when this many of its words repeat it. */
const MIN_REPEATED_WORDS = 10;
/** Below this size a scan is short whatever the input (every rule sees bounded lines): no time budget. */
const BUDGETED_CHARS = 64 * 1024;

type Kind = 'own' | 'quoted' | 'soft' | 'hard';

interface Read {
  lines: string[];
  kinds: Kind[];
  /** A "-- " delimiter line: not part of the signature text. */
  delimiters: Set<number>;
  uncertain: boolean;
}

class OutOfTime extends Error {}

/** LF line ends, no-break/narrow spaces as spaces, no BOM or zero-width marks, no trailing whitespace. */
export function normaliseBody(text: string): string {
  return bodyLines(text).join('\n');
}

function bodyLines(text: string, maxLines?: number): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u202f\u2007]/g, ' ')
    .replace(/[\ufeff\u200b]/g, '')
    .trim()
    .split('\n', maxLines)
    .map((line) => line.trimEnd());
}

export function extractReply(body: string, hints: ReplyHints = {}): ExtractedReply {
  let read: Read;
  try {
    read = readReply(body, hints);
  } catch (error) {
    if (!(error instanceof OutOfTime)) throw error;
    return fallback(body);
  }
  const { lines, kinds, delimiters } = read;
  const text = join(lines, kinds, (k) => k === 'own');
  const quoted = join(lines, kinds, (k) => k === 'quoted');
  const signature = join(lines, kinds, (k, i) => (k === 'soft' || k === 'hard') && !delimiters.has(i));
  return { text, quoted: quoted || null, signature: signature || null, uncertain: read.uncertain || !text };
}

/**
 * The older view of the same reading, as mail clients show a message: without quoted history, cut only at a
 * "-- " delimiter or a mobile footer (a sign-off and a name stay); when nothing is left, the first paragraph.
 */
export function extractNewText(body: string): { text: string; signature: string | null } {
  let read: Read;
  try {
    read = readReply(body, {});
  } catch (error) {
    if (!(error instanceof OutOfTime)) throw error;
    return { text: fallback(body).text, signature: null };
  }
  const { lines, kinds, delimiters } = read;
  const text = join(lines, kinds, (k) => k === 'own' || k === 'soft');
  const signature = join(lines, kinds, (k, i) => k === 'hard' && !delimiters.has(i));
  return { text: text || firstParagraph(lines), signature: signature || null };
}

let warm = false;
const WARM_UP =
  'Ok\n\nBest,\nA\n\n-- \nSent from my iPhone\n\nOn 3/3/26 9:14, A <a@b.c> wrote:\n> x\nFrom: a\nTo: b\nSubject: c';

function readReply(body: string, hints: ReplyHints): Read {
  const budgeted = body.length > BUDGETED_CHARS;
  if (budgeted && !warm) {
    warm = true; // the first call compiles the rules' regexes: not a cost of this body
    readReply(WARM_UP, { thread: [WARM_UP], senderName: 'A' });
  }
  const started = performance.now();
  const tick = (i: number) => {
    if (budgeted && (i & 31) === 0 && performance.now() - started > TIME_BUDGET_MS) throw new OutOfTime();
  };
  const lines = bodyLines(body.length > MAX_BODY_CHARS ? body.slice(0, MAX_BODY_CHARS) : body, MAX_LINES + 1);
  const truncated = body.length > MAX_BODY_CHARS || lines.length > MAX_LINES;
  if (lines.length > MAX_LINES) lines.pop();
  const kinds: Kind[] = lines.map((l, i) => {
    tick(i);
    return isQuotedLine(l) ? 'quoted' : 'own';
  });
  const quoted = kinds.map((k) => k === 'quoted');
  let uncertain = false;

  // History markers: "> " quoting after a marker quotes just the marker; anything else quotes the rest.
  let rest = -1; // where a marker that quotes everything below it starts
  for (let from = 0; ; ) {
    const marker = findHistory(lines, from, quoted, tick);
    if (!marker) break;
    let next = marker.end;
    while (next < lines.length && !lines[next].trim()) next++;
    const prefixed = next < lines.length && quoted[next];
    const end = prefixed ? marker.end : lines.length;
    for (let i = marker.start; i < end; i++) quoted[i] = true;
    if (!prefixed) {
      rest = marker.end;
      break;
    }
    from = next;
  }

  const own = quoted.map((q) => !q);
  const thread = hints.thread?.length ? indexThread(hints.thread) : null;
  if (thread) markRepeats(lines, own, thread, tick);
  uncertain ||= pastedScopeOfWork(lines, own);
  // Text written below a quoted message of the thread ("Sounds great! <Outlook quote> my rate would need to be
  // $2,800") is theirs; with no "> " to tell, it is told apart from older history only by not repeating the
  // thread, so it is read, and the reply is uncertain (never an agreement) unless a signature is all it holds.
  const tail = thread && rest >= 0 ? bottomPosted(lines, rest, thread, tick) : -1;
  for (let i = Math.max(tail, 0); tail >= 0 && i < lines.length; i++) own[i] = true;

  for (let i = 0; i < lines.length; i++) kinds[i] = own[i] ? 'own' : 'quoted';
  const delimiters = markSignatures(lines, kinds, senderNames(hints.senderName), tick);
  if (tail >= 0 && kinds.slice(tail).includes('own')) uncertain = true;
  // Read only up to MAX_BODY_CHARS or MAX_LINES and still in their text there: the rest may hold more of it.
  if (truncated && kinds.at(-1) === 'own') uncertain = true;
  return { lines, kinds, delimiters, uncertain };
}

/**
 * Below a history marker that quotes the rest: the first line after a quoted message of the thread ends (its
 * last line, our sign-off, after enough repeated words), when what follows is neither blank, a closing frame
 * ("-------- End of forwarded message --------") nor older history.
 */
function bottomPosted(lines: string[], from: number, thread: ThreadIndex, tick: (i: number) => void): number {
  let last = -1;
  let repeated = 0;
  for (let i = from; i < lines.length; i++) {
    tick(i);
    if (thread.has(lines[i]) !== true) continue;
    repeated += lines[i].split(/\s+/).length;
    if (repeated >= MIN_REPEATED_WORDS && thread.ends(lines[i])) last = i;
  }
  if (last < 0) return -1;
  let first = last + 1;
  while (first < lines.length && (!lines[first].trim() || FRAME.test(lines[first]))) first++;
  if (first >= lines.length || isQuotedLine(lines[first])) return -1;
  const quoted = new Array<boolean>(lines.length).fill(false);
  const older = findHistory(lines, first, quoted, tick);
  return older && older.start <= first ? -1 : first;
}

const FRAME = /^\s*[-=_*~]{2,}.*[-=_*~]{2,}\s*$/;
const SCOPE_OF_WORK = /^\s*(?:scope of work:?|- rate: .*~~.*)$/i;
const GREETING =
  /^(?:hi|hello|hey|dear|hola|buenos días|estimad[oa]|bonjour|salut|cher|chère|hallo|guten tag|liebe|lieber|sehr geehrte|olá|ola|oi|prezad[oa]|caro|cara|ciao|buongiorno|gentile|hoi|beste|dag|cześć|dzień dobry|witam|hej|hei|kære|здравствуйте|привет|добрый день|уважаем\p{L}*)(?![\p{L}\p{N}]).{0,40}$/iu;

/**
 * Our own scope-of-work block among their lines means one of our emails was pasted in a format no rule knew:
 * it and everything below are quoted, from its greeting line if there is one. Without a greeting the start
 * of the paste is a guess, so the reply is uncertain.
 */
function pastedScopeOfWork(lines: string[], own: boolean[]): boolean {
  const sow = lines.findIndex((l, i) => own[i] && l.length < 200 && SCOPE_OF_WORK.test(l));
  if (sow < 0) return false;
  const first = own.indexOf(true);
  let start = sow;
  for (let i = sow - 1; i > first; i--) {
    if (own[i] && GREETING.test(lines[i].trim())) {
      start = i;
      break;
    }
  }
  for (let i = start; i < lines.length; i++) own[i] = false;
  return start === sow;
}

/** Marks the signature of each run of own lines; returns the "-- " delimiter lines. */
function markSignatures(lines: string[], kinds: Kind[], names: string[], tick: (i: number) => void) {
  const delimiters = new Set<number>();
  const first = kinds.findIndex((k, i) => k === 'own' && lines[i].trim() !== '');
  for (let from = 0; from < lines.length; ) {
    tick(from);
    if (kinds[from] !== 'own') {
      from++;
      continue;
    }
    let to = from;
    while (to < lines.length && kinds[to] === 'own') to++;
    const cut = findSignature(lines, from, to, first, names, tick);
    const contact = cut.soft < 0 ? contactBlock(lines, from, to, first) : -1;
    const soft = cut.soft >= 0 ? cut.soft : contact;
    if (soft >= 0) {
      const hard = cut.hard >= 0 ? cut.hard : to;
      const end = cut.hard >= 0 ? to : signatureEnd(lines, soft, to);
      for (let i = soft; i < end; i++) kinds[i] = i >= hard ? 'hard' : 'soft';
      if (cut.delimiter) delimiters.add(cut.hard);
    }
    from = to;
  }
  return delimiters;
}

function join(lines: string[], kinds: Kind[], keep: (k: Kind, i: number) => boolean): string {
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) if (keep(kinds[i], i)) kept.push(lines[i]);
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Out of time: the top of the body up to its first quoted or history line, read as uncertain. */
function fallback(body: string): ExtractedReply {
  const top = normaliseBody(body.slice(0, 4000)).split('\n');
  const quoted = top.map((l) => isQuotedLine(l));
  const marker = findHistory(top, 0, quoted, () => {});
  const firstQuote = quoted.indexOf(true);
  const end = Math.min(marker?.start ?? top.length, firstQuote < 0 ? top.length : firstQuote);
  return { text: top.slice(0, end).join('\n').trim(), quoted: null, signature: null, uncertain: true };
}

/** The last resort of the older view: the first paragraph that is not only quoted or marker lines. */
function firstParagraph(lines: string[]): string {
  const paragraphs = lines
    .join('\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  const structural = (p: string) => {
    const ls = p.split('\n');
    const quoted = new Array(ls.length).fill(false);
    return ls.every((l) => isQuotedLine(l)) || findHistory(ls, 0, quoted, () => {}) !== null;
  };
  return paragraphs.find((p) => !structural(p)) ?? paragraphs[0] ?? '';
}
