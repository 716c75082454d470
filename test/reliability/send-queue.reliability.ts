import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { removeDir, tempDir } from '../support/agent.ts';
import { type FakeGmail, startFakeGmail } from '../support/fake-gmail.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../support/fake-google-auth.ts';
import { writeGmailToken } from '../support/gmail-agent-env.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

const COUNT = Number(process.env.RELIABILITY_QUEUE_INFLUENCERS ?? 120);
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`send queue reliability: ${COUNT} opening emails, kill -9 in the middle of the day's sending`, function () {
  this.timeout(300_000);
  let gmail: FakeGmail;
  let google: FakeGoogleAuth;
  let dataDir: string;
  let service: ServiceProcess | null = null;
  let offsetMs = 0;

  before(async () => {
    gmail = await startFakeGmail({ emailAddress: 'deals@agency.example', now: () => Date.now() + offsetMs });
    google = await startFakeGoogleAuth();
    dataDir = tempDir('queue-reliability-');
  });
  after(async () => {
    if (service) await kill9(service);
    await gmail.close();
    await google.close();
    removeDir(dataDir);
  });

  function env(crashPoint?: string): Record<string, string> {
    const tokenPath = writeGmailToken(dataDir);
    return {
      AGENT_MODE: 'sandbox',
      DATA_DIR: join(dataDir, 'data'),
      SHEETS_DIR: join(dataDir, 'sheets'),
      SHEET_POLL_SECONDS: '0',
      MAIL_PROVIDER: 'gmail',
      GMAIL_TOKEN_PATH: tokenPath,
      GMAIL_API_URL: gmail.rootUrl,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      GMAIL_POLL_SECONDS: '86400',
      SEND_PER_DAY: '50', // the campaign spans days: kills land mid-day and across the cap
      FOLLOW_UP_AFTER_HOURS: '720',
      EFFECT_RETRY_BASE_MS: '5',
      ...(crashPoint ? { SANDBOX_CRASH_POINT: crashPoint } : {}),
    };
  }

  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${service?.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the test reads the JSON through assertions
    return { status: res.status, body: (await res.json()) as any };
  }

  /** Moves the clock to the queue's next send time (the fake Gmail's first), until `done` or the service dies. */
  async function drive(done: () => boolean): Promise<'done' | 'died'> {
    for (let i = 0; i < 100_000; i++) {
      if (done()) return 'done';
      if (service?.child.exitCode !== null || service?.child.signalCode !== null) return 'died';
      try {
        const q = (await call('GET', '/api/v1/campaigns/cmp-1/queue')).body.mailbox;
        const next = q.nextSendAt ? Date.parse(q.nextSendAt) : null;
        const now = Date.now() + offsetMs;
        if (next != null && next > now + 5) {
          const advanceHours = (next - now) / HOUR;
          offsetMs += Math.round(advanceHours * HOUR);
          await call('POST', '/sandbox/clock', { advanceHours });
        }
      } catch {
        await sleep(20); // the service died under the request
      }
      await sleep(2);
    }
    throw new Error('the queue stopped sending');
  }

  const openings = () => gmail.sent().filter((m) => m.inReplyTo == null);

  /** (Re)starts the service and takes its clock offset (a kill can land between our move and its own). */
  async function restart(crashPoint?: string) {
    if (service) await kill9(service);
    service = await startService(env(crashPoint));
    const db = new Database(join(dataDir, 'data', 'sandbox.db'), { readonly: true });
    offsetMs = Number(db.prepare("SELECT value FROM settings WHERE key = 'clock.offset_ms'").pluck().get() ?? 0);
    db.close();
  }

  it('loses nothing and sends nothing twice', async () => {
    await restart();
    const influencers = Array.from({ length: COUNT }, (_, i) => ({
      name: `Creator ${i + 1}`,
      email: `creator${i + 1}@example.com`,
      platform: 'instagram',
      handle: `@creator${i + 1}`,
      averageViews: 80_000,
      engagementRate: 4.5,
    }));
    const created = await call('POST', '/api/v1/campaigns', {
      id: 'cmp-1',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      budget: '10000000',
      cpmTarget: '25',
      cpmLeniency: '20',
      influencers,
    });
    expect(created.status).to.equal(202); // accepted: more than 100 are created in chunks after the answer
    // Crash points at the send boundaries, then outside kills at random moments of the day's sending.
    const plan = ['before_mail_send:7', 'after_mail_send:5', 'before_mail_send:3', 'after_mail_send:9', null, null];
    let kills = 0;
    for (const crash of plan) {
      await restart(crash ?? undefined);
      if (crash) {
        expect(await drive(() => openings().length >= COUNT)).to.equal('died');
      } else {
        const target = openings().length + 5 + Math.floor(Math.random() * 10);
        await drive(() => openings().length >= Math.min(target, COUNT - 1));
        await sleep(Math.random() * 30);
      }
      kills++;
      console.log(
        `      ${crash ?? 'kill -9'}: ${openings().length} opening emails out (${gmail.sends} sends) at ${Math.round(performance.now() / 1000)} s`,
      );
    }
    await restart();
    expect(await drive(() => openings().length >= COUNT)).to.equal('done');
    await sleep(1_000); // anything doubled would show now
    const perInfluencer = new Map<string, number>();
    for (const m of openings()) perInfluencer.set(m.to, (perInfluencer.get(m.to) ?? 0) + 1);
    expect(kills).to.equal(plan.length);
    expect(perInfluencer.size, 'every influencer got an opening email').to.equal(COUNT);
    expect(
      [...perInfluencer.values()].filter((n) => n > 1),
      'nobody emailed twice',
    ).to.deep.equal([]);
    expect(new Set(gmail.sent().map((m) => m.messageId)).size).to.equal(gmail.sent().length);
    const states = await call('GET', '/api/v1/negotiations?campaign=cmp-1&limit=500');
    const byState = new Map<string, number>();
    for (const n of states.body) byState.set(n.state, (byState.get(n.state) ?? 0) + 1);
    expect(Object.fromEntries(byState)).to.deep.equal({ awaiting_reply: COUNT });
  });

  it('a kill -9 while an accepted campaign is being created loses no row and creates none twice', async () => {
    await restart();
    const n = 3_000;
    const influencers = Array.from({ length: n }, (_, i) => ({
      name: `Big ${i + 1}`,
      email: `big${i + 1}@example.com`,
      platform: 'instagram',
      averageViews: 80_000,
    }));
    const body = { id: 'cmp-big', client: 'Glow Skincare', platform: 'instagram', deliverables: '1 Instagram Reel' };
    const accepted = await call('POST', '/api/v1/campaigns', { ...body, cpmTarget: '25', influencers });
    expect(accepted.status).to.equal(202);
    await sleep(200 + Math.random() * 300); // the negotiations are being created in the background
    const db = () => new Database(join(dataDir, 'data', 'agent.db'), { readonly: true });
    const count = (sql: string) => {
      const d = db();
      const value = d.prepare(sql).pluck().get() as number;
      d.close();
      return value;
    };
    const created = () => count("SELECT COUNT(*) FROM negotiations WHERE campaign_id = 'cmp-big'");
    const atKill = created();
    await restart(); // kill -9, then a new process goes on from what is stored
    for (let i = 0; created() < n && i < 600; i++) await sleep(100);
    console.log(`      kill -9 with ${atKill} of ${n} created; after the restart: ${created()}`);
    expect(created()).to.equal(n);
    expect(count("SELECT COUNT(DISTINCT influencer_email) FROM negotiations WHERE campaign_id = 'cmp-big'")).to.equal(
      n,
    );
    expect(count('SELECT COUNT(*) FROM intake_rows')).to.equal(0);
    expect(count("SELECT COUNT(*) FROM send_queue WHERE campaign_id = 'cmp-big'")).to.equal(n);
  });
});
