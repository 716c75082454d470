import { expect } from 'chai';
import { describeSender, judgeSender, newContactBook } from '../../services/counterparty.ts';
import { nameFitsDomain, normalizeAgencyName, representationClaim, signedName } from '../../services/representation.ts';

const AGENT = 'deals@agency.example';
const ANA = 'Ana Silva';
const book = () => newContactBook('ana.silva@gmail.com', ANA, '2026-01-01T00:00:00.000Z');

// How managers say whom they represent (the influencer is Ana Silva), in the languages mail arrives in.
const CLAIMS = [
  'I manage Ana at Talent Co and handle her brand deals.',
  "I'm reaching out on behalf of Ana regarding the Glow campaign.",
  "Ana's manager here - thanks for thinking of her.",
  'Hi there, I represent Ana Silva for brand partnerships.',
  'We represent ANA SILVA and would love to learn more.',
  "I'm Ana's agent; she forwarded me your email.",
  "I look after Ana's partnerships.",
  'Writing for my client Ana about your offer.',
  'Hello, I am the manager for Ana.',
  'Ana is represented by our agency, so please reply to me.',
  "We handle Ana's collaborations.",
  "On Ana's behalf, thank you for the offer.",
  'Our talent, Ana, is interested.',
  'Les escribo en nombre de Ana sobre la campaña.',
  'Je vous écris au nom de Ana pour votre proposition.',
  'Je représente Ana pour les partenariats.',
  'Ich schreibe im Auftrag von Ana wegen Ihrer Anfrage.',
  'Sou a empresária da Ana e cuido das parcerias dela.',
  'Scrivo per conto di Ana riguardo alla campagna.',
  'Hallo, ich bin Anas Managerin bei Stern Talent.',
];

const NOT_CLAIMS = [
  'Ana asked me to reply to you.',
  'We will feature ana in the next issue.', // the first name in lower case is a word, not a name
  'I manage the account on behalf of Anastasia.',
  'Who is Ana? I manage the Glow account.',
  "I'm reaching out on behalf of our client.",
  'Anastasias Managerin hat geschrieben.', // another name, in the genitive
  'Looking forward to working with you!',
];

describe('representationClaim (D6): a sender who says whom they represent', () => {
  for (const text of CLAIMS) {
    it(`finds ${JSON.stringify(text)}`, () => {
      expect(representationClaim(text, ANA)).to.be.a('string').and.not.equal('');
    });
  }
  for (const text of NOT_CLAIMS) {
    it(`does not find ${JSON.stringify(text)}`, () => {
      expect(representationClaim(text, ANA)).to.equal(null);
    });
  }

  it('admits every claim from an agency domain, on a free-mail domain too; never a teammate at our domain', () => {
    for (const text of CLAIMS) {
      expect(judgeSender(book(), 'Jordan <jordan@talentco.com>', text, AGENT), text).to.equal('new_contact');
      expect(judgeSender(book(), 'jordan.mgmt@gmail.com', text, AGENT), text).to.equal('new_contact');
      expect(judgeSender(book(), 'Sam <sam@agency.example>', text, AGENT), text).to.equal('stranger');
    }
    for (const text of NOT_CLAIMS.slice(0, 4)) {
      expect(judgeSender(book(), 'jordan@talentco.com', text, AGENT), text).to.equal('stranger');
    }
  });
});

describe('describeSender (domain.md §4): the agency and the person, from what they write', () => {
  const cases: { from: string; body: string; agency: string | null; domain: string | null; name: string | null }[] = [
    {
      from: 'jordan@talentco.com',
      body: 'Hi! I manage Ana at Talent Co. What dates are you thinking?\n\nThanks,\nJordan',
      agency: 'Talent Co',
      domain: 'talentco.com',
      name: 'Jordan',
    },
    {
      from: 'Jordan Lee <jordan@brightmgmt.com>',
      body: "I'm reaching out on behalf of Ana.\n\nBest regards,\nJordan Lee\nSenior Talent Manager | Bright Management LLC\nwww.brightmgmt.com | +1 555 0100",
      agency: 'Bright Management',
      domain: 'brightmgmt.com',
      name: 'Jordan Lee',
    },
    {
      from: 'jordan@brightmgmt.com',
      body: "Ana's manager here.\n\nCheers,\nJordan Lee, Partnerships Lead, Bright Management",
      agency: 'Bright Management',
      domain: 'brightmgmt.com',
      name: 'Jordan Lee',
    },
    {
      // the company line fits the domain even without an agency word
      from: 'pat@northstar.io',
      body: 'We represent Ana Silva. Could you send the brief?\n\nBest,\nPat Quinn\nNorthstar',
      agency: 'Northstar',
      domain: 'northstar.io',
      name: 'Pat Quinn',
    },
    {
      from: 'Paula <paula@estrella.mx>',
      body: 'Hola, les escribo en nombre de Ana desde Estrella Talent.\n\nSaludos,\nPaula Ruiz\nEstrella Talent',
      agency: 'Estrella Talent',
      domain: 'estrella.mx',
      name: 'Paula Ruiz',
    },
    {
      // a manager on a free-mail address: the agency comes from the text, no domain is recorded
      from: 'jordan.mgmt@gmail.com',
      body: 'Hi, Jordan from Bright Management here - I manage Ana. Any flexibility on the dates?',
      agency: 'Bright Management',
      domain: null,
      name: 'Jordan',
    },
    {
      // the known agency list still names the big agencies
      from: 'kim@unitedtalent.com',
      body: 'Following up for Ana. Thanks, Kim',
      agency: 'United Talent Agency',
      domain: 'unitedtalent.com',
      name: null,
    },
    {
      // the agency in brackets after the claim, the person on the line after it
      from: 'jordan@brightmanagement.com',
      body: "I'm Ana's manager (Bright Management). Her rate is $2,500.\nJordan",
      agency: 'Bright Management',
      domain: 'brightmanagement.com',
      name: 'Jordan',
    },
    {
      // "represented by" names the agency; the company's own From display name is no person
      from: '"Bright Management" <hello@brightmgmt.com>',
      body: 'Ana Silva is represented by us. Please write to me.\n\nJordan',
      agency: 'Bright Management',
      domain: 'brightmgmt.com',
      name: 'Jordan',
    },
    {
      // no agency named anywhere: only the domain is known
      from: 'jordan@jlmgmt.co',
      body: 'I represent Ana. Could you share the brief?',
      agency: null,
      domain: 'jlmgmt.co',
      name: null,
    },
  ];
  for (const c of cases) {
    it(`${c.from}: ${JSON.stringify(c.agency)} at ${c.domain}, signed ${JSON.stringify(c.name)}`, () => {
      const p = describeSender(c.from, c.body, ANA, AGENT);
      expect(p.type).to.equal('talent_manager');
      expect({ agency: p.agencyName, domain: p.agencyDomain, name: p.contactName }).to.deep.equal({
        agency: c.agency,
        domain: c.domain,
        name: c.name,
      });
    });
  }

  it('records no agency for the influencer herself, and none from a formal sign-off alone', () => {
    const own = describeSender(
      'ana.silva@gmail.com',
      'Sounds great!\n\nBest regards,\nAna Silva\nAna Silva Studio',
      ANA,
      AGENT,
    );
    expect([own.agencyName, own.agencyDomain]).to.deep.equal([null, undefined]);
    const plain = describeSender('ana@anasilva.com', 'Thanks, works for me.\n\nKind regards,\nAna', ANA, AGENT);
    expect(plain.agencyName).to.equal(null);
  });

  it('does not take a date, the client or a title for the agency', () => {
    const p = describeSender(
      'jordan@jl.co',
      'I manage Ana. She is free from March, and loves Glow Skincare.\n\nBest,\nJordan\nTalent Manager',
      ANA,
      AGENT,
    );
    expect(p.agencyName).to.equal(null);
  });
});

describe('agency names and domains', () => {
  it('normalises what is stored and looked up', () => {
    expect(normalizeAgencyName('  Bright Management, LLC. ')).to.equal('Bright Management');
    expect(normalizeAgencyName('Talent Co.')).to.equal('Talent Co');
    expect(normalizeAgencyName('Northstar Talent Inc')).to.equal('Northstar Talent');
    expect(normalizeAgencyName('"Estrella Talent S.L."')).to.equal('Estrella Talent');
  });

  it('matches a name to the mail domain by words, abbreviations and initials', () => {
    expect(nameFitsDomain('Bright Management', 'brightmgmt.com')).to.equal(true);
    expect(nameFitsDomain('Bright Management', 'mail.brightmanagement.co.uk')).to.equal(true);
    expect(nameFitsDomain('Talent Co', 'talentco.io')).to.equal(true);
    expect(nameFitsDomain('Northstar Talent Group', 'ntg.com')).to.equal(true);
    expect(nameFitsDomain('Bright Management', 'talentco.io')).to.equal(false);
    expect(nameFitsDomain('March', 'brightmgmt.com')).to.equal(false);
  });

  it('reads the signer from the sign-off or the introduction', () => {
    expect(signedName('Sounds good.\n\nBest,\nJordan Lee\nBright Management')).to.equal('Jordan Lee');
    expect(signedName('Hi, this is Jordan from the agency.')).to.equal('Jordan');
    expect(signedName("I'm Ana's manager.")).to.equal(null);
    expect(signedName('Thanks for the update, talk soon')).to.equal(null);
    expect(signedName('Jordan here, from the agency.')).to.equal('Jordan');
    expect(signedName('Everything here looks good to us.')).to.equal(null);
    expect(signedName("Ana's team here!\n\n--\nJordan | Bright Management")).to.equal('Jordan');
    expect(signedName('Hey! Reaching out for Ana.\n\nJordan Lee\nHead of Talent\nBright Management')).to.equal(
      'Jordan Lee',
    );
  });
});
