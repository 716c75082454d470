/**
 * The Gmail adapter's own behaviour over the local fake Gmail (services/mail/gmail.ts): history pages, 404 ->
 * HistoryTooOldError, retries, raw MIME via history (S10), profile and watch. The port's contract:
 * mail-conformance.test.ts.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  createGmailMailbox,
  HistoryTooOldError,
  profile,
  recentThreadMessages,
  watch,
} from '../../services/mail/gmail.ts';
import { addressOf, type MailPort } from '../../services/mail/port.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';
import { AGENT, MAYA, gmailClient, outgoing } from './mail-fixtures.ts';

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
