/**
 * The mail port's contract, run against the sandbox mailbox and the Gmail adapter (over the local fake Gmail),
 * then the Gmail-only behaviour: history pages, 404 -> HistoryTooOldError, retries, raw MIME via history.
 *
 * Own sent mail: both adapters return it from fetchSince (Gmail's history is not label-filtered, the sandbox
 * lists every mailbox row); the intake skips it by comparing the From address with the agent's (D9).
 * Null cursor: the sandbox reads from the start, Gmail starts from now (the profile's historyId); on a fresh
 * mailbox both return nothing, which is what the suite relies on.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OAuth2Client } from 'google-auth-library';
import { createClock } from '../../services/clock.ts';
import {
  createGmailClient,
  createGmailMailbox,
  HistoryTooOldError,
  profile,
  recentThreadMessages,
  watch,
} from '../../services/mail/gmail.ts';
import { addressOf, type MailPort, messageIdFor, type OutgoingEmail } from '../../services/mail/port.ts';
import { createSandboxMailbox } from '../../services/mail/sandbox.ts';
import { openSandboxDb } from '../../services/sandbox/db.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';

const AGENT = 'deals@agency.example';
const MAYA = 'Maya Lopez <maya@gmail.com>';

interface Harness {
  mail: MailPort;
  /** An inbound reply in a thread; returns its Message-ID. */
  deliver(input: { from: string; subject: string; text: string; threadId: string; inReplyTo: string }): Promise<string>;
  /** The threading headers the mailbox recorded for a sent message. */
  sentHeaders(messageId: string): Promise<{ threadId: string; inReplyTo: string | null; references: string[] }>;
  close(): Promise<void>;
}

let seq = 0;
const outgoing = (extra: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  messageId: messageIdFor(`negotiation-1:outreach:${++seq}:${Date.now()}`, AGENT),
  from: `Deals Team <${AGENT}>`,
  to: MAYA,
  subject: 'Partnership with Glow Labs',
  text: "Hi Maya,\n\nWe'd like to propose $2,000.00.\n\nBest,\nDeals Team",
  html: "<p>Hi Maya,</p>\n<p>We'd like to propose $2,000.00.</p>\n<p>Best,<br>\nDeals Team</p>",
  threadId: null,
  inReplyTo: null,
  references: [],
  ...extra,
});

function gmailClient(fake: FakeGmail) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test' });
  return createGmailClient({ rootUrl: fake.rootUrl, auth });
}

const harnesses: Record<string, () => Promise<Harness>> = {
  sandbox: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-conformance-'));
    const db = openSandboxDb(join(dir, 'sandbox.db'));
    const box = createSandboxMailbox(db, createClock());
    return {
      mail: box,
      async deliver(input) {
        const messageId = `<reply-${++seq}@gmail.com>`;
        box.deliver({
          messageId,
          threadId: input.threadId,
          from: input.from,
          to: AGENT,
          subject: input.subject,
          text: input.text,
        });
        return messageId;
      },
      async sentHeaders(messageId) {
        const mail = box.sent({}).find((m) => m.messageId === messageId);
        if (!mail) throw new Error(`not sent: ${messageId}`);
        return { threadId: mail.threadId, inReplyTo: mail.inReplyTo, references: mail.references };
      },
      async close() {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  gmail: async () => {
    const fake = await startFakeGmail({ emailAddress: AGENT });
    return {
      mail: createGmailMailbox({ gmail: gmailClient(fake) }),
      async deliver(input) {
        return (await fake.deliver({ ...input, to: AGENT })).messageId;
      },
      async sentHeaders(messageId) {
        const mail = fake.sent().find((m) => m.messageId === messageId);
        if (!mail) throw new Error(`not sent: ${messageId}`);
        return { threadId: mail.threadId, inReplyTo: mail.inReplyTo, references: mail.references };
      },
      close: () => fake.close(),
    };
  },
};

for (const [name, start] of Object.entries(harnesses)) {
  describe(`MailPort conformance: ${name}`, () => {
    let h: Harness;
    beforeEach(async () => {
      h = await start();
    });
    afterEach(() => h.close());

    const inbound = <T extends { from: string }>(messages: T[]) => messages.filter((m) => addressOf(m.from) !== AGENT);

    it('send starts a new thread per email without a threadId, keeping our Message-ID', async () => {
      const first = outgoing();
      const a = await h.mail.send(first);
      const b = await h.mail.send(outgoing());
      expect(a.messageId).to.equal(first.messageId);
      expect(a.threadId).to.be.a('string').and.not.equal('');
      expect(b.threadId).not.to.equal(a.threadId);
      expect(Number.isNaN(Date.parse(a.sentAt))).to.equal(false);
    });

    it('a reply with a threadId stays in the thread with In-Reply-To and References', async () => {
      const first = await h.mail.send(outgoing());
      const theirs = await h.deliver({
        from: MAYA,
        subject: 'Re: Partnership with Glow Labs',
        text: 'Could we do $2,200 instead?',
        threadId: first.threadId,
        inReplyTo: first.messageId,
      });
      const reply = outgoing({
        subject: 'Re: Partnership with Glow Labs',
        threadId: first.threadId,
        inReplyTo: theirs,
        references: [first.messageId, theirs],
      });
      const receipt = await h.mail.send(reply);
      expect(receipt.threadId).to.equal(first.threadId);
      expect(await h.sentHeaders(reply.messageId)).to.deep.equal({
        threadId: first.threadId,
        inReplyTo: theirs,
        references: [first.messageId, theirs],
      });
    });

    it('findSent finds a sent Message-ID and returns null for an unknown or inbound one', async () => {
      const email = outgoing();
      const receipt = await h.mail.send(email);
      const found = await h.mail.findSent(email.messageId);
      expect(found).to.include({ messageId: email.messageId, threadId: receipt.threadId });
      expect(await h.mail.findSent('<unknown@agency.example>')).to.equal(null);
      const theirs = await h.deliver({
        from: MAYA,
        subject: 'Re: x',
        text: 'hi',
        threadId: receipt.threadId,
        inReplyTo: email.messageId,
      });
      expect(await h.mail.findSent(theirs)).to.equal(null);
    });

    it('fetchSince returns mail after the cursor oldest first, advances the cursor and never repeats', async () => {
      const start = await h.mail.fetchSince(null);
      expect(start.messages).to.deep.equal([]);
      const sent = await h.mail.send(outgoing());
      const reply = (text: string) =>
        h.deliver({
          from: MAYA,
          subject: 'Re: Partnership with Glow Labs',
          text,
          threadId: sent.threadId,
          inReplyTo: sent.messageId,
        });
      const r1 = await reply('First reply');
      const r2 = await reply('Second reply');

      const page = await h.mail.fetchSince(start.cursor);
      expect(inbound(page.messages).map((m) => [m.messageId, m.text, m.threadId])).to.deep.equal([
        [r1, 'First reply', sent.threadId],
        [r2, 'Second reply', sent.threadId],
      ]);
      expect(page.cursor).to.be.a('string').and.not.equal(start.cursor);
      expect(page.messages.every((m) => !Number.isNaN(Date.parse(m.receivedAt)))).to.equal(true);

      expect((await h.mail.fetchSince(page.cursor)).messages).to.deep.equal([]);
      const r3 = await reply('Third reply');
      const next = await h.mail.fetchSince(page.cursor);
      expect(next.messages.map((m) => m.messageId)).to.deep.equal([r3]);
    });

    it("returns the agent's own sent mail, From = the agent, for the intake to skip", async () => {
      const start = await h.mail.fetchSince(null);
      const email = outgoing();
      await h.mail.send(email);
      const { messages } = await h.mail.fetchSince(start.cursor);
      expect(messages.map((m) => m.messageId)).to.deep.equal([email.messageId]);
      expect(addressOf(messages[0].from)).to.equal(AGENT);
      expect(inbound(messages)).to.deep.equal([]);
    });
  });
}

describe('Gmail adapter over the fake Gmail API', () => {
  let fake: FakeGmail;
  let mail: MailPort;
  const gmail = () => gmailClient(fake);

  beforeEach(async () => {
    fake = await startFakeGmail({ emailAddress: AGENT, pageSize: 2 });
    mail = createGmailMailbox({ gmail: gmail() });
  });
  afterEach(() => fake.close());

  it('sends one text/plain UTF-8 part with our Message-ID, threading headers and the threadId', async () => {
    const first = await mail.send(outgoing());
    const email = outgoing({
      subject: 'Re: Partnership — Glow Labs',
      text: 'Café budget: €2,000.00',
      threadId: first.threadId,
      inReplyTo: '<theirs@gmail.com>',
      references: ['<a@agency.example>', '<theirs@gmail.com>'],
    });
    await mail.send(email);
    const stored = fake.sent().find((m) => m.messageId === email.messageId);
    expect(stored).to.include({
      threadId: first.threadId,
      subject: 'Re: Partnership — Glow Labs',
      inReplyTo: '<theirs@gmail.com>',
      text: 'Café budget: €2,000.00',
    });
    expect(stored?.references).to.deep.equal(['<a@agency.example>', '<theirs@gmail.com>']);
    const raw = stored?.raw.toString() ?? '';
    expect(raw).to.match(/^Message-ID: <[0-9a-f]{32}@agency\.example>\r?$/m);
    expect(raw).to.match(/^Content-Type: text\/plain; charset=utf-8\r?$/m);
    expect(fake.sends).to.equal(2);
  });

  it('sends without In-Reply-To and References when there are none', async () => {
    const email = outgoing();
    await mail.send(email);
    const raw = fake.sent()[0].raw.toString();
    expect(raw).not.to.match(/^In-Reply-To:/im);
    expect(raw).not.to.match(/^References:/im);
  });

  it('follows every history page, in order, and skips records that add no message', async () => {
    const start = await mail.fetchSince(null);
    const sent = await mail.send(outgoing());
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const m = await fake.deliver({ from: MAYA, subject: 'Re: x', text: `Reply ${i}`, inReplyTo: sent.messageId });
      ids.push(m.messageId);
      if (i === 2) fake.markRead(m.id);
    }
    const page = await mail.fetchSince(start.cursor);
    expect(page.messages.map((m) => m.text)).to.deep.equal([
      "Hi Maya,\n\nWe'd like to propose $2,000.00.\n\nBest,\nDeals Team",
      'Reply 1',
      'Reply 2',
      'Reply 3',
      'Reply 4',
      'Reply 5',
    ]);
    expect(page.messages.slice(1).every((m) => m.threadId === sent.threadId)).to.equal(true);
    expect(page.cursor).to.equal(fake.historyId);
    expect(fake.requests.filter((r) => r.route === 'history.list')).to.have.length(3); // 6 records, 2 a page
  });

  it('moves the cursor over history that adds no message', async () => {
    const m = await fake.deliver({ from: MAYA, subject: 'x', text: 'hello' });
    const start = await mail.fetchSince(null);
    fake.markRead(m.id);
    const page = await mail.fetchSince(start.cursor);
    expect(page.messages).to.deep.equal([]);
    expect(Number(page.cursor)).to.be.greaterThan(Number(start.cursor));
  });

  it('a null cursor starts from now: earlier mail is not returned', async () => {
    await fake.deliver({ from: MAYA, subject: 'old', text: 'old mail' });
    const start = await mail.fetchSince(null);
    expect(start).to.deep.equal({ messages: [], cursor: fake.historyId });
    await fake.deliver({ from: MAYA, subject: 'new', text: 'new mail' });
    expect((await mail.fetchSince(start.cursor)).messages.map((m) => m.text)).to.deep.equal(['new mail']);
  });

  it('skips a message deleted between the history listing and the fetch', async () => {
    const start = await mail.fetchSince(null);
    const gone = await fake.deliver({ from: MAYA, subject: 'x', text: 'deleted' });
    await fake.deliver({ from: MAYA, subject: 'x', text: 'kept' });
    fake.deleteMessage(gone.id);
    expect((await mail.fetchSince(start.cursor)).messages.map((m) => m.text)).to.deep.equal(['kept']);
  });

  it('a 404 from history.list throws HistoryTooOldError; recentThreadMessages re-syncs known threads', async () => {
    const start = await mail.fetchSince(null);
    const sent = await mail.send(outgoing());
    const other = await mail.send(outgoing({ to: 'someone@example.com' }));
    const before = Date.now() - 60_000;
    await fake.deliver({
      from: MAYA,
      subject: 'Re',
      text: 'too old',
      inReplyTo: sent.messageId,
      internalDate: before - 1,
    });
    await fake.deliver({ from: MAYA, subject: 'Re', text: 'Recent reply', inReplyTo: sent.messageId });
    await fake.deliver({ from: 'x@example.com', subject: 'Re', text: 'other thread', threadId: other.threadId });
    fake.expireHistoryBefore(Number(fake.historyId));

    const error = await mail.fetchSince(start.cursor).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).to.be.instanceOf(HistoryTooOldError);
    expect((error as HistoryTooOldError).startHistoryId).to.equal(start.cursor);

    const recent = await recentThreadMessages(gmail(), [sent.threadId, 'no-such-thread'], before);
    expect(recent.map((m) => [addressOf(m.from), m.text])).to.deep.equal([
      [AGENT, "Hi Maya,\n\nWe'd like to propose $2,000.00.\n\nBest,\nDeals Team"],
      ['maya@gmail.com', 'Recent reply'],
    ]);
    expect(recent[1]).to.include({ threadId: sent.threadId });
    expect(recent[1].parsed.inReplyTo).to.equal(sent.messageId);

    // Re-synced, the caller resumes from the profile's current history id.
    const resumed = await mail.fetchSince((await profile(gmail())).historyId);
    expect(resumed.messages).to.deep.equal([]);
  });

  it('a send failing with 500 is not retried by the client: the error surfaces and nothing is sent', async () => {
    const email = outgoing();
    fake.failNext(1, 500, { route: 'messages.send' });
    const error = await mail.send(email).then(
      () => null,
      (err: { status?: number }) => err,
    );
    expect(error?.status).to.equal(500);
    expect(fake.sends).to.equal(0);
    expect(fake.requests.filter((r) => r.route === 'messages.send')).to.have.length(1);
    // The caller checks Gmail before sending again (D9), then sends once.
    expect(await mail.findSent(email.messageId)).to.equal(null);
    await mail.send(email);
    expect(fake.sends).to.equal(1);
  });

  it('a send that took effect but answered 500 is found by findSent, so it is not sent twice', async () => {
    const email = outgoing();
    fake.failNext(1, 500, { route: 'messages.send', afterEffect: true });
    await mail.send(email).then(
      () => expect.fail('the send should have failed'),
      () => undefined,
    );
    const found = await mail.findSent(email.messageId);
    expect(found?.threadId).to.equal(fake.sent()[0].threadId);
    expect(fake.sends).to.equal(1);
  });

  it('GET calls are retried by the client on 500 and 429', async () => {
    const start = await mail.fetchSince(null);
    await fake.deliver({ from: MAYA, subject: 'x', text: 'retried' });
    fake.failNext(1, 500, { route: 'history.list' });
    fake.failNext(1, 429, { route: 'messages.get' });
    expect((await mail.fetchSince(start.cursor)).messages.map((m) => m.text)).to.deep.equal(['retried']);
    expect(fake.requests.filter((r) => r.status !== 200).map((r) => [r.route, r.status])).to.deep.equal([
      ['history.list', 500],
      ['messages.get', 429],
    ]);
  });

  it('S10: history from 90100 lists our own m1 and a multipart m2; only the new text of m2 comes through', async () => {
    fake = await restart({ startHistoryId: 90100 });
    const m1 = outgoing({ subject: 'Partnership with Glow Labs' });
    const sent = await mail.send(m1);
    const raw = readFileSync(new URL('../fixtures/mail/gmail-reply.eml', import.meta.url));
    const m2 = await fake.deliver({ from: MAYA, raw, threadId: sent.threadId });

    const page = await mail.fetchSince('90100');
    expect(page.cursor).to.equal('90102');
    expect(page.messages.map((m) => addressOf(m.from))).to.deep.equal([AGENT, 'maya@gmail.com']);
    expect(page.messages[1]).to.include({
      messageId: '<CAK7fm3ZpE1x9QmT+Lx2N8r=kq_4vYcA0uJ@mail.gmail.com>',
      threadId: sent.threadId,
      from: MAYA,
      subject: 'Re: Partnership with Glow Labs',
      text: 'Could we do $2,200 instead?',
      receivedAt: new Date(m2.internalDate).toISOString(),
    });
  });

  it('profile and watch', async () => {
    expect(await profile(gmail())).to.deep.equal({ emailAddress: AGENT, historyId: fake.historyId });
    const w = await watch(gmail(), 'projects/agency/topics/gmail-push');
    expect(w.historyId).to.equal(fake.historyId);
    expect(w.expirationMs).to.be.greaterThan(Date.now());
    expect(fake.watches).to.deep.equal([
      { topicName: 'projects/agency/topics/gmail-push', labelIds: ['INBOX'], labelFilterBehavior: 'include' },
    ]);
  });

  async function restart(opts: { startHistoryId: number }) {
    await fake.close();
    const next = await startFakeGmail({ emailAddress: AGENT, ...opts });
    mail = createGmailMailbox({ gmail: gmailClient(next) });
    return next;
  }
});
