/**
 * The sandbox's movable clock (POST /sandbox/clock): an offset kept in sandbox.db so it survives restarts. Only
 * a sandbox agent has it; a live agent runs on real time and ignores (and reports) an offset left in its data
 * directory by an earlier sandbox run, so no real email can ever go out early.
 */
import { type Clock, createClock } from '../clock.ts';
import type { SandboxDb } from './db.ts';

const HOUR = 3_600_000;

export interface AgentClock {
  clock: Clock;
  /** Moves a sandbox clock forward; null in live mode (there is no such route). */
  advance: ((hours: number) => { offsetHours: number; now: string }) | null;
}

export function agentClock(
  db: SandboxDb,
  mode: 'sandbox' | 'live',
  onIgnored: (offsetHours: number) => void,
): AgentClock {
  const read = db.prepare("SELECT value FROM settings WHERE key = 'clock.offset_ms'");
  const stored = Number((read.get() as { value: string } | undefined)?.value ?? 0) || 0;
  if (mode !== 'sandbox') {
    if (stored !== 0) onIgnored(stored / HOUR);
    return { clock: createClock(), advance: null };
  }
  const write = db.prepare(
    "INSERT INTO settings (key, value) VALUES ('clock.offset_ms', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  );
  let offsetMs = stored;
  const clock = createClock(() => offsetMs);
  return {
    clock,
    advance(hours) {
      const next = offsetMs + Math.round(hours * HOUR);
      write.run(String(next)); // stored first: the clock never moves without it
      offsetMs = next;
      return { offsetHours: offsetMs / HOUR, now: clock.iso() };
    },
  };
}
