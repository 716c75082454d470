/**
 * Shared driver of the reliability suites (`*.reliability.ts`): scripted influencers negotiate with the real
 * service, started as a child process (`node server/main.ts`, sandbox mode), through its HTTP API. A supervisor
 * can SIGKILL the process at random moments (SANDBOX_CRASH_POINT at effect boundaries, or an outside kill -9)
 * and restarts it on the same data; the script carries on like a retrying sender (replies are re-posted with
 * the same Message-ID until acknowledged, the clock is moved to an absolute target).
 *
 * The script runs in steps; every negotiation is settled (nothing busy, inbox empty, no deadline due) before the
 * next step, so a run with kills can be compared negotiation by negotiation with an uninterrupted run.
 *
 * The script is in harness-script.ts, the kill plan and supervisor in harness-supervisor.ts, the database reads in
 * harness-databases.ts and the checks over a finished run in harness-checks.ts.
 */
import { join } from 'node:path';
import { removeDir, tempDir } from '../support/agent.ts';
import { HOUR_MS, STEPS, STEP_WEIGHTS, type Script, replyText, sleep } from './harness-script.ts';
import { KillPlan, type KillRecord, Supervisor } from './harness-supervisor.ts';
import { type SettleState, clockOffset, read, settleState } from './harness-databases.ts';

// ---------------------------------------------------------------------------------------------------------------
// Running a script.

export interface RunOptions {
  label: string;
  script: Script;
  env?: Record<string, string>;
  /** Kill the service (seeded plan), at most `kills` times spread over the steps. */
  kill?: { seed: number; kills: number };
  settleTimeoutMs?: number;
  keepDataDir?: boolean;
  /** Called once the last step settled, with the service still up. */
  atEnd?: (supervisor: Supervisor, dataDir: string) => Promise<void>;
}

export interface SentEmail {
  kind: string;
  rateCents: number | null;
  messageId: string;
  round: number; // the negotiation's round when it was sent (counters and answers sent before it)
}

export interface NegotiationResult {
  key: string;
  template: string;
  id: string;
  state: string;
  agreedCents: number | null;
  lastOfferCents: number | null;
  theirAskCents: number | null;
  round: number;
  failure: string | null;
  escalationReason: string | null;
  sent: SentEmail[];
  received: string[];
  transitions: string[];
  escalations: string[];
  notifyErrors: number;
  actorErrors: number;
  slack: string[];
  mailbox: string[];
}

export interface RunResult {
  label: string;
  seconds: number;
  stepSeconds: Record<string, number>;
  negotiations: Map<string, NegotiationResult>;
  posted: Map<string, string[]>;
  unpostable: string[];
  /** 5xx answers to reply posts (each retried until accepted). */
  serverErrors: string[];
  mailboxOut: string[];
  recordedSends: string[];
  faultLog: Record<string, number>;
  /** Message-IDs per fault_log kind (send attempts and injected send faults). */
  faultIds: Record<string, string[]>;
  duplicateSendAttempts: string[];
  deadLetters: number;
  parked: number;
  /** Journaled effects by kind: how many, and how many needed more than one attempt (interrupted or failed). */
  effects: Record<string, { total: number; retried: number; open: number }>;
  metrics: string;
  kills: KillRecord[];
  lifetimes: string[];
  dataDir: string;
}

export async function runScript(options: RunOptions): Promise<RunResult> {
  const dataDir = tempDir(`reliability-${options.label}-`);
  const env = {
    DATA_DIR: dataDir,
    SHEETS_DIR: join(dataDir, 'sheets'),
    SHEET_POLL_SECONDS: '0',
    EFFECT_RETRY_BASE_MS: '10',
    ...options.env,
  };
  const plan = options.kill ? new KillPlan(options.kill.seed) : null;
  const supervisor = new Supervisor(env, plan, join(dataDir, 'service.log'));
  const started = performance.now();
  let failed = false;
  const stepSeconds: Record<string, number> = {};
  const posted = new Map<string, string[]>();
  const unpostable: string[] = [];
  const serverErrors: string[] = [];
  const { script } = options;
  // The kill budget left is spread over the steps left by their share of the work; once spent, the remaining
  // steps run (and are checked) without kills.
  const quota = (index: number) => {
    if (!options.kill) return 0;
    const left = options.kill.kills - supervisor.kills.length;
    const rest = STEP_WEIGHTS.slice(index).reduce((a, b) => a + b, 0);
    return Math.max(0, Math.ceil((left * STEP_WEIGHTS[index]) / rest));
  };
  try {
    supervisor.beginStep('create', quota(0));
    await supervisor.start();
    const threads = new Map<string, string>();
    for (const [index, step] of STEPS.entries()) {
      const stepStarted = performance.now();
      supervisor.beginStep(step, quota(index));
      let stepIds: string[] = [];
      if (step === 'create') {
        for (const campaign of script.campaigns) {
          const res = await supervisor.call('POST', '/api/v1/campaigns', campaign);
          if (res.status !== 201 && res.status !== 200) throw new Error(`campaign ${campaign.id}: ${res.text}`);
        }
      } else if (step.startsWith('reply:')) {
        const k = Number(step.slice('reply:'.length));
        const jobs = script.personas.flatMap((p) => {
          const text = replyText(p, k);
          return text ? [{ p, text, messageId: `<${p.campaignId}.${p.email.split('@')[0]}.r${k}@creators.test>` }] : [];
        });
        stepIds = jobs.map((j) => j.messageId);
        await pool(jobs, 6, async ({ p, text, messageId }) => {
          const thread = threads.get(p.key);
          if (!thread) {
            unpostable.push(`${p.key} r${k}`); // no thread: its outreach was never sent (an escalated start)
            return;
          }
          const body = { from: `${p.name} <${p.email}>`, threadId: thread, text, messageId };
          let res = await supervisor.call('POST', '/sandbox/mail', body);
          // A 5xx is retried like a mail push (the same Message-ID: a no-op once stored), and counted.
          for (let retry = 0; res.status >= 500 && retry < 20; retry++) {
            serverErrors.push(`${messageId}: ${res.status} ${res.text}`);
            await sleep(100);
            res = await supervisor.call('POST', '/sandbox/mail', body);
          }
          if (res.status !== 202) throw new Error(`reply ${messageId}: ${res.status} ${res.text}`);
          posted.set(p.key, [...(posted.get(p.key) ?? []), messageId]);
        });
        stepIds = stepIds.filter((id) => [...posted.values()].some((ids) => ids.includes(id)));
      } else {
        const target = Number(step.slice('clock:'.length)) * HOUR_MS;
        for (;;) {
          await supervisor.up();
          const now = clockOffset(dataDir);
          if (now >= target) break;
          // Not repeated blindly: the kill may have come after the move; the offset is read again first.
          await supervisor
            .call('POST', '/sandbox/clock', { advanceHours: (target - now) / HOUR_MS }, false)
            .catch(() => undefined);
        }
      }
      await settle(supervisor, dataDir, stepIds, script.personas.length, options.settleTimeoutMs ?? 120_000);
      if (step === 'create') {
        const list = await supervisor.call('GET', '/api/v1/negotiations?limit=1000');
        for (const n of list.body as { campaignId: string; threadId: string | null; influencer: { email: string } }[]) {
          if (n.threadId) threads.set(`${n.campaignId}/${n.influencer.email}`, n.threadId);
        }
      }
      stepSeconds[step] = round((performance.now() - stepStarted) / 1000);
    }
    supervisor.beginStep('collect', 0);
    supervisor.disarm();
    await options.atEnd?.(supervisor, dataDir);
    const metrics = (await supervisor.call('GET', '/metrics')).text;
    const seconds = round((performance.now() - started) / 1000);
    const result = collect(options.label, dataDir, script, posted, unpostable, metrics);
    return {
      ...result,
      serverErrors,
      seconds,
      stepSeconds,
      kills: supervisor.kills,
      lifetimes: supervisor.lifetimes,
    };
  } catch (error) {
    failed = true;
    throw new Error(`${options.label} run failed (data and service log kept in ${dataDir}): ${String(error)}`, {
      cause: error,
    });
  } finally {
    await supervisor.stop();
    if (!options.keepDataDir && !failed) removeDir(dataDir);
  }
}

export const round = (x: number) => Math.round(x * 10) / 10;

export async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Waits until every negotiation rests: all created, replies taken, nothing busy, no deadline due (twice in a row). */
export async function settle(
  supervisor: Supervisor,
  dataDir: string,
  postedIds: string[],
  expected: number,
  timeoutMs: number,
) {
  const until = Date.now() + timeoutMs;
  let calm = 0;
  let last: SettleState | undefined;
  while (calm < 2) {
    if (Date.now() > until) throw new Error(`${supervisor.step}: not settled in time: ${JSON.stringify(last)}`);
    await sleep(100);
    if (!supervisor.isUp()) {
      calm = 0;
      await supervisor.up();
      continue;
    }
    try {
      last = settleState(dataDir, postedIds);
    } catch {
      calm = 0;
      continue;
    }
    if (last.parked || last.deadLetters) throw new Error(`${supervisor.step}: ${JSON.stringify(last)}`);
    const rest =
      last.negotiations === expected &&
      last.busy === 0 &&
      last.pendingInbox === 0 &&
      last.due === 0 &&
      last.taken === postedIds.length;
    calm = rest ? calm + 1 : 0;
  }
}

export function collect(
  label: string,
  dataDir: string,
  script: Script,
  posted: Map<string, string[]>,
  unpostable: string[],
  metrics: string,
): Omit<RunResult, 'seconds' | 'stepSeconds' | 'kills' | 'lifetimes' | 'serverErrors'> {
  const sandbox = read(join(dataDir, 'sandbox.db'), (db) => {
    const mail = db
      .prepare(
        "SELECT message_id AS messageId, thread_id AS threadId FROM mail WHERE direction = 'out' ORDER BY history_id",
      )
      .all() as { messageId: string; threadId: string }[];
    const slack = db.prepare('SELECT negotiation_id AS negotiationId, kind FROM slack ORDER BY seq').all() as {
      negotiationId: string | null;
      kind: string;
    }[];
    const hasLog = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'fault_log'").get() !== undefined;
    const log = hasLog
      ? (db.prepare('SELECT kind, detail FROM fault_log ORDER BY id').all() as { kind: string; detail: string }[])
      : [];
    return { mail, slack, log };
  });
  const byTemplate = new Map(script.personas.map((p) => [p.key, p.template.name]));
  return read(join(dataDir, 'agent.db'), (db) => {
    const rows = db
      .prepare(
        `SELECT id, campaign_id AS campaignId, influencer_email AS email, state, agreed_cents AS agreedCents,
          last_offer_cents AS lastOfferCents, their_ask_cents AS theirAskCents, round, failure, thread_id AS threadId, snapshot
         FROM negotiations`,
      )
      .all() as {
      id: string;
      campaignId: string;
      email: string;
      state: string;
      agreedCents: number | null;
      lastOfferCents: number | null;
      theirAskCents: number | null;
      round: number;
      failure: string | null;
      threadId: string | null;
      snapshot: string;
    }[];
    const timeline = db.prepare('SELECT type, data FROM timeline WHERE negotiation_id = ? ORDER BY id');
    const negotiations = new Map<string, NegotiationResult>();
    const recordedSends: string[] = [];
    for (const r of rows) {
      const key = `${r.campaignId}/${r.email}`;
      const entries = (timeline.all(r.id) as { type: string; data: string }[]).map((e) => ({
        type: e.type,
        data: JSON.parse(e.data),
      }));
      let roundNow = 0;
      const sent: SentEmail[] = [];
      for (const e of entries.filter((x) => x.type === 'email_sent')) {
        sent.push({
          kind: e.data.kind,
          rateCents: e.data.rateCents ?? null,
          messageId: e.data.messageId,
          round: roundNow,
        });
        recordedSends.push(e.data.messageId);
        if (e.data.kind === 'counter' || e.data.kind === 'answer') roundNow++;
      }
      const escalation = JSON.parse(r.snapshot).context.escalation as { reason: string } | null;
      negotiations.set(key, {
        key,
        template: byTemplate.get(key) ?? '?',
        id: r.id,
        state: r.state,
        agreedCents: r.agreedCents,
        lastOfferCents: r.lastOfferCents,
        theirAskCents: r.theirAskCents,
        round: r.round,
        failure: r.failure,
        escalationReason: escalation?.reason ?? null,
        sent,
        received: entries.filter((e) => e.type === 'email_received').map((e) => e.data.messageId),
        transitions: entries.filter((e) => e.type === 'state_transition').map((e) => `${e.data.from}>${e.data.to}`),
        escalations: entries.filter((e) => e.type === 'escalation').map((e) => String(e.data.trigger)),
        notifyErrors: entries.filter((e) => e.type === 'error' && e.data.effect === 'notify').length,
        actorErrors: entries.filter((e) => e.type === 'error' && e.data.cause).length,
        slack: sandbox.slack
          .filter((m) => m.negotiationId === r.id)
          .map((m) => m.kind)
          .sort(),
        mailbox: sandbox.mail.filter((m) => m.threadId === r.threadId).map((m) => m.messageId),
      });
    }
    const faultLog: Record<string, number> = {};
    const faultIds: Record<string, string[]> = {};
    for (const e of sandbox.log) {
      faultLog[e.kind] = (faultLog[e.kind] ?? 0) + 1;
      faultIds[e.kind] = [...(faultIds[e.kind] ?? []), e.detail];
    }
    const n = (sql: string) => db.prepare(sql).pluck().get() as number;
    const effects: RunResult['effects'] = {};
    for (const e of db
      .prepare(
        `SELECT kind, COUNT(*) AS total, SUM(attempts > 1) AS retried, SUM(status <> 'done') AS open
         FROM effects GROUP BY kind`,
      )
      .all() as { kind: string; total: number; retried: number; open: number }[]) {
      effects[e.kind] = { total: e.total, retried: e.retried, open: e.open };
    }
    return {
      effects,
      label,
      negotiations,
      posted,
      unpostable,
      mailboxOut: sandbox.mail.map((m) => m.messageId),
      recordedSends,
      faultLog,
      faultIds,
      duplicateSendAttempts: sandbox.log.filter((e) => e.kind === 'send_duplicate').map((e) => e.detail),
      deadLetters: n('SELECT COUNT(*) FROM inbox WHERE failed IS NOT NULL'),
      parked: n('SELECT COUNT(*) FROM negotiations WHERE failure IS NOT NULL'),
      metrics,
      dataDir,
    };
  });
}
