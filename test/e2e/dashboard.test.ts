/**
 * The dashboard's HTTP side (slack-ops.md §7.2-§7.3 as adapted by decisions D6 and D13): a real agent with API_TOKEN
 * set, its public page routes (the page, its modules and the libraries served from node_modules), its
 * authenticated event stream and machine tree. The page itself in a browser: dashboard-ui.test.ts.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { createApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { dashboardRouter, type NegotiationChange } from '../../server/http/routes/dashboard.ts';
import { DOMAIN_STATES } from '../../services/domain.ts';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { MAYA, type SentMail, TOKEN, until } from '../support/e2e.ts';

/** The page's scripts (web/ and web/views/). */
function webSources(): string[] {
  const web = new URL('../../web/', import.meta.url);
  return readdirSync(web, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => new URL(f, web).pathname);
}

const AUTH = { Authorization: `Bearer ${TOKEN}` };

// ---------------------------------------------------------------------------------------------------------------
// Helpers: the agent, with the token on every API call
// ---------------------------------------------------------------------------------------------------------------

let agents: TestAgent[] = [];

async function agent(env: Record<string, string> = {}): Promise<TestAgent> {
  const t = await startTestAgent({ API_TOKEN: TOKEN, ...env });
  agents.push(t);
  return t;
}

// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('dashboard (e2e)', () => {
  afterEach(async () => {
    const running = agents;
    agents = [];
    for (const t of running) {
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  const api = (t: TestAgent, method: string, path: string, body?: unknown) => t.call(method, path, body, AUTH);

  async function state(t: TestAgent, id: string): Promise<string> {
    const res = await api(t, 'GET', `/api/v1/negotiations/${id}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.state;
  }

  async function waitForState(t: TestAgent, id: string, wanted: string) {
    let last = '';
    try {
      await until(async () => {
        last = await state(t, id);
        return last === wanted;
      });
    } catch {
      throw new Error(`negotiation ${id} did not reach '${wanted}' (last seen '${last}')`);
    }
  }

  /** Starts a campaign with one influencer and waits for the opening email; returns the negotiation and thread ids. */
  async function startCampaign(t: TestAgent, overrides: Record<string, unknown> = {}) {
    const created = await api(t, 'POST', '/api/v1/campaigns', glowCampaign(overrides));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id: string = created.body.negotiations[0].id;
    const [opening] = await until(async () => {
      const res = await api(t, 'GET', `/sandbox/mail?to=${encodeURIComponent(MAYA)}`);
      return (res.body as SentMail[]).length ? (res.body as SentMail[]) : undefined;
    });
    await waitForState(t, id, 'awaiting_reply');
    return { id, threadId: opening.threadId };
  }

  /** A raw GET whose path is sent exactly as written (fetch would normalise `..`). */
  function rawGet(
    base: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    const { hostname, port } = new URL(base);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Reads server-sent events from a fetch() response until `done` says so (or the time is up). */
  async function readEvents(res: Response, done: (frames: string[]) => boolean, timeoutMs = 5_000): Promise<string[]> {
    const reader = (res.body as ReadableStream<Uint8Array>)
      .pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>)
      .getReader();
    const frames: string[] = [];
    let buffer = '';
    const timer = setTimeout(() => reader.cancel(), timeoutMs);
    try {
      while (!done(frames)) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          frames.push(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } finally {
      clearTimeout(timer);
    }
    return frames;
  }

  function changesIn(frames: string[]): NegotiationChange[] {
    return frames
      .filter((f) => f.startsWith('event: negotiation\n'))
      .map(
        (f) =>
          JSON.parse(
            f
              .split('\n')
              .find((l) => l.startsWith('data: '))!
              .slice(6),
          ) as NegotiationChange,
      );
  }

  // ---------------------------------------------------------------------------------------------------------------
  // 1. HTTP: page routes, event stream, machine tree
  // ---------------------------------------------------------------------------------------------------------------

  describe('dashboard: page routes (public, no data)', () => {
    it('GET / redirects to /dashboard; the page and its assets are served without the token, with content types', async () => {
      const t = await agent();
      const root = await fetch(`${t.url}/`, { redirect: 'manual' });
      expect(root.status).to.be.oneOf([301, 302, 303, 307, 308]);
      expect(new URL(root.headers.get('location') ?? '', t.url).pathname).to.equal('/dashboard');

      const page = await fetch(`${t.url}/dashboard`);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/^text\/html/);
      expect(page.headers.get('cache-control')).to.equal('no-cache');
      expect(page.headers.get('content-security-policy')).to.contain("script-src 'self'");
      expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
      const html = await page.text();
      expect(html).to.contain('/dashboard/assets/app.js').and.contain('/dashboard/assets/style.css');
      expect(html, 'no external resources (the network is offline)').to.not.match(/(src|href)="(https?:)?\/\//);

      const etag = page.headers.get('etag');
      expect(etag).to.be.a('string');
      // (raw: fetch() adds `Cache-Control: no-cache` to conditional requests, which rightly forces a 200)
      const again = await rawGet(t.url, '/dashboard', { 'If-None-Match': etag as string });
      expect(again.status, 'revalidated, unchanged').to.equal(304);
      const changed = await rawGet(t.url, '/dashboard', { 'If-None-Match': '"something-else"' });
      expect(changed.status).to.equal(200);

      // The import map is the only inline script, allowed by its hash; @xstate/store comes from node_modules.
      const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
      const hash = createHash('sha256').update(map).digest('base64');
      expect(page.headers.get('content-security-policy')).to.contain(`script-src 'self' 'sha256-${hash}'`);
      const store = await fetch(`${t.url}${JSON.parse(map).imports['@xstate/store']}`);
      expect(store.status).to.equal(200);
      expect(store.headers.get('content-type')).to.match(/^text\/javascript/);
      const source = await store.text();
      for (const [, dep] of source.matchAll(/from '(\.\/[^']+)'/g)) {
        const res = await fetch(`${t.url}/dashboard/vendor/xstate-store/${dep.slice(2)}`);
        expect(res.status, `${dep}: a relative import the browser resolves next to it`).to.equal(200);
      }
      const view = await fetch(`${t.url}/dashboard/assets/views/conversation.js`);
      expect(view.status).to.equal(200);

      const js = await fetch(`${t.url}/dashboard/assets/app.js`);
      expect(js.status).to.equal(200);
      expect(js.headers.get('content-type')).to.match(/^text\/javascript/);
      expect(js.headers.get('etag')).to.be.a('string');
      expect(js.headers.get('cache-control')).to.equal('no-cache');
      expect(await js.text(), 'API text is never parsed as HTML').to.not.match(
        /\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write|eval\(/,
      );
      const css = await fetch(`${t.url}/dashboard/assets/style.css`);
      expect(css.status).to.equal(200);
      expect(css.headers.get('content-type')).to.match(/^text\/css/);
    });

    it('serves the domain states to the page from services/domain.ts; no file of web/ lists them again', async () => {
      const t = await agent();
      const res = await fetch(`${t.url}/dashboard/assets/domain.js`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/javascript/);
      const mod = await import(`data:text/javascript,${encodeURIComponent(await res.text())}`);
      expect(mod.DOMAIN_STATES).to.deep.equal([...DOMAIN_STATES]);
      const again = await rawGet(t.url, '/dashboard/assets/domain.js', {
        'If-None-Match': res.headers.get('etag') ?? '',
      });
      expect(again.status, 'revalidated, unchanged').to.equal(304);
      for (const file of webSources()) {
        const quoted = DOMAIN_STATES.filter((s) => readFileSync(file, 'utf8').includes(`'${s}'`));
        expect(quoted.length, `${file} lists the states itself`).to.be.below(DOMAIN_STATES.length);
      }
    });

    it('serves nothing outside web/: traversal, hidden files and other types are 404', async () => {
      const t = await agent();
      for (const path of [
        '/dashboard/assets/../../package.json',
        '/dashboard/assets/..%2F..%2Fpackage.json',
        '/dashboard/assets/%2e%2e%2f%2e%2e%2fpackage.json',
        '/dashboard/assets/..%5C..%5Cpackage.json',
        '/dashboard/assets/%2e%2e',
        '/dashboard/assets/.env',
        '/dashboard/assets/index.html',
        '/dashboard/assets/missing.js',
        '/dashboard/assets/app.js%00.css',
        '/dashboard/assets/sub/app.js',
        '/dashboard/assets/views/../app.js',
        '/dashboard/assets/views/..%2F..%2Fpackage.json',
        '/dashboard/assets/types.d.ts',
        '/dashboard/assets/tsconfig.json',
        '/dashboard/vendor/xstate-store/package.json',
        '/dashboard/vendor/xstate-store/..%2F..%2Fpackage.json',
        '/dashboard/vendor/xstate-store/xstate-store.d.ts',
        '/dashboard/vendor/better-sqlite3/index.js',
        '/dashboard/vendor/__proto__/index.js',
      ]) {
        const res = await rawGet(t.url, path);
        expect(res.status, path).to.be.oneOf([400, 404]);
        expect(res.body, path).to.not.contain('"dependencies"');
      }
    });
  });

  describe('dashboard: GET /api/v1/events and GET /api/v1/machine', () => {
    it('both need the bearer token', async () => {
      const t = await agent();
      for (const path of ['/api/v1/events', '/api/v1/machine']) {
        const res = await fetch(`${t.url}${path}`);
        expect(res.status, path).to.equal(401);
        expect(((await res.json()) as { error: { code: string } }).error.code).to.equal('unauthorized');
      }
    });

    it('the machine tree is plain data: every domain state, the pause history, the arrows between domain states', async () => {
      const t = await agent();
      const res = await api(t, 'GET', '/api/v1/machine');
      expect(res.status).to.equal(200);
      const tree = res.body;
      expect(tree.id).to.equal('neg');
      expect(tree.domainStates).to.deep.equal([...DOMAIN_STATES]);
      type Node = { id: string; key: string; type: string; domain: string | null; history?: string; states: Node[] };
      const all: Node[] = [];
      const walk = (n: Node) => {
        all.push(n);
        n.states.forEach(walk);
      };
      walk(tree.root);
      const domains = all.filter((n) => n.domain).map((n) => n.domain);
      expect([...domains].sort()).to.deep.equal([...DOMAIN_STATES].sort());
      expect(all.find((n) => n.type === 'history')).to.include({ history: 'deep', id: 'neg.active.hist' });
      expect(all.find((n) => n.domain === 'stopped')).to.include({ type: 'final', id: 'neg.stopped' });
      expect(all.find((n) => n.domain === 'escalated')?.states.map((s) => s.key)).to.include('approving');
      const edges = tree.edges as { from: string; to: string; events: string[] }[];
      expect(edges).to.deep.include({ from: 'paused', to: 'history', events: ['RESUME'] });
      expect(edges.find((e) => e.from === 'active' && e.to === 'paused')?.events).to.deep.equal(['PAUSE']);
      expect(edges.some((e) => e.from === 'escalated' && e.to === 'counter_sent')).to.equal(true);
      expect(JSON.stringify(tree), 'no functions were serialised').to.not.match(/=>|function/);
    });

    it('streams every persisted transition as `event: negotiation` with {id, from, to, at}', async () => {
      const t = await agent();
      const controller = new AbortController();
      const res = await fetch(`${t.url}/api/v1/events`, { headers: AUTH, signal: controller.signal });
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/event-stream/);
      expect(res.headers.get('cache-control')).to.contain('no-cache');
      expect(res.headers.get('x-request-id')).to.be.a('string');

      const reading = readEvents(res, (frames) => changesIn(frames).some((c) => c.to === 'paused'), 10_000);
      const { id } = await startCampaign(t);
      const paused = await api(t, 'POST', `/api/v1/negotiations/${id}/pause`);
      expect(paused.status).to.equal(200);
      const frames = await reading;
      controller.abort();

      expect(frames[0]).to.contain('retry:');
      const changes = changesIn(frames);
      for (const c of changes) {
        expect(Object.keys(c).sort()).to.deep.equal(['at', 'from', 'id', 'to']);
        expect(c.id).to.equal(id);
        expect(c.at).to.match(/^\d{4}-\d{2}-\d{2}T/);
      }
      expect(changes.map((c) => c.to)).to.include.members(['awaiting_reply', 'paused']);
      expect(changes.at(-1)).to.include({ from: 'awaiting_reply', to: 'paused' });
    });

    it('sends heartbeats, and drops its listener when the client goes away', async () => {
      // The router on its own app, so the emitter can be watched.
      const changes = new EventEmitter<{ negotiation: [NegotiationChange] }>();
      const app = createApp({
        logger: createLogger('error', true),
        metrics: null,
        apiTokens: [{ actor: 'api', token: TOKEN }],
        bodyLimitBytes: 10_000,
        routers: [dashboardRouter({ changes, heartbeatMs: 50 })],
        protectedPrefixes: ['/api/'],
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      const { port } = server.address() as { port: number };
      try {
        const controller = new AbortController();
        const res = await fetch(`http://127.0.0.1:${port}/api/v1/events`, { headers: AUTH, signal: controller.signal });
        expect(res.status).to.equal(200);
        await until(async () => changes.listenerCount('negotiation') === 1);
        const reading = readEvents(
          res,
          (frames) => frames.filter((f) => f === ': heartbeat').length >= 2 && changesIn(frames).length === 1,
        );
        changes.emit('negotiation', {
          id: 'neg-1',
          from: 'awaiting_reply',
          to: 'paused',
          at: '2026-01-01T00:00:00.000Z',
        });
        const frames = await reading;
        expect(changesIn(frames)).to.deep.equal([
          { id: 'neg-1', from: 'awaiting_reply', to: 'paused', at: '2026-01-01T00:00:00.000Z' },
        ]);
        controller.abort();
        await until(async () => changes.listenerCount('negotiation') === 0);
      } finally {
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    });
  });
});
