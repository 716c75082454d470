/**
 * The dashboard as a marketing team uses it (decisions D13, D15, D19; issue 13), in headless Chromium against a
 * real agent with API_TOKEN set: only the login until the token is given, a Slack link landing on its negotiation,
 * "Needs you" with approvals (a refused one explained), the conversation, campaign creation from a CSV with a bad
 * row, whole-campaign controls, the sandbox tools (and their absence in live mode), the paged list, the phone
 * layout, live updates, and an axe-core check of every view. One browser and one agent serve most tests.
 */
import { join } from 'node:path';
import { expect } from 'chai';
import { glowCampaign } from '../support/agent.ts';
import { ARTIFACTS, DESKTOP, openPage, PHONE, shot } from '../support/browser.ts';
import { MAYA, until } from '../support/e2e.ts';
import {
  api,
  browser,
  contexts,
  expectAccessible,
  leo,
  login,
  mailTo,
  maya,
  open,
  replyAs,
  shown,
  stateOf,
  t,
  UI,
  useDashboardPage,
  waitState,
} from './dashboard-ui-kit.ts';

describe('dashboard: the page in headless Chromium', function () {
  this.timeout(60_000);
  useDashboardPage();

  it("a Slack link (/dashboard#n=<id>): only the login shows without the token, then that negotiation's conversation", async () => {
    const { page, errors } = await open(DESKTOP, `#n=${maya}`);
    await page.locator('body[data-auth="login"]').waitFor(UI);
    expect(await page.locator('#app').isVisible()).to.equal(false);
    const visible = (await page.evaluate('document.body.innerText')) as string;
    expect(visible).to.not.contain('Maya').and.not.contain('Glow').and.not.contain('Needs you');
    expect(visible).to.contain('API token');
    await expectAccessible(page, 'the login');
    await shot(page, 'login-1440', false);
    // A wrong token is refused: still nothing but the login.
    await page.fill('#token-input', 'not-the-token-0123456789');
    await page.click('#token-submit');
    await page.locator('#token-message', { hasText: 'refused' }).waitFor(UI);
    expect(await page.locator('#app').isVisible()).to.equal(false);
    expect(await page.evaluate(() => sessionStorage.length), 'a refused token is not kept').to.equal(0);

    await login(page);
    expect(new URL(page.url()).hash).to.equal(`#n=${maya}`);
    await page.locator('#detail-title', { hasText: 'Maya Lopez' }).waitFor(UI);
    await page.locator('#detail-state[data-state="escalated"]').waitFor(UI);
    // Their words, amounts highlighted; quoted history and signature folded away; the escalation inline.
    const theirs = page.locator('.msg.theirs').first();
    expect(await shown(theirs.locator('.msg-body'))).to.contain('My rate for this package is $3,200.');
    expect(await theirs.locator('.msg-body mark.amount').allInnerTexts()).to.deep.equal(['$3,200']);
    const quoted = theirs.locator('details[data-fold^="quoted:"]');
    expect(await quoted.getAttribute('open')).to.equal(null);
    expect(await quoted.locator('pre').isVisible()).to.equal(false);
    expect(await shown(theirs.locator('.signature'))).to.contain('Maya');
    expect(await shown(page.locator('.msg.ours').first())).to.contain('Opening offer');
    await page.locator('.event[data-type="escalation"]').waitFor(UI);
    expect(await page.locator('.chart.track circle').count()).to.equal(2);
    // The machine behind "Details".
    expect(await page.locator('.state-node.current').isVisible()).to.equal(false);
    await expectAccessible(page, 'conversation 1440');
    await shot(page, 'conversation-1440');
    await page.locator('details[data-fold^="details:"] > summary').click();
    await page.locator('.state-node.current[data-domain="escalated"]').waitFor(UI);
    await page
      .locator('details[data-fold^="details:"] .transitions td', { hasText: 'xstate.done.actor.decide' })
      .first()
      .waitFor(UI);
    expect(errors).to.deep.equal([]);
  });

  it('"Needs you" first: a refused approval is explained on its card; approving the suggestion sends the counter', async () => {
    const { page, errors } = await open();
    await login(page);
    const card = page.locator(`.need-card[data-negotiation-id="${maya}"]`);
    await card.waitFor(UI);
    const sections = await page.evaluate("[...document.querySelectorAll('main > section')].map((s) => s.id)");
    expect(sections, '"Needs you" first').to.deep.equal(['needs', 'overview']);
    expect(await shown(card.locator('.kind-tag'))).to.match(/needs a decision/i);
    expect(await shown(card.locator('.reason')))
      .to.contain('$3,200.00')
      .and.contain('$2,300.00');
    expect(await shown(card.locator('[data-field="ask"]'))).to.equal('$3,200.00');
    expect(await shown(card.locator('[data-field="offer"]'))).to.equal('$2,000.00');
    expect(await shown(card)).to.contain('$2,000.00 – $2,400.00');
    expect(await shown(card.locator('.their-words'))).to.contain('My rate for this package is $3,200.');
    expect(await shown(page.locator('#needs-count'))).to.equal('1');
    await expectAccessible(page, 'home with needs 1440');
    await shot(page, 'overview-1440', false);
    await page.locator('#needs').screenshot({ path: join(ARTIFACTS, 'needs-you-1440.png') });

    // Above their latest ask: the API's refusal, in its words, right on the card; nothing changes.
    await card.locator(`#approve-rate-${maya}`).fill('5000');
    await card.locator('button[data-action="approve"]').click();
    const problem = card.locator('.problem:not(.empty)');
    await problem.waitFor(UI);
    expect(await shown(problem)).to.equal('Their latest ask is $3,200.00; an approval cannot exceed it');
    expect(await stateOf(maya)).to.equal('escalated');
    expect(
      await card.locator(`#approve-rate-${maya}`).inputValue(),
      'the refused amount stays for correction',
    ).to.equal('5000');

    await card.locator('button[data-action="approve-suggested"]').click();
    await card.waitFor({ state: 'detached', ...UI });
    await waitState(maya, 'counter_sent');
    expect((await api('GET', `/api/v1/negotiations/${maya}`)).body.lastOfferedRate).to.equal('2600.00');
    expect((await mailTo(MAYA)).at(-1)?.text).to.contain('$2,600.00');
    await page.locator('.all-clear').waitFor(UI);
    expect(errors).to.deep.equal([]);
  });

  it('creates a campaign from a CSV with a bad row: clear messages, opening offers first, nobody emailed for that row', async () => {
    const { page, errors } = await open(DESKTOP, '#view=new');
    await login(page);
    await page.fill('#f-client', 'Bloom Tea');
    expect(await page.inputValue('#f-id'), 'an id suggested from the client').to.equal('bloom-tea');
    await page.fill('#f-deliverables', '1 Instagram Reel');
    await page.fill('#f-cpmTarget', '20');
    await page.fill('#f-budget', 'lots');
    await page.locator('#err-budget', { hasText: 'is not an amount' }).waitFor(UI);
    expect(await page.getAttribute('#f-budget', 'aria-invalid')).to.equal('true');
    expect(await page.isDisabled('#create-submit')).to.equal(true);
    await page.fill('#f-budget', '20000');
    await page.locator('#err-budget:empty').waitFor({ state: 'attached', ...UI });
    await page.fill(
      '#f-csv',
      'Name,Email,Platform,Handle,Average Views,Engagement Rate\nZoe Li,zoe@gmail.com,instagram,@zoe,"40,000",5%\nBad Row,not-an-email,instagram,@bad,"50,000",3%\nSam Lee,sam@gmail.com,instagram,@sam,60k,2%\n',
    );
    const bad = page.locator('.preview-table tr[data-row="3"][data-status="skipped"]');
    await bad.waitFor(UI);
    expect(await shown(bad)).to.contain('Row 3: invalid email: not-an-email (Email) — not emailed');
    expect(await shown(page.locator('.preview-table tr[data-row="2"]'))).to.contain('$800.00 (CPM $20.00)');
    expect(await shown(page.locator('#preview-summary')))
      .to.contain('2 influencers will get an opening email (opening offers total $2,000.00)')
      .and.contain('1 row will be skipped');
    expect(await mailTo('zoe@gmail.com'), 'nothing sent by the preview').to.deep.equal([]);
    await expectAccessible(page, 'campaign creation 1440');
    await shot(page, 'create-1440');

    await page.locator('#create-submit', { hasText: 'Send 2 opening emails' }).click();
    await page.locator('#create-result').waitFor(UI);
    expect(await shown(page.locator('#create-result'))).to.contain(
      'Not started: Bad Row — invalid email: not-an-email',
    );
    await until(
      async () => (await mailTo('zoe@gmail.com')).length === 1 && (await mailTo('sam@gmail.com')).length === 1,
    );
    expect(await mailTo('not-an-email')).to.deep.equal([]);
    const stored = (await api('GET', '/api/v1/campaigns/bloom-tea')).body;
    expect(stored.negotiations).to.have.length(2);
    expect(stored.definition).to.include({ client: 'Bloom Tea', budget: '20000.00', cpmTarget: '20' });
    const notice = (await api('GET', '/sandbox/slack')).body.find((m: { text: string }) =>
      m.text.includes('Bloom Tea'),
    );
    expect(JSON.stringify(notice)).to.contain('Not started: Bad Row');

    // The campaign's page: its pictures, then the whole campaign paused, resumed and stopped from the page.
    await page.click('#open-created');
    await page.locator('#funnel svg[role="img"]').waitFor(UI);
    expect(await page.getAttribute('#funnel svg', 'aria-label')).to.contain('Contacted 2');
    expect(await page.getAttribute('#cpm svg', 'aria-label'))
      .to.contain('target $20')
      .and.contain('ceiling $20');
    expect(await page.getAttribute('#budget svg', 'aria-label')).to.contain('of $20,000');
    await expectAccessible(page, 'campaign page');
    await page.click('button[data-action="campaign-pause"]');
    await page.locator('#campaign-status[data-status="paused"]').waitFor(UI);
    for (const n of stored.negotiations) expect(await stateOf(n.id)).to.equal('paused');
    await page.click('button[data-action="campaign-resume"]');
    await page.locator('#campaign-status[data-status="active"]').waitFor(UI);
    await page.click('button[data-action="campaign-stop"]');
    await page.locator('#campaign-status[data-status="stopped"]').waitFor(UI);
    for (const n of stored.negotiations) expect(await stateOf(n.id)).to.equal('stopped');
    expect(await page.isDisabled('button[data-action="campaign-pause"]')).to.equal(true);
    expect(errors).to.deep.equal([]);
  });

  it('sandbox: answers as the influencer and moves the clock from the page; email text stays text', async () => {
    const { page, errors } = await open(DESKTOP, `#n=${leo}`);
    await login(page);
    await page.locator('#detail-state[data-state="awaiting_reply"]').waitFor(UI);
    await page.fill(
      `#sandbox-reply-${leo}`,
      'I\'d do it for $1,700. <img id="injected" src=x onerror="window.pwned=1">',
    );
    await page.click('button[data-action="sandbox-reply"]');
    await page.locator('.msg.ours').nth(1).waitFor(UI); // the agent's counter
    await page.locator('#detail-state[data-state="counter_sent"]').waitFor(UI);
    expect(await shown(page.locator('.msg.theirs .msg-body'))).to.contain('<img id="injected"');
    expect(await page.locator('#injected').count()).to.equal(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).to.equal(undefined);
    expect(await shown(page.locator('.msg.theirs .read-as'))).to.contain('asking $1,700.00');
    expect(await page.inputValue(`#sandbox-reply-${leo}`), 'the composer is emptied once sent').to.equal('');

    await page.fill('#clock-hours', '73');
    await page.click('button[data-action="clock"]');
    await page.locator('#clock-now').waitFor(UI);
    await page.locator('.msg.ours .tag', { hasText: 'Follow-up' }).waitFor(UI);
    expect((await mailTo('leo@gmail.com')).length).to.equal(3);
    expect(errors).to.deep.equal([]);
  });

  it('hides the sandbox tools when the agent says it runs live', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    contexts.push(context);
    await context.route('**/api/v1/info', (route) =>
      route.fulfill({ json: { mode: 'live', sandbox: { mail: false, slack: false, clock: false } } }),
    );
    const { page } = await openPage(context);
    await page.goto(`${t.url}/dashboard#n=${leo}`);
    await login(page);
    await page.locator('#detail-title', { hasText: 'Leo Park' }).waitFor(UI);
    expect(await shown(page.locator('#mode'))).to.equal('Live');
    expect(await page.locator('#sandbox-reply, #sandbox-clock').count()).to.equal(0);
  });

  it('phone width (390 px): cards instead of a wide table, the conversation as its own view, every action in reach', async () => {
    await replyAs(maya, 'Honestly I need $3,100 for this.');
    await waitState(maya, 'escalated');
    const { page, errors } = await open(PHONE);
    await login(page);
    const card = page.locator(`.need-card[data-negotiation-id="${maya}"]`);
    await card.waitFor(UI);
    const fits = () => page.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
    expect(await fits(), 'no sideways scrolling').to.equal(true);
    for (const button of await card.locator('button').all()) {
      const box = await button.boundingBox();
      expect(box, await shown(button)).to.not.equal(null);
      expect((box?.x ?? 0) + (box?.width ?? 0)).to.be.at.most(PHONE.width);
    }
    await expectAccessible(page, 'home on a phone');
    await shot(page, 'overview-390', false);
    await page.locator('#needs').screenshot({ path: join(ARTIFACTS, 'needs-you-390.png') });

    await page.click('[data-nav="list"]');
    const row = page.locator(`#negotiations tr[data-negotiation-id="${maya}"]`);
    await row.waitFor(UI);
    const style = (el: unknown) =>
      (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display;
    expect(await row.evaluate(style), 'a row is a card').to.equal('block');
    expect(await page.locator('#negotiations thead').evaluate((el) => el.getBoundingClientRect().height)).to.be.at.most(
      1,
    );
    expect(await fits()).to.equal(true);
    await row.locator('a').click();
    await page.locator('#detail-title', { hasText: 'Maya Lopez' }).waitFor(UI);
    expect(await page.locator('#negotiations').count(), 'the detail replaces the list').to.equal(0);
    expect(await fits()).to.equal(true);
    for (const action of [
      'approve-suggested',
      'approve',
      'walk-away',
      'claim',
      'pause',
      'stop',
      'sandbox-reply',
      'clock',
    ]) {
      const button = page.locator(`button[data-action="${action}"]`).first();
      await button.scrollIntoViewIfNeeded();
      expect(await button.isVisible(), action).to.equal(true);
      const box = await button.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0), action).to.be.at.most(PHONE.width);
    }
    await expectAccessible(page, 'conversation on a phone');
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'conversation-390', false);
    await page.goto(`${t.url}/dashboard#view=new`);
    await page.locator('#f-client').waitFor(UI);
    // Uploaded this time (a file saved from the sheet), not pasted.
    await page.setInputFiles('#f-csv-file', {
      name: 'influencers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Name,Email,Average Views\nZed,zed@gmail.com,"30,000"\nNo Mail,,"20,000"\n'),
    });
    await page.locator('.preview-table tr[data-status="skipped"]').waitFor(UI);
    expect(await page.inputValue('#f-csv')).to.contain('Zed,zed@gmail.com');
    expect(await shown(page.locator('.preview-table tr[data-status="skipped"]'))).to.contain(
      'no email address (Email)',
    );
    expect(await fits()).to.equal(true);
    await expectAccessible(page, 'campaign creation on a phone');
    await shot(page, 'create-390');
    expect(errors).to.deep.equal([]);
  });

  it('pages through the list on the server, 50 at a time, and filters by campaign and state', async () => {
    const influencers = Array.from({ length: 57 }, (_, i) => ({
      name: `Creator ${i}`,
      email: `c${i}@gmail.com`,
      averageViews: 30000,
    }));
    expect((await api('POST', '/api/v1/campaigns', glowCampaign({ id: 'big', influencers }))).status).to.equal(201);
    const { page, errors } = await open(DESKTOP, '#view=list&campaign=big');
    await login(page);
    await page.locator('#list-range', { hasText: '1–50 of 57' }).waitFor(UI);
    expect(await page.locator('#negotiations tbody tr').count()).to.equal(50);
    await page.click('#page-next');
    await page.locator('#list-range', { hasText: '51–57 of 57' }).waitFor(UI);
    expect(await page.isDisabled('#page-next')).to.equal(true);
    await page.click('#page-prev');
    await page.locator('#list-range', { hasText: '1–50 of 57' }).waitFor(UI);
    await page.selectOption('#filter-state', 'escalated');
    await page.locator('#list-range', { hasText: 'of 0' }).waitFor(UI);
    expect(new URL(page.url()).hash).to.equal('#view=list&campaign=big&state=escalated');
    await page.selectOption('#filter-campaign', 'cmp-1');
    await page.locator(`#negotiations tr[data-negotiation-id="${maya}"]`).waitFor(UI);
    await expectAccessible(page, 'negotiation list');
    expect(errors).to.deep.equal([]);
  });

  it('shows changes made elsewhere live, without polling or reloading; stops an agency from the page', async () => {
    const { page, errors } = await open(DESKTOP, `#n=${leo}`);
    await login(page);
    await page.locator('#live-status[data-live="live"]').waitFor(UI);
    await page.evaluate(() => {
      (globalThis as { marker?: number }).marker = 42;
    });
    expect((await api('POST', `/api/v1/negotiations/${leo}/pause`)).status).to.equal(200);
    await page.locator('#detail-state[data-state="paused"]').waitFor(UI);
    await page.click('#detail-actions button[data-action="resume"]');
    await page.locator('#detail-state[data-state="counter_sent"]').waitFor(UI);
    expect(await page.evaluate(() => (globalThis as { marker?: number }).marker), 'no reload').to.equal(42);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await new Promise((r) => setTimeout(r, 2_000));
    expect(requests, 'no periodic requests while nothing changes').to.deep.equal([]);

    const agency = glowCampaign({
      id: 'agency',
      influencers: [
        { name: 'Ana Ruiz', email: 'ana@example.com', averageViews: 50000, agency: 'Talent Co' },
        { name: 'Ben Cole', email: 'ben@example.com', averageViews: 50000, agency: 'Talent Co' },
      ],
    });
    const ids = (await api('POST', '/api/v1/campaigns', agency)).body.negotiations.map((n: { id: string }) => n.id);
    await page.goto(`${t.url}/dashboard#view=list&campaign=agency`);
    await page.fill('#agency-name', 'talent co');
    await page.click('#agency-stop');
    for (const id of ids)
      await page.locator(`#negotiations tr[data-negotiation-id="${id}"][data-state="stopped"]`).waitFor(UI);
    expect(await shown(page.locator('#notice'))).to.contain('2 negotiations stopped');
    expect(errors).to.deep.equal([]);
  });
});
