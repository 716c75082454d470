/**
 * Who a manager or agent writing in a negotiation's thread is (D6, domain.md §4): whether they say whom they
 * represent ("I manage Ana at Talent Co", "on behalf of Ana", "Ana's manager here"), the agency they name (in
 * their text, their signature or company line, checked against their mail domain) and the name they sign with.
 * Read from what they write, never from a fixed list of agencies.
 */

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const straightQuotes = (text: string) => text.replace(/[‘’ʼ]/g, "'");

function nameMatches(body: string, name: string): string[] {
  const words = name.split(/\s+/).map(escapeRegExp).join('\\s+');
  return [...body.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${words}(?![\\p{L}\\p{N}])`, 'giu'))].map((m) => m[0]);
}

/** A first name only counts written capitalised: "we will" does not name Will, "this summer" not Summer. */
const capitalised = (text: string) => text[0] === text[0].toUpperCase() && text[0] !== text[0].toLowerCase();

/** Whether the body names the person: the full name in any case, or the first name written capitalised. */
export function mentionsName(body: string, fullName: string): boolean {
  const words = fullName.trim().split(/\s+/);
  if (words.length > 1 && nameMatches(body, fullName.trim()).length > 0) return true;
  return nameMatches(body, words[0]).some(capitalised);
}

// Ways of saying "I represent N" (N = the influencer's full or first name), in the languages mail arrives in:
// the words before N and the words after it. Every pattern is case-insensitive and compiled once; the name is found
// on its own (a pattern per influencer, with the name inside, took 8 ms a reply to compile: most of a turn's CPU).
const REPRESENTATION: [before: string, after: string][] = [
  // I manage / represent / look after / handle N ("handling Ana's partnerships")
  [
    String.raw`\b(?:manag(?:e|es|ing)|represent(?:s|ing)?|rep(?:s|ping)?|look(?:s|ing)?\s+after|handl(?:e|es|ing)|oversee(?:s|ing)?)\s+(?:for\s+)?`,
    '',
  ],
  // on behalf of (my client) N, on N's behalf
  [String.raw`\bon\s+behalf\s+of\s+(?:(?:my|our)\s+(?:client|talent|artist|creator)\s*,?\s+)?`, ''],
  [String.raw`\bon\s+`, String.raw`'s\s+behalf`],
  // N's manager / agent / management / team
  [
    '',
    String.raw`'s\s+(?:(?:talent|business|brand|partnerships?|new)\s+)?(?:manager|management|agent|agency|rep|representative|team|booker|publicist)\b`,
  ],
  // manager / agent for N
  [String.raw`\b(?:manager|management|agent|agency|rep|representative|booker|publicist)\s+(?:for|of|to)\s+`, ''],
  // N is represented / managed by us
  ['', String.raw`\s+(?:is|has\s+been)\s+(?:now\s+)?(?:represented|managed|repped|signed)\s+(?:by|with)\b`],
  // writing / reaching out for N
  [String.raw`\b(?:writing|reaching\s+out|emailing|replying|responding|negotiating)\s+(?:here\s+)?for\s+`, ''],
  // my client N
  [String.raw`\b(?:my|our)\s+(?:client|talent|artist|creator)\s*,?\s+`, ''],
  // en nombre de / em nome de / au nom de / de la part de / per conto di / im Auftrag von N
  [
    String.raw`\b(?:en\s+nombre\s+de|de\s+parte\s+de|em\s+nome\s+de|au\s+nom\s+de|de\s+la\s+part\s+de|pour\s+le\s+compte\s+de|per\s+conto\s+di|a\s+nome\s+di|im\s+(?:auftrag|namen)\s+von)\s+`,
    '',
  ],
  // represento a N, je représente N, vertrete N, manager de N, empresária da N
  [
    String.raw`\b(?:represento|représente|rappresento|vertrete|mánager|managerin|agente|empresári[oa])\s+(?:a\s+|de\s+|di\s+|d[aoe]\s+|von\s+)?`,
    '',
  ],
  [String.raw`\b(?:manager|agent)\s+(?:de|di|d[aoe]|von)\s+`, ''],
  // Anas Managerin, Anas Agentur (a German genitive has no apostrophe)
  ['', String.raw`\s+(?:managerin|manager|agentin|agent|agentur|management)\b`],
];
const BEFORE = REPRESENTATION.map(([before]) => (before ? new RegExp(`(?:${before})$`, 'iu') : null));
const AFTER = REPRESENTATION.map(([, after]) => (after ? new RegExp(after, 'iuy') : null));
const WORD_BEFORE = /[\p{L}\p{N}]$/u;
const WORD_AT = /[\p{L}\p{N}]/uy;
const GENITIVE_S = /s/iuy; // as the pattern's `s` matched, case-insensitively

/** Where the name is written as a word: the full name or the first name, each also with a genitive "s". */
function nameSpots(text: string, fullName: string): { start: number; end: number; written: string }[] {
  const words = fullName.split(/\s+/).map(escapeRegExp);
  const alternatives = words.length > 1 ? [words.join('\\s+'), words[0]] : [words[0]];
  const exact = alternatives.map((a) => new RegExp(a, 'iuy'));
  const anywhere = new RegExp(alternatives.join('|'), 'giu');
  const wordAt = (i: number) => {
    WORD_AT.lastIndex = i;
    return WORD_AT.test(text);
  };
  const spots: { start: number; end: number; written: string }[] = [];
  for (let found = anywhere.exec(text); found; found = anywhere.exec(text)) {
    const start = found.index;
    anywhere.lastIndex = start + 1; // every place a name starts, overlapping ones included
    if (WORD_BEFORE.test(text.slice(Math.max(0, start - 2), start))) continue;
    for (const alternative of exact) {
      alternative.lastIndex = start;
      const name = alternative.exec(text);
      if (!name) continue;
      const end = start + name[0].length;
      GENITIVE_S.lastIndex = end;
      const genitive = GENITIVE_S.exec(text);
      if (genitive && !wordAt(end + genitive[0].length))
        spots.push({ start, end: end + genitive[0].length, written: name[0] });
      if (!wordAt(end)) spots.push({ start, end, written: name[0] });
    }
  }
  return spots;
}

/** The sentence in which the sender says they represent the influencer, or null. */
export function representationClaim(body: string, influencerName: string): string | null {
  const name = influencerName.trim();
  if (!name) return null;
  const text = straightQuotes(body);
  const first = name.split(/\s+/)[0].toLowerCase();
  const spots = nameSpots(text, name);
  for (let k = 0; k < REPRESENTATION.length; k++) {
    const before = BEFORE[k];
    const after = AFTER[k];
    let taken = -1; // one reading of a place (the longest that fits, as the regex would): the others are not tried
    for (const spot of spots) {
      if (spot.start <= taken) continue;
      const lead = before ? before.exec(text.slice(0, spot.start)) : null;
      if (before && !lead) continue;
      if (after) {
        after.lastIndex = spot.end;
        if (!after.test(text)) continue;
      }
      taken = spot.start;
      // The first name alone must be written as a name; the full name may be in any case.
      if (spot.written.toLowerCase() === first && !capitalised(spot.written)) continue;
      return sentenceAround(text, lead ? lead.index : spot.start);
    }
  }
  return null;
}

function sentenceAround(text: string, index: number): string {
  const start = Math.max(text.lastIndexOf('\n', index), ...['. ', '! ', '? '].map((p) => text.lastIndexOf(p, index)));
  const ends = ['\n', '. ', '! ', '? '].map((p) => text.indexOf(p, index)).filter((i) => i >= 0);
  const end = ends.length ? Math.min(...ends) : text.length;
  return text.slice(start < 0 ? 0 : start + 1, end + 1).trim();
}

// ---- the agency they name --------------------------------------------------------------------------------------

// Words that make a line or phrase read as an organisation rather than a person or a job title.
const ORG_WORDS = new Set(
  'management mgmt talent talents agency agencies artists entertainment media group partners collective co company inc llc ltd llp gmbh studios studio represents representation creative creatives network global worldwide associates agents booking bookings house lab labs pr influence collab collabs sports'.split(
    ' ',
  ),
);
// Words of a job title: a segment made only of these is a title, not an agency ("Senior Talent Manager").
const TITLE_WORDS = new Set(
  'talent manager managers management senior junior head of director vp vice president partnerships partnership partner brand brands business development booking agent agents account executive associate coordinator assistant founder co-founder cofounder ceo coo owner lead principal creator relations influencer influencers marketing & and the lead team representative rep'.split(
    ' ',
  ),
);
const LEGAL_SUFFIX =
  /[\s,]+(?:llc|l\.l\.c\.|inc\.?|incorporated|ltd\.?|limited|llp|gmbh|s\.?a\.?s?\.?|s\.?l\.?|pty\.?\s+ltd\.?|b\.?v\.?)$/i;

/** "Bright Management, LLC." -> "Bright Management": how agency names are stored and looked up. */
export function normalizeAgencyName(name: string): string {
  let n = name.replace(/\s+/g, ' ').trim();
  n = n.replace(/^[\s"'“”(]+|[\s"'“”).,;:!]+$/g, '');
  n = n.replace(LEGAL_SUFFIX, '').replace(/[\s,.;:]+$/, '');
  return n.trim();
}

const tokens = (text: string) =>
  text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');

const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'ac', 'gov', 'edu']);

/** The distinctive label of a mail domain: "mail.brightmgmt.co.uk" -> "brightmgmt". */
function domainLabel(domain: string): string {
  const labels = domain.toLowerCase().split('.').filter(Boolean);
  if (labels.length < 2) return labels[0] ?? '';
  labels.pop(); // the top-level domain
  if (labels.length > 1 && SECOND_LEVEL.has(labels[labels.length - 1])) labels.pop();
  return labels[labels.length - 1].replace(/[^a-z0-9]/g, '');
}

/** Whether an organisation name fits the sender's mail domain ("Bright Management" ~ brightmgmt.com). */
export function nameFitsDomain(name: string, domain: string): boolean {
  const label = domainLabel(domain);
  const words = tokens(name).filter((t) => !['the', 'and', 'of'].includes(t));
  if (!label || !words.length) return false;
  const joined = words.join('');
  const initials = words.map((w) => w[0]).join('');
  return (
    label === joined ||
    (words[0].length >= 3 && label.startsWith(words[0])) ||
    (label.length >= 4 && joined.startsWith(label)) ||
    (initials.length >= 2 && (label === initials || label.startsWith(initials)))
  );
}

const isTitle = (segment: string) => tokens(segment).every((t) => TITLE_WORDS.has(t));
const hasOrgWord = (segment: string) => tokens(segment).some((t) => ORG_WORDS.has(t));
const looksLikeContact = (segment: string) =>
  /@|https?:|www\.|\.(?:com|co|io|net|org)\b|\d{3}/i.test(segment) ||
  /^(?:tel|phone|mobile|m|t|e|w)\s*[:.]/i.test(segment);

const SIGN_OFF =
  /^(?:best(?:\s+regards|\s+wishes)?|regards|kind\s+regards|warm(?:est)?\s+regards|many\s+thanks|thanks(?:\s+(?:so\s+much|again))?|thank\s+you|cheers|sincerely|all\s+the\s+best|talk\s+soon|speak\s+soon|respectfully|yours|saludos|un\s+saludo|atentamente|cordialement|bien\s+à\s+vous|amicalement|grüße|viele\s+grüße|beste\s+grüße|mit\s+freundlichen\s+grüßen|abraços|atenciosamente|cordiali\s+saluti|un\s+saluto|groeten|met\s+vriendelijke\s+groet|pozdrawiam|hälsningar|med\s+vänlig\s+hälsning|mvh|с\s+уважением)[\s,.!]*$/iu;

/** The signature block: what follows the last sign-off line, else the last few short lines. */
function signatureLines(body: string): string[] {
  return signatureBlock(body).lines;
}

function signatureBlock(body: string): { lines: string[]; signedOff: boolean } {
  const lines = body
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== '--' && l !== '—');
  let at = -1;
  for (let i = lines.length - 1; i >= 0 && i >= lines.length - 12; i--) {
    if (SIGN_OFF.test(lines[i])) {
      at = i;
      break;
    }
  }
  const tail = at >= 0 ? lines.slice(at + 1) : lines.slice(-5);
  return { lines: tail.filter((l) => l.length <= 80).slice(0, 8), signedOff: at >= 0 };
}

const asPersonName = (line: string): string | null => {
  if (/[.?!:;]\s|[.?!:;]$/.test(line)) return null; // a sentence, not a signature line
  const first = line.replace(/^[-–—~]\s*/, '').split(SEGMENTS)[0];
  return PERSON_NAME.test(first) && !hasOrgWord(first) && !isTitle(first) && !GREETING.test(first) ? first : null;
};

const SEGMENTS = /\s*[|,•·]\s*|\s+[-–—]\s+/;
const GREETING = /^(?:hi|hello|hey|dear|thanks|thank|hola|bonjour|hallo|ciao|olá|oi|cheers)\b/i;
const PERSON_NAME = /^\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]*){0,3}$/u;

/** The name they sign with ("Best,\nJordan Lee\nBright Management" -> "Jordan Lee"), or null. */
export function signedName(body: string): string | null {
  // "Jordan Lee", "- Jordan", "Jordan Lee, Partnerships Lead, Bright Management": the line after the sign-off,
  // or without one, the first name-like line of the last few.
  const block = signatureBlock(body);
  const candidates = block.signedOff ? block.lines.slice(0, 1) : block.lines;
  for (const line of candidates) {
    const name = asPersonName(line);
    if (name) return name;
  }
  const text = straightQuotes(body);
  const intro =
    /\b(?:[Tt]his\s+is|[Ii]'?m|[Ii]\s+am|[Mm]y\s+name\s+is)\s+(\p{Lu}[\p{L}-]+(?:\s+\p{Lu}[\p{L}-]+)?)(?!['\p{L}])/u.exec(
      text,
    ) ??
    /(?:^|[\n.!]\s*)(?:(?:[Hh]i|[Hh]ello|[Hh]ey)\b[\s,!]*)?(\p{Lu}[\p{L}'-]+)\s+(?:(?:from|at|with)\s+[^.\n]{1,60}?\s+)?here(?=\s*(?:[,.!:;–—(-]|$|from\b|at\b|with\b))/mu.exec(
      text,
    );
  const name = intro?.[1];
  return name && !hasOrgWord(name) && !isTitle(name) ? name : null;
}

/** Company candidates from the signature: lines split on "|", "-", "," and " at " / " @ ". */
function signatureOrgs(body: string, personName: string | null): string[] {
  const out: string[] = [];
  for (const line of signatureLines(body)) {
    // A sentence is not a signature line ("I manage Ana at X. Any news?").
    if (/[.?!]\s+\S|[?!]$/.test(line) || tokens(line).length > 10) continue;
    for (const raw of line.split(/\s*[|•·]\s*|\s+[-–—]\s+|\s*,\s*|\s+@\s+|\s+at\s+/i)) {
      const segment = normalizeAgencyName(raw);
      if (segment.length < 2 || segment.length > 60 || looksLikeContact(segment)) continue;
      if (personName && segment.toLowerCase() === personName.toLowerCase()) continue;
      if (isTitle(segment) || SIGN_OFF.test(segment) || !/^[\p{Lu}\p{N}]/u.test(segment)) continue;
      if (tokens(segment).length > 6) continue;
      out.push(segment);
    }
  }
  return out;
}

// "at Talent Co", "from Bright Management", "with Northstar Talent": capitalised words after a preposition.
const NAMED_ORG =
  /\b(?:at|from|with|of|by|de|chez|bei|da)\s+((?:the\s+)?[\p{Lu}\p{N}][\p{L}\p{N}&'’-]*(?:\s+(?:&|and|of|[\p{Lu}\p{N}][\p{L}\p{N}&'’-]*))*)/gu;

// "Ana's manager (Bright Management)"
const BRACKETED_ORG =
  /\(((?:the\s+)?[\p{Lu}\p{N}][\p{L}\p{N}&'’-]*(?:\s+(?:&|and|of|[\p{Lu}\p{N}][\p{L}\p{N}&'’-]*))*)\)/gu;

/** Organisation names written in the sentences where they introduce themselves or their client. */
function textOrgs(sentences: string[], influencerName: string): string[] {
  const out: string[] = [];
  for (const sentence of sentences) {
    for (const m of [...sentence.matchAll(NAMED_ORG), ...sentence.matchAll(BRACKETED_ORG)]) {
      const name = normalizeAgencyName(m[1].replace(/\s+(?:&|and|of)$/i, ''));
      if (name.length < 2 || tokens(name).length > 6) continue;
      if (mentionsName(name, influencerName) || isTitle(name)) continue;
      out.push(name);
    }
  }
  return out;
}

const INTRO =
  /\b(?:manag\w*|agent|agency|represent\w*|on\s+behalf|behalf|booking|talent|i'?m|i\s+am|this\s+is|here)\b/i;

/**
 * The agency a representative names: a company line of their signature or a name in their introduction that
 * fits their mail domain first, then one that reads as an organisation ("... Management", "... Talent Co").
 */
export function agencyNamed(input: {
  body: string;
  domain: string; // '' for a free-mail domain: nothing to match against
  influencerName: string;
  claim: string | null;
  signer: string | null;
  /** The From header's display name: a company's own address often shows the company ("Bright Management"). */
  displayName?: string | null;
}): string | null {
  const text = straightQuotes(input.body);
  const introductions = text
    .split(/(?<=[.!?])\s+|\n+/)
    .filter((s) => INTRO.test(s))
    .slice(0, 20);
  const fromSignature = signatureOrgs(text, input.signer);
  const fromClaim = input.claim ? textOrgs([input.claim], input.influencerName) : [];
  const fromText = [...fromClaim, ...textOrgs(introductions, input.influencerName)];
  const display = input.displayName ? normalizeAgencyName(input.displayName) : '';
  const fromDisplay = display && (hasOrgWord(display) || nameFitsDomain(display, input.domain)) ? [display] : [];
  const all = [...fromSignature, ...fromText, ...fromDisplay];
  if (input.domain) {
    const fitting = all.find((n) => nameFitsDomain(n, input.domain));
    if (fitting) return fitting;
  }
  // Named where they say whom they represent ("I manage Ana at Northstar") counts without an agency word.
  return fromSignature.find(hasOrgWord) ?? fromText.find(hasOrgWord) ?? fromDisplay[0] ?? fromClaim[0] ?? null;
}
