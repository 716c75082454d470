import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { extractNewText, parseRawEmail } from '../../services/mail/parse.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/mail/${name}`, import.meta.url));

interface Case {
  file: string;
  text: string;
  from?: string;
  subject?: string;
  signature?: string | null;
}

const CASES: Case[] = [
  {
    file: 'gmail-reply.eml',
    text: 'Could we do $2,200 instead?',
    from: 'Maya Lopez <maya@gmail.com>',
    subject: 'Re: Partnership with Glow Labs',
  },
  {
    file: 'gmail-reply-wrapped.eml',
    text: 'Thanks! I can do the reel and stories for $1,850 if we drop the\nusage rights to 30 days.\n\nLet me know.',
  },
  {
    file: 'outlook-desktop-reply.eml',
    text: "Hi team,\n\nAlex's rate for this scope is $3,000. Happy to discuss deliverables.\n\nKind regards,\nPriya Shah\nTalent Manager | Brightside Talent",
  },
  {
    file: 'outlook-original-message.eml',
    text: 'We accept $2,000 for the package. Please send the SOW.\n\nSam',
    from: 'Carter, Sam <sam.carter@northpeak-mgmt.example>',
  },
  {
    file: 'outlook-web-reply.eml',
    text: 'Hey! Quick question: does the $2,000 include usage rights?',
    signature: 'Get Outlook for iOS<https://aka.ms/o0ukef>',
  },
  { file: 'apple-mail-reply.eml', text: 'Sounds great — I’m in at $2,000.\n\nTheo' },
  {
    file: 'iphone-reply.eml',
    text: 'Can we push the posting date to April 2? Otherwise all good!',
    signature: 'Sent from my iPhone',
  },
  {
    file: 'html-only.eml',
    text: 'Hi there,\n\nMy rate for a dedicated video is $2,500 & that includes 60 days of usage.\n\nCheers,\nNoah',
  },
  {
    file: 'forwarded-gmail.eml',
    text: "Looping in on Alex's behalf - I manage her brand deals. Her rate is $2,800.",
    subject: 'Fwd: Partnership with Glow Labs',
  },
  { file: 'forwarded-apple.eml', text: 'FYI, my manager asked for this - 90 days of usage would be $400 extra.' },
  {
    file: 'latin1-qp.eml',
    text: 'Hallo zusammen,\n\ndas klingt gut, aber können wir 2.400 USD für das Reel machen? Größere Reichweite als letztes Jahr.\n\nViele Grüße\nJürgen',
    from: 'Jürgen Müller <juergen@mueller-media.example>',
    subject: 'Re: Partnerschaft mit Glow Labs - Rückfrage',
  },
  {
    file: 'windows-1252.eml',
    text: 'That’s a “great” offer – but could we do €2,300 instead?\n\nBest regards,\nZoë',
  },
  {
    file: 'iso-2022-jp.eml',
    text: 'ご連絡ありがとうございます。\n2,200ドルでいかがでしょうか？\n\n山田',
    from: '山田 花子 <hanako.yamada@example.jp>',
    subject: 'Re: グローラボとの提携',
  },
  {
    file: 'shift-jis.eml',
    text: '承知しました。1,900ドルで進めましょう。',
    from: '佐藤 健 <ken.sato@example.jp>',
    signature: '佐藤 健\nインフルエンサー',
  },
  {
    file: 'signature-reply.eml',
    text: 'Deal! $2,200 it is.\n\nThanks,\nMaya',
    signature: 'Maya Lopez\nContent Creator | @mayalopez\nmaya@gmail.com',
  },
  { file: 'attachment-reply.eml', text: 'Attached is my media kit. My rate card says $1,900 for a reel.' },
];

describe('parseRawEmail', () => {
  for (const c of CASES) {
    it(`${c.file}: extracts the new text`, async () => {
      const parsed = await parseRawEmail(fixture(c.file));
      expect(parsed.text).to.equal(c.text);
      if (c.from) expect(parsed.from).to.equal(c.from);
      if (c.subject) expect(parsed.subject).to.equal(c.subject);
      if (c.signature !== undefined) expect(parsed.signature).to.equal(c.signature);
      expect(parsed.text).to.equal(parsed.text.trim());
    });
  }

  it('S10: only "Could we do $2,200 instead?" survives; the quoted $2,000.00 stays in the full text', async () => {
    const parsed = await parseRawEmail(fixture('gmail-reply.eml'));
    expect(parsed.text).to.equal('Could we do $2,200 instead?');
    expect(parsed.text).not.to.contain('2,000');
    expect(parsed.fullText).to.contain(
      'On Tue, Mar 3, 2026 at 9:00 AM Deals Team <deals@agency.example> wrote:'.replace(' AM', '\u202fAM'),
    );
    expect(parsed.fullText).to.contain('$2,000.00');
  });

  it('reads the threading headers and the date', async () => {
    const parsed = await parseRawEmail(fixture('gmail-reply-wrapped.eml'));
    expect(parsed).to.include({
      messageId: '<CAJw8kP0n4Vq2D9sXf-9mA1rT6yL3bZc7hE@mail.gmail.com>',
      inReplyTo: '<1a2b3c4d5e6f70819a0b1c2d3e4f5061@agency.example>',
      to: 'Deals Team <deals@agency.example>',
      date: '2026-03-04T19:03:22.000Z',
    });
    expect(parsed.references).to.deep.equal([
      '<0f0e0d0c0b0a09080706050403020100@agency.example>',
      '<1a2b3c4d5e6f70819a0b1c2d3e4f5061@agency.example>',
    ]);
  });

  it('reads a lower-case "Message-Id" header (Apple Mail) like any other', async () => {
    const parsed = await parseRawEmail(fixture('apple-mail-reply.eml'));
    expect(parsed.messageId).to.equal('<8B7A6C5D-4E3F-2A1B-0C9D-8E7F6A5B4C3D@theomakes.example>');
  });

  it('ignores the attachment of a reply', async () => {
    const parsed = await parseRawEmail(fixture('attachment-reply.eml'));
    expect(parsed.fullText).not.to.contain('JVBERi0');
  });

  it('gives the same new text from the HTML alternative alone as from the text part', async () => {
    for (const file of [
      'gmail-reply.eml',
      'outlook-desktop-reply.eml',
      'outlook-web-reply.eml',
      'apple-mail-reply.eml',
      'attachment-reply.eml',
    ]) {
      const mail = await simpleParser(fixture(file));
      const htmlOnly = await new MailComposer({ from: 'x@example.com', to: 'y@example.com', html: mail.html || '' })
        .compile()
        .build();
      expect((await parseRawEmail(htmlOnly)).text, file).to.equal((await parseRawEmail(fixture(file))).text);
    }
  });

  it('an HTML-only reply whose attribution renders right under their sentence keeps the sentence', async () => {
    // Yahoo's HTML: no blank line between the answer and a wrapped "El …, <name> <address> escribió:"
    const html =
      '<div>Lo haría por 2.290 dólares.</div><div class="yahoo_quoted"><div>El martes, 2 de diciembre de 2025, ' +
      '18:47:02 CET, The Partnerships Team &lt;deals@agency.example&gt; escribió:</div><div><p>Hi Maya,</p>' +
      '<p>We can come up to $2,150.00.</p><ul><li>Rate: <s>$2,300.00</s> $2,150.00</li></ul></div></div>';
    const raw = await new MailComposer({ from: 'maya@gmail.com', to: 'deals@agency.example', html }).compile().build();
    expect((await parseRawEmail(raw)).text).to.equal('Lo haría por 2.290 dólares.');
  });
});

describe('extractNewText', () => {
  const newText = (text: string) => extractNewText(text).text;

  it('cuts at a Gmail attribution wrapped over two lines', () => {
    const text =
      'Yes, $2,100 works.\n\nOn Tue, Mar 3, 2026 at 9:00 AM Deals Team <\ndeals@agency.example> wrote:\n\n> $2,000.00';
    expect(newText(text)).to.equal('Yes, $2,100 works.');
  });

  it('cuts at an Apple Mail attribution and at a Thunderbird one', () => {
    expect(newText('OK\n\nOn Mar 3, 2026, at 9:00 AM, Deals Team <deals@agency.example> wrote:\n\n> x')).to.equal('OK');
    expect(newText('OK\n\nOn 3/3/26 9:00 AM, Deals Team wrote:\n> x')).to.equal('OK');
  });

  it('keeps a sentence that merely starts with "On" and ends with "wrote:"', () => {
    const text = 'On second thought, I think my manager wrote:\nplease call her instead.';
    expect(newText(text)).to.equal(text);
    expect(newText('On second thought, $2,100 works. Jess wrote:')).to.equal(
      'On second thought, $2,100 works. Jess wrote:',
    );
  });

  it('cuts at an Outlook header block, with or without bold markers', () => {
    const text =
      'Fine by me.\n\n*From:* Deals Team <deals@agency.example>\n*Sent:* Monday\n*To:* Maya\n*Subject:* Deal\n\nold';
    expect(newText(text)).to.equal('Fine by me.');
  });

  it('keeps a "From:" line that is not a header block', () => {
    expect(newText('From: my side, $2,000 is fine.\nTalk soon')).to.equal('From: my side, $2,000 is fine.\nTalk soon');
  });

  it('drops interleaved quoted lines and keeps the answers between them', () => {
    const text = '> Would $2,000.00 work?\nYes.\n> And a March 20 date?\nMarch 22 please.';
    expect(newText(text)).to.equal('Yes.\nMarch 22 please.');
  });

  it('takes a bottom-posted answer below the quote', () => {
    const text =
      'On Tue, Mar 3, 2026 at 9:00 AM Deals Team <deals@agency.example> wrote:\n> $2,000.00?\n\nMake it $2,300.';
    expect(newText(text)).to.equal('Make it $2,300.');
  });

  it('cuts at the signature delimiter and at mobile footers, returning the signature', () => {
    expect(extractNewText('Deal.\n-- \nMaya\nCreator')).to.deep.equal({ text: 'Deal.', signature: 'Maya\nCreator' });
    expect(extractNewText('Deal.\n\nSent from my Android')).to.deep.equal({
      text: 'Deal.',
      signature: 'Sent from my Android',
    });
    expect(newText('Deal.\n\nSent from Outlook for Android\n\nold stuff')).to.equal('Deal.');
  });

  it('falls back to the forwarded message when a forward has no note', () => {
    const text =
      '---------- Forwarded message ---------\nFrom: Alex <alex@example.com>\nDate: Tue, Mar 3, 2026\nSubject: Rates\nTo: Priya <p@example.com>\n\nMy rate is $2,800.\n\nAlex';
    expect(newText(text)).to.equal('My rate is $2,800.');
  });

  it('falls back to the first paragraph when stripping leaves nothing', () => {
    expect(newText('> only\n> quoted')).to.equal('> only\n> quoted');
    expect(newText('-- \nJust a signature')).to.equal('--\nJust a signature');
  });

  it('trims trailing whitespace and collapses runs of blank lines', () => {
    expect(newText('Hi   \r\n\r\n\r\n\r\nThere  \r\n  ')).to.equal('Hi\n\nThere');
  });
});
