/**
 * End-to-end tests of the public HTTP contract (helpers.ts): negotiation detail, filters and campaign stats.
 */
import { expect } from 'chai';
import { glowCampaign } from '../../support/agent.ts';
import {
  createCampaign,
  expectError,
  ISO,
  MAYA,
  MONEY,
  reply,
  type TimelineItem,
  timelineOf,
  waitForMailCount,
  waitForState,
} from '../../support/e2e.ts';
import { useAgents, agent, escalated } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 12. Read models: negotiation detail, filters, campaign stats
// ---------------------------------------------------------------------------------------------------------------

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): read-models', () => {
  useAgents();
  describe('e2e: negotiation detail, filters and campaign stats', () => {
    it('GET /api/v1/negotiations/:id has the summary fields, contacts and the timeline in order', async () => {
      const t = await agent();
      const s = await escalated(t);
      await t.call('POST', `/api/v1/negotiations/${s.id}/approve`, { rate: '2600.00' });
      const n = await waitForState(t, s.id, 'counter_sent');

      expect(n).to.include({ id: s.id, campaignId: 'cmp-1', threadId: s.threadId, state: 'counter_sent' });
      expect(n.influencer).to.deep.include({
        name: 'Maya Lopez',
        email: MAYA,
        platform: 'instagram',
        averageViews: 80000,
      });
      expect(n.humanControlled).to.equal(false);
      expect(n.round).to.be.a('number');
      expect(n.lastOfferedRate).to.equal('2600.00');
      expect(n.theirLastAsk).to.equal('3200.00');
      expect(n.agreedRate).to.equal(null);
      expect(n.agreedCpm).to.equal(null);
      expect(n.updatedAt).to.match(ISO);
      expect((n.contacts as { email: string; isPrimary: boolean }[]).map((c) => [c.email, c.isPrimary])).to.deep.equal([
        [MAYA, true],
      ]);
      expect(n.counterparty).to.deep.equal({ type: 'direct_influencer', agency: null });

      const timeline = n.timeline as TimelineItem[];
      expect(timeline.length).to.be.greaterThan(0);
      for (let i = 1; i < timeline.length; i++) {
        expect(timeline[i].id).to.be.greaterThan(timeline[i - 1].id);
        expect(timeline[i].at >= timeline[i - 1].at, 'timeline in time order').to.equal(true);
      }
      const kinds = timeline
        .filter((e) => ['email_sent', 'email_received', 'escalation', 'approval'].includes(e.type))
        .map((e) => e.type);
      expect(kinds).to.deep.equal(['email_sent', 'email_received', 'escalation', 'approval', 'email_sent']);
      const states = timelineOf(n, 'state_transition').map((e) => e.to);
      expect(states).to.deep.equal([
        'initial_offer',
        'awaiting_reply',
        'counter_received',
        'escalated',
        'counter_sent',
      ]);

      const [outreach, counter] = timelineOf(n, 'email_sent');
      expect(outreach.text).to.contain('$2,000.00');
      expect(counter.text).to.contain('$2,600.00');
      const [received] = timelineOf(n, 'email_received');
      expect(received.text).to.equal('My rate is $3,200 for this package.');
      for (const e of timeline) {
        for (const [key, value] of Object.entries(e)) {
          if (/cents$/i.test(key))
            expect.fail(`timeline entry ${e.type} exposes ${key}: money must be decimal strings`);
          if (['rate', 'ask', 'askRate', 'suggested'].includes(key) && value !== null) expect(value).to.match(MONEY);
        }
      }
    });

    it('GET /api/v1/negotiations filters by campaign and state', async () => {
      const t = await agent();
      const a = await createCampaign(t);
      const b = await createCampaign(
        t,
        glowCampaign({
          id: 'cmp-2',
          client: 'Sun Co',
          influencers: [{ name: 'Ben Ortiz', email: 'ben@example.com', averageViews: 40000 }],
        }),
      );
      const ben = b.negotiations[0].id;
      const [benMail] = await waitForMailCount(t, 'ben@example.com', 1);
      await reply(t, benMail.threadId, 'Not interested, thanks.', { from: 'ben@example.com' });
      await waitForState(t, ben, 'rejected');

      const all = await t.call('GET', '/api/v1/negotiations');
      expect(all.body).to.have.length(2);
      const one = await t.call('GET', '/api/v1/negotiations?campaign=cmp-1');
      expect(one.body.map((n: { id: string }) => n.id)).to.deep.equal([a.negotiations[0].id]);
      const rejected = await t.call('GET', '/api/v1/negotiations?state=rejected');
      expect(rejected.body.map((n: { id: string }) => n.id)).to.deep.equal([ben]);
      const both = await t.call('GET', '/api/v1/negotiations?campaign=cmp-1&state=rejected');
      expect(both.body).to.deep.equal([]);
      const waiting = await t.call('GET', '/api/v1/negotiations?campaign=cmp-1&state=awaiting_reply');
      expect(waiting.body).to.have.length(1);
      const summary = waiting.body[0];
      for (const key of [
        'id',
        'campaignId',
        'threadId',
        'influencer',
        'state',
        'humanControlled',
        'round',
        'lastOfferedRate',
        'theirLastAsk',
        'agreedRate',
        'agreedCpm',
        'updatedAt',
      ]) {
        expect(summary, key).to.have.property(key);
      }
      expectError(await t.call('GET', '/api/v1/negotiations?state=bogus'), 400);
    });

    it('GET /api/v1/campaigns shows counts by state, deals agreed, average agreed CPM and budget committed', async () => {
      const t = await agent();
      await createCampaign(
        t,
        glowCampaign({
          influencers: [
            { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
            { name: 'Ben Ortiz', email: 'ben@example.com', averageViews: 80000 },
            { name: 'Cleo Diaz', email: 'cleo@example.com', averageViews: 80000 },
          ],
        }),
      );
      const initial = (await t.call('GET', '/api/v1/campaigns')).body;
      expect(initial).to.have.length(1);
      expect(initial[0]).to.include({ id: 'cmp-1', dealsAgreed: 0, budgetCommitted: '0.00', averageAgreedCpm: null });

      const [maya] = await waitForMailCount(t, MAYA, 1);
      const [ben] = await waitForMailCount(t, 'ben@example.com', 1);
      const negs = (await t.call('GET', '/api/v1/negotiations?campaign=cmp-1')).body as {
        id: string;
        influencer: { email: string };
      }[];
      const idOf = (email: string) => negs.find((n) => n.influencer.email === email)?.id as string;

      // Maya: counter, then accept our counter; Ben: accepts the opening $2,000.
      await reply(t, maya.threadId, "I'd do it for $2,300");
      const mayaCounter = await waitForState(t, idOf(MAYA), 'counter_sent');
      await reply(t, maya.threadId, "Sounds great, let's do it");
      await reply(t, ben.threadId, "Sounds great, let's do it", { from: 'ben@example.com' });
      const mayaDone = await waitForState(t, idOf(MAYA), 'agreed');
      await waitForState(t, idOf('ben@example.com'), 'agreed');
      expect(mayaDone.agreedRate).to.equal(mayaCounter.lastOfferedRate);

      const mayaRate = Number(mayaDone.agreedRate);
      const committed = (mayaRate + 2000).toFixed(2);
      // Same views for both, so the average of the CPMs equals total cost over total views.
      const average = (((mayaRate + 2000) / 160_000) * 1000).toFixed(2);

      const [c] = (await t.call('GET', '/api/v1/campaigns')).body;
      expect(c.id).to.equal('cmp-1');
      expect(c.dealsAgreed).to.equal(2);
      expect(c.budgetCommitted).to.equal(committed);
      expect(c.averageAgreedCpm).to.match(MONEY);
      expect(Math.abs(Number(c.averageAgreedCpm) - Number(average))).to.be.at.most(0.01);
      expect(c.countsByState).to.include({ agreed: 2, awaiting_reply: 1 });
      expect(c.budget).to.equal('50000.00');

      const detail = await t.call('GET', '/api/v1/campaigns/cmp-1');
      expect(detail.status).to.equal(200);
      expect(detail.body.negotiations).to.have.length(3);
      expect(detail.body.dealsAgreed).to.equal(2);
    });
  });
});
