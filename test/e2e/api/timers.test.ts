/**
 * End-to-end tests of the public HTTP contract (helpers.ts): follow-up and stale timers, stop by agency.
 */
import { expect } from 'chai';
import { glowCampaign, type TestAgent } from '../../support/agent.ts';
import {
  control,
  createCampaign,
  MAYA,
  mail,
  negotiation,
  reply,
  sleep,
  slack,
  started,
  timelineOf,
  until,
  usd,
  waitForMailCount,
  waitForState,
} from '../../support/e2e.ts';
import { useAgents, agent } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 9. Timers (follow-up, stale, revival)
// ---------------------------------------------------------------------------------------------------------------

async function advance(t: TestAgent, hours: number) {
  const res = await t.call('POST', '/sandbox/clock', { advanceHours: hours });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): timers', () => {
  useAgents();
  describe('e2e: follow-up and stale timers', () => {
    it('no follow-up before 72 h; one follow-up after 72 h; stale with a Slack notice 72 h later', async () => {
      const t = await agent();
      const s = await started(t);

      await advance(t, 71);
      await sleep(150);
      expect(await mail(t, { to: MAYA }), 'no follow-up before 72 h').to.have.length(1);

      await advance(t, 2);
      const thread = await waitForMailCount(t, MAYA, 2);
      const followUp = thread[1];
      expect(followUp.threadId).to.equal(s.threadId);
      expect(followUp.inReplyTo).to.equal(s.opening.messageId);
      expect(followUp.subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
      expect(followUp.text).to.contain('$2,000');
      expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');

      await advance(t, 71);
      await sleep(150);
      expect((await negotiation(t, s.id)).state, 'not stale before 72 h after the follow-up').to.equal(
        'awaiting_reply',
      );

      await advance(t, 2);
      await waitForState(t, s.id, 'stale');
      const notice = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'notice'));
      expect(notice.text).to.match(/stale/i);
      expect(await mail(t, { to: MAYA }), 'exactly one follow-up, nothing when going stale').to.have.length(2);

      await advance(t, 500);
      await sleep(150);
      expect(await mail(t, { to: MAYA }), 'nothing more once stale').to.have.length(2);
    });

    it('a reply to a stale thread revives it: counter_received -> answered', async () => {
      const t = await agent();
      const s = await started(t);
      await advance(t, 73);
      await waitForMailCount(t, MAYA, 2);
      await advance(t, 73);
      await waitForState(t, s.id, 'stale');

      await reply(t, s.threadId, "Sorry for the delay! I'd do it for $2,300");
      const n = await waitForState(t, s.id, 'counter_sent');
      const transitions = timelineOf(n, 'state_transition').map((e) => `${e.from}->${e.to}`);
      expect(transitions).to.include('stale->counter_received');
      expect(transitions.at(-1)).to.equal('counter_received->counter_sent');
      const thread = await waitForMailCount(t, MAYA, 3);
      expect(thread[2].text).to.contain(usd(n.lastOfferedRate));
    });

    it('timers survive a restart (the deadline fires after the process comes back)', async () => {
      const t = await agent();
      await started(t);
      await t.restart();
      await advance(t, 73);
      expect(await waitForMailCount(t, MAYA, 2)).to.have.length(2);
    });

    it('a claimed negotiation gets no follow-up', async () => {
      const t = await agent();
      const s = await started(t);
      await control(t, s.id, 'claim');
      await advance(t, 200);
      await sleep(200);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      expect((await negotiation(t, s.id)).state).to.equal('awaiting_reply');
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 10. Stop by agency
  // ---------------------------------------------------------------------------------------------------------------

  describe('e2e: stop by agency', () => {
    it('stops every negotiation of "United Talent Agency" (case-insensitive) and not the others', async () => {
      const t = await agent();
      const created = await createCampaign(
        t,
        glowCampaign({
          influencers: [
            { name: 'Maya Lopez', email: MAYA, averageViews: 80000 },
            { name: 'Ana Reyes', email: 'ana@unitedtalent.com', averageViews: 60000 },
            { name: 'Leo Park', email: 'Leo.Park@UnitedTalent.com', averageViews: 50000 },
          ],
        }),
      );
      expect(created.negotiations).to.have.length(3);
      const byEmail = Object.fromEntries(created.negotiations.map((n) => [n.influencer.email, n.id]));
      const agencyIds = [byEmail['ana@unitedtalent.com'], byEmail['leo.park@unitedtalent.com']];
      expect(agencyIds.every(Boolean), JSON.stringify(byEmail)).to.equal(true);

      const res = await t.call('POST', '/api/v1/agencies/united%20talent%20agency/stop');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.agency.toLowerCase()).to.equal('united talent agency');
      expect(res.body.stopped).to.equal(2);
      expect([...res.body.ids].sort()).to.deep.equal([...agencyIds].sort());

      for (const id of agencyIds) expect((await negotiation(t, id)).state).to.equal('stopped');
      expect((await negotiation(t, byEmail[MAYA])).state).to.equal('awaiting_reply');

      const again = await t.call('POST', '/api/v1/agencies/United%20Talent%20Agency/stop');
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.include({ stopped: 0, ids: [] });
    });
  });
});
