/**
 * Test-only fault injection for the sandbox (SANDBOX_FAULTS, ignored in live mode), for the reliability suites:
 *
 *   SANDBOX_FAULTS="seed=42,send=0.3,model_timeout=0.2,slack_down=5s,db_lock=200ms"
 *
 * - `send=P`: a sandbox send fails with probability P; a share `send_after` of those failures (default 0.5)
 *   happens AFTER the mailbox stored the email (the "accepted but not journaled" case the Message-ID lookup
 *   must catch), the others before anything was stored. `send_script=bba` scripts the first sends exactly
 *   (b = fail before storing, a = fail after storing, o = succeed), for exact reproductions.
 * - `model_timeout=P`: the offline negotiator's classify/compose reject after `model_delay` (default 100ms).
 * - `slack_down=D`: the Slack stand-in refuses every post for D after start.
 * - `db_lock=D`: a second connection (a worker thread, so the agent's own event loop is free to block on it)
 *   holds BEGIN EXCLUSIVE on agent.db for D at random moments, on average every `db_lock_every` (default 1s).
 * - `seed=N`: the PRNG seed (mulberry32). Decisions follow the order effects reach the hooks, so a run is
 *   reproducible only as far as that order is.
 *
 * Any SANDBOX_FAULTS value (`seed=1` alone injects nothing) also records every send attempt and every injected
 * fault in sandbox.db's `fault_log` table; a send for a Message-ID the mailbox already holds is logged as
 * `send_duplicate` (the mailbox silently keeps the first, so only this log shows a second send).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChatMessage } from '../chat/port.ts';
import type { OutgoingEmail } from '../mail/port.ts';
import type { ModelPort } from '../model/port.ts';
import type { SandboxDb } from './db.ts';
import type { LockWorkerData } from './lock-worker.ts';
import { seededRandom } from './random.ts';

export interface FaultSpec {
  seed: number;
  send: number;
  sendAfter: number;
  sendScript: string;
  modelTimeout: number;
  modelDelayMs: number;
  slackDownMs: number;
  dbLockMs: number;
  dbLockEveryMs: number;
}

const DEFAULTS: FaultSpec = {
  seed: 1,
  send: 0,
  sendAfter: 0.5,
  sendScript: '',
  modelTimeout: 0,
  modelDelayMs: 100,
  slackDownMs: 0,
  dbLockMs: 0,
  dbLockEveryMs: 1000,
};

const PROBABILITIES = { send: 'send', send_after: 'sendAfter', model_timeout: 'modelTimeout' } as const;
const DURATIONS = {
  model_delay: 'modelDelayMs',
  slack_down: 'slackDownMs',
  db_lock: 'dbLockMs',
  db_lock_every: 'dbLockEveryMs',
} as const;

/** Parses `key=value,...`; throws an Error naming the first bad entry. */
export function parseFaults(text: string): FaultSpec {
  const spec: FaultSpec = { ...DEFAULTS };
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (!entry) continue;
    const [key, value = ''] = entry.split('=').map((s) => s.trim());
    if (key === 'seed') {
      if (!/^\d{1,10}$/.test(value)) throw new Error(`seed must be a non-negative integer, not "${value}"`);
      spec.seed = Number(value);
    } else if (key === 'send_script') {
      if (!/^[abo]+$/.test(value)) throw new Error(`send_script must be letters b, a and o, not "${value}"`);
      spec.sendScript = value;
    } else if (key in PROBABILITIES) {
      const p = Number(value);
      if (value === '' || !Number.isFinite(p) || p < 0 || p > 1) throw new Error(`${key} must be between 0 and 1`);
      spec[PROBABILITIES[key as keyof typeof PROBABILITIES]] = p;
    } else if (key in DURATIONS) {
      const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value);
      if (!m) throw new Error(`${key} must be a duration like 200ms or 5s, not "${value}"`);
      spec[DURATIONS[key as keyof typeof DURATIONS]] = Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1));
    } else {
      throw new Error(
        `unknown fault "${key}" (known: seed, send_script, ${[...Object.keys(PROBABILITIES), ...Object.keys(DURATIONS)].join(', ')})`,
      );
    }
  }
  return spec;
}

export { seededRandom } from './random.ts';

export type FaultKind =
  | 'sent'
  | 'send_duplicate'
  | 'send_fail_before'
  | 'send_fail_after'
  | 'model_timeout'
  | 'slack_refused'
  | 'db_lock';

const LOG_TABLE = `CREATE TABLE IF NOT EXISTS fault_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT)`;

export interface SandboxFaults {
  /** Hooks for createSandboxMailbox (none when no faults are configured). */
  mail(db: SandboxDb): {
    beforeSend?: (email: OutgoingEmail) => void;
    afterSend?: (email: OutgoingEmail, stored: boolean) => void;
  };
  /** Hooks for createSandboxSlack. */
  chat(): { beforePost?: (message: ChatMessage) => void };
  /** Wraps a model port (the offline negotiator). */
  model(port: ModelPort): ModelPort;
  stop(): void;
}

const NONE: SandboxFaults = { mail: () => ({}), chat: () => ({}), model: (port) => port, stop: () => {} };

export function createSandboxFaults(spec: FaultSpec, files: { agentDb: string }): SandboxFaults {
  const random = seededRandom(spec.seed);
  const startedAt = performance.now();
  let log: (kind: FaultKind, detail?: string) => void = () => {};
  const failAfter = new Set<string>();
  const script = [...spec.sendScript];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const lockWorker = spec.dbLockMs > 0 ? startLockWorker(spec, files.agentDb) : null;
  lockWorker?.on('message', (held: string) => log('db_lock', held));

  return {
    mail(db) {
      db.exec(LOG_TABLE);
      const insert = db.prepare('INSERT INTO fault_log (at, kind, detail) VALUES (?, ?, ?)');
      log = (kind, detail) => insert.run(new Date().toISOString(), kind, detail ?? null);
      return {
        beforeSend(email) {
          const scripted = script.shift();
          if (scripted === 'o' || (!scripted && (spec.send === 0 || random() >= spec.send))) return;
          if (scripted ? scripted === 'a' : random() < spec.sendAfter) {
            failAfter.add(email.messageId);
            return;
          }
          log('send_fail_before', email.messageId);
          throw new Error('Mailbox unavailable (sandbox fault: send failed before the email was accepted)');
        },
        afterSend(email, stored) {
          log(stored ? 'sent' : 'send_duplicate', email.messageId);
          if (!failAfter.delete(email.messageId)) return;
          log('send_fail_after', email.messageId);
          throw new Error('Mailbox connection lost (sandbox fault: send failed after the email was accepted)');
        },
      };
    },
    chat() {
      if (spec.slackDownMs === 0) return {};
      return {
        beforePost(message) {
          if (performance.now() - startedAt >= spec.slackDownMs) return;
          log('slack_refused', message.key);
          throw new Error('Slack unavailable (sandbox fault: slack_down)');
        },
      };
    },
    model(port) {
      if (spec.modelTimeout === 0) return port;
      const timeout = async (what: string) => {
        if (random() >= spec.modelTimeout) return;
        await sleep(spec.modelDelayMs);
        log('model_timeout', what);
        throw new Error(`Model request timed out after ${spec.modelDelayMs} ms (sandbox fault)`);
      };
      return {
        async classify(input) {
          await timeout('classify');
          return port.classify(input);
        },
        async compose(input) {
          await timeout(`compose:${input.kind}`);
          return port.compose(input);
        },
      };
    },
    stop() {
      void lockWorker?.terminate();
    },
  };
}

/** The lock holder runs in a worker thread (lock-worker.ts says why). */
function startLockWorker(spec: FaultSpec, agentDb: string): Worker {
  const workerData: LockWorkerData = {
    agentDb,
    holdMs: spec.dbLockMs,
    everyMs: spec.dbLockEveryMs,
    seed: spec.seed + 1,
  };
  const worker = new Worker(new URL('./lock-worker.ts', import.meta.url), { workerData });
  worker.unref();
  return worker;
}

/** The faults of one agent start (stopped when it closes); no-ops unless SANDBOX_FAULTS is set in sandbox mode. */
export function sandboxFaults(config: { mode: string; dataDir: string; sandboxFaults?: FaultSpec }): SandboxFaults {
  if (config.mode !== 'sandbox' || !config.sandboxFaults) return NONE;
  return createSandboxFaults(config.sandboxFaults, { agentDb: join(config.dataDir, 'agent.db') });
}
