import { join } from 'node:path';
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { createCampaign, MAYA, negotiation, timelineOf, until, waitForState } from '../support/e2e.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../support/fake-google-auth.ts';
import { fakeGmailEnv } from '../support/gmail-agent-env.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

const AGENT = 'deals@agency.example';
const AUDIENCE = 'https://agent.example/webhooks/gmail';
const PUSHER = 'gmail-push@project.iam.gserviceaccount.com';

let gmail: FakeGmail;
let google: FakeGoogleAuth;
let dataDir: string;
let agents: TestAgent[] = [];
let service: ServiceProcess | null = null;

function gmailEnv(): Record<string, string> {
  return {
    AGENT_MODE: 'sandbox', // live Gmail inside an otherwise sandboxed agent
    DATA_DIR: dataDir,
    SHEETS_DIR: join(dataDir, 'sheets'),
    ...fakeGmailEnv({ gmail, google }, dataDir, { audience: AUDIENCE, account: PUSHER }),
    GMAIL_POLL_SECONDS: '3600', // the pushes of the test drive everything
    EFFECT_RETRY_BASE_MS: '5',
    SEND_PER_MINUTE: '60', // one send a second: within Gmail's quota, and the tests need not wait
  };
}

async function agent(): Promise<TestAgent> {
  const t = await startTestAgent(gmailEnv(), dataDir);
  agents.push(t);
  return t;
}

// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('Gmail end to end', () => {
  beforeEach(async () => {
    gmail = await startFakeGmail({ emailAddress: AGENT });
    google = await startFakeGoogleAuth();
    dataDir = tempDir('gmail-e2e-');
  });
  afterEach(async () => {
    for (const t of agents) await t.stop();
    agents = [];
    if (service) await kill9(service);
    service = null;
    await gmail.close();
    await google.close();
    removeDir(dataDir);
  });

  function pushBody(historyId = gmail.historyId, emailAddress = AGENT) {
    const data = Buffer.from(JSON.stringify({ emailAddress, historyId: Number(historyId) })).toString('base64');
    return { message: { data, messageId: `m-${historyId}`, publishTime: new Date().toISOString() }, subscription: 's' };
  }

  async function push(url: string, token: string | null = null, body: unknown = pushBody()) {
    const bearer = token ?? google.signIdToken({ aud: AUDIENCE, email: PUSHER, email_verified: true });
    const res = await fetch(`${url}/webhooks/gmail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });
    return res.status;
  }

  /** Starts a campaign and returns the negotiation with the outreach Gmail sent. */
  async function started(t: TestAgent) {
    const created = await createCampaign(t);
    const id = created.negotiations[0].id;
    const outreach = await until(async () => gmail.sent().find((m) => m.to.includes(MAYA)));
    await waitForState(t, id, 'awaiting_reply');
    return { id, outreach };
  }

  function replyTo(outreach: { threadId: string; messageId: string }, text: string, from = `Maya Lopez <${MAYA}>`) {
    return gmail.deliver({
      from,
      to: AGENT,
      subject: 'Re: Collaboration Opportunity - Glow Skincare',
      text,
      threadId: outreach.threadId,
      inReplyTo: outreach.messageId,
      references: [outreach.messageId],
    });
  }

  describe('Gmail (fake Gmail API, real googleapis client)', () => {
    it('outreach goes out through Gmail; the reply arrives as a push and is processed once (S10)', async () => {
      const t = await agent();
      const { id, outreach } = await started(t);
      expect(outreach.subject).to.equal('Collaboration Opportunity - Glow Skincare');
      expect(outreach.messageId).to.match(/^<[0-9a-f]{32}@agency\.example>$/);
      await replyTo(
        outreach,
        'Could we do $2,300 instead?\n\nOn Tue, Mar 3, 2026 at 9:00 AM Deals Team <deals@agency.example> wrote:\n> Our offer is $2,000.00',
      );
      expect(await push(t.url)).to.equal(204);
      const n = await waitForState(t, id, 'counter_sent');
      const [received] = timelineOf(n, 'email_received');
      expect(received.text).to.equal('Could we do $2,300 instead?');
      expect(String(received.raw)).to.include('Message-ID:');
      expect(n.theirLastAsk).to.equal('2300.00');
      const counter = await until(async () =>
        gmail.sent().find((m) => m.threadId === outreach.threadId && m !== outreach && m.subject.startsWith('Re:')),
      );
      expect(counter.inReplyTo).to.equal(received.messageId);
      expect(timelineOf(n, 'email_received').map((e) => e.from)).not.to.include(AGENT); // own sent mail skipped
    });

    it('reads a Gmail reply with the same extraction as the sandbox: German Outlook quoting, a rate card signature', async () => {
      const t = await agent();
      const { id, outreach } = await started(t);
      const body = [
        'Einverstanden, machen wir so.',
        '',
        'Viele Grüße',
        'Maya',
        'Preise ab 1.200 $ pro Reel',
        '',
        '________________________________',
        `Von: Deals Team <${AGENT}>`,
        'Gesendet: Dienstag, 3. März 2026 09:14',
        `An: Maya Lopez <${MAYA}>`,
        `Betreff: ${outreach.subject}`,
        '',
        outreach.text,
      ].join('\n');
      await replyTo(outreach, body);
      expect(await push(t.url)).to.equal(204);
      const [received] = await until(async () => {
        const entries = timelineOf(await negotiation(t, id), 'email_received');
        return entries.length ? entries : undefined;
      });
      expect(received).to.include({ text: 'Einverstanden, machen wir so.', uncertain: false });
      expect(received.signature).to.equal('Viele Grüße\nMaya\nPreise ab 1.200 $ pro Reel');
      expect(String(received.quoted)).to.include('Scope of Work:');
      const n = await negotiation(t, id);
      expect(n.theirLastAsk).not.to.equal('1200.00');
      expect(n.agreedRate).not.to.equal('1200.00');
    });

    it('the same push delivered 5 times is processed once', async () => {
      const t = await agent();
      const { id, outreach } = await started(t);
      await replyTo(outreach, "Sounds great, let's do it!");
      const body = pushBody();
      const statuses = await Promise.all([1, 2, 3, 4, 5].map(() => push(t.url, null, body)));
      expect(statuses).to.deep.equal([204, 204, 204, 204, 204]);
      const n = await waitForState(t, id, 'agreed');
      expect(timelineOf(n, 'email_received')).to.have.length(1);
      await until(async () => gmail.sends === 2);
      await new Promise((r) => setTimeout(r, 200));
      expect(gmail.sends).to.equal(2); // outreach + one confirmation
    });

    it('a push with a missing, forged or misaddressed token is refused (401) and nothing is stored', async () => {
      const t = await agent();
      const { id, outreach } = await started(t);
      await replyTo(outreach, "Sounds great, let's do it!");
      const forged = google.signIdToken({ aud: 'https://someone-else.example', email: PUSHER, email_verified: true });
      const stranger = google.signIdToken({ aud: AUDIENCE, email: 'attacker@evil.example', email_verified: true });
      for (const token of ['', forged, stranger, 'not-a-jwt']) {
        const status = await push(t.url, token === '' ? '' : token);
        expect(status, token.slice(0, 20)).to.equal(401);
      }
      await new Promise((r) => setTimeout(r, 200));
      const n = await negotiation(t, id);
      expect([n.state, timelineOf(n, 'email_received').length]).to.deep.equal(['awaiting_reply', 0]);
    });

    it('downtime: two replies that arrived while the service was down are processed at start, in order', async () => {
      let t = await agent();
      const { id, outreach } = await started(t);
      await t.stop();
      agents = [];
      await replyTo(outreach, 'When would the content need to go live?');
      await replyTo(outreach, "Thanks! Sounds great, let's do it.");
      t = await agent();
      const n = await waitForState(t, id, 'agreed');
      expect(timelineOf(n, 'email_received').map((e) => e.text)).to.deep.equal([
        'When would the content need to go live?',
        "Thanks! Sounds great, let's do it.",
      ]);
    });

    it('history too old (404): the open threads are re-synced and the reply is not lost', async () => {
      const t = await agent();
      const { id, outreach } = await started(t);
      await replyTo(outreach, "Sounds great, let's do it!");
      gmail.expireHistoryBefore(gmail.historyId); // the agent's cursor is older than the reply
      expect(await push(t.url)).to.equal(204);
      const n = await waitForState(t, id, 'agreed');
      expect(timelineOf(n, 'email_received')).to.have.length(1);
    });

    it('watch: registered at start with its expiration persisted; renewed from the stored value, not uptime (S12)', async () => {
      let t = await agent();
      expect(gmail.watches).to.have.length(1);
      const ready = await t.call('GET', '/ready');
      expect(ready.body.checks.gmailWatch).to.equal('ok');
      await t.restart();
      expect(gmail.watches).to.have.length(1); // still valid: not renewed
      await t.call('POST', '/sandbox/clock', { advanceHours: 24 * 6.5 }); // within a day of the 7-day expiry
      await t.stop();
      agents = [];
      t = await agent();
      expect(gmail.watches).to.have.length(2);
    });

    it('a crash right after Gmail accepted the send: after restart the email is not sent again', async () => {
      service = await startService({ ...gmailEnv(), SANDBOX_CRASH_POINT: 'after_mail_send:1' });
      const res = await fetch(`${service.url}/api/v1/campaigns`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'cmp-1',
          client: 'Glow Skincare',
          platform: 'instagram',
          deliverables: '1 Instagram Reel',
          cpmTarget: '25',
          influencers: [{ name: 'Maya Lopez', email: MAYA, averageViews: 80000 }],
        }),
      }).catch(() => null);
      expect(res === null || res.status === 201).to.equal(true);
      const { signal } = await service.exited;
      expect(signal).to.equal('SIGKILL');
      expect(gmail.sends).to.equal(1);
      service = await startService(gmailEnv());
      const list = await until(async () => {
        const r = (await (await fetch(`${service?.url}/api/v1/negotiations`)).json()) as {
          state: string;
          threadId: string;
        }[];
        return r[0]?.state === 'awaiting_reply' ? r : undefined;
      });
      expect(list[0].threadId).to.equal(gmail.sent()[0].threadId);
      expect(gmail.sends).to.equal(1);
    });

    it('refuses to start with a token file Google refuses, naming the file', async () => {
      google.failNextToken('invalid_grant', 'Token has been expired or revoked.');
      const error = await startTestAgent(gmailEnv(), dataDir).catch((e: Error) => e);
      expect(String(error)).to.include('token.json');
      expect(String(error)).to.match(/invalid_grant|revoked/);
    });
  });
});
