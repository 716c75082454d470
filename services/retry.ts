/**
 * The one retry rule: bounded attempts with exponential backoff (base, 2×base, 4×base, … capped). The outside
 * systems' SDKs are built with their own retries off (services/chat/slack.ts, services/mail/gmail.ts, the model
 * settings), so attempts never multiply: what this helper counts is what the outside system sees.
 */
export interface RetryPolicy {
  /** Attempts in all (1 = no retry). */
  attempts: number;
  baseMs: number;
  maxMs?: number;
}

/** The wait after the `failures`-th failed attempt (1, 2, …): baseMs × 2^(failures − 1), at most maxMs. */
export function backoffMs(policy: Omit<RetryPolicy, 'attempts'>, failures: number): number {
  const wait = policy.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30);
  return policy.maxMs == null ? wait : Math.min(wait, policy.maxMs);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `run` until it succeeds, the error is not `retryable`, or the attempts are spent (then the last error is
 * thrown). `onRetry` hears each failure that is retried; an aborted `signal` stops before the next attempt.
 */
export async function retry<T>(
  run: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { retryable?: (error: unknown) => boolean; onRetry?: (error: unknown) => void; signal?: AbortSignal } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await run(attempt);
    } catch (error) {
      if (attempt >= policy.attempts || options.retryable?.(error) === false) throw error;
      options.onRetry?.(error);
      await sleep(backoffMs(policy, attempt));
    }
  }
}
