/**
 * POST /sandbox/mail (api.md "Sandbox stand-ins", decisions D16): the body as the sender's client wrote it, or a
 * whole raw message threaded from In-Reply-To/References like Gmail's; both read by the same extraction, the
 * reading (new words, quoted context, uncertain) carried to the negotiation's timeline.
 */
import { expect } from 'chai';
import MailComposer from 'nodemailer/lib/mail-composer';
import { removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { expectError, MAYA, negotiation, type SentMail, started, timelineOf, until } from '../support/e2e.ts';

let t: TestAgent;
let id: string;
let opening: SentMail;

// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('sandbox mail (e2e)', () => {
  beforeEach(async () => {
    t = await startTestAgent();
    ({ id, opening } = await started(t));
  });

  afterEach(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  const received = async (count: number) =>
    until(async () => {
      const n = await negotiation(t, id);
      const entries = timelineOf(n, 'email_received');
      return entries.length >= count && n.state !== 'counter_received' ? entries : undefined;
    });

  /** Our opening email quoted under a reply, the way Outlook in French pastes it. */
  const outlookFrench = (text: string, quoted: string) =>
    `${text}\n\nCordialement,\nMaya\n\n________________________________\nDe : Deals Team <deals@agency.example>\n` +
    `Envoyé : mardi 3 mars 2026 09:14\nÀ : Maya Lopez <${MAYA}>\nObjet : Partenariat\n\n${quoted}`;

  async function raw(text: string, headers: Record<string, unknown>) {
    const message = new MailComposer({ from: `Maya Lopez <${MAYA}>`, to: 'deals@agency.example', text, ...headers });
    return (await message.compile().build()).toString('utf8');
  }

  describe('POST /sandbox/mail', () => {
    it('reads `text` as the client wrote it: their words only, our quoted email as context', async () => {
      const res = await t.call('POST', '/sandbox/mail', {
        from: `Maya Lopez <${MAYA}>`,
        threadId: opening.threadId,
        text: outlookFrench("C'est d'accord pour moi !", opening.text),
      });
      expect(res.status).to.equal(202);
      const [entry] = await received(1);
      expect(entry.text).to.equal("C'est d'accord pour moi !");
      expect(entry.quoted).to.be.a('string').and.include('Scope of Work:');
      expect(entry.signature).to.equal('Cordialement,\nMaya');
      expect(entry.uncertain).to.equal(false);
    });

    it('marks a reply whose words cannot be told apart as uncertain (a forward with no note)', async () => {
      const text = `---------- Forwarded message ---------\nFrom: Deals Team <deals@agency.example>\nDate: Tue, Mar 3, 2026 at 9:14 AM\nSubject: Partnership\nTo: <${MAYA}>\n\n${opening.text}`;
      expect((await t.call('POST', '/sandbox/mail', { from: MAYA, threadId: opening.threadId, text })).status).to.equal(
        202,
      );
      const [entry] = await received(1);
      expect(entry.uncertain).to.equal(true);
      expect(entry.text).to.equal('');
      const n = await negotiation(t, id);
      expect(n.state).not.to.equal('agreed');
    });

    it('takes a raw message, threads it from In-Reply-To/References, and reads it like Gmail mail', async () => {
      const message = await raw(
        `Could we do $2,400?\n\nOn Tue, Mar 3, 2026 at 9:14 AM Deals Team wrote:\n> ${opening.text.split('\n').join('\n> ')}`,
        {
          subject: `Re: ${opening.subject}`,
          messageId: '<raw-1@mail.gmail.com>',
          inReplyTo: opening.messageId,
          references: [opening.messageId],
        },
      );
      const res = await t.call('POST', '/sandbox/mail', { raw: message });
      expect(res.status, JSON.stringify(res.body)).to.equal(202);
      expect(res.body).to.deep.equal({ messageId: '<raw-1@mail.gmail.com>' });
      const [entry] = await received(1);
      expect(entry).to.include({ messageId: '<raw-1@mail.gmail.com>', text: 'Could we do $2,400?', uncertain: false });
      expect(entry.from).to.equal(`Maya Lopez <${MAYA}>`);
      const n = await negotiation(t, id);
      expect(n.theirLastAsk).to.equal('2400.00');
      // The whole message is kept for the audit, as Gmail's is.
      const detail = await t.call('GET', `/api/v1/negotiations/${id}`);
      const inbound = detail.body.timeline.find((e: { type: string }) => e.type === 'email_received');
      expect(inbound.raw).to.equal(message);
    });

    it('a repeated messageId is a no-op: 202 with duplicate, for text and raw alike', async () => {
      const text = { from: MAYA, threadId: opening.threadId, text: 'Could we do $2,400?', messageId: '<dup-1@x>' };
      expect((await t.call('POST', '/sandbox/mail', text)).body).to.deep.equal({ messageId: '<dup-1@x>' });
      const again = await t.call('POST', '/sandbox/mail', text);
      expect(again.status).to.equal(202);
      expect(again.body).to.deep.equal({ messageId: '<dup-1@x>', duplicate: true });
      const message = await raw('Could we do $2,400?', { messageId: '<dup-1@x>', inReplyTo: opening.messageId });
      expect((await t.call('POST', '/sandbox/mail', { raw: message })).body).to.deep.equal({
        messageId: '<dup-1@x>',
        duplicate: true,
      });
      await received(1);
      expect(timelineOf(await negotiation(t, id), 'email_received')).to.have.length(1);
    });

    it('refuses bad input with a clear 4xx and stores nothing', async () => {
      const noHeaders = await raw('Deal!', {});
      const cases: [unknown, number, RegExp][] = [
        [{ raw: '' }, 400, /raw/],
        [{ raw: 42 }, 400, /raw/],
        [{ raw: 'just some words, no headers at all' }, 400, /From/],
        [{ raw: noHeaders.replace(/^From:.*\r?\n/m, ''), threadId: opening.threadId }, 400, /From/],
        [{ raw: noHeaders, from: MAYA }, 400, /from/],
        [{ raw: noHeaders }, 404, /In-Reply-To/],
        [{ raw: await raw('Deal!', { inReplyTo: '<nobody@x>' }) }, 404, /nobody@x/],
        [{ from: MAYA, threadId: opening.threadId, text: '' }, 400, /text/],
        [{ from: MAYA, threadId: opening.threadId }, 400, /text/],
      ];
      for (const [body, status, message] of cases) {
        const res = await t.call('POST', '/sandbox/mail', body);
        expectError(res, status);
        expect(res.body.error.message, JSON.stringify(body)).to.match(message);
      }
      const n = await negotiation(t, id);
      expect(timelineOf(n, 'email_received')).to.deep.equal([]);
      expect(n.state).to.equal('awaiting_reply');
    });
  });
});
