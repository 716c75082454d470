/**
 * The load generator: plain node:http with keep-alive sockets and a fixed number of concurrent workers
 * (no external load tools). Latencies are measured with performance.now() around each request.
 */
import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
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
  /**
   * One request. A keep-alive socket the server closed while it sat idle in the pool fails with ECONNRESET or
   * "socket hang up" before any response: such a request is sent once more on a fresh socket (node's documented
   * pattern, `req.reusedSocket`); every request the bench sends is idempotent (a reply carries its Message-ID).
   */
  async function request(method: string, path: string, body?: unknown): Promise<Reply> {
    try {
      return await attempt(method, path, body);
    } catch (error) {
      if (!(error as { reused?: boolean }).reused) throw error;
      return attempt(method, path, body);
    }
  }
  function attempt(method: string, path: string, body?: unknown): Promise<Reply> {
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
              headers: res.headers,
              startedAt,
              endedAt: performance.now(),
            }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no response in 60 s`)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up');
        reject(Object.assign(error, { reused: stale }));
      });
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
  /** a request that got no response (network error) */
  onError?(i: number, error: unknown): void;
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
        opts.onError?.(i, error);
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

export interface OpenLoopResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  /** from the first scheduled send to the last scheduled send */
  sendSeconds: number;
  /** how late the generator issued requests behind their schedule (its own lag), p99 */
  issueLagP99Ms: number;
  /** request latency measured from the SCHEDULED send time (no coordinated omission) */
  latenciesMs: number[];
  lastEnd: number;
}

/**
 * Open-loop load: request i is due at start + i / rate, whether or not earlier ones were answered, so a slow
 * server meets the offered rate, not a politely slowed client. `onReply(i, reply, dueAt)` gets the scheduled
 * time (performance.now() clock) of each request.
 */
export async function openLoop(opts: {
  client: Client;
  rate: number;
  count: number;
  make(i: number): { method: string; path: string; body?: unknown };
  onSend?(i: number, dueAt: number): void;
  onReply?(i: number, reply: Reply, dueAt: number): void;
  /** a request that got no response (network error) */
  onError?(i: number, error: unknown): void;
}): Promise<OpenLoopResult> {
  const { client, rate, count } = opts;
  const start = performance.now() + 2;
  const due = (i: number) => start + (i * 1000) / rate;
  const latencies: number[] = [];
  const lags: number[] = [];
  const statuses: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  let lastEnd = start;
  let next = 0;
  const fire = (i: number) => {
    const dueAt = due(i);
    lags.push(performance.now() - dueAt);
    const { method, path, body } = opts.make(i);
    opts.onSend?.(i, dueAt);
    inFlight.push(
      client.request(method, path, body).then(
        (reply) => {
          lastEnd = Math.max(lastEnd, reply.endedAt);
          latencies.push(reply.endedAt - dueAt);
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
          if (reply.status >= 400) errors++;
          opts.onReply?.(i, reply, dueAt);
        },
        (error) => {
          errors++;
          statuses.network = (statuses.network ?? 0) + 1;
          if (errors <= 3) process.stderr.write(`  request ${method} ${path} failed: ${String(error)}\n`);
          opts.onError?.(i, error);
        },
      ),
    );
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < count && due(next) <= now) fire(next++);
      if (next >= count) return resolve();
      setTimeout(tick, Math.max(0, due(next) - now - 0.5));
    };
    setTimeout(tick, 2);
  });
  await Promise.all(inFlight);
  return {
    requests: latencies.length,
    errors,
    statuses,
    sendSeconds: (due(count - 1) - start) / 1000,
    issueLagP99Ms: percentile(lags, 99),
    latenciesMs: latencies,
    lastEnd,
  };
}
