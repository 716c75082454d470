/**
 * What an influencer receives (decisions D19): the raw message the Gmail adapter builds is parsed back with
 * mailparser and read strictly (test/support/mime-check.ts: CRLF only, valid headers, multipart/alternative with
 * text/plain and text/html). The fake Gmail refuses what a strict MTA refuses, through the real Gmail client.
 */
import { expect } from 'chai';
import { OAuth2Client } from 'google-auth-library';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { createGmailClient, createGmailMailbox, compose } from '../../services/mail/gmail.ts';
import { messageIdFor, type OutgoingEmail } from '../../services/mail/port.ts';
import { emailHtml, insertSow, sowBlock } from '../../services/sow.ts';
import { SOW_PLACEHOLDER } from '../../services/gate.ts';
import { mimeProblems } from '../support/mime-check.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';

const AGENT = 'deals@agency.example';
const SOW = {
  deliverables: '1 Instagram Reel, 1 Instagram Story',
  usageRights: null,
  rateCents: 200000,
  theirAskCents: 220000,
};
const PROSE = `Hi Maya,\n\nThanks for getting back to us & for the <details>. Here is where we landed:\n\n${SOW_PLACEHOLDER}\n\nBest,\nThe Partnerships Team`;

function counter(extra: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    messageId: messageIdFor('neg-1:send:2', AGENT),
    from: `The Partnerships Team <${AGENT}>`,
    to: 'Maya López <maya@gmail.com>',
    subject: 'Re: Collaboration Opportunity – Glow Skincare ✨',
    text: insertSow(PROSE, sowBlock(SOW)),
    html: emailHtml(PROSE, SOW),
    threadId: 'thread-1',
    inReplyTo: '<CAF=maya-1@mail.gmail.com>',
    references: ['<opening-1@agency.example>', '<CAF=maya-1@mail.gmail.com>'],
    ...extra,
  };
}

/** Every line of the raw message ends with CRLF, and no line is longer than 998 octets. */
function expectCrlf(raw: Buffer) {
  const text = raw.toString('latin1');
  expect(text).not.to.match(/(?<!\r)\n/);
  expect(text).not.to.match(/\r(?!\n)/);
  for (const line of text.split('\r\n')) expect(line.length).to.be.at.most(998);
}

describe('outgoing MIME (services/mail/gmail.ts compose)', () => {
  it('a counter is multipart/alternative, CRLF everywhere, with valid headers and threading', async () => {
    const raw = await compose(counter());
    expect(mimeProblems(raw)).to.deep.equal([]);
    expectCrlf(raw);
    const mail = await simpleParser(raw);
    expect(mail.messageId).to.equal(counter().messageId);
    expect(mail.inReplyTo).to.equal('<CAF=maya-1@mail.gmail.com>');
    expect(mail.references).to.deep.equal(['<opening-1@agency.example>', '<CAF=maya-1@mail.gmail.com>']);
    expect(mail.subject).to.equal('Re: Collaboration Opportunity – Glow Skincare ✨');
    expect(mail.from?.value[0]).to.deep.include({ name: 'The Partnerships Team', address: AGENT });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0] : null).to.deep.include({
      name: 'Maya López',
      address: 'maya@gmail.com',
    });
    expect(raw.toString('latin1')).to.match(/^Content-Type: multipart\/alternative;/m);
    // the plain part: their ask named, no markdown; the HTML part: a real strike-through and escaped prose
    expect(mail.text).to.include('- Rate: ~~$2,200.00~~ $2,000.00');
    expect(mail.text).to.include('Thanks for getting back to us & for the <details>.');
    expect(mail.html).to.include('<li>Rate: <s>$2,200.00</s> $2,000.00</li>');
    expect(mail.html).to.include(
      '<p>Thanks for getting back to us &amp; for the &lt;details&gt;. Here is where we landed:</p>',
    );
    expect(mail.html).to.include('<p>Best,<br>\nThe Partnerships Team</p>');
  });

  it('long lines, many references, a name with a comma and bare CRs all come out valid', async () => {
    const raw = await compose(
      counter({
        from: `"Glow, \\"Deals\\" Team" <${AGENT}>`,
        to: 'Lopez, Maya <maya@gmail.com>',
        text: `Hi\r${'x'.repeat(3000)}\n${'Ünïcödé '.repeat(400)}\r\nEnd`,
        html: `<p>${'y'.repeat(3000)}</p>\n`,
        subject: `Re: ${'Very long subject '.repeat(20)}\nwith a line break`,
        references: [
          ...Array.from({ length: 60 }, (_, i) => `<ref-${i}-${'r'.repeat(30)}@mail.example.com>`),
          'not a msg id',
          'bare-id@mail.example.com',
        ],
        inReplyTo: 'bare-id@mail.example.com',
      }),
    );
    expect(mimeProblems(raw)).to.deep.equal([]);
    expectCrlf(raw);
    const mail = await simpleParser(raw);
    expect(mail.from?.value[0]).to.deep.include({ name: 'Glow, "Deals" Team', address: AGENT });
    const to = mail.to && !Array.isArray(mail.to) ? mail.to.value : [];
    expect(to).to.have.length(1);
    expect(to[0]).to.deep.include({ name: 'Lopez, Maya', address: 'maya@gmail.com' });
    expect(mail.text).to.include('x'.repeat(3000));
    expect(mail.inReplyTo).to.equal('<bare-id@mail.example.com>');
    expect(mail.references).to.have.length(61).and.include('<bare-id@mail.example.com>');
    expect(mail.subject).to.equal(`Re: ${'Very long subject '.repeat(20)} with a line break`);
    // AGENT_NAME as configured, unquoted, with a comma and quotes in it
    const unquoted = await simpleParser(await compose(counter({ from: `Glow, "Deals" Team <${AGENT}>` })));
    expect(unquoted.from?.value).to.have.length(1);
    expect(unquoted.from?.value[0]).to.deep.include({ name: 'Glow, "Deals" Team', address: AGENT });
  });
});

describe('the strict reader (test/support/mime-check.ts) refuses what a strict MTA refuses', () => {
  const build = (options: Record<string, unknown>) =>
    new MailComposer({ from: AGENT, to: 'maya@gmail.com', subject: 'x', messageId: '<a@b.example>', ...options })
      .compile()
      .build();

  it('bare LF in the body (what main sent): refused', async () => {
    const raw = await build({ text: 'Hi Maya,\n\nBest', html: '<p>Hi</p>' });
    expect(mimeProblems(raw)).to.include('bare LF line ending (RFC 5322 requires CRLF)');
  });

  it('a single text/plain part: refused (no HTML part)', async () => {
    expect(mimeProblems(await build({ text: 'Hi Maya,\r\nBest' })).join()).to.match(/not multipart\/alternative/);
  });

  it('broken headers: refused, each named', () => {
    const raw = [
      'From: deals@agency.example',
      'To: maya@gmail.com',
      'Bad Header: x',
      'Date: yesterday',
      'Message-ID: no-brackets',
      'References: <ok@x.example> broken',
      'Subject: caf\u00e9',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'hi',
      '--b',
      'Content-Type: text/html',
      '',
      '<p>hi</p>',
      '',
    ].join('\r\n');
    const problems = mimeProblems(Buffer.from(raw, 'latin1')).join('\n');
    for (const expected of [
      'not a header field: "Bad Header: x"',
      'Date is not an RFC 5322 date',
      'Message-ID is not a msg-id',
      'References is not a list of msg-ids',
      'non-ASCII',
      'no closing boundary',
    ])
      expect(problems).to.include(expected);
  });
});

describe('the fake Gmail reads every sent message strictly (real Gmail client)', () => {
  let fake: FakeGmail;
  beforeEach(async () => {
    fake = await startFakeGmail({ emailAddress: AGENT });
  });
  afterEach(() => fake.close());
  const gmail = () => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: 'test' });
    return createGmailClient({ rootUrl: fake.rootUrl, auth });
  };

  it('accepts the adapter’s message and keeps both parts', async () => {
    await createGmailMailbox({ gmail: gmail() }).send(counter({ threadId: null }));
    const [sent] = fake.sent();
    expect(fake.refused).to.deep.equal([]);
    const mail = await simpleParser(sent.raw);
    expect(mail.html).to.include('<s>$2,200.00</s>');
    expect(mail.text).to.include('~~ $2,000.00');
  });

  it('refuses a raw message with bare LF with a 400, and stores nothing', async () => {
    const raw = await new MailComposer({
      from: AGENT,
      to: 'maya@gmail.com',
      subject: 'x',
      text: 'a\nb',
      html: '<p>a</p>',
    })
      .compile()
      .build();
    const error = await gmail()
      .users.messages.send({ userId: 'me', requestBody: { raw: raw.toString('base64url') } })
      .then(
        () => null,
        (e) => e,
      );
    expect(error?.status ?? error?.response?.status).to.equal(400);
    expect(String(error?.message)).to.include('bare LF');
    expect(fake.sent()).to.have.length(0);
    expect(fake.refused).to.have.length(1);
  });
});
