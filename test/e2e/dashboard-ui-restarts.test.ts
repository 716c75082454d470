import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { glowCampaign, removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { DESKTOP, hasChromium, launch, openPage } from '../support/browser.ts';
import { TOKEN } from '../support/e2e.ts';
import { AUTH, UI } from './dashboard-ui-kit.ts';

describe('dashboard: the page, agent restarts and sandboxes without a token', function () {
  this.timeout(60_000);
  let browser: Browser;
  const agents: TestAgent[] = [];
  before(async function () {
    if (!hasChromium()) this.skip();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    for (const a of agents) {
      await a.stop();
      removeDir(a.dataDir);
    }
  });

  it('reconnects the event stream after the agent restarts, and catches up', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const t = await startTestAgent({ API_TOKEN: TOKEN, PORT: String(port) });
    agents.push(t);
    const created = await t.call('POST', '/api/v1/campaigns', glowCampaign(), AUTH);
    const id = created.body.negotiations[0].id;
    const context = await browser.newContext({ viewport: DESKTOP });
    const { page, errors } = await openPage(context);
    await page.goto(`${t.url}/dashboard#n=${id}`);
    await page.fill('#token-input', TOKEN);
    await page.click('#token-submit');
    await page.locator('#detail-state[data-state="awaiting_reply"]').waitFor(UI);
    await page.locator('#live-status[data-live="live"]').waitFor(UI);
    await t.stop();
    await page.locator('#live-status[data-live="reconnecting"]').waitFor(UI);
    await t.restart();
    await page.locator('#live-status[data-live="live"]').waitFor({ timeout: 20_000 });
    expect((await t.call('POST', `/api/v1/negotiations/${id}/pause`, {}, AUTH)).status).to.equal(200);
    await page.locator('#detail-state[data-state="paused"]').waitFor(UI);
    expect(errors.filter((e) => !/ERR_CONNECTION_REFUSED|ERR_INCOMPLETE_CHUNKED_ENCODING/.test(e))).to.deep.equal([]);
    await context.close();
  });

  it('with no API_TOKEN configured (sandbox default) the page works without asking for one', async () => {
    const t = await startTestAgent({});
    agents.push(t);
    expect((await t.call('POST', '/api/v1/campaigns', glowCampaign())).status).to.equal(201);
    const context = await browser.newContext({ viewport: DESKTOP });
    const { page, errors } = await openPage(context);
    await page.goto(`${t.url}/`);
    expect(new URL(page.url()).pathname).to.equal('/dashboard');
    await page.locator('.campaign-card[data-campaign-id="cmp-1"]').waitFor(UI);
    await page.locator('#live-status[data-live="live"]').waitFor(UI);
    expect(await page.locator('#login').isVisible()).to.equal(false);
    expect(errors).to.deep.equal([]);
    await context.close();
  });
});
