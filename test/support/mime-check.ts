/**
 * A strict reading of an outgoing raw message, as a strict MTA would do it (RFC 5322 and MIME, RFC 2045-2049):
 * CRLF line endings only, lines of at most 998 octets, 7-bit headers with valid names, the required headers once,
 * valid Date / Message-ID / In-Reply-To / References syntax, and (decisions D19) a multipart/alternative body with
 * a text/plain and a text/html part, each properly encoded, and its closing boundary. Returns the problems found.
 */

export interface Header {
  name: string;
  value: string; // unfolded
}

const FIELD_NAME = /^[\x21-\x39\x3B-\x7E]+$/;
const MSG_ID = /<[^<>\s@]+@[^<>\s@]+>/;
const MSG_IDS = new RegExp(`^\\s*${MSG_ID.source}(?:\\s+${MSG_ID.source})*\\s*$`);
const DATE =
  /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? [+-]\d{4}$/;
const ENCODINGS = new Set(['7bit', '8bit', 'quoted-printable', 'base64']);

/** Header block and body of a CRLF message part (null when there is no empty line). */
function split(part: string): { head: string; body: string } | null {
  const at = part.indexOf('\r\n\r\n');
  if (at < 0) return part.endsWith('\r\n') && !part.includes('\r\n\r\n') ? { head: part, body: '' } : null;
  return { head: part.slice(0, at), body: part.slice(at + 4) };
}

/** Unfolded header fields, with the problems of their syntax. */
export function readHeaders(head: string, problems: string[], where: string): Header[] {
  const headers: Header[] = [];
  for (const line of head.split('\r\n')) {
    if (/^[ \t]/.test(line)) {
      const last = headers.at(-1);
      if (!last) problems.push(`${where}: a continuation line before any header`);
      else last.value += line;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name)) {
      problems.push(`${where}: not a header field: ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    headers.push({ name, value: line.slice(colon + 1).trim() });
  }
  return headers;
}

const fieldValues = (headers: Header[], name: string) =>
  headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);

/** A Content-Type's media type and parameters (quoted values unquoted). */
export function contentType(value: string): { type: string; params: Record<string, string> } {
  const [type, ...rest] = value.split(';');
  const params: Record<string, string> = {};
  for (const m of rest.join(';').matchAll(/([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;]+))/g)) {
    params[m[1].toLowerCase()] = m[2] ?? m[3];
  }
  return { type: type.trim().toLowerCase(), params };
}

function checkPart(part: string, where: string, problems: string[]): string | null {
  const parsed = split(part);
  if (!parsed) {
    problems.push(`${where}: no header/body separator`);
    return null;
  }
  const headers = readHeaders(parsed.head, problems, where);
  const type = fieldValues(headers, 'Content-Type')[0];
  if (!type) {
    problems.push(`${where}: no Content-Type`);
    return null;
  }
  const ct = contentType(type);
  if (ct.type.startsWith('text/') && !ct.params.charset) problems.push(`${where}: ${ct.type} without a charset`);
  const encoding = (fieldValues(headers, 'Content-Transfer-Encoding')[0] ?? '7bit').toLowerCase();
  if (!ENCODINGS.has(encoding)) problems.push(`${where}: unknown Content-Transfer-Encoding ${encoding}`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: 7-bit means bytes 1-127 without NUL
  if (encoding === '7bit' && /[^\x01-\x7F]/.test(parsed.body)) problems.push(`${where}: 8-bit data in a 7bit part`);
  if (encoding === 'base64' && /[^A-Za-z0-9+/=\r\n]/.test(parsed.body)) problems.push(`${where}: invalid base64`);
  return ct.type;
}

/** Every problem a strict MTA would find in `raw` (an empty list: the message is well formed). */
export function mimeProblems(raw: Buffer | string): string[] {
  const text = Buffer.isBuffer(raw) ? raw.toString('latin1') : raw;
  const problems: string[] = [];
  if (/(?<!\r)\n/.test(text)) problems.push('bare LF line ending (RFC 5322 requires CRLF)');
  if (/\r(?!\n)/.test(text)) problems.push('bare CR');
  const long = text.split('\r\n').findIndex((line) => line.length > 998);
  if (long >= 0) problems.push(`line ${long + 1} is longer than 998 octets`);
  const message = split(text);
  if (!message) return [...problems, 'no header/body separator'];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: header fields are printable US-ASCII and WSP
  if (/[^\x09\x20-\x7E\r\n]/.test(message.head)) problems.push('non-ASCII or control characters in the header');
  const headers = readHeaders(message.head, problems, 'header');

  const once = (name: string, required: boolean) => {
    const values = fieldValues(headers, name);
    if (values.length > 1) problems.push(`${name} appears ${values.length} times`);
    if (required && values.length === 0) problems.push(`${name} is missing`);
    return values[0];
  };
  const from = once('From', true);
  const date = once('Date', true);
  const messageId = once('Message-ID', true);
  once('To', true);
  once('Subject', false);
  const inReplyTo = once('In-Reply-To', false);
  const references = once('References', false);
  const mime = once('MIME-Version', true);
  const type = once('Content-Type', true);

  if (from !== undefined && !/@/.test(from)) problems.push(`From has no address: ${from}`);
  if (date !== undefined && !DATE.test(date)) problems.push(`Date is not an RFC 5322 date: ${date}`);
  if (messageId !== undefined && !new RegExp(`^${MSG_ID.source}$`).test(messageId))
    problems.push(`Message-ID is not a msg-id: ${messageId}`);
  if (inReplyTo !== undefined && !MSG_IDS.test(inReplyTo)) problems.push(`In-Reply-To is not a msg-id: ${inReplyTo}`);
  if (references !== undefined && !MSG_IDS.test(references))
    problems.push(`References is not a list of msg-ids: ${references}`);
  if (mime !== undefined && mime !== '1.0') problems.push(`MIME-Version is ${mime}`);

  if (type === undefined) return problems;
  const ct = contentType(type);
  if (ct.type !== 'multipart/alternative') {
    problems.push(`Content-Type is ${ct.type}, not multipart/alternative`);
    return problems;
  }
  const boundary = ct.params.boundary;
  if (!boundary) return [...problems, 'multipart/alternative without a boundary'];
  const delimiter = `\r\n--${boundary}`;
  const body = `\r\n${message.body}`;
  const close = body.indexOf(`${delimiter}--`);
  if (close < 0) return [...problems, 'no closing boundary'];
  const parts = body.slice(0, close).split(delimiter).slice(1);
  const types = parts.map((p, i) => checkPart(p.replace(/^[ \t]*\r\n/, ''), `part ${i + 1}`, problems));
  if (types.join(',') !== 'text/plain,text/html')
    problems.push(`the parts are ${types.join(', ') || 'none'}, not text/plain then text/html`);
  return problems;
}
