/**
 * Where a signature starts in a run of the sender's own lines (D16). Hard markers end the text wherever they
 * stand: the "-- " delimiter and mobile/app footers ("Sent from my iPhone" and its translations). Soft markers
 * start a signature only when what follows them is short and reads like a signature, never like sentences: a
 * sign-off line ("Best,", "Saludos,", "Viele Grüße", "С уважением" ...), the sender's name, a "—"/"___" rule,
 * a trailing contact block. Amounts after any of them (rate cards) are signature, never the ask.
 */
import { MAX_MARKER_LINE } from './history.ts';

export interface SignatureCut {
  /** First signature line (soft or hard), or -1. */
  soft: number;
  /** First hard marker (delimiter or footer), or -1; the legacy view cuts only there. */
  hard: number;
  /** A "-- " delimiter line is dropped from the signature text. */
  delimiter: boolean;
}

const DELIMITER = /^--$/; // "-- " once trailing whitespace is trimmed

// Mobile and app footers: a "sent/get" verb in one of the listed languages with a device or mail app, or an
// "Outlook for iOS/Android" line in any word order ("Outlook für Android herunterladen").
const FOOTER_VERB =
  /^(?:sent|envoy[ée]|gesendet|enviado|enviada|inviato|verzonden|verstuurd|wysłan[eoa]|skickat|sendt|отправлено|get|download|obtenir|t[ée]l[ée]charger|holen|obtener|descargar|obter|baixar|scarica|ottieni|downloaden|pobierz|hämta|hent|få|получить|скачать|von meinem|von yahoo|gesendet von)(?![\p{L}\p{N}])/iu;
const FOOTER_APP =
  /iphone|ipad|android|galaxy|samsung|huawei|xiaomi|pixel|blackberry|outlook|yahoo|\bmail\b|gmail|proton|yandex|яндекс|почт|zoho|polymail|spark|mobile|phone|handy|smartphone|appareil|dispositivo|device|устройств|e-mail/iu;
const OUTLOOK_APP = /^(?:\S+\s){0,3}outlook\b.{0,40}\b(?:ios|android)\b/iu;
const isFooter = (l: string) =>
  l.length <= 120 &&
  !l.includes('@') &&
  !/^[^\s:]{1,20}\s*:/.test(l) &&
  ((FOOTER_VERB.test(l) && FOOTER_APP.test(l)) || OUTLOOK_APP.test(l));

// Sign-off phrases alone on a line, optionally followed by a name ("Thanks, Maya") and punctuation or emoji.
const SIGN_OFFS = [
  // en
  'best|bests|best regards|best wishes|kind regards|warm regards|warmest regards|warm wishes|regards|rgds|many thanks|thanks|thank you|thanks so much|thank you so much|thank you very much|thanks a lot|thanks again|thx|cheers|hugs|with love|lots of love|talk soon|speak soon|all the best|warmly|sincerely|yours|yours truly|xo|xoxo|love|take care|with thanks',
  // es
  'saludos|un saludo|saludos cordiales|atentamente|abrazos|un abrazo|gracias|muchas gracias|besos|cordialmente|un cordial saludo',
  // fr
  'cordialement|bien à vous|bien cordialement|merci|merci beaucoup|bonne journée|belle journée|à bientôt|amitiés|bises|salutations|sincères salutations',
  // de
  'viele grüße|vg|liebe grüße|lg|beste grüße|mit freundlichen grüßen|mfg|freundliche grüße|grüße|gruß|danke|vielen dank|herzliche grüße|schöne grüße',
  // pt
  'abraços|abraço|um abraço|atenciosamente|obrigado|obrigada|beijos|bjs|cumprimentos|saudações|att|até logo',
  // it
  'saluti|cordiali saluti|un saluto|grazie|grazie mille|a presto|distinti saluti|un abbraccio|buona giornata',
  // nl
  'groeten|groetjes|met vriendelijke groet|met vriendelijke groeten|vriendelijke groet|vriendelijke groeten|hartelijke groet|bedankt|dank je|mvg|gr',
  // pl
  'pozdrawiam|z poważaniem|pozdrowienia|dzięki|dziękuję|serdecznie pozdrawiam|pozdr',
  // sv, da, no
  'med vänliga hälsningar|vänliga hälsningar|hälsningar|mvh|tack|kram|venlig hilsen|med venlig hilsen|hilsen|mange tak|de bedste hilsner|med vennlig hilsen|vennlig hilsen|takk',
  // ru
  'с уважением|спасибо|всего доброго|всего хорошего|с наилучшими пожеланиями|благодарю|до связи|обнимаю',
].join('|');
// The phrase is matched on the lower-cased line, longest first; the name after it must be capitalised.
const SIGN_OFF_PHRASE = new RegExp(
  `^(?:${SIGN_OFFS.split('|')
    .sort((a, b) => b.length - a.length)
    .join('|')})\\.?`,
  'u',
);
const SIGN_OFF_LEAD = /^[\s,!.…~:;–—()-]*/u;
const SIGN_OFF_TAIL = /^(?:[\s,!.…():;]|\u200d|\ufe0f|\p{Extended_Pictographic})$/u;
const SIGN_OFF_NAME = /^\p{Lu}[\p{L}'’.-]*(?:\s\p{Lu}[\p{L}'’.-]*)?$/u;
/** A sign-off phrase, then only punctuation, emoji and at most a capitalised name ("Thanks, Maya!"). */
function isSignOff(l: string): boolean {
  const phrase = SIGN_OFF_PHRASE.exec(l.toLowerCase());
  if (!phrase) return false;
  const rest = l.slice(phrase[0].length);
  const chars = Array.from(rest.slice(SIGN_OFF_LEAD.exec(rest)?.[0].length ?? 0));
  while (chars.length && SIGN_OFF_TAIL.test(chars[chars.length - 1])) chars.pop();
  return chars.length === 0 || SIGN_OFF_NAME.test(chars.join(''));
}

// A signature rule: an em or en dash alone, or a short run of underscores, dashes or equals signs.
const RULE = /^(?:[—–]|_{2,19}|-{3}|={2,19}|\*{3})$/;
// A name line: one to three capitalised words, optionally followed by a separator and a title or contact.
const NAME = /^(?:[-~–—]\s?)?\p{Lu}[\p{L}'’.-]*(?:\s\p{Lu}[\p{L}'’.-]*){0,2}(?:\s*[|·•,–—/-]\s*\S.*)?$/u;
// One-word answers that are not names.
const NOT_NAMES =
  /^(?:yes|no|ok|okay|deal|sure|done|agreed|perfect|great|cool|nice|awesome|absolutely|definitely|confirmed|sí|si|vale|claro|oui|d'accord|ja|jawohl|genau|klar|sim|certo|perfeito|perfetto|esatto|prima|top|tak|jasne|да|хорошо|ладно|okej|super|parfait|listo|fechado|akkoord)$/iu;
// Contact details: an address, a link, a phone number, a handle, or separators typical of signatures.
const CONTACT = /@|https?:\/\/|www\.|\+?\d[\d ()-]{7,}\d|[|·•]/;
const PS = /^p\.?\s?s\b|^pd\b|^p\.-s\./iu;

/** True for a line that reads like prose rather than a signature line (a question, or a long sentence). */
const isSentence = (l: string) => l.replace(/\b(?:https?:\/\/|www\.)\S+/gi, '').includes('?') || l.length > 90;

/**
 * The signature of the own lines [from, to). `first` is the index of the first own non-blank line of the whole
 * message: a sign-off or a name there is their text ("Thanks!" alone is a reply, not a signature).
 */
export function findSignature(
  lines: string[],
  from: number,
  to: number,
  first: number,
  names: string[],
  tick: (i: number) => void,
): SignatureCut {
  const cut: SignatureCut = { soft: -1, hard: -1, delimiter: false };
  for (let i = from; i < to; i++) {
    tick(i);
    const l = lines[i].trim();
    if (!l || l.length > MAX_MARKER_LINE) continue;
    if (DELIMITER.test(l) || isFooter(l)) {
      cut.hard = i;
      cut.delimiter = DELIMITER.test(l);
      if (cut.soft < 0) cut.soft = i;
      return cut;
    }
    if (cut.soft >= 0 || i === first) continue;
    if (startsSignature(lines, i, to, names) && signatureFollows(lines, i + 1, to)) cut.soft = i;
  }
  return cut;
}

function startsSignature(lines: string[], i: number, to: number, names: string[]): boolean {
  const l = lines[i].trim();
  if (isSignOff(l) || RULE.test(l)) return true;
  // A name stands after a blank line or right under a sign-off ("Thanks!", then the name); a bare name also
  // right under a finished sentence. With a title or contact after it ("Maya · Rates from ..."), not there.
  const above = i > 0 ? lines[i - 1].trim() : '';
  const blankAbove = i > 0 && (!above || isSignOff(above));
  const bare = /^(?:[-~–—]\s?)?\p{Lu}[\p{L}'’.-]*(?:\s\p{Lu}[\p{L}'’.-]*){0,2}$/u.test(l);
  const standsAlone = blankAbove || (bare && /[.!?]$/.test(above));
  const lower = l.replace(/^[-~–—]\s?/, '').toLowerCase();
  if (names.some((n) => lower === n || (lower.startsWith(n) && /^\s*[|·•,–—/-]/.test(lower.slice(n.length))))) {
    // Their own name alone on a line signs off ("Yes let's do it / Maya / Rates: ..."), and so does it with a
    // title after a finished sentence ("Sounds great! / Maya Lopez | Creator | Reels $1,500").
    const titled = names.some((n) => lower.startsWith(n) && /^\s*[|·•]/.test(lower.slice(n.length)));
    return standsAlone || names.includes(lower) || (titled && /[.!?]$/.test(above));
  }
  const rest = nextLines(lines, i + 1, to, 9);
  // Under an unfinished line, a name still signs off with a title ("Maya Lopez | Creator") after a sentence, or
  // above a mobile footer ("Yes let's do it / Maya / Rates: ... / Sent from my iPhone").
  const signsOff =
    standsAlone ||
    (/[.!?]$/.test(above) && /^\S[^|·•]*\s[|·•]\s/u.test(l)) ||
    (bare && rest.some((x) => isFooter(x.trim())));
  if (!signsOff || l.length > 80 || !NAME.test(l) || NOT_NAMES.test(l.replace(/[\s.!]+$/, ''))) return false;
  if (/[!?:;]$/.test(l) || /[^\p{Lu}]\.$/u.test(l)) return false; // a sentence, not "Maya L."

  // A generic name ends the message or heads contact lines; otherwise it may be a sentence fragment.
  return (
    rest.length === 0 ||
    rest.some((x) => CONTACT.test(x) || /\d/.test(x)) ||
    rest.every((x) => isFooter(x.trim())) ||
    /[|·•–—]/.test(l)
  );
}

/** Up to `max` non-blank lines of [from, to). */
function nextLines(lines: string[], from: number, to: number, max: number): string[] {
  const found: string[] = [];
  for (let i = from; i < to && found.length < max; i++) if (lines[i].trim()) found.push(lines[i]);
  return found;
}

// A legal footer under a signature (its sentences are not theirs to negotiate with).
const DISCLAIMER =
  /confidential|disclaimer|intended (?:only )?for|privileged|vertraulich|confidentiel|confidencial|riservat|vertrouwelijk|poufn|konfidentiell|fortrolig|конфиденциальн/iu;

/** What follows a soft marker is short and reads like a signature (a P.S. ends it; a legal footer may follow). */
function signatureFollows(lines: string[], from: number, to: number): boolean {
  let count = 0;
  for (let i = from; i < to; i++) {
    const l = lines[i].trim();
    if (!l) continue;
    if (PS.test(l) || DISCLAIMER.test(l)) return true;
    if (++count > 8 || isSentence(l)) return false;
  }
  return true;
}

/** Where a signature that began at `start` ends: at a P.S. (their words again) or at `to`. */
export function signatureEnd(lines: string[], start: number, to: number): number {
  for (let i = start + 1; i < to; i++) if (PS.test(lines[i].trim())) return i;
  return to;
}

/** A trailing block of contact lines (address, link, phone, handle) after a blank line: signature. */
export function contactBlock(lines: string[], from: number, to: number, first: number): number {
  let end = to;
  while (end > from && !lines[end - 1].trim()) end--;
  let start = end;
  while (start > from && lines[start - 1].trim()) start--;
  if (start <= first || end - start > 4) return -1;
  for (let i = start; i < end; i++) {
    const l = lines[i].trim();
    if (!CONTACT.test(l) || isSentence(l)) return -1;
  }
  return start;
}

/** The sender's names as the signature rule matches them: "maya lopez", "maya". */
export function senderNames(name: string | null | undefined): string[] {
  const full = (name ?? '')
    .replace(/<[^>]*>|"/g, '')
    .trim()
    .toLowerCase();
  if (!full || full.includes('@')) return [];
  const first = full.split(/[\s,]+/)[0];
  return [...new Set([full, first])].filter((n) => n.length >= 2);
}
