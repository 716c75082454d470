/**
 * When the database stops taking writes (full disk, I/O error, a lock held too long), the negotiations whose
 * transitions could not be committed are held here: they were reloaded from their last committed snapshot, and
 * nothing of what they did in memory was kept. A write probe runs every `retryMs`; once it succeeds, every held
 * negotiation is resumed (restored, handed its pending mail, its due timer fired again) without a restart.
 */
import type { Logger } from '../observability/logger.ts';

export function createStorageHold(deps: {
  /** A real write; what failed, or null when writes work. */
  probe(): string | null;
  retryMs: number;
  logger: Logger;
  /** The held negotiations, once writes work again. */
  resume(ids: string[]): void;
  /** Writes started failing (the reason) or work again (null). */
  onChange?(problem: string | null): void;
}) {
  let failure: Error | null = null;
  const held = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function schedule() {
    if (timer || stopped) return;
    timer = setTimeout(check, deps.retryMs);
    timer.unref();
  }

  function check() {
    timer = undefined;
    if (stopped) return;
    const problem = deps.probe();
    if (problem) {
      schedule();
      return;
    }
    failure = null;
    const ids = [...held];
    held.clear();
    deps.logger.info('database writes work again; resuming held negotiations', { negotiations: ids.length });
    deps.onChange?.(null);
    deps.resume(ids);
  }

  return {
    /** The storage error writes fail with, or null. */
    get failure(): Error | null {
      return failure;
    },
    /** A write failed for storage reasons: hold `negotiationId` (if any) until a write succeeds again. */
    hold(error: unknown, negotiationId?: string): void {
      if (negotiationId) held.add(negotiationId);
      if (!failure) {
        failure = error instanceof Error ? error : new Error(String(error));
        deps.logger.error('database writes are failing; work is held and resumes by itself when they succeed', {
          error: failure.message,
          code: (error as { code?: string }).code,
        });
        deps.onChange?.(failure.message);
      }
      schedule();
    },
    isHeld(negotiationId: string): boolean {
      return held.has(negotiationId);
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type StorageHold = ReturnType<typeof createStorageHold>;
