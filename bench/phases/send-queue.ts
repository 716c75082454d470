import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { type FakeGmail, startFakeGmail } from '../../test/support/fake-gmail.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../../test/support/fake-google-auth.ts';
import { fakeGmailEnv } from '../../test/support/gmail-agent-env.ts';
import { cpuMeter, cpuMsPer, cpuNote } from '../lib/cpu.ts';
import { percentile } from '../lib/http.ts';
import { fmt } from '../lib/report.ts';
import { cleanup, freePort, installCleanup, ROOT, spawnNode, tempDir, vmRss, waitReady } from '../lib/processes.ts';
import { influencers } from '../lib/scenarios.ts';
import type { Target } from '../lib/targets.ts';

const AGENT = 'deals@agency.example';
const AUDIENCE = 'https://agent.example/webhooks/gmail';
const PUSHER = 'gmail-push@project.iam.gserviceaccount.com';
const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface QueuePhaseResult {
  rows: [metric: string, value: string, note?: string][];
  targets: Target[];
  problems: string[];
}

export async function sendQueuePhase(count = Number(process.env.BENCH_QUEUE_INFLUENCERS ?? 10_000)) {
  const dir = tempDir('bench-queue-');
  let offsetMs = 0;
  const gmail = await startFakeGmail({ emailAddress: AGENT, now: () => Date.now() + offsetMs });
  const google = await startFakeGoogleAuth();
  const port = await freePort();
  const child = await spawnNode({
    script: join(ROOT, 'server', 'main.ts'),
    cwd: dir,
    logFile: join(dir, 'queue-agent.log'),
    port,
    env: {
      AGENT_MODE: 'sandbox',
      DATA_DIR: join(dir, 'data'),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      SHEETS_DIR: join(dir, 'sheets'),
      SHEET_POLL_SECONDS: '0',
      ...fakeGmailEnv({ gmail, google }, dir, { audience: AUDIENCE, account: PUSHER }),
      GMAIL_POLL_SECONDS: '86400',
      // The Workspace defaults (20 a minute, 1,800 a rolling day); follow-ups after a week, past the openings.
      FOLLOW_UP_AFTER_HOURS: '168',
      STALE_AFTER_HOURS: '168',
    },
  });
  const result: QueuePhaseResult = { rows: [], targets: [], problems: [] };
  try {
    await waitReady(child);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${child.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const mb = (pid: number) => Math.round(vmRss(pid) / 1_048_576);
    const rssBefore = mb(child.pid);

    // 1. Intake while /health is polled.
    const campaign = {
      id: 'cmp-queue',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      budget: '100000000',
      cpmTarget: '25',
      cpmLeniency: '20',
      influencers: influencers(count, 'Creator', 'example.com'),
    };
    const t0 = performance.now();
    const intakeMeter = cpuMeter(child.pid);
    let posted = false;
    const posting = api('POST', '/api/v1/campaigns', campaign).finally(() => {
      posted = true;
    });
    const health: number[] = [];
    let rssPeak = rssBefore;
    let answeredMs = 0;
    let checked = 0;
    // Accepted (202) and then created in chunks: the intake lasts until every opening email is queued or sent.
    const allQueued = async () => {
      const q = (await api('GET', '/api/v1/campaigns/cmp-queue/queue')).body as { queued: number; sentLast24h: number };
      return q.queued + q.sentLast24h >= count;
    };
    for (;;) {
      if (posted && !answeredMs) answeredMs = performance.now() - t0;
      if (posted && performance.now() - checked > 500) {
        checked = performance.now();
        if (await allQueued()) break;
      }
      const started = performance.now();
      const res = await fetch(`${child.url}/health`);
      await res.arrayBuffer();
      health.push(performance.now() - started);
      rssPeak = Math.max(rssPeak, mb(child.pid));
      await sleep(5);
    }
    const created = await posting;
    const intakeMs = performance.now() - t0;
    const intakeCpu = intakeMeter();
    const cpuRow: [string, string, string] = [
      'agent CPU during the intake (per negotiation created and queued; cores)',
      `${fmt.n(cpuMsPer(intakeCpu, count), 2)} ms; ${intakeCpu.agent.toFixed(2)} cores`,
      `${(count / (intakeMs / 1000)).toFixed(0)} negotiations/s; ${cpuNote(intakeCpu)}`,
    ];
    if (created.status !== 201 && created.status !== 202) throw new Error(`campaign POST answered ${created.status}`);
    const rssAfterIntake = mb(child.pid);
    if (process.env.BENCH_QUEUE_INTAKE_ONLY) {
      // Only the intake (the drive takes about 20 minutes at 10,000): what it answered, /health and RSS meanwhile.
      await sleep(5_000);
      const h = { p50: percentile(health, 50), p99: percentile(health, 99), max: Math.max(...health) };
      const body = created.body as { negotiations?: unknown[]; skipped?: unknown[] };
      result.rows.push(
        [
          'POST',
          `${created.status} after ${(answeredMs / 1000).toFixed(1)} s, all queued after ${(intakeMs / 1000).toFixed(1)} s`,
        ],
        ['GET /health (p50 / p99 / max)', `${h.p50.toFixed(1)} / ${h.p99.toFixed(1)} / ${h.max.toFixed(1)} ms`],
        cpuRow,
        [
          'RSS: before / peak / after / 5 s later',
          `${rssBefore} / ${rssPeak} / ${rssAfterIntake} / ${mb(child.pid)} MB`,
        ],
        ['answered', `${body.negotiations?.length} negotiations, ${body.skipped?.length} skipped`],
      );
      result.rows.push(await heapRow(child.url));
      return result;
    }

    // 2. Drive the clock from one send time to the next until every opening email is out.
    const db = new Database(join(dir, 'data', 'agent.db'), { readonly: true, fileMustExist: true });
    const openingsSent = () => gmail.sent().filter((m) => m.inReplyTo == null).length;
    const replyAt = [0.1, 0.35, 0.6, 0.85].map((share) => Math.floor(count * share));
    let replies = 0;
    const simStart = Date.now() + offsetMs;
    const driveStarted = performance.now();
    let stalls = 0;
    while (openingsSent() < count) {
      const before = gmail.sends;
      const q = (await api('GET', '/api/v1/campaigns/cmp-queue/queue')).body.mailbox as { nextSendAt: string | null };
      const next = q.nextSendAt ? Date.parse(q.nextSendAt) : null;
      const now = Date.now() + offsetMs;
      if (next != null && next > now + 5) {
        // The fake Gmail's clock moves first: the agent sends as soon as its own clock has moved.
        const advanceHours = (next - now) / HOUR;
        offsetMs += Math.round(advanceHours * HOUR);
        const moved = (await api('POST', '/sandbox/clock', { advanceHours })).body;
        if (Math.round(Number(moved.offsetHours) * HOUR) !== offsetMs) throw new Error('clocks apart');
        // The next move waits until this send has reached Gmail: a move meanwhile would stamp it seconds late.
        const deadline = performance.now() + 1_000;
        while (gmail.sends === before && performance.now() < deadline) await sleep(1);
      }
      await sleep(2);
      if (gmail.sends === before && ++stalls > 20_000) throw new Error('the queue stopped sending');
      // Gmail pushes a notification for every mailbox change, our own sends included: the agent reads as it goes.
      if (gmail.sends % 10 === 0 && gmail.sends !== before) await push(gmail, google, child.url);
      if (replyAt.length && openingsSent() >= replyAt[0]) {
        replyAt.shift();
        replies += await replyToSome(gmail, google, child.url, 10);
      }
    }
    // The answers to the last replies go out before anything else waiting.
    await sleep(500);
    const driveMs = performance.now() - driveStarted;
    const simDays = (Date.now() + offsetMs - simStart) / (24 * HOUR);
    const rssEnd = mb(child.pid);
    const heapEnd = await heapRow(child.url);

    // 3. Judge.
    const sent = gmail.sent();
    const openings = sent.filter((m) => m.inReplyTo == null);
    const perInfluencer = new Map<string, number>();
    for (const m of openings) perInfluencer.set(m.to, (perInfluencer.get(m.to) ?? 0) + 1);
    const onceEach = [...perInfluencer.values()].filter((n) => n === 1).length;
    const doubled = [...perInfluencer.values()].filter((n) => n > 1).length;
    const escalatedByLimits = db
      .prepare(
        `SELECT COUNT(*) FROM timeline WHERE type = 'escalation' AND (data LIKE '%could not be sent%' OR data LIKE '%imit%')`,
      )
      .pluck()
      .get() as number;
    const escalations = db.prepare("SELECT COUNT(*) FROM negotiations WHERE state = 'escalated'").pluck().get();
    // An answer never waits behind an opening: no opening went out between its enqueueing and its sending.
    const answersBehind = db
      .prepare(
        `SELECT COUNT(*) FROM send_queue a WHERE a.priority = 0 AND a.sent_at IS NOT NULL AND EXISTS (
           SELECT 1 FROM send_queue o WHERE o.priority = 2 AND o.sent_at > a.enqueued_at AND o.sent_at < a.sent_at)`,
      )
      .pluck()
      .get() as number;
    const answers = db
      .prepare('SELECT COUNT(*) FROM send_queue WHERE priority = 0 AND sent_at IS NOT NULL')
      .pluck()
      .get() as number;
    // Follow-up deadlines count from the real send time (the queue's), not from the campaign's start.
    const offDeadlines = db
      .prepare(
        `SELECT COUNT(*) FROM negotiations n JOIN send_queue q ON q.negotiation_id = n.id AND q.priority = 2
         WHERE n.state = 'awaiting_reply' AND ABS(n.next_deadline_at - (q.sent_at + 168 * 3600000)) > 60000`,
      )
      .pluck()
      .get() as number;
    db.close();
    const h = { p50: percentile(health, 50), p99: percentile(health, 99), max: Math.max(...health) };
    const refused = gmail.quotaRefusals.filter((r) => r.route === 'messages.send').length;
    result.rows.push(
      [
        `${count.toLocaleString('en-US')}-influencer campaign: POST -> ${created.status}, then every opening queued`,
        `${(answeredMs / 1000).toFixed(1)} s, ${(intakeMs / 1000).toFixed(1)} s`,
      ],
      [
        'GET /health during intake (p50 / p99 / max)',
        `${h.p50.toFixed(1)} / ${h.p99.toFixed(1)} / ${h.max.toFixed(1)} ms`,
        `${health.length} polls`,
      ],
      cpuRow,
      [
        'RSS: before / peak during intake / after intake / end',
        `${rssBefore} / ${rssPeak} / ${rssAfterIntake} / ${rssEnd} MB`,
        `growth ${rssEnd - rssBefore} MB with ${count} negotiations waiting or sent`,
      ],
      heapEnd,
      [
        'opening emails sent (once each / doubled)',
        `${openings.length} (${onceEach} / ${doubled})`,
        `over ${simDays.toFixed(1)} simulated days, ${(driveMs / 1000).toFixed(0)} s real`,
      ],
      ['answers to replies (behind an opening email)', `${answers} (${answersBehind})`, `${replies} replies`],
      [
        'Gmail refusals for quota (sends / reads)',
        `${refused} / ${gmail.quotaRefusals.length - refused}`,
        [...new Set(gmail.quotaRefusals.map((r) => `${r.route} ${r.reason}`))].join(', '),
      ],
      ['escalations (caused by limits)', `${escalations} (${escalatedByLimits})`],
      ['follow-up deadlines not counted from the real send time', String(offDeadlines)],
    );
    const t = (id: string, what: string, measured: number, goal: number, unit = '', kind: 'max' | 'min' = 'max') =>
      result.targets.push({ id, what, kind, goal, unit, measured });
    t('queue-refused', 'sends refused by Gmail for quota', refused, 0);
    t('queue-escalations', 'escalations caused by limits', escalatedByLimits, 0);
    t('queue-once', 'influencers emailed exactly once', onceEach, count, '', 'min');
    t('queue-doubled', 'influencers emailed twice or more', doubled, 0);
    t('queue-priority', 'answers sent behind an opening email', answersBehind, 0);
    t('queue-health-p99', '/health p99 during a 10,000-influencer intake', h.p99, 50, 'ms');
    t('queue-health-max', '/health max during a 10,000-influencer intake', h.max, 250, 'ms');
    result.targets.push({
      id: 'queue-rss',
      what: 'RSS growth, 10,000-influencer campaign (intake to last opening email)',
      kind: 'info',
      goal: 0,
      unit: 'MB',
      measured: rssEnd - rssBefore,
    });
  } finally {
    await child.stop();
    await gmail.close();
    await google.close();
  }
  return result;
}

/** n influencers who got their opening email answer it (a counter-offer), announced by a Gmail push. */
async function replyToSome(gmail: FakeGmail, google: FakeGoogleAuth, url: string, n: number): Promise<number> {
  const answered = new Set(
    gmail
      .sent()
      .filter((m) => m.inReplyTo != null)
      .map((m) => m.threadId),
  );
  const openings = gmail.sent().filter((m) => m.inReplyTo == null && !answered.has(m.threadId));
  for (const m of openings.slice(-n)) {
    await gmail.deliver({
      from: m.to,
      to: AGENT,
      subject: `Re: ${m.subject}`,
      text: 'Could we do $2,300 instead?',
      threadId: m.threadId,
      inReplyTo: m.messageId,
      references: [m.messageId],
    });
  }
  await push(gmail, google, url);
  return Math.min(n, openings.length);
}

/** A Gmail push notification (Pub/Sub, signed by the fake Google) for the mailbox's current history id. */
async function push(gmail: FakeGmail, google: FakeGoogleAuth, url: string) {
  const data = Buffer.from(JSON.stringify({ emailAddress: AGENT, historyId: Number(gmail.historyId) })).toString(
    'base64',
  );
  const bearer = google.signIdToken({ aud: AUDIENCE, email: PUSHER, email_verified: true });
  const res = await fetch(`${url}/webhooks/gmail`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ message: { data, messageId: `m-${gmail.historyId}` }, subscription: 's' }),
  });
  await res.arrayBuffer();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  installCleanup();
  const r = await sendQueuePhase();
  for (const [metric, value, note] of r.rows) process.stdout.write(`${metric}: ${value}${note ? ` (${note})` : ''}\n`);
  for (const t of r.targets) process.stdout.write(`target ${t.id}: ${t.measured} ${t.unit} (${t.kind} ${t.goal})\n`);
  cleanup();
}

/** The agent's V8 heap from its /metrics: what RSS holds of live objects (RSS also keeps what V8 grew and kept). */
async function heapRow(url: string): Promise<[string, string]> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) =>
    Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]) / 1_048_576);
  return [
    'V8 heap used / total, external (MB)',
    `${gauge('nodejs_heap_size_used_bytes')} / ${gauge('nodejs_heap_size_total_bytes')}, ${gauge('nodejs_external_memory_bytes')}`,
  ];
}
