import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../../support/agent.ts';
import { createCampaign, until, waitForState } from '../../support/e2e.ts';
import { type FakeGmail, startFakeGmail } from '../../support/fake-gmail.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../../support/fake-google-auth.ts';
import { fakeGmailEnv } from '../../support/gmail-agent-env.ts';

const AGENT = 'deals@agency.example';
const AUDIENCE = 'https://agent.example/webhooks/gmail';
const PUSHER = 'gmail-push@project.iam.gserviceaccount.com';
const HOUR = 3_600_000;

let gmail: FakeGmail;
let google: FakeGoogleAuth;
let dataDir: string;
let agent: TestAgent | null = null;
let offsetMs = 0; // the agent's sandbox clock offset, which the fake Gmail's quota clock follows

async function start(env: Record<string, string>, gmailLimits: { sendsPerDay?: number } = {}) {
  gmail = await startFakeGmail({ emailAddress: AGENT, now: () => Date.now() + offsetMs, ...gmailLimits });
  agent = await startTestAgent(
    {
      AGENT_MODE: 'sandbox',
      ...fakeGmailEnv({ gmail, google }, dataDir, { audience: AUDIENCE, account: PUSHER }),
      GMAIL_POLL_SECONDS: '3600',

      ...env,
    },
    dataDir,
  );
  return agent;
}

async function advance(t: TestAgent, hours: number) {
  offsetMs += Math.round(hours * HOUR); // the fake Gmail's clock first: the agent sends as soon as it moves
  const res = await t.call('POST', '/sandbox/clock', { advanceHours: hours });
  expect(res.status).to.equal(200);
}

function influencers(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    name: `Creator ${i + 1}`,
    email: `creator${i + 1}@example.com`,
    platform: 'instagram',
    handle: `@creator${i + 1}`,
    averageViews: 80_000,
    engagementRate: 4.5,
  }));
}

async function push(t: TestAgent) {
  const data = Buffer.from(JSON.stringify({ emailAddress: AGENT, historyId: Number(gmail.historyId) })).toString(
    'base64',
  );
  const bearer = google.signIdToken({ aud: AUDIENCE, email: PUSHER, email_verified: true });
  const res = await fetch(`${t.url}/webhooks/gmail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ message: { data, messageId: `m-${gmail.historyId}` }, subscription: 's' }),
  });
  expect(res.status).to.equal(204);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('send queue (D20)', () => {
  beforeEach(async () => {
    google = await startFakeGoogleAuth();
    dataDir = tempDir('send-queue-');
    offsetMs = 0;
  });
  afterEach(async () => {
    await agent?.stop();
    agent = null;
    await gmail.close();
    await google.close();
    removeDir(dataDir);
  });

  it('spreads a campaign over the days its daily cap needs; the rest waits in the queue, visible, never escalated', async () => {
    const t = await start({ SEND_PER_DAY: '3', SEND_PER_MINUTE: '60' });
    const created = await createCampaign(t, glowCampaign({ influencers: influencers(5) }));
    await until(async () => gmail.sends === 3);
    await sleep(300);
    expect(gmail.sends).to.equal(3);
    const queue = (await t.call('GET', '/api/v1/campaigns/cmp-1/queue')).body;
    expect(queue).to.include({ queued: 2, sentLast24h: 3 });
    expect(Date.parse(queue.nextSendAt) - Date.now() - offsetMs).to.be.greaterThan(23 * HOUR);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).to.match(/^send_queue_emails 2$/m);
    expect((await t.call('GET', '/ready')).status).to.equal(200); // waiting on a cap is not a fault
    await advance(t, 24);
    await until(async () => gmail.sends === 5);
    for (const n of created.negotiations) await waitForState(t, n.id, 'awaiting_reply');
    expect(gmail.quotaRefusals).to.deep.equal([]);
    expect(new Set(gmail.sent().map((m) => m.to)).size).to.equal(5); // each emailed once
  });

  it("waits out Gmail's own daily limit (429 with Retry-After): no retry spent, no escalation, nothing doubled", async () => {
    const t = await start({ SEND_PER_DAY: '100', SEND_PER_MINUTE: '60' }, { sendsPerDay: 2 });
    const created = await createCampaign(t, glowCampaign({ influencers: influencers(4) }));
    await until(async () => gmail.quotaRefusals.some((r) => r.reason === 'dailyLimitExceeded'));
    await sleep(300);
    expect(gmail.sends).to.equal(2);
    expect((await t.call('GET', '/api/v1/campaigns/cmp-1/queue')).body.queued).to.equal(2);
    await advance(t, 24);
    await until(async () => gmail.sends === 4);
    for (const n of created.negotiations) await waitForState(t, n.id, 'awaiting_reply');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).not.to.match(/^effect_retries_total\{kind="send_email"\}/m);
    expect(metrics).not.to.match(/^effect_failures_total\{kind="send_email"\}/m);
    expect(metrics).to.match(/^mail_send_limited_total\{daily="true"\} [1-9]/m);
    expect(new Set(gmail.sent().map((m) => m.messageId)).size).to.equal(4);
  });

  it('answers a reply before the opening emails waiting in the queue', async () => {
    const t = await start({ SEND_PER_DAY: '2', SEND_PER_MINUTE: '60' });
    await createCampaign(t, glowCampaign({ influencers: influencers(4) }));
    await until(async () => gmail.sends === 2);
    const [first] = gmail.sent();
    await gmail.deliver({
      from: first.to,
      to: AGENT,
      subject: `Re: ${first.subject}`,
      text: 'Could we do $2,300 instead?',
      threadId: first.threadId,
      inReplyTo: first.messageId,
      references: [first.messageId],
    });
    await push(t);
    await sleep(500); // the answer is composed and waits for the day's cap like the openings
    expect(gmail.sends).to.equal(2);
    await advance(t, 24);
    await until(async () => gmail.sends === 4);
    const [, , third] = gmail.sent();
    expect(third.threadId, 'the first email of the new day answers the reply').to.equal(first.threadId);
  });
});
