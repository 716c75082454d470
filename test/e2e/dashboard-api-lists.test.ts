/**
 * The API behind the dashboard (decisions D15, D19): the "Needs you" list, keyset pages of the negotiation list,
 * campaign stats, the agent's mode, and Slack links that open the dashboard's view of a negotiation.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { glowCampaign } from '../support/agent.ts';
import { expectError, MAYA, negotiation, until, waitForState } from '../support/e2e.ts';
import { useDashboardAgents, ALICE, AS_ALICE, agent, as, influencers } from './dashboard-api-kit.ts';

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('dashboard API lists', () => {
  useDashboardAgents();
  describe('dashboard API: GET /api/v1/needs-you', () => {
    it('escalations, replies on human-held threads and parked negotiations, newest first, with bounds and their words', async () => {
      const t = await agent();
      const body = glowCampaign({
        maxCostWithoutApproval: '2300',
        influencers: [
          { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
          { name: 'Leo Park', email: 'leo@gmail.com', averageViews: 80000 },
          { name: 'Ana Ruiz', email: 'ana@gmail.com', averageViews: 80000 },
          { name: 'Kim Ito', email: 'kim@gmail.com', averageViews: 80000 },
        ],
      });
      const created = await t.call('POST', '/api/v1/campaigns', body);
      const id = (email: string) =>
        created.body.negotiations.find((n: { influencer: { email: string } }) => n.influencer.email === email).id;
      const [maya, leo, ana, kim] = [MAYA, 'leo@gmail.com', 'ana@gmail.com', 'kim@gmail.com'].map(id);
      for (const n of [maya, leo, ana, kim]) await waitForState(t, n, 'awaiting_reply');
      const reply = async (n: string, text: string) => {
        const d = await negotiation(t, n);
        expect(
          (await t.call('POST', '/sandbox/mail', { from: d.influencer.email, threadId: d.threadId, text })).status,
        ).to.equal(202);
      };
      expect((await t.call('GET', '/api/v1/needs-you')).body).to.deep.equal({
        counts: { parked: 0, escalation: 0, reply: 0, total: 0 },
        items: [],
        nextCursor: null,
      });

      await reply(maya, 'My rate for this package is $3,200');
      await waitForState(t, maya, 'escalated');
      // Leo's thread is held by a person: his reply waits for them (and one with no new reply is not listed).
      expect((await t.call('POST', `/api/v1/negotiations/${leo}/claim`)).status).to.equal(200);
      expect((await t.call('POST', `/api/v1/negotiations/${ana}/claim`)).status).to.equal(200);
      await reply(leo, 'Could we jump on a call first?');
      await until(async () => (await t.call('GET', '/api/v1/needs-you')).body.counts.reply === 1);
      // Kim's snapshot is spoiled while the agent is down: the first read parks it (D18).
      await t.stop();
      const db = new Database(join(t.dataDir, 'agent.db'));
      db.prepare('UPDATE negotiations SET snapshot = ? WHERE id = ?').run('{"not": "a snapshot"', kim);
      db.close();
      await t.restart();
      await t.call('GET', `/api/v1/negotiations/${kim}`);
      await until(async () => (await t.call('GET', '/api/v1/needs-you')).body.counts.parked === 1);

      const res = await t.call('GET', '/api/v1/needs-you');
      expect(res.status).to.equal(200);
      expect(res.body.counts).to.deep.equal({ parked: 1, escalation: 1, reply: 1, total: 3 });
      const byKind = Object.fromEntries(res.body.items.map((i: { kind: string }) => [i.kind, i]));
      expect(byKind.escalation.negotiation.id).to.equal(maya);
      expect(byKind.escalation.escalation).to.include({
        number: 1,
        ask: '3200.00',
        suggested: '2600.00',
        trigger: 'max_cost',
      });
      expect(byKind.escalation.reason).to.contain('$3,200.00');
      expect(byKind.escalation.bounds).to.deep.equal({
        floor: '2000.00',
        ceiling: '2400.00',
        floorCpm: '25.00',
        ceilingCpm: '30.00',
        maxWithoutApproval: '2300.00',
      });
      expect(byKind.escalation.latestReply.text).to.equal('My rate for this package is $3,200');
      expect(byKind.escalation.client).to.equal('Glow Skincare');
      expect(byKind.reply.negotiation.id).to.equal(leo);
      expect(byKind.reply.latestReply.text).to.equal('Could we jump on a call first?');
      expect(byKind.parked.negotiation.id).to.equal(kim);
      expect(byKind.parked.reason).to.match(/JSON/);
      const since = res.body.items.map((i: { negotiation: { updatedAt: string } }) => i.negotiation.updatedAt);
      expect(since).to.deep.equal([...since].sort().reverse());

      // Pages: one at a time, by cursor, the same items in the same order.
      const first = (await t.call('GET', '/api/v1/needs-you?limit=2')).body;
      expect(first.items).to.have.length(2);
      const second = (await t.call('GET', `/api/v1/needs-you?limit=2&after=${first.nextCursor}`)).body;
      expect(second.nextCursor).to.equal(null);
      expect([...first.items, ...second.items].map((i: { kind: string }) => i.kind)).to.deep.equal(
        res.body.items.map((i: { kind: string }) => i.kind),
      );
      expectError(await t.call('GET', '/api/v1/needs-you?after=bogus!'), 400);
      expectError(await t.call('GET', '/api/v1/needs-you?after=WyJ4Il0'), 400, 'invalid_cursor');

      // Dealt with, it leaves the list: approving (refused above their ask first), handing back.
      const above = await t.call('POST', `/api/v1/negotiations/${maya}/approve`, { rate: '3300', escalation: 1 });
      expectError(above, 422, 'rate_above_ask');
      expect(above.body.error.message).to.equal('Their latest ask is $3,200.00; an approval cannot exceed it');
      expectError(
        await t.call('POST', `/api/v1/negotiations/${maya}/approve`, { rate: '2600', escalation: 2 }),
        409,
        'stale_escalation',
      );
      expect(
        (await t.call('POST', `/api/v1/negotiations/${maya}/approve`, { rate: '2600', escalation: 1 })).status,
      ).to.equal(200);
      expect((await t.call('POST', `/api/v1/negotiations/${leo}/release`)).status).to.equal(200);
      const after = (await t.call('GET', '/api/v1/needs-you')).body;
      expect(after.counts).to.deep.equal({ parked: 1, escalation: 0, reply: 0, total: 1 });
    });
  });

  describe('dashboard API: the list in keyset pages, campaign stats, the mode, Slack links', () => {
    it('pages newest first by cursor with the total on the first page; filters by campaign and state', async () => {
      const t = await agent();
      expect(
        (await t.call('POST', '/api/v1/campaigns', glowCampaign({ influencers: influencers(23) }))).status,
      ).to.equal(201);
      expect(
        (await t.call('POST', '/api/v1/campaigns', glowCampaign({ id: 'cmp-2', influencers: influencers(4) }))).status,
      ).to.equal(201);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await t.call(
          'GET',
          `/api/v1/negotiations?campaign=cmp-1&limit=10${cursor ? `&after=${cursor}` : ''}`,
        );
        expect(res.status).to.equal(200);
        expect(res.headers.get('x-total-count')).to.equal(pages === 0 ? '23' : null);
        seen.push(...res.body.map((n: { id: string }) => n.id));
        cursor = res.headers.get('x-next-cursor');
        pages++;
      } while (cursor);
      expect(pages).to.equal(3);
      expect(new Set(seen).size).to.equal(23);
      const all = (await t.call('GET', '/api/v1/negotiations?campaign=cmp-1&limit=100')).body;
      expect(all.map((n: { id: string }) => n.id)).to.deep.equal(seen);
      const created = all.map((n: { createdAt: string }) => n.createdAt);
      expect(created).to.deep.equal([...created].sort().reverse());
      const everything = await t.call('GET', '/api/v1/negotiations?limit=5');
      expect(everything.headers.get('x-total-count')).to.equal('27');
      expect(everything.body[0].campaignId).to.equal('cmp-2'); // the newest first
      const stopped = await t.call('GET', '/api/v1/negotiations?state=stopped');
      expect(stopped.headers.get('x-total-count')).to.equal('0');
      expectError(await t.call('GET', '/api/v1/negotiations?after=abc&offset=3'), 400);
      expectError(await t.call('GET', '/api/v1/negotiations?after=e30'), 400, 'invalid_cursor');
    });

    it('campaign stats: the funnel from contacted to how each ended, CPM against target and ceiling, budget', async () => {
      const t = await agent();
      const created = await t.call(
        'POST',
        '/api/v1/campaigns',
        glowCampaign({
          influencers: [
            { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
            { name: 'Leo Park', email: 'leo@gmail.com', averageViews: 80000 },
            { name: 'Kim Ito', email: 'kim@gmail.com', averageViews: 80000 },
          ],
        }),
      );
      const [maya, , kim] = created.body.negotiations.map((n: { id: string }) => n.id);
      for (const n of [maya, kim]) await waitForState(t, n, 'awaiting_reply');
      const d = await negotiation(t, maya);
      await t.call('POST', '/sandbox/mail', { from: MAYA, threadId: d.threadId, text: "Sounds great, let's do it!" });
      await waitForState(t, maya, 'agreed');
      await t.call('POST', `/api/v1/negotiations/${kim}/stop`);
      const stats = await t.call('GET', '/api/v1/campaigns/cmp-1/stats');
      expect(stats.status).to.equal(200);
      expect(stats.body).to.deep.equal({
        id: 'cmp-1',
        status: 'active',
        funnel: {
          negotiations: 3,
          contacted: 3,
          replied: 1,
          agreed: 1,
          rejected: 0,
          stale: 0,
          escalated: 0,
          paused: 0,
          stopped: 1,
          negotiating: 1,
        },
        cpm: { achieved: '25.00', floor: '25.00', ceiling: '30.00' },
        budget: { budget: '50000.00', committed: '2000.00' },
      });
      expectError(await t.call('GET', '/api/v1/campaigns/nope/stats'), 404);
      expect((await t.call('GET', '/api/v1/info')).body).to.deep.equal({
        mode: 'sandbox',
        sandbox: { mail: true, slack: true, clock: true },
      });
    });

    it("Slack's links open the dashboard's view of the negotiation under PUBLIC_URL (D19)", async () => {
      const t = await agent({ PUBLIC_URL: 'https://deals.example.com', API_TOKEN: ALICE });
      const created = await t.call(
        'POST',
        '/api/v1/campaigns',
        glowCampaign({ maxCostWithoutApproval: '2300' }),
        AS_ALICE,
      );
      const id = created.body.negotiations[0].id;
      await waitForState(as(t, AS_ALICE), id, 'awaiting_reply');
      const d = (await t.call('GET', `/api/v1/negotiations/${id}`, undefined, AS_ALICE)).body;
      await t.call('POST', '/sandbox/mail', { from: MAYA, threadId: d.threadId, text: 'My rate is $3,200' }, AS_ALICE);
      const posted = await until(async () => {
        const all = (await t.call('GET', '/sandbox/slack', undefined, AS_ALICE)).body as {
          kind: string;
          blocks: unknown[];
        }[];
        return all.find((m) => m.kind === 'escalation');
      });
      expect(JSON.stringify(posted.blocks)).to.contain(
        `<https://deals.example.com/dashboard#n=${id}|Open the negotiation>`,
      );
      // The link is the page (public, no data): it asks for the token, then shows that negotiation.
      const page = await fetch(`${t.url}/dashboard`);
      expect(page.status).to.equal(200);
    });
  });
});
