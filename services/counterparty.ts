/**
 * Who is on the other side of a negotiation (domain.md §4): a rule-based classifier, the tone guidance
 * it selects for the composer, a per-negotiation contact book persisted as plain JSON, and the D6 rule
 * deciding whether a new sender in the thread is one of theirs or a human takeover.
 */
import { addressOf } from './addresses.ts';
import { agencyNamed, mentionsName, normalizeAgencyName, representationClaim, signedName } from './representation.ts';

export type CounterpartyType = 'direct_influencer' | 'talent_manager';

export interface DetectionSignal {
  signalType: 'agency_domain' | 'personal_domain' | 'signature_title' | 'email_structure';
  /** The matched text (the domain, the words as written, or "formal_sign_off" / "casual_tone"). */
  value: string;
  strength: number;
  indicates: CounterpartyType;
}

export interface CounterpartyProfile {
  type: CounterpartyType;
  confidence: number;
  signals: DetectionSignal[];
  agencyName: string | null;
  /** Set by describeSender for a representative: their agency's mail domain and the name they sign with. */
  agencyDomain?: string | null;
  contactName?: string | null;
}

/** Known talent-agency domains (domain.md §4.2): an influencer emailing from one is represented by it. */
const AGENCY_DOMAINS: Record<string, string> = {
  'unitedtalent.com': 'United Talent Agency',
  'wmgagent.com': 'William Morris Endeavor',
  'caa.com': 'Creative Artists Agency',
  'icmpartners.com': 'ICM Partners',
  'paradigmagency.com': 'Paradigm Talent Agency',
  'gersh.com': 'The Gersh Agency',
  'apa-agency.com': 'APA Agency',
  'abrams-artists.com': 'Abrams Artists Agency',
  'buchwald.com': 'Buchwald Agency',
  'innovative-artists.com': 'Innovative Artists',
  'dfrental.com': 'DFR Entertainment',
  'selectmanagement.com': 'Select Management Group',
  'digitaltalentagents.com': 'Digital Talent Agents',
};

export function agencyForEmail(email: string): string | null {
  const domain = email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
  return AGENCY_DOMAINS[domain] ?? null;
}

/** Free-mail domains of §4.2: a sender on one is most likely the creator themself. */
const PERSONAL_DOMAINS = new Set([
  'gmail.com',
  'yahoo.com',
  'hotmail.com',
  'outlook.com',
  'icloud.com',
  'aol.com',
  'protonmail.com',
  'live.com',
  'me.com',
  'msn.com',
  'mail.com',
]);

// Other shared free-mail domains. Not a classifier signal (§4.2 is kept exact), but two strangers on
// one of these are no more related than two gmail users, so the admission rule must not link them.
const OTHER_SHARED_DOMAINS = new Set([
  'googlemail.com',
  'proton.me',
  'pm.me',
  'ymail.com',
  'yahoo.co.uk',
  'hotmail.co.uk',
  'outlook.co.uk',
  'mac.com',
  'gmx.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  'yandex.com',
  'yandex.ru',
  'zoho.com',
  'fastmail.com',
  'hey.com',
  'qq.com',
  '163.com',
]);

/** True for a free-mail domain where unrelated people share the domain (gmail.com etc.). */
export function isPersonalDomain(domain: string): boolean {
  const d = domain.trim().toLowerCase();
  return PERSONAL_DOMAINS.has(d) || OTHER_SHARED_DOMAINS.has(d);
}

/** The domain of a From header's bare address; '' when there is no "@". */
export function domainOf(header: string): string {
  const address = addressOf(header);
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).trim();
}

// §4.2 signature patterns, in signal order. Whole words, any whitespace between words.
const MANAGER_PATTERNS = [
  /\b(?:talent\s+)?manager\b/i,
  /\b(?:talent\s+)?agent\b/i,
  /\btalent\s+director\b/i,
  /\bvp\s+talent\b/i,
  /\bbooking\b/i,
  /\bon\s+behalf\s+of\b/i,
  /\brepresenting\b/i,
];
const CREATOR_PATTERNS = [/\bcontent\s+creator\b/i, /\binfluencer\b/i, /\bcreator\b/i];
const FORMAL_SIGN_OFF = /\b(?:best\s+regards|warm\s+regards|kind\s+regards|sincerely|respectfully)\b/i;
const CASUAL_TONE = /^hey[!\s]|\bthanks!|\bsuper\s+excited\b|\bsounds\s+cool\b/im;

const SIGNATURE_LINES = 10;

function domainSignal(domain: string): DetectionSignal | null {
  if (AGENCY_DOMAINS[domain]) {
    return { signalType: 'agency_domain', value: domain, strength: 1.0, indicates: 'talent_manager' };
  }
  if (PERSONAL_DOMAINS.has(domain)) {
    return { signalType: 'personal_domain', value: domain, strength: 0.8, indicates: 'direct_influencer' };
  }
  return null;
}

/** Titles live in the signature, so only the last lines are scanned; a short email is all signature. */
function signatureBlock(body: string): string {
  const lines = body.trim().split(/\r\n|\r|\n/);
  return lines.length > SIGNATURE_LINES ? lines.slice(-SIGNATURE_LINES).join('\n') : lines.join('\n');
}

function signatureSignals(body: string): DetectionSignal[] {
  const block = signatureBlock(body);
  const scan = (patterns: RegExp[], strength: number, indicates: CounterpartyType): DetectionSignal[] =>
    patterns.flatMap((pattern) => {
      const match = pattern.exec(block);
      return match ? [{ signalType: 'signature_title' as const, value: match[0], strength, indicates }] : [];
    });
  return [...scan(MANAGER_PATTERNS, 0.7, 'talent_manager'), ...scan(CREATOR_PATTERNS, 0.6, 'direct_influencer')];
}

function structureSignal(body: string): DetectionSignal | null {
  if (FORMAL_SIGN_OFF.test(body)) {
    return { signalType: 'email_structure', value: 'formal_sign_off', strength: 0.3, indicates: 'talent_manager' };
  }
  if (CASUAL_TONE.test(body)) {
    return { signalType: 'email_structure', value: 'casual_tone', strength: 0.3, indicates: 'direct_influencer' };
  }
  return null;
}

/** §4.2 decision: any manager signal beats any number of creator signals. */
function decide(signals: DetectionSignal[]): Pick<CounterpartyProfile, 'type' | 'confidence'> {
  const manager = signals.filter((s) => s.indicates === 'talent_manager');
  if (manager.length >= 2) return { type: 'talent_manager', confidence: 0.9 };
  if (manager.length === 1) return { type: 'talent_manager', confidence: manager[0].strength >= 0.8 ? 0.8 : 0.6 };
  if (signals.length > 0) return { type: 'direct_influencer', confidence: 0.8 };
  return { type: 'direct_influencer', confidence: 0.5 };
}

/** Classifies a sender from the From header and the body (domain.md §4.2). */
export function classifyCounterparty(fromHeader: string, body: string): CounterpartyProfile {
  const domain = domainOf(fromHeader);
  const signals = [domainSignal(domain), ...signatureSignals(body), structureSignal(body)].filter(
    (s): s is DetectionSignal => s !== null,
  );
  const agency = signals.find((s) => s.signalType === 'agency_domain');
  return { ...decide(signals), signals, agencyName: agency ? AGENCY_DOMAINS[agency.value] : null };
}

/** Composer instructions for the counterparty's register (domain.md §4.5). */
export function toneGuidance(type: string | null | undefined, agencyName: string | null | undefined): string {
  if (type === 'talent_manager') {
    const agency = agencyName?.trim();
    return [
      `COUNTERPARTY CONTEXT: You are writing to a talent manager/agency representative${agency ? ` from ${agency}.` : '.'}`,
      '- Keep it professional, concise and direct.',
      '- Lead with data: CPM benchmarks, market rates and performance metrics.',
      '- Frame the offer in business terms: ROI, deliverable value and cost efficiency.',
      '- No flattery or small talk.',
      '- Use industry terms such as SOW, usage rights, deliverables and rate card.',
      '- Acknowledge that they juggle many campaigns; make the next step easy to act on.',
    ].join('\n');
  }
  return [
    'COUNTERPARTY CONTEXT: You are writing directly to the creator.',
    '- Be warm, enthusiastic and personal; this is the start of a relationship.',
    '- Show creative alignment: why their content fits the brand and how it will land with your audience.',
    '- Stress the partnership value beyond a single post.',
    '- Use creator-friendly words such as collaboration, partnership and creative freedom.',
    '- Show genuine appreciation for their work.',
    '- Present the rate as fair value for what they create.',
  ].join('\n');
}

export interface Contact {
  email: string;
  name: string | null;
  type: CounterpartyType;
  firstSeenAt: string;
  isPrimary: boolean;
}

/** A negotiation's known contacts; plain JSON because it is persisted inside the negotiation's state. */
export interface ContactBook {
  contacts: Contact[];
  primaryType: CounterpartyType;
  agencyName: string | null;
  /** The representing agency's mail domain, when they write from one (absent in books from older snapshots). */
  agencyDomain?: string | null;
}

/** The bare address as written (casing kept) and the display name of a From header. */
function parseFrom(header: string): { email: string; name: string | null } {
  const angle = /<([^<>\s]+@[^<>\s]+)>/.exec(header);
  if (!angle) return { email: header.trim(), name: null };
  const email = angle[1].trim();
  const name = header
    .slice(0, angle.index)
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim();
  // Some clients repeat the address as the display name; that is no name.
  return { email, name: name && name.toLowerCase() !== email.toLowerCase() ? name : null };
}

export function newContactBook(influencerEmail: string, influencerName: string, at: string): ContactBook {
  const influencer: Contact = {
    email: parseFrom(influencerEmail).email,
    name: influencerName.trim() || null,
    type: 'direct_influencer',
    firstSeenAt: at,
    isPrimary: true,
  };
  return { contacts: [influencer], primaryType: 'direct_influencer', agencyName: null, agencyDomain: null };
}

/** Adds or refreshes the sender (domain.md §4.4); returns a new book, the given one is left untouched. */
export function recordContact(
  book: ContactBook,
  fromHeader: string,
  profile: CounterpartyProfile,
  at: string,
): ContactBook {
  const key = addressOf(fromHeader);
  if (!key.includes('@')) return book;
  const parsed = parseFrom(fromHeader);
  const { email } = parsed;
  // A display name that is their company ("Bright Management <jordan@...>") is no person's name.
  const displayName =
    parsed.name &&
    profile.agencyName &&
    normalizeAgencyName(parsed.name).toLowerCase() === profile.agencyName.toLowerCase()
      ? null
      : parsed.name;
  const first = book.contacts.length === 0;
  const known = book.contacts.some((c) => c.email.toLowerCase() === key);
  const contacts = known
    ? book.contacts.map((c) =>
        c.email.toLowerCase() === key
          ? { ...c, email, type: profile.type, name: displayName ?? c.name ?? profile.contactName ?? null }
          : c,
      )
    : [
        ...book.contacts,
        {
          email,
          name: displayName ?? profile.contactName ?? null,
          type: profile.type,
          firstSeenAt: at,
          isPrimary: first,
        },
      ];
  return {
    contacts,
    // A manager anywhere in the thread means we negotiate with a manager from then on; never downgraded.
    primaryType: profile.type === 'talent_manager' ? 'talent_manager' : first ? profile.type : book.primaryType,
    agencyName: profile.agencyName ?? book.agencyName,
    agencyDomain: profile.agencyDomain ?? book.agencyDomain ?? null,
  };
}

/** The name to greet a contact by (the person who wrote, D6), or null when we do not know it. */
export function contactName(book: ContactBook, address: string): string | null {
  const key = address.trim().toLowerCase();
  return book.contacts.find((c) => c.email.toLowerCase() === key)?.name ?? null;
}

/**
 * The classifier's profile (§4.2) completed for a representative (a manager title, an agency domain, or a
 * sentence saying whom they represent): their agency's name — from the known agency domains, else as they write
 * it in their signature or introduction — its mail domain, and the name they sign with.
 */
export function describeSender(
  fromHeader: string,
  body: string,
  influencerName: string,
  agentEmail: string,
): CounterpartyProfile {
  const profile = classifyCounterparty(fromHeader, body);
  const claim = representationClaim(body, influencerName);
  const representative =
    claim !== null ||
    profile.signals.some((s) => s.indicates === 'talent_manager' && s.signalType !== 'email_structure');
  const signer = signedName(body);
  const contact = signer && !mentionsName(signer, influencerName) ? signer : null;
  if (!representative) return { ...profile, contactName: contact };
  const domain = domainOf(fromHeader);
  const ownDomain = domain !== '' && !isPersonalDomain(domain) && domain !== domainOf(agentEmail);
  const agencyName =
    profile.agencyName ??
    agencyNamed({
      body,
      domain: ownDomain ? domain : '',
      influencerName,
      claim,
      signer: contact,
      displayName: parseFrom(fromHeader).name,
    });
  const upgraded = profile.type === 'talent_manager' ? {} : { type: 'talent_manager' as const, confidence: 0.8 };
  return {
    ...profile,
    ...upgraded,
    agencyName,
    agencyDomain: ownDomain ? domain : null,
    contactName: contact,
  };
}

export function knownEmails(book: ContactBook): string[] {
  return book.contacts.map((c) => c.email.toLowerCase());
}

export type SenderVerdict = 'known' | 'new_contact' | 'stranger';

/**
 * D6 admission: may this sender write in the negotiation's thread without it being a human takeover?
 * Checked in order:
 * - a known contact (any casing) → 'known';
 * - someone at the agent's own domain is a colleague stepping in → 'stranger', even with a manager
 *   signature (skipped when the agent itself uses a free-mail domain, where "same domain" means nothing);
 * - same non-free-mail domain as a known contact (the manager's assistant at that agency) → 'new_contact';
 * - a known talent-agency domain → 'new_contact';
 * - a sender who says whom they represent ("I manage Maya at Talent Co", "Maya's manager here") or a
 *   manager-like sender who names the influencer → 'new_contact';
 * - anyone else → 'stranger'.
 * Callers drop the agent's own sent mail first (D9); this rule would call it a stranger.
 */
export function judgeSender(book: ContactBook, fromHeader: string, body: string, agentEmail: string): SenderVerdict {
  const address = addressOf(fromHeader);
  if (knownEmails(book).includes(address)) return 'known';

  const domain = domainOf(fromHeader);
  const agentDomain = domainOf(agentEmail);
  if (domain !== '' && domain === agentDomain && !isPersonalDomain(agentDomain)) return 'stranger';

  if (domain !== '' && !isPersonalDomain(domain) && book.contacts.some((c) => domainOf(c.email) === domain)) {
    return 'new_contact';
  }
  if (AGENCY_DOMAINS[domain]) return 'new_contact';

  const influencer = book.contacts.find((c) => c.isPrimary)?.name?.trim();
  if (!influencer) return 'stranger';
  if (representationClaim(body, influencer) !== null) return 'new_contact';
  if (classifyCounterparty(fromHeader, body).type === 'talent_manager' && mentionsName(body, influencer)) {
    return 'new_contact';
  }
  return 'stranger';
}
