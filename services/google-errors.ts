/** What the Google API clients (gaxios) throw: shared by the Gmail and Sheets adapters. */

/** The HTTP status of a gaxios error, if any. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; code?: unknown; response?: { status?: unknown } };
  for (const value of [e.status, e.response?.status, e.code]) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 100 && n < 600) return n;
  }
  return undefined;
}
