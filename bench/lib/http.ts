/**
 * The load generator: plain node:http with keep-alive sockets and a fixed number of concurrent workers
 * (no external load tools). Latencies are measured with performance.now() around each request.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
  /** performance.now() when the request was issued and when the full response had arrived. */
  startedAt: number;
  endedAt: number;
}

export interface Client {
  request(method: string, path: string, body?: unknown): Promise<Reply>;
  json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): void;
}

export function createClient(baseUrl: string, maxSockets = 64): Client {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  function request(method: string, path: string, body?: unknown): Promise<Reply> {
    const payload =
      body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const startedAt = performance.now();
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: payload
            ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
            : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              startedAt,
              endedAt: performance.now(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no response in 60 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
  return {
    request,
    async json<T>(method: string, path: string, body?: unknown) {
      const r = await request(method, path, body);
      let parsed: unknown = r.body;
      try {
        parsed = JSON.parse(r.body);
      } catch {}
      return { status: r.status, body: parsed as T };
    },
    close: () => agent.destroy(),
  };
}

export interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  latenciesMs: number[];
  firstStart: number;
  lastEnd: number;
}

/**
 * Runs `count` requests (or until `durationMs` passes) with `concurrency` workers sharing one keep-alive pool.
 * `make(i)` builds request i; `onReply` sees every reply (e.g. to keep per-request timings).
 */
export async function runLoad(opts: {
  client: Client;
  concurrency: number;
  count?: number;
  durationMs?: number;
  make(i: number): { method: string; path: string; body?: unknown };
  onReply?(i: number, reply: Reply): void;
}): Promise<LoadResult> {
  const { client, concurrency } = opts;
  const limit = opts.count ?? Number.POSITIVE_INFINITY;
  const started = performance.now();
  const deadline = opts.durationMs == null ? Number.POSITIVE_INFINITY : started + opts.durationMs;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  let errors = 0;
  let firstStart = Number.POSITIVE_INFINITY;
  let lastEnd = started;
  async function worker() {
    while (next < limit && performance.now() < deadline) {
      const i = next++;
      const { method, path, body } = opts.make(i);
      try {
        const reply = await client.request(method, path, body);
        firstStart = Math.min(firstStart, reply.startedAt);
        lastEnd = Math.max(lastEnd, reply.endedAt);
        latencies.push(reply.endedAt - reply.startedAt);
        statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
        if (reply.status >= 400) errors++;
        opts.onReply?.(i, reply);
      } catch (error) {
        errors++;
        statuses.network = (statuses.network ?? 0) + 1;
        if (errors <= 3) process.stderr.write(`  request ${method} ${path} failed: ${String(error)}\n`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (lastEnd - Math.min(firstStart, lastEnd)) / 1000;
  return {
    requests: latencies.length,
    errors,
    statuses,
    seconds,
    perSecond: seconds > 0 ? latencies.length / seconds : 0,
    latenciesMs: latencies,
    firstStart,
    lastEnd,
  };
}

/** Nearest-rank percentile (p in 0..100) of unsorted samples; NaN when empty. */
export function percentile(samples: number[], p: number): number {
  if (!samples.length) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
