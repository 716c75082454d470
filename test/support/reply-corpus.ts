/**
 * The reply-extraction corpus (test/fixtures/replies/): loads the fixtures, renders the quoted thread messages
 * into their bodies, and scores an extractor the same way for every candidate (our pipeline and the libraries).
 */
import { readdirSync, readFileSync } from 'node:fs';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parse } from 'yaml';
import { parseRawEmail } from '../../services/mail/parse.ts';

const DIR = new URL('../fixtures/replies/', import.meta.url);

export interface ReplyFixture {
  id: string;
  client: string;
  lang: string;
  shape: string;
  /** accept | counter 2800.00 | question | reject | escalate (D16, standing offer $2,000). */
  outcome: string;
  /** The counterparty's new words. */
  text: string;
  /** The body as the sender's client wrote it (HTML fixtures: as the MIME parser renders it to text). */
  body: string;
  /** HTML-only fixtures: the HTML part. */
  html?: string;
  file: string;
}

/** The earlier messages of the thread (our emails and their earlier replies), by name. */
export function threadMessages(): Record<string, string> {
  return parse(readFileSync(new URL('thread.yaml', DIR), 'utf8'));
}

/** `{{name}}`, `{{name|PREFIX}}`, `{{name|PREFIX|WIDTH}}`: a thread message pasted the way a client quotes it. */
export function render(body: string, thread: Record<string, string>): string {
  return body.replace(/\{\{(\w+)(?:\|([^|}]*))?(?:\|(\d+))?\}\}/g, (_, name: string, prefix = '', width?: string) => {
    const text = thread[name];
    if (text === undefined) throw new Error(`unknown thread message {{${name}}}`);
    const lines = width ? text.split('\n').flatMap((l) => wrap(l, Number(width))) : text.split('\n');
    return lines.map((l) => `${prefix}${l}`.trimEnd()).join('\n');
  });
}

function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current && current.length + 1 + word.length > width) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  if (current) out.push(current);
  return out;
}

/** Every fixture, bodies rendered; HTML fixtures go through the MIME parser like a Gmail or raw sandbox message. */
export async function loadCorpus(): Promise<ReplyFixture[]> {
  const thread = threadMessages();
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'thread.yaml')
    .sort();
  const fixtures: ReplyFixture[] = [];
  for (const file of files) {
    const entries = parse(readFileSync(new URL(file, DIR), 'utf8')) as Omit<ReplyFixture, 'file'>[];
    for (const entry of entries) {
      const body = entry.html !== undefined ? await htmlToBody(entry.html) : render(entry.body, thread);
      fixtures.push({ ...entry, text: entry.text ?? '', body, file });
    }
  }
  const ids = new Set<string>();
  for (const f of fixtures) {
    if (ids.has(f.id)) throw new Error(`duplicate fixture id ${f.id}`);
    ids.add(f.id);
  }
  return fixtures;
}

async function htmlToBody(html: string): Promise<string> {
  const raw = await new MailComposer({ from: 'maya@gmail.com', to: 'deals@agency.example', html }).compile().build();
  return (await parseRawEmail(raw)).fullText;
}

/** The whole MIME message of a fixture, as a client would send it in reply to our email. */
export async function rawMessage(f: ReplyFixture, headers: { from: string; to: string; subject: string }) {
  const content = f.html !== undefined ? { html: f.html } : { text: f.body };
  return (await new MailComposer({ ...headers, ...content }).compile().build()).toString('utf8');
}

// ---- scoring ----

export const normalise = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Amounts written in a text, as whole-unit keys ("2,800.00", "2.800", "2 800" -> "2800"). Numbers below 100,
 * years and clock times are not amounts; a money reader would not take them for an ask either.
 */
export function amountsIn(text: string): Set<string> {
  const found = new Set<string>();
  const number =
    /(?<![\d:])\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?:[.,]\d{1,2})?(?![\d:])|(?<![\d:.,])\d+(?:[.,]\d{1,2})?(?![\d:])/g;
  for (const m of text.matchAll(number)) {
    const key = m[0].replace(/[.,]\d{1,2}$/, '').replace(/[^\d]/g, '');
    const value = Number(key);
    if (value < 100) continue;
    if (/^(?:19|20)\d{2}$/.test(key) && !/^\d{1,3}[ ,.]/.test(m[0])) continue; // a year
    found.add(String(value));
  }
  return found;
}

export interface Extracted {
  text: string;
  quoted?: string | null;
  signature?: string | null;
  uncertain?: boolean;
}

export interface Score {
  exact: boolean;
  /** Amounts in the extracted text that the expected new text does not have. */
  leaked: string[];
}

export function score(f: ReplyFixture, got: Extracted): Score {
  const expected = amountsIn(f.text);
  const leaked = [...amountsIn(got.text)].filter((a) => !expected.has(a));
  return { exact: normalise(got.text) === normalise(f.text), leaked };
}

export interface Summary {
  total: number;
  exact: number;
  leaks: number;
  ms: number;
  failures: { id: string; got: string; leaked: string[] }[];
}

export function summarise(fixtures: ReplyFixture[], run: (f: ReplyFixture) => Extracted): Summary {
  const summary: Summary = { total: fixtures.length, exact: 0, leaks: 0, ms: 0, failures: [] };
  for (const f of fixtures) {
    const start = performance.now();
    let got: Extracted;
    try {
      got = run(f);
    } catch (error) {
      got = { text: `(threw: ${String(error)})` };
    }
    summary.ms += performance.now() - start;
    const s = score(f, got);
    if (s.exact) summary.exact++;
    if (s.leaked.length) summary.leaks++;
    if (!s.exact || s.leaked.length) summary.failures.push({ id: f.id, got: got.text, leaked: s.leaked });
  }
  return summary;
}

export const pct = (n: number, total: number) => `${((100 * n) / total).toFixed(1)}%`;
