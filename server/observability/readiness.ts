/**
 * GET /ready (decisions D18): a real write to agent.db (committed, so a full disk or an I/O error shows), the
 * free space of DATA_DIR, damage found after the start (the background check of a large file, or an error met at
 * run time), and the configured integrations. Each failing check is named;
 * the probe result is reused for half a second, so frequent polling costs at most two small commits a second.
 */
import { statfsSync } from 'node:fs';
import { type Db, describeError, isCorruptionError, probeWrite } from '../../persistence/db.ts';

const PROBE_REUSE_MS = 500;
const MIN_FREE_BYTES = 64 * 1024; // below this the next transitions cannot be written (a full disk)

export function createReadiness(deps: {
  db: Db;
  file: string;
  dataDir: string;
  /** Extra checks of configured integrations (e.g. the Gmail watch): 'ok' or a reason. */
  integrations(): Record<string, string>;
  /** The integrity check of a large database, running in the background (persistence/integrity.ts). */
  backgroundCheck?: Promise<string | null>;
  /** Damage found after the start (the log and Slack say so). */
  onDamage?(problem: string): void;
}) {
  let last: { at: number; problem: string | null } | null = null;
  let damage: string | null = null;
  deps.backgroundCheck?.then((found) => {
    if (found) damaged(found);
  });

  function damaged(problem: string) {
    if (damage) return;
    damage = problem;
    deps.onDamage?.(problem);
  }

  function database(): string {
    const now = performance.now();
    if (!last || now - last.at > PROBE_REUSE_MS) last = { at: now, problem: probeWrite(deps.db) };
    if (last.problem && isCorruptionMessage(last.problem)) damaged(last.problem);
    return last.problem ? `fail: ${deps.file} cannot be written (${last.problem})` : 'ok';
  }

  function disk(): string {
    try {
      const fs = statfsSync(deps.dataDir);
      const free = fs.bavail * fs.bsize;
      return free < MIN_FREE_BYTES ? `fail: no space left in ${deps.dataDir} (${free} bytes free)` : 'ok';
    } catch (error) {
      return `fail: ${deps.dataDir}: ${describeError(error)}`;
    }
  }

  return {
    /** Remembers damage an error reveals (a corrupted page read at run time): it does not heal by itself. */
    observe(error: unknown): void {
      if (isCorruptionError(error)) damaged(describeError(error));
    },
    checks(): Record<string, string> {
      return {
        database: database(),
        disk: disk(),
        integrity: damage ? `fail: ${deps.file} is damaged (${damage}); restore it from a backup` : 'ok',
        mode: 'ok',
        ...deps.integrations(),
      };
    },
  };
}

const isCorruptionMessage = (problem: string) => /^SQLITE_(CORRUPT|NOTADB)/.test(problem);
