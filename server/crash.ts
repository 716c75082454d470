/**
 * Test-only crash injection for the sandbox (SANDBOX_CRASH_POINT=point[:n]): the process SIGKILLs itself the
 * n-th time it reaches that point, so crash tests hit exact effect boundaries. Ignored in live mode.
 */
import type { Config, CrashPoint } from './config.ts';

export type CrashHook = (point: CrashPoint) => void;

export function createCrashHook(config: Pick<Config, 'crashPoint'>): CrashHook {
  const target = config.crashPoint;
  if (!target) return () => {};
  let seen = 0;
  return (point) => {
    if (point === target.point && ++seen === target.nth) process.kill(process.pid, 'SIGKILL');
  };
}
