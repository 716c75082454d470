/**
 * Where quoted history starts (D16): attribution lines, header blocks, "Original Message"/"Forwarded message"
 * separators and forward markers of the common clients, in the languages D16 lists (and a language-independent
 * shape for each family, so an unlisted locale's header block or separator is still recognised).
 * Every rule looks at one line or a small window, and only at lines of at most MAX_MARKER_LINE characters, so a
 * scan is linear in the body and no regex sees unbounded input.
 */

export const MAX_MARKER_LINE = 300;

export interface HistoryMarker {
  /** First line of the quoted history (moved up over the rules and blank lines that introduce it). */
  start: number;
  /** First line after the marker itself (attribution, separator, header block). */
  end: number;
  forward: boolean;
}

export const isQuotedLine = (line: string) => /^\s{0,8}>/.test(line);

// "wrote" in the attribution lines of the common clients: en, fr, de, es, pt, it, nl, pl, sv/da/no, ru, and more.
const WROTE =
  /(?:\bwrote|\bwrites|a [ée]crit|\bschrieb|geschrieben|escribi[óo]|escreveu|ha scritto|\bscrisse|\bschreef|geschreven|napisa[łl](?:\(a\)|a)?|\bpisze|\bskrev|kirjoitti|napsal|írta|yazdı|пишет|написал(?:\(а\)|а)?|έγραψε)/iu;
const DATE_OR_TIME = /\d{1,2}[:.h]\d{2}|\b(?:19|20)\d{2}\b|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}年/;
const ADDRESS_SHAPE = /[^\s<>()"@]+@[^\s<>()"@]+\.[^\s<>()"@]+|<[^<>\s@]*@[^<>\s@]*>/;
const ADDRESS = { test: (l: string) => l.includes('@') && ADDRESS_SHAPE.test(l) };
const FORWARD =
  /forward|\bfwd\b|transf[ée]r[ée]|r[ée]exp[ée]di|weitergeleitet|reenviad|encaminhad|reencaminhad|inoltrat|doorgestuurd|przekazan|vidarebefordra|videresend|пересыла|переадрес|転送|转发|轉寄/iu;
// The phrase inside "-----Original Message-----" and its translations (forward phrases are matched by FORWARD).
const ORIGINAL =
  /original|d'origine|ursprüngliche|oorspronkelijk|origineel|oryginaln|ursprungligt|oprindelig|opprinnelig|исходное|元のメッセージ|原始邮件|原始郵件|конец пересылаемого/iu;

// Header labels of a quoted message's header block, per field, in the listed languages (plus a few more).
const FROM_LABEL =
  'from|de|von|da|van|od|från|fra|от|afzender|exp[ée]diteur|remitente|mittente|nadawca|avsändare|发件人|寄件者|差出人|送信者';
const OTHER_LABEL = [
  'sent|date|sent at|envoy[ée]e?|gesendet|datum|enviad[oa](?: el| em)?|fecha|data|inviato|verzonden|wysłan[eo]|skickat|sendt|dato|отправлено|дата|发送时间|日期|送信日時|日付',
  'to|à|a|an|para|aan|do|till|til|кому|收件人|宛先',
  'cc|cci|bcc|kopie|kopia|dw|копия|抄送',
  'subject|objet|betreff|asunto|assunto|oggetto|onderwerp|temat|ämne|emne|тема|主题|主旨|件名',
].join('|');
const label = (names: string) => new RegExp(`^\\s*[*_]{0,2}(?:${names})[*_]{0,2}\\s*[:：]`, 'iu');
const FROM_LINE = label(FROM_LABEL);
const HEADER_LINE = label(`${FROM_LABEL}|${OTHER_LABEL}`);
// An unlisted language's label: a short run of words before a colon ("Absender:", "Lähettäjä:").
const ANY_LABEL_LINE = /^\s*[*_]{0,2}[\p{L}\p{M}][\p{L}\p{M} .'-]{0,24}[*_]{0,2}\s*[:：]/u;

const RULE = /^\s*(?:[-_=─━—–*~]\s?){3,}$/;
const LONG_UNDERSCORES = /^\s*_{20,}\s*$/; // Outlook's separator above the header block
const FRAMED = /^\s*[-=_*]{2,}\s*([^-=_*\s].{1,200}?)\s*[-=_*]{2,}\s*$/u; // "-----Original Message-----"
const FORWARD_LINE = /^\s*[\p{L}\p{M} '’.-]{0,40}[:：]?\s*$/u;

/** The first quoted-history marker at or after line `from`, among lines not already quoted. */
export function findHistory(lines: string[], from: number, quoted: boolean[], tick: (i: number) => void) {
  for (let i = from; i < lines.length; i++) {
    tick(i);
    if (quoted[i]) continue;
    const line = lines[i];
    if (line.length > MAX_MARKER_LINE || !line.trim()) continue;
    const marker = markerAt(lines, i, quoted);
    if (marker) return marker;
  }
  return null;
}

function markerAt(lines: string[], i: number, quoted: boolean[]): HistoryMarker | null {
  const line = lines[i].trim();
  if (LONG_UNDERSCORES.test(line)) return { start: above(lines, i), end: i + 1, forward: false };
  const framed = /^[-=_*]{2}/.test(line) && /[-=_*]$/.test(line) ? FRAMED.exec(line)?.[1] : undefined;
  if (framed && (ORIGINAL.test(framed) || FORWARD.test(framed) || WROTE.test(framed) || ADDRESS.test(framed))) {
    return { start: above(lines, i), end: i + 1, forward: FORWARD.test(framed) };
  }
  if (FORWARD_LINE.test(line) && FORWARD.test(line) && /[:：]\s*$|message|nachricht|mensaje|mensagem/iu.test(line)) {
    return { start: above(lines, i), end: i + 1, forward: true };
  }
  const header = headerBlockAt(lines, i, quoted);
  if (header) return { start: above(lines, i), end: header, forward: false };
  const attribution = attributionAt(lines, i, quoted);
  if (attribution) return { start: i, end: attribution, forward: false };
  return null;
}

/** Moves a cut up over the blank lines and rules that introduce a quoted block. */
function above(lines: string[], i: number): number {
  let at = i;
  while (at > 0 && (lines[at - 1].trim() === '' || RULE.test(lines[at - 1]))) at--;
  return at;
}

/**
 * A header block: at least three header lines in a row (one blank line allowed between), one of them a From
 * line or an address; or a From line with an address followed by a date line. Returns the index after it.
 */
function headerBlockAt(lines: string[], i: number, quoted: boolean[]): number {
  const known = HEADER_LINE.test(lines[i]);
  if (!known && !ANY_LABEL_LINE.test(lines[i])) return 0;
  let count = 0;
  let from = false;
  let address = false;
  let dated = false;
  let end = i;
  let blanks = 0;
  for (let j = i; j < lines.length && j < i + 9; j++) {
    const l = lines[j];
    if (!l.trim()) {
      if (++blanks > 1 || count === 0) break;
      continue;
    }
    if (quoted[j] || l.length > MAX_MARKER_LINE) break;
    const isKnown = HEADER_LINE.test(l);
    if (!isKnown && (known || !ANY_LABEL_LINE.test(l))) break;
    count++;
    from ||= FROM_LINE.test(l);
    address ||= ADDRESS.test(l);
    dated ||= DATE_OR_TIME.test(l);
    end = j + 1;
  }
  if (known && count >= 3 && (from || address)) return end;
  if (known && count === 2 && from && address && dated) return end;
  // An unlisted language: at least three label lines with an address and a date, like a header block.
  if (!known && count >= 3 && address && dated) return end;
  return 0;
}

/** "On <date>, <name> wrote:" and its kin, over up to three lines; the index after it, or 0. */
function attributionAt(lines: string[], i: number, quoted: boolean[]): number {
  let joined = '';
  for (let n = 0; n < 3 && i + n < lines.length; n++) {
    const next = lines[i + n].trim();
    if (n > 0 && (!next || quoted[i + n] || isQuotedLine(next))) return 0;
    joined = joined ? `${joined} ${next}` : next;
    if (joined.length > MAX_MARKER_LINE) return 0;
    if (isAttribution(joined)) {
      // Their own line right above a wrapped attribution ("Lo haría por 2.290 dólares." over "El martes, …
      // escribió:", as HTML rendered to text gives it) is not part of it: the attribution starts one line down.
      const ownAbove = n > 0 && /[.!?…]$/.test(lines[i].trim()) && attributionAt(lines, i + 1, quoted) === i + n + 1;
      return ownAbove ? 0 : i + n + 1;
    }
  }
  return 0;
}

/** Ends with a colon, and has a "wrote" verb or an address, and a date or time (or both verb and address). */
function isAttribution(text: string): boolean {
  if (!/[:：]$/.test(text)) return false;
  const wrote = WROTE.test(text);
  if (HEADER_LINE.test(text) && !wrote) return false;
  const address = ADDRESS.test(text);
  return DATE_OR_TIME.test(text) ? wrote || address : wrote && address;
}

/** Lines that introduce or frame quoted history (the thread rule moves a repeat's start up over them). */
export function isHistoryFrame(line: string): boolean {
  const l = line.trim();
  if (!l) return true;
  if (l.length > MAX_MARKER_LINE) return false;
  return (
    RULE.test(l) ||
    (/^[-=_*]{2}/.test(l) && FRAMED.test(l)) ||
    ANY_LABEL_LINE.test(l) ||
    ADDRESS.test(l) ||
    (/[:：]$/.test(l) && DATE_OR_TIME.test(l))
  );
}
