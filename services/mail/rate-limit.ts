/**
 * Whether a mailbox error means "too much, wait" rather than "failed" (decisions D20): HTTP 429 and Gmail's
 * 403 rateLimitExceeded / userRateLimitExceeded / dailyLimitExceeded. Nothing was sent; the send waits for
 * Retry-After (or a safe default) and goes out later, without burning a retry or escalating.
 */
const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const DAILY_REASONS = new Set(['dailyLimitExceeded']);
const RATE_WAIT_MS = 60_000; // Gmail's per-second quota refills at once; a minute keeps clear of a burst
const DAILY_WAIT_MS = 3_600_000; // the rolling daily allowance frees up over the hours after the first sends

export interface RateLimited {
  waitMs: number;
  daily: boolean;
}

interface ErrorShape {
  status?: number;
  code?: number | string;
  response?: { status?: number; headers?: unknown; data?: unknown };
  errors?: { reason?: string }[];
}

export function rateLimitOf(error: unknown): RateLimited | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as ErrorShape;
  const status = e.response?.status ?? e.status ?? (typeof e.code === 'number' ? e.code : undefined);
  const data = e.response?.data as { error?: { errors?: { reason?: string }[] } } | undefined;
  const reasons = [...(data?.error?.errors ?? []), ...(e.errors ?? [])].map((r) => r.reason ?? '');
  const daily = reasons.some((r) => DAILY_REASONS.has(r));
  const rate = reasons.some((r) => RATE_REASONS.has(r));
  if (status !== 429 && !daily && !rate) return null;
  const retryAfter = retryAfterMs(header(e.response?.headers, 'retry-after'));
  return { waitMs: retryAfter ?? (daily ? DAILY_WAIT_MS : RATE_WAIT_MS), daily };
}

function header(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

/** Retry-After is either seconds or an HTTP date. */
function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
