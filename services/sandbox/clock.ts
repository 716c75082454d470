/**
 * The sandbox's movable clock (POST /sandbox/clock): an offset kept in sandbox.db so it survives restarts. Only
 * a sandbox agent has it; a live agent runs on real time and ignores (and reports) an offset left in its data
 * directory by an earlier sandbox run, so no real email can ever go out early.
 */
import { type Clock, createClock } from '../clock.ts';

const HOUR = 3_600_000;

export interface AgentClock {
  clock: Clock;
  /** Moves a sandbox clock forward; null in live mode (there is no such route). */
  advance: ((hours: number) => { offsetHours: number; now: string }) | null;
}

/** Where the offset is kept: sandbox.db's settings (persistence/settings.ts). */
export interface OffsetStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

const OFFSET_KEY = 'clock.offset_ms';

export function agentClock(
  settings: OffsetStore,
  mode: 'sandbox' | 'live',
  onIgnored: (offsetHours: number) => void,
): AgentClock {
  const stored = Number(settings.get(OFFSET_KEY) ?? 0) || 0;
  if (mode !== 'sandbox') {
    if (stored !== 0) onIgnored(stored / HOUR);
    return { clock: createClock(), advance: null };
  }
  let offsetMs = stored;
  const clock = createClock(() => offsetMs);
  return {
    clock,
    advance(hours) {
      const next = offsetMs + Math.round(hours * HOUR);
      settings.set(OFFSET_KEY, String(next)); // stored first: the clock never moves without it
      offsetMs = next;
      return { offsetHours: offsetMs / HOUR, now: clock.iso() };
    },
  };
}
