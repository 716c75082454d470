/** The agent's clock. The sandbox can move it forward (POST /sandbox/clock) to fire follow-up and stale timers. */
export interface Clock {
  now(): number; // epoch ms
  iso(): string;
}

export function createClock(offsetMs: () => number = () => 0): Clock {
  const now = () => Date.now() + offsetMs();
  return { now, iso: () => new Date(now()).toISOString() };
}
