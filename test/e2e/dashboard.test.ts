/**
 * The dashboard end to end (slack-ops.md §7.2-§7.3 as adapted by decisions D6 and D13): a real agent with API_TOKEN
 * set, its public page routes, its authenticated event stream and machine tree, and the page itself driven in a
 * real headless Chromium (skipped, with a message, when /usr/bin/chromium is absent).
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createApp } from '../../server/app.ts';
import { createLogger } from '../../server/logger.ts';
import { dashboardRouter, type NegotiationChange } from '../../server/routes/dashboard.ts';
import { DOMAIN_STATES } from '../../services/domain.ts';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { MAYA, type SentMail, sleep, TOKEN, until } from '../support/e2e.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts', 'dashboard');
const AUTH = { Authorization: `Bearer ${TOKEN}` };
const UI_TIMEOUT = 10_000;

// ---------------------------------------------------------------------------------------------------------------
// Helpers: the agent, with the token on every API call
// ---------------------------------------------------------------------------------------------------------------

let agents: TestAgent[] = [];

async function agent(env: Record<string, string> = {}): Promise<TestAgent> {
  const t = await startTestAgent({ API_TOKEN: TOKEN, ...env });
  agents.push(t);
  return t;
}

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

async function replyAsMaya(t: TestAgent, threadId: string, text: string) {
  const res = await api(t, 'POST', '/sandbox/mail', { from: MAYA, threadId, text });
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
}

/** A loopback port that was free a moment ago (so a restarted agent comes back at the same address). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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

// ---------------------------------------------------------------------------------------------------------------
// 2. The page in a real browser
// ---------------------------------------------------------------------------------------------------------------

describe('dashboard: the page in headless Chromium', () => {
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(
        `      (skipped: ${CHROMIUM} is not installed; apt-get install -y chromium to run the browser tests)`,
      );
      this.skip();
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
  });

  async function open(t: TestAgent): Promise<{ page: Page; pageErrors: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      // Chromium logs every 4xx the page receives; the ones the tests provoke on purpose are expected.
      if (message.type() === 'error' && !/status of (401|409|422)\b/.test(message.text()))
        pageErrors.push(message.text());
    });
    await page.goto(`${t.url}/`);
    expect(new URL(page.url()).pathname).to.equal('/dashboard');
    return { page, pageErrors };
  }

  async function enterToken(page: Page, token = TOKEN) {
    await page.locator('#token-dialog[open]').waitFor({ timeout: UI_TIMEOUT });
    await page.fill('#token-input', token);
    await page.click('#token-submit');
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  const detailState = (page: Page, wanted: string) =>
    page.locator(`#detail-state[data-state="${wanted}"]`).waitFor({ timeout: UI_TIMEOUT });

  const currentNode = (page: Page, wanted: string) =>
    page.locator(`.state-node.current[data-domain="${wanted}"]`).waitFor({ timeout: UI_TIMEOUT });

  it('asks for the token, shows the campaign, opens a negotiation, pauses and resumes it live', async () => {
    const t = await agent();
    const { id } = await startCampaign(t);
    const { page, pageErrors } = await open(t);

    await enterToken(page);
    const card = page.locator('.campaign-card[data-campaign-id="cmp-1"]');
    await card.waitFor({ timeout: UI_TIMEOUT });
    expect(await card.textContent())
      .to.contain('Glow Skincare')
      .and.contain('$50,000.00');
    await page.locator('#live-status[data-live="live"]').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.evaluate(() => sessionStorage.length), 'the token is kept for the tab').to.equal(1);
    await shot(page, '01-overview');

    // Filter by the campaign, open the negotiation.
    await card.click();
    const row = page.locator(`#negotiations tr[data-negotiation-id="${id}"]`);
    await row.waitFor({ timeout: UI_TIMEOUT });
    expect(await row.textContent())
      .to.contain('Maya Lopez')
      .and.contain('$2,000.00');
    await row.click();
    await detailState(page, 'awaiting_reply');
    await currentNode(page, 'awaiting_reply');
    const detail = page.locator('#detail');
    expect(await detail.textContent())
      .to.contain('maya@gmail.com')
      .and.contain('Collaboration Opportunity');
    await shot(page, '02-negotiation');

    // Same document from here on: a marker on window survives only without a reload.
    await page.evaluate(() => {
      (globalThis as unknown as { marker: number }).marker = 42;
    });
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));

    await page.click('button[data-action="pause"]');
    await detailState(page, 'paused');
    await currentNode(page, 'paused');
    await page
      .locator(`#negotiations tr[data-negotiation-id="${id}"][data-state="paused"]`)
      .waitFor({ timeout: UI_TIMEOUT });
    expect(await state(t, id)).to.equal('paused');
    expect(await page.locator('button[data-action="pause"]').isDisabled()).to.equal(true);
    await shot(page, '03-paused');

    await page.click('button[data-action="resume"]');
    await detailState(page, 'awaiting_reply');
    expect(await state(t, id)).to.equal('awaiting_reply');

    // A change made elsewhere (the API, i.e. Slack or another operator) shows up on its own.
    expect((await api(t, 'POST', `/api/v1/negotiations/${id}/pause`)).status).to.equal(200);
    await detailState(page, 'paused');
    await page
      .locator('.campaign-card[data-campaign-id="cmp-1"] .badge[data-state="paused"]')
      .waitFor({ timeout: UI_TIMEOUT });
    expect((await api(t, 'POST', `/api/v1/negotiations/${id}/resume`)).status).to.equal(200);
    await detailState(page, 'awaiting_reply');

    // An action the API refuses: its error message is shown.
    expect((await api(t, 'POST', `/api/v1/negotiations/${id}/claim`)).status).to.equal(200);
    await page.locator('#detail-human').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('button[data-action="claim"]').isDisabled()).to.equal(true);
    await page.click('button[data-action="release"]');
    await page.locator('#detail-human').waitFor({ state: 'detached', timeout: UI_TIMEOUT });

    expect(await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).to.equal(42);
    expect(
      navigations.filter((u) => !u.includes('#')),
      'no reload',
    ).to.deep.equal([]);

    // Idle: no polling, only the open event stream.
    await sleep(300);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await sleep(2_500);
    expect(requests, 'no periodic requests while nothing changes').to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
  });

  it('without the token the page shows no data: the API answers 401 and the page asks for the token', async () => {
    const t = await agent();
    await startCampaign(t);
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const refused = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/campaigns' && r.status() === 401,
      { timeout: UI_TIMEOUT },
    );
    await page.goto(`${t.url}/dashboard`);
    await refused;
    await page.locator('#token-dialog[open]').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('.campaign-card').count()).to.equal(0);
    expect(await page.locator('#negotiations tr[data-negotiation-id]').count()).to.equal(0);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).to.not.contain('Glow Skincare').and.not.contain('Maya');
    await shot(page, '04-no-token');

    // A wrong token is refused the same way: asked again, still nothing shown.
    const refusedAgain = page.waitForResponse((r) => r.status() === 401, { timeout: UI_TIMEOUT });
    await enterToken(page, 'not-the-token-0123456789');
    await refusedAgain;
    await page.locator('#token-dialog[open]').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('#token-message').textContent()).to.match(/refused/i);
    expect(await page.locator('.campaign-card').count()).to.equal(0);
    expect(await page.evaluate(() => sessionStorage.length), 'a refused token is not kept').to.equal(0);
  });

  it('an escalation shows up live and is approved at an amount from the page; email text stays text', async () => {
    const t = await agent();
    const { id, threadId } = await startCampaign(t, { maxCostWithoutApproval: '2300', minCostPerInfluencer: '1000' });
    const { page, pageErrors } = await open(t);
    await enterToken(page);
    const row = page.locator(`#negotiations tr[data-negotiation-id="${id}"]`);
    await row.waitFor({ timeout: UI_TIMEOUT });
    await row.click();
    await detailState(page, 'awaiting_reply');
    await page.locator('#live-status[data-live="live"]').waitFor({ timeout: UI_TIMEOUT });

    await replyAsMaya(t, threadId, 'My rate for this package is $3,200');
    await detailState(page, 'escalated');
    await currentNode(page, 'escalated');
    const rate = page.locator('#approve-rate');
    await rate.waitFor({ timeout: UI_TIMEOUT });
    expect(await rate.inputValue(), 'prefilled with the suggested amount').to.match(/^\d+\.\d{2}$/);
    expect(await page.locator('#detail').textContent()).to.contain('My rate for this package is $3,200');
    await shot(page, '05-escalated');

    // Above their ask: the API's error is shown and nothing changes.
    await rate.fill('5000');
    await page.click('button[data-action="approve"]');
    await page.locator('#error:not([hidden])').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('#error-text').textContent())
      .to.contain('$3,200.00')
      .and.contain('rate_above_ask');
    expect(await state(t, id)).to.equal('escalated');
    expect(await rate.inputValue(), 'the refused amount stays for correction').to.equal('5000');
    await shot(page, '06-approve-refused');
    await page.click('#error-close');

    await rate.fill('2,600');
    await page.click('button[data-action="approve"]');
    await detailState(page, 'counter_sent');
    await currentNode(page, 'counter_sent');
    const after = await api(t, 'GET', `/api/v1/negotiations/${id}`);
    expect(after.body).to.include({ state: 'counter_sent', lastOfferedRate: '2600.00' });
    expect(await page.locator('#detail [data-field="offer"]').textContent()).to.equal('$2,600.00');
    const mails = (await api(t, 'GET', `/sandbox/mail?to=${encodeURIComponent(MAYA)}`)).body as SentMail[];
    expect(mails.at(-1)?.text).to.contain('$2,600.00');
    await shot(page, '07-approved');

    // Untrusted email text is shown as text, never parsed as HTML.
    const hostile = '<img id="injected" src="x" onerror="window.pwned=1"><b id="bold">hi</b>';
    await replyAsMaya(t, threadId, `Thanks! ${hostile}`);
    await page.locator('#detail .timeline li[data-type="email_received"]').nth(1).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('#detail .timeline li[data-type="email_received"] details').nth(1).locator('summary').click();
    const bodies = await page.locator('#detail .email-body').allTextContents();
    expect(bodies.some((b) => b.includes(hostile))).to.equal(true);
    expect(await page.locator('#injected, #bold').count()).to.equal(0);
    expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).to.equal(undefined);
    expect(pageErrors).to.deep.equal([]);
  });

  it('stops every open negotiation of an agency from the page (case-insensitive), live', async () => {
    const t = await agent();
    const influencer = (name: string, email: string, agency?: string) => ({
      name,
      email,
      platform: 'instagram',
      averageViews: 50000,
      ...(agency ? { agency } : {}),
    });
    const created = await api(
      t,
      'POST',
      '/api/v1/campaigns',
      glowCampaign({
        influencers: [
          influencer('Ana Ruiz', 'ana@example.com', 'Talent Co'),
          influencer('Ben Cole', 'ben@example.com', 'Talent Co'),
          influencer('Cy Dunn', 'cy@example.com'),
        ],
      }),
    );
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const ids = (created.body.negotiations as { id: string; influencer: { name: string } }[]).map((n) => n.id);
    for (const id of ids) await waitForState(t, id, 'awaiting_reply');

    const { page, pageErrors } = await open(t);
    await enterToken(page);
    await page.locator('#negotiations tr[data-negotiation-id]').nth(2).waitFor({ timeout: UI_TIMEOUT });
    const asked: string[] = [];
    page.on('dialog', (dialog) => {
      asked.push(dialog.message());
      dialog.accept();
    });
    await page.fill('#agency-name', 'talent co');
    await page.click('#agency-stop');
    for (const id of ids.slice(0, 2))
      await page
        .locator(`#negotiations tr[data-negotiation-id="${id}"][data-state="stopped"]`)
        .waitFor({ timeout: UI_TIMEOUT });
    expect(asked).to.have.length(1);
    expect(asked[0]).to.contain('talent co');
    await page.locator('#notice:not([hidden])').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('#notice').textContent()).to.contain('2 negotiation(s) stopped');
    expect(await state(t, ids[2])).to.equal('awaiting_reply');
    await page.locator(`#negotiations tr[data-negotiation-id="${ids[2]}"][data-state="awaiting_reply"]`).waitFor();
    await shot(page, '08-agency-stopped');
    expect(pageErrors).to.deep.equal([]);
  });

  it('reconnects the event stream after the agent restarts, and catches up', async () => {
    const t = await agent({ PORT: String(await freePort()) });
    const { id } = await startCampaign(t);
    const { page, pageErrors } = await open(t);
    await enterToken(page);
    await page.locator(`#negotiations tr[data-negotiation-id="${id}"]`).click();
    await detailState(page, 'awaiting_reply');
    await page.locator('#live-status[data-live="live"]').waitFor({ timeout: UI_TIMEOUT });

    await t.stop();
    await page.locator('#live-status[data-live="reconnecting"]').waitFor({ timeout: UI_TIMEOUT });
    await t.restart(); // same data directory, same port
    await page.locator('#live-status[data-live="live"]').waitFor({ timeout: 20_000 });
    expect((await api(t, 'POST', `/api/v1/negotiations/${id}/pause`)).status).to.equal(200);
    await detailState(page, 'paused');
    // The open stream is cut when the agent stops, and connections are refused until it is back: both expected.
    const failed = pageErrors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(e));
    expect(failed).to.deep.equal([]);
  });

  it('with no API_TOKEN configured (sandbox default) the page works without asking for one', async () => {
    const t = await startTestAgent({});
    agents.push(t);
    const created = await t.call('POST', '/api/v1/campaigns', glowCampaign());
    expect(created.status).to.equal(201);
    const { page, pageErrors } = await open(t);
    await page.locator('.campaign-card[data-campaign-id="cmp-1"]').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('#live-status[data-live="live"]').waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('#token-dialog[open]').count()).to.equal(0);
    expect(pageErrors).to.deep.equal([]);
  });
});
