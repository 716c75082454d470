import { expect } from 'chai';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { DESKTOP, hasChromium, launch, openPage, seriousViolations } from '../support/browser.ts';
import { MAYA, type SentMail, TOKEN, until } from '../support/e2e.ts';

export const AUTH = { Authorization: `Bearer ${TOKEN}` };
/** A locator's text as the page shows it. */
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node: the text as shown
export const shown = (locator: Locator) => locator.innerText();
export const UI = { timeout: 10_000 };

export let browser: Browser;
export let t: TestAgent;
export let contexts: BrowserContext[] = [];
export let maya = '';
export let leo = '';

export const api = (method: string, path: string, body?: unknown) => t.call(method, path, body, AUTH);
export const stateOf = async (id: string) => (await api('GET', `/api/v1/negotiations/${id}`)).body.state as string;
export const waitState = (id: string, state: string) => until(async () => (await stateOf(id)) === state);
export const mailTo = async (to: string) =>
  (await api('GET', `/sandbox/mail?to=${encodeURIComponent(to)}`)).body as SentMail[];
export async function replyAs(id: string, text: string) {
  const n = (await api('GET', `/api/v1/negotiations/${id}`)).body;
  const res = await api('POST', '/sandbox/mail', { from: n.influencer.email, threadId: n.threadId, text });
  expect(res.status, JSON.stringify(res.body)).to.equal(202);
}

export async function open(viewport = DESKTOP, hash = '') {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const { page, errors } = await openPage(context);
  await page.goto(`${t.url}/dashboard${hash}`);
  return { page, errors };
}
export async function login(page: Page, token = TOKEN) {
  await page.locator('#token-input').waitFor(UI);
  await page.fill('#token-input', token);
  await page.click('#token-submit');
  await page.locator('body[data-auth="app"]').waitFor(UI);
}
export async function expectAccessible(page: Page, what: string) {
  expect(await seriousViolations(page), `axe-core, ${what}`).to.deep.equal([]);
}

/** One browser and one agent for the whole suite (skipped without Chromium); browser contexts closed after each test. */
export function useDashboardPage() {
  before(async function () {
    if (!hasChromium()) {
      console.log('      (skipped: /usr/bin/chromium is not installed; apt-get install -y chromium runs these tests)');
      this.skip();
    }
    browser = await launch();
    t = await startTestAgent({ API_TOKEN: TOKEN });
    const created = await api(
      'POST',
      '/api/v1/campaigns',
      glowCampaign({
        maxCostWithoutApproval: '2300',
        minCostPerInfluencer: '1000',
        influencers: [
          { name: 'Maya Lopez', email: MAYA, platform: 'instagram', averageViews: 80000 },
          { name: 'Leo Park', email: 'leo@gmail.com', platform: 'instagram', averageViews: 60000 },
        ],
      }),
    );
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    [maya, leo] = created.body.negotiations.map((n: { id: string }) => n.id);
    await waitState(maya, 'awaiting_reply');
    await waitState(leo, 'awaiting_reply');
    await replyAs(
      maya,
      'Hi!\n\nMy rate for this package is $3,200.\n\nBest,\nMaya\n\nOn Mon, Jan 5, 2026 at 10:00 AM Partnerships <deals@agency.example> wrote:\n> Here is what we have in mind, at a rate of $2,000.00',
    );
    await waitState(maya, 'escalated');
  });
  after(async () => {
    await browser?.close();
    if (t) {
      await t.stop();
      removeDir(t.dataDir);
    }
  });
  afterEach(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
  });
}
