import { expect } from 'chai';
import {
  agencyForEmail,
  type ContactBook,
  type CounterpartyProfile,
  classifyCounterparty,
  domainOf,
  isPersonalDomain,
  judgeSender,
  knownEmails,
  newContactBook,
  recordContact,
  toneGuidance,
} from '../../services/counterparty.ts';

const summary = (from: string, body: string) => {
  const p = classifyCounterparty(from, body);
  return { type: p.type, confidence: p.confidence, agencyName: p.agencyName };
};
const values = (from: string, body: string) => classifyCounterparty(from, body).signals.map((s) => s.value);

describe('classifyCounterparty (domain.md §4.3)', () => {
  it('agency domain plus "on behalf of" is a manager at 0.9 with the agency name', () => {
    const p = classifyCounterparty(
      'sarah@unitedtalent.com',
      "Hi! I'm reaching out on behalf of Jake about your campaign.",
    );
    expect(p).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.9,
      agencyName: 'United Talent Agency',
      signals: [
        { signalType: 'agency_domain', value: 'unitedtalent.com', strength: 1.0, indicates: 'talent_manager' },
        { signalType: 'signature_title', value: 'on behalf of', strength: 0.7, indicates: 'talent_manager' },
      ],
    });
  });

  it('an agency domain alone is a manager at 0.8', () => {
    expect(summary('info@paradigmagency.com', 'Thanks for your email.')).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.8,
      agencyName: 'Paradigm Talent Agency',
    });
  });

  it('names the agency for an agency domain with a neutral body', () => {
    const p = classifyCounterparty('agent@icmpartners.com', 'Please send over the brief.');
    expect(p.type).to.equal('talent_manager');
    expect(p.agencyName).to.contain('ICM');
  });

  it('gmail plus a casual tone is the influencer at 0.8', () => {
    expect(summary('jake.creator@gmail.com', 'hey! thanks for reaching out, sounds cool!')).to.deep.equal({
      type: 'direct_influencer',
      confidence: 0.8,
      agencyName: null,
    });
    expect(values('jake.creator@gmail.com', 'hey! thanks for reaching out, sounds cool!')).to.deep.equal([
      'gmail.com',
      'casual_tone',
    ]);
  });

  it('a personal domain alone is the influencer at 0.8', () => {
    expect(summary('creator@hotmail.com', 'Sure, let me know the details.')).to.deep.equal({
      type: 'direct_influencer',
      confidence: 0.8,
      agencyName: null,
    });
  });

  it('no signal at all is the influencer at 0.5', () => {
    const p = classifyCounterparty('info@customdomain.com', 'Thanks for the information.');
    expect(p).to.deep.equal({ type: 'direct_influencer', confidence: 0.5, agencyName: null, signals: [] });
  });

  it('a "Talent Manager" title plus a formal sign-off is a manager at 0.9', () => {
    const body = 'Hello,\n\nWe would love to hear more about the campaign.\n\nBest regards,\nSarah - Talent Manager';
    expect(summary('contact@customdomain.com', body)).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.9,
      agencyName: null,
    });
    expect(values('contact@customdomain.com', body)).to.deep.equal(['Talent Manager', 'formal_sign_off']);
  });

  it('one manager phrase on an unknown domain is a manager at 0.6', () => {
    const body = 'Hi there,\nI am writing on behalf of our client, who loves the brand.\nThanks,\nMike Davis';
    expect(summary('mike@customagency.com', body)).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.6,
      agencyName: null,
    });
  });

  it('"Talent Director" plus "Warm regards" is a manager at 0.9', () => {
    const body = 'Hi,\nHappy to discuss rates for this one.\n\nWarm regards,\nLisa Chen\nTalent Director';
    expect(summary('manager@company.com', body)).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.9,
      agencyName: null,
    });
  });

  it('"VP Talent" plus "Warm regards" is a manager at 0.9', () => {
    const body = 'Hi,\nThanks for the note.\n\nWarm regards,\nAlex Kim\nVP Talent Partnerships';
    expect(summary('alex@unknowncompany.com', body)).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.9,
      agencyName: null,
    });
    expect(values('alex@unknowncompany.com', body)).to.deep.equal(['VP Talent', 'formal_sign_off']);
  });

  it('any manager word beats a personal domain (P11)', () => {
    expect(summary('me@gmail.com', 'Can you loop in your campaign manager?')).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.6,
      agencyName: null,
    });
  });

  it('a formal sign-off beats three influencer signals (P11)', () => {
    const body = "Hi,\nI'm a content creator.\n\nBest regards";
    expect(summary('me@gmail.com', body)).to.deep.equal({ type: 'talent_manager', confidence: 0.6, agencyName: null });
    expect(values('me@gmail.com', body)).to.deep.equal(['gmail.com', 'content creator', 'creator', 'formal_sign_off']);
  });

  it('lower-cases the domain', () => {
    expect(summary('X@Gmail.COM', 'ok')).to.deep.equal({
      type: 'direct_influencer',
      confidence: 0.8,
      agencyName: null,
    });
  });

  it('takes the domain from the bare address of a full From header', () => {
    expect(summary('"Sarah @ UTA" <Sarah@UnitedTalent.com>', 'Thanks for your email.')).to.deep.equal({
      type: 'talent_manager',
      confidence: 0.8,
      agencyName: 'United Talent Agency',
    });
    expect(domainOf('Maya <Maya@Gmail.com>')).to.equal('gmail.com');
    expect(domainOf('not an address')).to.equal('');
  });

  it('matches titles as whole words: "agency" and "agents" are not "agent"', () => {
    expect(values('a@b.com', 'Our agency works with agents.')).to.deep.equal([]);
    expect(values('a@b.com', 'Your talent agent here')).to.deep.equal(['talent agent']);
  });

  it('gives one signal per pattern and allows any whitespace inside phrases', () => {
    expect(values('a@b.com', 'On  behalf\nof Maya, and on behalf of Jo')).to.deep.equal(['On  behalf\nof']);
    expect(values('a@b.com', "I'm an influencer and content creator")).to.deep.equal([
      'content creator',
      'influencer',
      'creator',
    ]);
  });

  it('scans only the last 10 lines for titles when the body is longer', () => {
    const filler = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    expect(values('a@b.com', `I am her manager.\n${filler}`)).to.deep.equal([]);
    expect(values('a@b.com', `${filler}\nI am her manager.`)).to.deep.equal(['manager']);
    // Ten lines or fewer: the whole body is the signature.
    expect(values('a@b.com', `I am her manager.\n${filler.split('\n').slice(1).join('\n')}`)).to.deep.equal([
      'manager',
    ]);
  });

  it('checks the formal sign-off before the casual tone, over the whole body', () => {
    expect(values('a@b.com', 'hey there\nsuper excited!\nKind regards')).to.deep.equal(['formal_sign_off']);
    expect(values('a@b.com', 'Hello\nHey! love it')).to.deep.equal(['casual_tone']);
    expect(values('a@b.com', 'they said heyday')).to.deep.equal([]);
  });
});

describe('agencyForEmail', () => {
  it('keeps naming agencies from an address', () => {
    expect(agencyForEmail('x@CAA.com')).to.equal('Creative Artists Agency');
    expect(agencyForEmail('x@gmail.com')).to.equal(null);
  });
});

describe('toneGuidance (domain.md §4.5)', () => {
  it('gives managers a data-led, professional brief with industry terms', () => {
    const text = toneGuidance('talent_manager', 'UTA');
    expect(text).to.match(/^COUNTERPARTY CONTEXT:/);
    expect(text).to.contain('talent manager/agency representative from UTA');
    expect(text.toLowerCase()).to.contain('professional');
    for (const word of ['data', 'CPM', 'ROI', 'SOW', 'rate card']) expect(text).to.contain(word);
  });

  it('leaves the agency out when there is none', () => {
    for (const agency of [null, undefined, '', '  ']) {
      const text = toneGuidance('talent_manager', agency);
      expect(text).to.contain('talent manager/agency representative.');
      expect(text).not.to.contain(' from ');
    }
  });

  it('gives everyone else the warm creator brief', () => {
    for (const type of ['direct_influencer', null, undefined, '', 'TALENT_MANAGER', 'agency']) {
      const text = toneGuidance(type, 'UTA');
      expect(text).to.match(/^COUNTERPARTY CONTEXT:/);
      for (const word of ['warm', 'creative', 'partnership']) expect(text.toLowerCase()).to.contain(word);
      expect(text).to.contain('your audience');
      expect(text).to.contain('collaboration');
      expect(text).not.to.contain('UTA');
    }
  });
});

const AT = '2025-01-01T00:00:00.000Z';
const LATER = '2025-01-02T00:00:00.000Z';
const profile = (type: CounterpartyProfile['type'], agencyName: string | null = null): CounterpartyProfile => ({
  type,
  confidence: 0.8,
  signals: [],
  agencyName,
});
const mayaBook = () => newContactBook('maya@gmail.com', 'Maya Lopez', AT);

describe('contact book (domain.md §4.4)', () => {
  it('starts with the influencer as the primary direct contact', () => {
    expect(mayaBook()).to.deep.equal({
      contacts: [
        { email: 'maya@gmail.com', name: 'Maya Lopez', type: 'direct_influencer', firstSeenAt: AT, isPrimary: true },
      ],
      primaryType: 'direct_influencer',
      agencyName: null,
      agencyDomain: null,
    });
  });

  it('adds a new sender as a secondary contact with the display name, upgrading to a manager', () => {
    const book = recordContact(
      mayaBook(),
      'Sarah Lee <Sarah@UnitedTalent.com>',
      profile('talent_manager', 'United Talent Agency'),
      LATER,
    );
    expect(book.contacts[1]).to.deep.equal({
      email: 'Sarah@UnitedTalent.com',
      name: 'Sarah Lee',
      type: 'talent_manager',
      firstSeenAt: LATER,
      isPrimary: false,
    });
    expect(book.primaryType).to.equal('talent_manager');
    expect(book.agencyName).to.equal('United Talent Agency');
    expect(knownEmails(book)).to.deep.equal(['maya@gmail.com', 'sarah@unitedtalent.com']);
  });

  it('dedupes by address in any casing, keeping firstSeenAt and isPrimary but the latest casing and type', () => {
    const book = recordContact(mayaBook(), 'MAYA@Gmail.com', profile('talent_manager'), LATER);
    expect(book.contacts).to.deep.equal([
      { email: 'MAYA@Gmail.com', name: 'Maya Lopez', type: 'talent_manager', firstSeenAt: AT, isPrimary: true },
    ]);
  });

  it('replaces the name only when the header carries one', () => {
    const renamed = recordContact(mayaBook(), '"Maya L." <maya@gmail.com>', profile('direct_influencer'), LATER);
    expect(renamed.contacts[0].name).to.equal('Maya L.');
    const bare = recordContact(renamed, 'maya@gmail.com', profile('direct_influencer'), LATER);
    expect(bare.contacts[0].name).to.equal('Maya L.');
    const echo = recordContact(renamed, 'maya@gmail.com <maya@gmail.com>', profile('direct_influencer'), LATER);
    expect(echo.contacts[0].name).to.equal('Maya L.');
  });

  it('never downgrades to a direct influencer and keeps the last non-null agency', () => {
    let book = recordContact(mayaBook(), 'a@caa.com', profile('talent_manager', 'Creative Artists Agency'), LATER);
    book = recordContact(book, 'maya@gmail.com', profile('direct_influencer'), LATER);
    expect(book.primaryType).to.equal('talent_manager');
    expect(book.agencyName).to.equal('Creative Artists Agency');
    book = recordContact(book, 'b@gersh.com', profile('talent_manager', 'The Gersh Agency'), LATER);
    expect(book.agencyName).to.equal('The Gersh Agency');
  });

  it('makes the first contact of an empty book primary with its type', () => {
    const empty: ContactBook = { contacts: [], primaryType: 'direct_influencer', agencyName: null };
    const book = recordContact(empty, 'a@x.com', profile('direct_influencer'), AT);
    expect(book.contacts[0].isPrimary).to.equal(true);
  });

  it('leaves the given book untouched and stays plain JSON', () => {
    const before = mayaBook();
    const snapshot = JSON.stringify(before);
    const after = recordContact(before, 'Sam <sam@x.com>', profile('talent_manager', 'X'), LATER);
    expect(JSON.stringify(before)).to.equal(snapshot);
    expect(JSON.parse(JSON.stringify(after))).to.deep.equal(after);
  });

  it('ignores a header without an address', () => {
    const book = mayaBook();
    expect(recordContact(book, 'undisclosed-recipients', profile('talent_manager', 'X'), LATER)).to.equal(book);
  });
});

describe('judgeSender (D6)', () => {
  const AGENT = 'deals@agency.example';
  const withManager = () => recordContact(mayaBook(), 'Sarah <sarah@brightmgmt.com>', profile('talent_manager'), LATER);

  it('knows the influencer in any casing and recorded contacts', () => {
    expect(judgeSender(mayaBook(), 'Maya <MAYA@Gmail.COM>', 'ok', AGENT)).to.equal('known');
    expect(judgeSender(withManager(), 'sarah@brightmgmt.com', 'hi', AGENT)).to.equal('known');
  });

  it('treats a teammate at the agent domain as a takeover, even with a manager signature', () => {
    const body = 'Taking this over on behalf of Maya.\n\nBest regards,\nSam\nTalent Manager';
    expect(judgeSender(mayaBook(), 'Sam <sam@agency.example>', body, AGENT)).to.equal('stranger');
  });

  it("admits an assistant at a known contact's own domain", () => {
    expect(judgeSender(withManager(), 'Jo <jo@BrightMgmt.com>', 'Looping in.', AGENT)).to.equal('new_contact');
  });

  it('does not link two people on a free-mail domain', () => {
    expect(judgeSender(mayaBook(), 'random@gmail.com', 'Interested?', AGENT)).to.equal('stranger');
    expect(judgeSender(mayaBook(), 'random@googlemail.com', 'Interested?', AGENT)).to.equal('stranger');
    expect(isPersonalDomain('Gmail.com')).to.equal(true);
    expect(isPersonalDomain('brightmgmt.com')).to.equal(false);
  });

  it('admits a sender from a known talent agency', () => {
    expect(judgeSender(mayaBook(), 'Kim <kim@caa.com>', 'Following up.', AGENT)).to.equal('new_contact');
  });

  it('admits a manager who writes on behalf of the influencer by first or full name', () => {
    const first = 'Hi, I am writing on behalf of Maya about the rate.';
    const full = 'Hi, I represent maya lopez now.\nBest regards';
    expect(judgeSender(mayaBook(), 'pat@newmgmt.co', first, AGENT)).to.equal('new_contact');
    expect(judgeSender(mayaBook(), 'pat@gmail.com', first, AGENT)).to.equal('new_contact');
    expect(judgeSender(mayaBook(), 'pat@newmgmt.co', full, AGENT)).to.equal('new_contact');
  });

  it('needs both the manager profile and the name', () => {
    expect(judgeSender(mayaBook(), 'pat@newmgmt.co', 'Maya asked me to reply. Cheers', AGENT)).to.equal('stranger');
    expect(judgeSender(mayaBook(), 'pat@newmgmt.co', 'Writing on behalf of our client.', AGENT)).to.equal('stranger');
    expect(judgeSender(mayaBook(), 'pat@newmgmt.co', 'On behalf of Mayan Inc.', AGENT)).to.equal('stranger');
  });

  it('does not read a common word as the first name', () => {
    const book = newContactBook('will@gmail.com', 'Will Summers', AT);
    expect(judgeSender(book, 'pat@x.co', 'We will get back to you.\nBest regards', AGENT)).to.equal('stranger');
    expect(judgeSender(book, 'pat@x.co', 'Will asked me to reply.\nBest regards', AGENT)).to.equal('new_contact');
  });

  it('does not treat a free-mail agent domain as teammates', () => {
    const body = 'Writing on behalf of Maya.';
    expect(judgeSender(mayaBook(), 'pat@gmail.com', body, 'our.deals@gmail.com')).to.equal('new_contact');
    expect(judgeSender(mayaBook(), 'pat@gmail.com', 'Interested?', 'our.deals@gmail.com')).to.equal('stranger');
  });

  it('calls everyone else a stranger', () => {
    expect(judgeSender(mayaBook(), 'Bob <bob@random.io>', 'Hey, what is this thread?', AGENT)).to.equal('stranger');
  });
});
