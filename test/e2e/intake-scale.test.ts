/**
 * Intake at scale (decisions D20): a 5,000-influencer campaign is accepted while /health keeps answering, every
 * row becomes exactly one negotiation, and the opening emails wait in the send queue within the caps (a realistic
 * daily cap on the sandbox mailbox) instead of going out all at once. Generous bounds: the bench has the strict ones.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { createCampaign, until, waitForState } from '../support/e2e.ts';

const N = 5_000;
let t: TestAgent;
let dataDir: string;

function influencers(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    name: `Creator ${i + 1}`,
    email: `creator${i + 1}@example.com`,
    platform: 'instagram',
    handle: `@creator${i + 1}`,
    averageViews: 50_000 + i,
    engagementRate: 4.5,
  }));
}

/** Polls /health until `done` resolves; returns every latency in ms. */
async function pollHealth(url: string, done: Promise<unknown>): Promise<number[]> {
  let finished = false;
  done.finally(() => {
    finished = true;
  });
  const latencies: number[] = [];
  while (!finished) {
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    expect(res.status).to.equal(200);
    await res.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, 10));
  }
  return latencies;
}

describe('e2e: intake at scale', function () {
  this.timeout(120_000);
  beforeEach(async () => {
    dataDir = tempDir('intake-scale-');
    t = await startTestAgent({ SEND_PER_MINUTE: '20', SEND_PER_DAY: '1800' }, dataDir);
  });
  afterEach(async () => {
    await t.stop();
    removeDir(dataDir);
  });

  it('stays responsive while it is created, creates each influencer once, and queues the openings within the caps', async () => {
    const posting = t.call('POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(N) }));
    const latencies = await pollHealth(t.url, posting);
    const res = await posting;
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(202); // accepted; created in chunks after
    expect(res.body.negotiations).to.have.length(N);
    expect(
      new Set(res.body.negotiations.map((n: { influencer: { email: string } }) => n.influencer.email)).size,
    ).to.equal(N);
    expect(res.body.skipped).to.deep.equal([]);
    expect(latencies.length).to.be.greaterThan(5);
    expect(Math.max(...latencies), 'slowest /health during intake (ms)').to.be.lessThan(2_000);
    // The openings wait for their turn (composed as it nears): a handful go out, the rest is queued.
    const queue = await until(async () => {
      const q = (await t.call('GET', '/api/v1/campaigns/cmp-1/queue')).body;
      return q.queued + q.sentLast24h === N ? q : undefined;
    }, 90_000);
    expect(queue.sentLast24h).to.be.lessThan(30);
    expect(queue.mailbox.waitingFor).to.equal('minute cap');
    const health = performance.now();
    expect((await fetch(`${t.url}/health`)).status).to.equal(200);
    expect(performance.now() - health).to.be.lessThan(1_000);
    expect((await t.call('GET', '/ready')).status).to.equal(200);
  });

  it('creates a big campaign asleep: each opening email is composed only as its turn nears, across restarts', async () => {
    await t.restart({ SEND_PER_MINUTE: '60000', SEND_PER_DAY: '60' });
    const created = await createCampaign(t, glowCampaign({ influencers: influencers(150) }), 202);
    expect(created.negotiations).to.have.length(150);
    const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    const sent = () => count('SELECT COUNT(*) FROM send_queue WHERE sent_at IS NOT NULL');
    const composed = () => count("SELECT COUNT(*) FROM effects WHERE kind = 'compose'");
    await until(async () => sent() === 60);
    await new Promise((r) => setTimeout(r, 300));
    // The day's 60 and the few woken next in line: the others are stored only, neither composing nor in memory.
    expect(composed()).to.be.within(60, 90);
    expect((await t.call('GET', '/api/v1/campaigns/cmp-1/queue')).body).to.include({ queued: 90, sentLast24h: 60 });
    const firstDay = (await t.call('GET', '/sandbox/mail')).body as { to: string }[];
    const rank = (m: { to: string }) => Number(/\d+/.exec(m.to)?.[0]);
    expect(Math.max(...firstDay.map(rank)), 'the first of the list go first').to.be.at.most(90);
    await t.restart();
    expect(t.agent.bootStats.restored, 'the asleep ones are not restored at boot').to.be.at.most(30);
    for (let day = 0; day < 2; day++) {
      expect((await t.call('POST', '/sandbox/clock', { advanceHours: 24 })).status).to.equal(200);
      await until(async () => sent() === Math.min(150, 120 + day * 30) || undefined, 20_000);
    }
    for (const n of created.negotiations) await waitForState(t, n.id, 'awaiting_reply');
    expect(composed()).to.equal(150);
    db.close();
    const mails = (await t.call('GET', '/sandbox/mail')).body as { to: string }[];
    expect(mails).to.have.length(150);
    expect(new Set(mails.map((m) => m.to)).size, 'each emailed once').to.equal(150);
  });

  it('goes on creating an accepted campaign after a restart; a re-post meanwhile starts nobody twice', async () => {
    const body = glowCampaign({ influencers: influencers(2_000) });
    expect((await t.call('POST', '/api/v1/campaigns', body)).status).to.equal(202);
    const again = await t.call('POST', '/api/v1/campaigns', body);
    expect(again.status).to.equal(200);
    await t.restart();
    const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    await until(async () => count('SELECT COUNT(*) FROM negotiations') === 2_000 || undefined, 60_000);
    expect(count('SELECT COUNT(DISTINCT influencer_email) FROM negotiations')).to.equal(2_000);
    expect(count('SELECT COUNT(*) FROM intake_rows')).to.equal(0);
    expect(count('SELECT COUNT(*) FROM send_queue')).to.equal(2_000);
    db.close();
  });

  it('puts waiting negotiations of small campaigns to sleep beyond a few dozen, and wakes each for its turn', async () => {
    await t.restart({ SEND_PER_MINUTE: '60000', SEND_PER_DAY: '60', FOLLOW_UP_AFTER_HOURS: '720' });
    const all = influencers(240);
    for (let c = 0; c < 3; c++) {
      const body = glowCampaign({ id: `cmp-small-${c}`, influencers: all.slice(c * 80, (c + 1) * 80) });
      await createCampaign(t, body, 201); // up to 100 new start at once, live
    }
    const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    const sent = () => count('SELECT COUNT(*) FROM send_queue WHERE sent_at IS NOT NULL');
    await until(async () => sent() === 60);
    // 180 wait for tomorrow; no more than a few dozen of them in memory, the rest asleep (released).
    await until(async () => count('SELECT COUNT(*) FROM send_queue WHERE asleep = 1 AND sent_at IS NULL') >= 100);
    for (let day = 1; day <= 3; day++) {
      expect((await t.call('POST', '/sandbox/clock', { advanceHours: 24 })).status).to.equal(200);
      await until(async () => sent() === 60 * (day + 1) || undefined, 20_000);
    }
    db.close();
    const mails = (await t.call('GET', '/sandbox/mail')).body as { to: string }[];
    expect(mails).to.have.length(240);
    expect(new Set(mails.map((m) => m.to)).size, 'each emailed once').to.equal(240);
  });
});
