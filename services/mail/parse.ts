/**
 * Parses a raw RFC 2822 message (llm-email.md §7.4 [Port]): headers read case-insensitively from the MIME, the
 * declared charset honoured, HTML-only mail converted to text. `fullText` is the body as the sender's client
 * wrote it; the reply itself is read from it by reply/ (decisions D16), once, for every mailbox.
 */
import type { AddressObject } from 'mailparser';
import { extractNewText } from './reply/index.ts';

export { extractNewText };

export interface ParsedEmail {
  messageId: string | null; // angle brackets included
  from: string; // "Name <address>" or a bare address
  to: string;
  subject: string;
  inReplyTo: string | null;
  references: string[];
  date: string | null; // the Date header as ISO 8601 UTC
  /** The message as a mail client shows it: without quoted history, up to a "-- " delimiter or mobile footer. */
  text: string;
  signature: string | null; // what the "-- " delimiter or a mobile footer cut off
  /** The whole body as written (quoted history and signature included): what the reply extraction reads. */
  fullText: string;
}

export async function parseRawEmail(raw: Buffer | string): Promise<ParsedEmail> {
  // Loaded on the first raw message: about 30 MB the sandbox (which rarely sees one) does not hold at boot.
  const { simpleParser } = await import('mailparser');
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
