/**
 * Killing and restarting the service under the reliability script (harness.ts): the kill plan and the supervisor.
 */
import { appendFileSync } from 'node:fs';
import { seededRandom } from '../../services/sandbox/faults.ts';
import { kill9, type ServiceProcess, startService } from '../support/process.ts';
import { sleep } from './harness-script.ts';

// ---------------------------------------------------------------------------------------------------------------
// Killing and restarting the service.

export type KillKind = 'after_persist' | 'before_mail_send' | 'after_mail_send' | 'reply_acknowledged' | 'external';
export const CRASH_RANGES: Record<Exclude<KillKind, 'external'>, [number, number]> = {
  after_persist: [1, 12],
  before_mail_send: [1, 3],
  after_mail_send: [1, 3],
  reply_acknowledged: [1, 4],
};
export const DECK: KillKind[] = [
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

export interface Lifetime {
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
