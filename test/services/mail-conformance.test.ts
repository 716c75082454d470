/**
 * The mail port's contract, run against the sandbox mailbox and the Gmail adapter (over the local fake Gmail).
 * The Gmail-only behaviour (history pages, 404 -> HistoryTooOldError, retries, raw MIME via history) is in
 * mail-gmail.test.ts.
 *
 * Own sent mail: both adapters return it from fetchSince (Gmail's history is not label-filtered, the sandbox
 * lists every mailbox row); the intake skips it by comparing the From address with the agent's (D9).
 * Null cursor: the sandbox reads from the start, Gmail starts from now (the profile's historyId); on a fresh
 * mailbox both return nothing, which is what the suite relies on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createClock } from '../../services/clock.ts';
import { createGmailMailbox } from '../../services/mail/gmail.ts';
import { addressOf, type MailPort } from '../../services/mail/port.ts';
import { createSandboxMailbox } from '../../services/mail/sandbox.ts';
import { openSandboxDb } from '../../services/sandbox/db.ts';
import { startFakeGmail } from '../support/fake-gmail.ts';
import { AGENT, MAYA, gmailClient, nextSeq, outgoing } from './mail-fixtures.ts';

interface Harness {
  mail: MailPort;
  /** An inbound reply in a thread; returns its Message-ID. */
  deliver(input: { from: string; subject: string; text: string; threadId: string; inReplyTo: string }): Promise<string>;
  /** The threading headers the mailbox recorded for a sent message. */
  sentHeaders(messageId: string): Promise<{ threadId: string; inReplyTo: string | null; references: string[] }>;
  close(): Promise<void>;
}

const harnesses: Record<string, () => Promise<Harness>> = {
  sandbox: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-conformance-'));
    const db = openSandboxDb(join(dir, 'sandbox.db'));
    const box = createSandboxMailbox(db, createClock());
    return {
      mail: box,
      async deliver(input) {
        const messageId = `<reply-${nextSeq()}@gmail.com>`;
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
