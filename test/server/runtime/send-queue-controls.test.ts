/**
 * A pause or stop takes back an email still waiting in the send queue (decisions D20): nothing is in the
 * mailbox's hands, so it applies at once and the email never goes out. A stopped campaign sends no more openings,
 * however long its queue was; a paused negotiation's email waits again once resumed and goes out exactly once.
 */
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../../support/agent.ts';
import { control, createCampaign, mail, negotiation, until } from '../../support/e2e.ts';

function influencers(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    name: `Creator ${i + 1}`,
    email: `creator${i + 1}@example.com`,
    platform: 'instagram',
    averageViews: 80_000,
  }));
}

describe('send queue: pause and stop take back a waiting email (D20)', () => {
  let t: TestAgent;
  let dir: string;
  beforeEach(async () => {
    dir = tempDir('queue-controls-');
    t = await startTestAgent({ SEND_PER_DAY: '1' }, dir); // one email a day: the others wait in the queue
  });
  afterEach(async () => {
    await t.stop();
    removeDir(dir);
  });

  it('a stopped campaign sends none of its waiting openings, even days later', async () => {
    const created = await createCampaign(t, glowCampaign({ id: 'cmp-q', influencers: influencers(3) }));
    await until(async () => (await mail(t)).length === 1);
    const stop = await t.call('POST', '/api/v1/campaigns/cmp-q/stop', {});
    expect(stop.status, JSON.stringify(stop.body)).to.equal(200);
    for (const n of created.negotiations) {
      const state = (await negotiation(t, n.id)).state;
      expect(state, n.id).to.equal('stopped');
    }
    expect((await t.call('POST', '/sandbox/clock', { advanceHours: 72 })).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mail(t)).to.have.length(1);
    const queue = await t.call('GET', '/api/v1/campaigns/cmp-q/queue');
    expect(queue.body.queued).to.equal(0);
  });

  it('a paused negotiation gives its turn back; resumed, its email waits again and goes out once', async () => {
    const created = await createCampaign(t, glowCampaign({ id: 'cmp-p', influencers: influencers(2) }));
    const sent = await until(async () => {
      const all = await mail(t);
      return all.length === 1 ? all : undefined;
    });
    const waiting = created.negotiations.find(
      (n: { influencer: { email: string } }) => n.influencer.email !== sent[0].to,
    );
    if (!waiting) throw new Error('no negotiation waits');
    const paused = await control(t, waiting.id, 'pause');
    expect(paused.body.state, JSON.stringify(paused.body)).to.equal('paused');
    expect((await t.call('POST', '/sandbox/clock', { advanceHours: 25 })).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mail(t, { to: waiting.influencer.email })).to.have.length(0); // paused: nothing went out
    // Back in the queue; a day has passed, so its turn comes at once (the same email: same key, sent once).
    const resumed = await control(t, waiting.id, 'resume');
    expect(resumed.body.state).to.be.oneOf(['initial_offer', 'awaiting_reply']);
    await until(async () => (await mail(t, { to: waiting.influencer.email })).length === 1);
    expect((await t.call('POST', '/sandbox/clock', { advanceHours: 25 })).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mail(t, { to: waiting.influencer.email })).to.have.length(1);
    expect((await negotiation(t, waiting.id)).state).to.equal('awaiting_reply');
  });
});
