/**
 * Shared driver of the reliability suites (`*.reliability.ts`): scripted influencers negotiate with the real
 * service, started as a child process (`node server/main.ts`, sandbox mode), through its HTTP API. A supervisor
 * can SIGKILL the process at random moments (SANDBOX_CRASH_POINT at effect boundaries, or an outside kill -9)
 * and restarts it on the same data; the script carries on like a retrying sender (replies are re-posted with
 * the same Message-ID until acknowledged, the clock is moved to an absolute target).
 *
 * The script runs in steps; every negotiation is settled (nothing busy, inbox empty, no deadline due) before the
 * next step, so a run with kills can be compared negotiation by negotiation with an uninterrupted run.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seededRandom } from '../../services/sandbox/faults.ts';
import { removeDir, tempDir } from '../support/agent.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';

export const HOUR_MS = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// The script: campaigns, influencers and what each of them answers at each step.

/** Steps of every run. `reply:k` = each influencer's k-th scripted reply (if any); `clock:h` = sandbox clock at +h. */
export const STEPS = [
  'create',
  'reply:0',
  'reply:1',
  'reply:2',
  'clock:73',
  'reply:3',
  'clock:146',
  'reply:4',
] as const;
export type Step = (typeof STEPS)[number];
/** How much of the work (and so of the kills) each step has, roughly. */
const STEP_WEIGHTS = [4, 5, 3, 2, 1, 2, 1, 1];

const usd = (dollars: number) => `$${Math.round(dollars).toLocaleString('en-US')}`;
type Line = string | null | ((openingDollars: number) => string);
const ask =
  (factor: number, words = "I'd do it for") =>
  (o: number) =>
    `${words} ${usd(o * factor)}.`;

/**
 * Influencer behaviours (replies by `reply:k` step; null = silence). Amounts are relative to the opening offer O;
 * each campaign's max cost without approval is 1.15 O (below its CPM ceiling of 1.2 O).
 */
export const TEMPLATES: { name: string; replies: Line[]; expect: string }[] = [
  { name: 'accept', replies: ["Sounds great, let's do it!"], expect: 'agreed' },
  { name: 'counter_in_range_then_accept', replies: [ask(1.1), 'Sounds great, deal!'], expect: 'agreed' },
  {
    name: 'two_counters_then_close',
    replies: [ask(1.15, 'Could you do'), ask(1.14, 'How about'), ask(1.13, 'Final from me:')],
    expect: 'agreed',
  },
  { name: 'above_ceiling', replies: [ask(1.6, 'My rate for this package is')], expect: 'escalated' },
  { name: 'reject', replies: ["Thanks, but I'll pass on this one."], expect: 'rejected' },
  {
    name: 'question_then_accept',
    replies: ['When would the content need to go live?', 'Perfect, count me in.'],
    expect: 'agreed',
  },
  { name: 'silent', replies: [], expect: 'stale' },
  {
    name: 'silent_then_accept_after_follow_up',
    replies: [null, null, null, "Sorry for the slow reply, sounds good, let's do it."],
    expect: 'agreed',
  },
  { name: 'counter_then_silent', replies: [ask(1.1)], expect: 'stale' },
  { name: 'legal', replies: ['Before we go on, my lawyer needs to review the contract terms.'], expect: 'escalated' },
  {
    name: 'above_ceiling_then_nudge',
    replies: [ask(1.6, 'My rate is'), null, 'Any update on this?'],
    expect: 'escalated',
  },
  {
    name: 'stale_then_revive',
    replies: [null, null, null, null, "Sorry, I was travelling. Sounds great, let's do it!"],
    expect: 'agreed',
  },
  {
    name: 'agreed_then_thanks',
    replies: ["Sounds great, let's do it!", 'Thank you so much, talk soon.'],
    expect: 'agreed',
  },
  { name: 'hostile', replies: ['Is this a joke? That offer is ridiculous.'], expect: 'escalated' },
  { name: 'counter_then_reject', replies: [ask(1.1), "I'll have to pass, thanks."], expect: 'rejected' },
  {
    name: 'two_questions_then_accept',
    replies: [
      'What would the posting schedule look like?',
      'Can the Stories go up on a weekend?',
      'Sounds great, deal!',
    ],
    expect: 'agreed',
  },
];

export interface Persona {
  key: string; // campaign/email: stable across runs (negotiation ids are random per run)
  campaignId: string;
  name: string;
  email: string;
  openingDollars: number;
  template: (typeof TEMPLATES)[number];
}

export interface Script {
  campaigns: Record<string, unknown>[];
  personas: Persona[];
}

const VIEWS = [60_000, 80_000, 100_000];

/** `count` negotiations in campaigns of `perCampaign`, behaviours dealt from a seeded shuffle. */
export function buildScript(count: number, perCampaign: number, seed: number): Script {
  const random = seededRandom(seed);
  const deck = Array.from({ length: count }, (_, i) => TEMPLATES[i % TEMPLATES.length]);
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  const campaigns: Record<string, unknown>[] = [];
  const personas: Persona[] = [];
  for (let c = 0; c * perCampaign < count; c++) {
    const views = VIEWS[c % VIEWS.length];
    const opening = (views * 25) / 1000; // $25 CPM target
    const id = `rel-${c + 1}`;
    const influencers = [];
    for (let i = c * perCampaign; i < Math.min(count, (c + 1) * perCampaign); i++) {
      const name = `Creator ${i + 1}`;
      const email = `creator${i + 1}@creators.test`;
      influencers.push({ name, email, platform: 'instagram', averageViews: views });
      personas.push({ key: `${id}/${email}`, campaignId: id, name, email, openingDollars: opening, template: deck[i] });
    }
    campaigns.push({
      id,
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      budget: '10000000',
      cpmTarget: '25',
      cpmLeniency: '20',
      maxCostWithoutApproval: (opening * 1.15).toFixed(2), // dollars and cents: the intake refuses more decimals
      influencers,
    });
  }
  return { campaigns, personas };
}

function replyText(p: Persona, k: number): string | null {
  const line = p.template.replies[k];
  if (line == null) return null;
  return typeof line === 'function' ? line(p.openingDollars) : line;
}

// ---------------------------------------------------------------------------------------------------------------
// Killing and restarting the service.

export type KillKind = 'after_persist' | 'before_mail_send' | 'after_mail_send' | 'reply_acknowledged' | 'external';
const CRASH_RANGES: Record<Exclude<KillKind, 'external'>, [number, number]> = {
  after_persist: [1, 12],
  before_mail_send: [1, 3],
  after_mail_send: [1, 3],
  reply_acknowledged: [1, 4],
};
const DECK: KillKind[] = [
  'after_persist',
  'after_persist',
  'reply_acknowledged', // dealt again when drawn in a step without replies
  'before_mail_send',
  'before_mail_send',
  'after_mail_send',
  'after_mail_send',
  'reply_acknowledged',
  'external',
  'external',
];

interface Lifetime {
  label: string;
  crashPoint?: string;
  /** An outside kill -9 this long after ready (a backup when a crash point is set and not reached). */
  killAfterMs?: number;
}

export interface KillRecord {
  step: string;
  how: 'crash_point' | 'crash_point_during_boot' | 'external' | 'external_backup';
  label: string;
  aliveMs: number;
}

/** Hands out kill configurations: a quota per step, kinds dealt from a shuffled deck (seeded). */
export class KillPlan {
  quota = 0;
  /** Replies are posted in this step (reply_acknowledged can be reached). */
  replies = false;
  private deck: KillKind[] = [];
  private readonly random: () => number;
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }
  between(lo: number, hi: number) {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  next(): Lifetime {
    if (this.quota <= 0) return { label: 'clean' };
    if (this.deck.length === 0) {
      this.deck = [...DECK];
      for (let i = this.deck.length - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        [this.deck[i], this.deck[j]] = [this.deck[j], this.deck[i]];
      }
    }
    const kind = this.deck.pop() as KillKind;
    if (kind === 'reply_acknowledged' && !this.replies) return this.next();
    if (kind === 'external') return { label: 'external', killAfterMs: this.between(10, 250) };
    const [lo, hi] = CRASH_RANGES[kind];
    const point = `${kind}:${this.between(lo, hi)}`;
    return { label: point, crashPoint: point, killAfterMs: 1500 };
  }
}

/** Keeps one service process running on a data directory; with a kill plan, kills and restarts it. */
export class Supervisor {
  service: ServiceProcess | undefined;
  readonly kills: KillRecord[] = [];
  readonly lifetimes: string[] = [];
  unexpected: string | null = null;
  step = 'start';
  private ready: Promise<ServiceProcess> | undefined;
  private stopping = false;
  /** Per process: its kill timer, whether a kill is planned, and how it was killed from outside (if so). */
  private readonly killing = new WeakMap<
    ServiceProcess,
    { timer?: NodeJS.Timeout; armed: boolean; how?: KillRecord['how'] }
  >();

  private readonly env: Record<string, string>;
  readonly plan: KillPlan | null;
  private readonly logFile: string | undefined;

  constructor(env: Record<string, string>, plan: KillPlan | null, logFile?: string) {
    this.env = env;
    this.plan = plan;
    this.logFile = logFile;
  }

  start(): Promise<ServiceProcess> {
    this.ready = this.launch();
    return this.ready;
  }

  private async launch(): Promise<ServiceProcess> {
    for (let failures = 0; ; failures++) {
      const life = this.plan?.next() ?? { label: 'clean' };
      this.lifetimes.push(life.label);
      const env = { ...this.env, ...(life.crashPoint ? { SANDBOX_CRASH_POINT: life.crashPoint } : {}) };
      const bornAt = Date.now();
      try {
        const service = await startService(env, 30_000);
        this.watch(service, life, bornAt);
        this.service = service;
        return service;
      } catch (error) {
        // A crash point can be reached during boot (recovery commits, re-delivered replies): that is a kill too.
        if (life.crashPoint && failures < 20 && !String(error).includes('STARTUP FAILED')) {
          this.kills.push({
            step: this.step,
            how: 'crash_point_during_boot',
            label: life.label,
            aliveMs: Date.now() - bornAt,
          });
          if (this.plan) this.plan.quota--;
          continue;
        }
        this.unexpected = `service failed to start (${life.label}): ${String(error)}`;
        throw error;
      }
    }
  }

  private killLater(service: ServiceProcess, afterMs: number, how: KillRecord['how']) {
    const state = this.killing.get(service) ?? { armed: false };
    state.armed = true;
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.how = how;
      void kill9(service);
    }, afterMs);
    this.killing.set(service, state);
  }

  private watch(service: ServiceProcess, life: Lifetime, bornAt: number) {
    this.killing.set(service, { armed: life.crashPoint != null });
    if (life.killAfterMs != null) {
      this.killLater(service, life.killAfterMs, life.crashPoint ? 'external_backup' : 'external');
    }
    service.exited.then(({ code, signal }) => {
      const state = this.killing.get(service);
      clearTimeout(state?.timer);
      if (this.logFile) appendFileSync(this.logFile, service.output());
      if (this.stopping) return;
      if (signal !== 'SIGKILL' || !this.plan) {
        this.unexpected ??= `service exited unexpectedly (code ${code}, signal ${signal}, lifetime ${life.label}):\n${service.output().slice(-4000)}`;
        return;
      }
      const how = state?.how ?? 'crash_point';
      this.kills.push({
        step: this.step,
        how,
        label: how === 'crash_point' ? life.label : `${how}${life.crashPoint ? ` (${life.label} not reached)` : ''}`,
        aliveMs: Date.now() - bornAt,
      });
      this.plan.quota--;
      this.ready = this.launch();
    });
  }

  /** At the start of a step with a kill quota, a process with no kill planned is killed (before the step's work). */
  beginStep(step: string, quota: number) {
    this.step = step;
    if (!this.plan) return;
    this.plan.quota = quota;
    this.plan.replies = step.startsWith('reply:');
    const service = this.service;
    if (quota > 0 && service && this.isUp() && !this.killing.get(service)?.armed) {
      this.killLater(service, 0, 'external');
    }
  }

  /** No more outside kills (crash points already set stay, but need work to be reached). */
  disarm() {
    if (this.plan) this.plan.quota = 0;
    if (this.service) clearTimeout(this.killing.get(this.service)?.timer);
  }

  /** The running service (waits while it restarts). */
  async up(): Promise<ServiceProcess> {
    for (;;) {
      if (this.unexpected) throw new Error(this.unexpected);
      const service = await (this.ready as Promise<ServiceProcess>);
      if (service.child.exitCode === null && service.child.signalCode === null) return service;
      await sleep(20);
    }
  }

  isUp(): boolean {
    const s = this.service;
    return !!s && s.child.exitCode === null && s.child.signalCode === null;
  }

  /** A JSON request; on a connection failure caused by a kill it waits for the restart and repeats the request. */
  async call(
    method: string,
    path: string,
    body?: unknown,
    /** false for a request that must not be repeated blindly (it may have been applied before the kill) */
    repeat = true,
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies through assertions
  ): Promise<{ status: number; body: any; text: string }> {
    for (let attempt = 1; ; attempt++) {
      const service = await this.up();
      try {
        const res = await fetch(`${service.url}${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        return { status: res.status, body: parsed, text };
      } catch (error) {
        const died = await Promise.race([service.exited.then(() => true), sleep(3_000).then(() => false)]);
        if (!repeat || (!died && attempt >= 3)) throw error;
      }
    }
  }

  async stop() {
    this.stopping = true;
    if (this.service) {
      clearTimeout(this.killing.get(this.service)?.timer);
      await kill9(this.service);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the two databases (read-only, from this process).

function read<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

interface SettleState {
  negotiations: number;
  busy: number;
  pendingInbox: number;
  due: number;
  taken: number;
  parked: number;
  deadLetters: number;
}

function settleState(dataDir: string, postedIds: string[]): SettleState {
  const offset = read(join(dataDir, 'sandbox.db'), (db) => {
    const row = db.prepare("SELECT value FROM settings WHERE key = 'clock.offset_ms'").get() as
      | { value: string }
      | undefined;
    return Number(row?.value ?? 0);
  });
  return read(join(dataDir, 'agent.db'), (db) => {
    const n = (sql: string, ...args: unknown[]) =>
      (db
        .prepare(sql)
        .pluck()
        .get(...args) as number) ?? 0;
    let taken = 0;
    const takenOne = db.prepare('SELECT COUNT(*) FROM inbox WHERE message_id = ? AND taken_at IS NOT NULL').pluck();
    for (const id of postedIds) taken += takenOne.get(id) as number;
    return {
      negotiations: n('SELECT COUNT(*) FROM negotiations'),
      busy: n('SELECT COUNT(*) FROM negotiations WHERE busy = 1 AND failure IS NULL'),
      pendingInbox: n('SELECT COUNT(*) FROM inbox WHERE taken_at IS NULL AND failed IS NULL'),
      due: n(
        'SELECT COUNT(*) FROM negotiations WHERE next_deadline_at IS NOT NULL AND next_deadline_at <= ? AND failure IS NULL',
        Date.now() + offset,
      ),
      taken,
      parked: n('SELECT COUNT(*) FROM negotiations WHERE failure IS NOT NULL'),
      deadLetters: n('SELECT COUNT(*) FROM inbox WHERE failed IS NOT NULL'),
    };
  });
}

function clockOffset(dataDir: string): number {
  return read(join(dataDir, 'sandbox.db'), (db) => {
    const row = db.prepare("SELECT value FROM settings WHERE key = 'clock.offset_ms'").get() as
      | { value: string }
      | undefined;
    return Number(row?.value ?? 0);
  });
}

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

const round = (x: number) => Math.round(x * 10) / 10;

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Waits until every negotiation rests: all created, replies taken, nothing busy, no deadline due (twice in a row). */
async function settle(
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

function collect(
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

// ---------------------------------------------------------------------------------------------------------------
// Checks shared by the suites.

/** Problems with one run on its own: lost or repeated replies, emails sent twice or unrecorded. */
export function invariantProblems(run: RunResult): string[] {
  const problems: string[] = [];
  for (const [key, ids] of run.posted) {
    const received = run.negotiations.get(key)?.received ?? [];
    for (const id of ids) {
      const times = received.filter((r) => r === id).length;
      if (times !== 1) problems.push(`${key}: reply ${id} is in the timeline ${times} times`);
    }
  }
  for (const n of run.negotiations.values()) {
    const seen = new Set<string>();
    for (const s of n.sent) {
      const slot = `${s.kind}/round ${s.round}`;
      if (seen.has(slot)) problems.push(`${n.key}: two ${slot} emails`);
      seen.add(slot);
    }
    if (n.failure) problems.push(`${n.key}: parked: ${n.failure}`);
    if (n.actorErrors) problems.push(`${n.key}: ${n.actorErrors} actor failures`);
    const recorded = n.sent.map((s) => s.messageId);
    if (JSON.stringify(recorded) !== JSON.stringify(n.mailbox)) {
      problems.push(`${n.key}: mailbox ${JSON.stringify(n.mailbox)} != recorded ${JSON.stringify(recorded)}`);
    }
  }
  const dup = (list: string[]) => list.filter((id, i) => list.indexOf(id) !== i);
  for (const id of dup(run.recordedSends)) problems.push(`Message-ID ${id} recorded as sent twice`);
  const recorded = new Set(run.recordedSends);
  for (const id of run.mailboxOut) if (!recorded.has(id)) problems.push(`email ${id} is in the mailbox but unrecorded`);
  const inMailbox = new Set(run.mailboxOut);
  for (const id of run.recordedSends) if (!inMailbox.has(id)) problems.push(`email ${id} recorded but never sent`);
  for (const id of run.duplicateSendAttempts) problems.push(`email ${id} was handed to the mailbox again (sent twice)`);
  if (run.deadLetters) problems.push(`${run.deadLetters} dead-lettered inbox messages`);
  if (run.parked) problems.push(`${run.parked} parked negotiations`);
  return problems;
}

/** The outcome of a negotiation as the comparison sees it. */
export function outcomeOf(n: NegotiationResult) {
  return { state: n.state, agreedCents: n.agreedCents, lastOfferCents: n.lastOfferCents };
}

/** Everything observable about a negotiation except ids, for comparing two runs. */
export function historyOf(n: NegotiationResult) {
  return {
    ...outcomeOf(n),
    theirAskCents: n.theirAskCents,
    round: n.round,
    emails: n.sent.map((s) => `${s.kind}@${s.rateCents}`),
    mailboxCount: n.mailbox.length,
    replies: n.received.length,
    transitions: n.transitions,
    escalations: n.escalations,
    slack: n.slack,
  };
}

/** Sums a Prometheus counter (all label sets, or those whose labels contain `match`). */
export function counter(metrics: string, name: string, match = ''): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (match && !line.includes(match)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export function summarize(run: RunResult) {
  const states: Record<string, number> = {};
  for (const n of run.negotiations.values()) states[n.state] = (states[n.state] ?? 0) + 1;
  return states;
}

export function writeResults(file: string, data: unknown) {
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}
