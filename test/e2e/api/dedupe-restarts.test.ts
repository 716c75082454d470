/**
 * End-to-end tests of the public HTTP contract (helpers.ts): exactly-once inbound mail, idempotent campaigns,
 * durability across restarts.
 */
import { expect } from 'chai';
import { glowCampaign } from '../../support/agent.ts';
import {
  control,
  createCampaign,
  expectError,
  MAYA,
  mail,
  negotiation,
  reply,
  sleep,
  slack,
  started,
  timelineOf,
  until,
  waitForMailCount,
  waitForState,
} from '../../support/e2e.ts';
import { useAgents, agent } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 7. Dedupe
// ---------------------------------------------------------------------------------------------------------------

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): dedupe-restarts', () => {
  useAgents();
  describe('e2e: exactly-once inbound mail and idempotent campaigns', () => {
    it('re-posting the same inbound messageId -> 202 {duplicate:true} and no second processing', async () => {
      const t = await agent();
      const s = await started(t);
      const first = await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<dup-1@maya.example>' });
      expect(first.messageId).to.equal('<dup-1@maya.example>');
      expect(first.duplicate).to.not.equal(true);
      const again = await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<dup-1@maya.example>' });
      expect(again).to.deep.equal({ messageId: '<dup-1@maya.example>', duplicate: true });

      await waitForState(t, s.id, 'counter_sent');
      const third = await reply(t, s.threadId, 'different text, same id', { messageId: '<dup-1@maya.example>' });
      expect(third.duplicate).to.equal(true);

      await sleep(200);
      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('counter_sent');
      expect(n.round).to.equal(1);
      expect(timelineOf(n, 'email_received')).to.have.length(1);
      expect(await mail(t, { to: MAYA }), 'one answer').to.have.length(2);
    });

    it('re-posting the same campaign -> 200 with the same negotiations and nothing new', async () => {
      const t = await agent();
      const first = await createCampaign(t);
      await waitForMailCount(t, MAYA, 1);
      const slackBefore = await slack(t);
      const again = await createCampaign(t, glowCampaign(), 200);
      expect(again.id).to.equal('cmp-1');
      expect(again.negotiations.map((n) => n.id)).to.deep.equal(first.negotiations.map((n) => n.id));
      await sleep(150);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      expect((await t.call('GET', '/api/v1/negotiations')).body).to.have.length(1);
      expect(await slack(t)).to.deep.equal(slackBefore);
    });

    it('re-posting with the email in another case is still the same influencer', async () => {
      const t = await agent();
      const first = await createCampaign(t);
      await waitForMailCount(t, MAYA, 1);
      const body = glowCampaign();
      const again = await t.call('POST', '/api/v1/campaigns', {
        ...body,
        influencers: [{ ...body.influencers[0], email: 'Maya@Gmail.com' }],
      });
      expect(again.status).to.equal(200);
      expect(again.body.negotiations.map((n: { id: string }) => n.id)).to.deep.equal([first.negotiations[0].id]);
      await sleep(100);
      expect(await mail(t)).to.have.length(1);
    });

    it('re-posting a campaign that has a skipped row does not announce it again', async () => {
      const t = await agent();
      const body = glowCampaign({
        influencers: [
          ...glowCampaign().influencers,
          { name: 'Zero Views', email: 'zero@example.com', averageViews: 0 },
        ],
      });
      await createCampaign(t, body);
      await waitForMailCount(t, MAYA, 1);
      await sleep(100);
      const before = await slack(t);
      await createCampaign(t, body, 200);
      await sleep(150);
      expect(await slack(t), 'no new Slack message for an unchanged campaign').to.deep.equal(before);
    });

    it("the agent's own address posting in the thread is never treated as a reply (D9)", async () => {
      const t = await agent();
      const s = await started(t);
      const res = await t.call('POST', '/sandbox/mail', {
        from: 'The Partnerships Team <deals@agency.example>',
        threadId: s.threadId,
        text: "Sounds great, let's do it",
      });
      expect(res.status).to.equal(202);
      await sleep(200);
      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('awaiting_reply');
      expect(timelineOf(n, 'email_received')).to.deep.equal([]);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });

    it('the same campaign id with different terms -> 409 and nothing changes', async () => {
      const t = await agent();
      await createCampaign(t);
      const res = await t.call('POST', '/api/v1/campaigns', glowCampaign({ cpmTarget: '30' }));
      expectError(res, 409);
      const [campaign] = (await t.call('GET', '/api/v1/campaigns')).body;
      expect(campaign.negotiations).to.equal(1);
      const detail = await t.call('GET', '/api/v1/campaigns/cmp-1');
      expect(detail.status).to.equal(200);
      expect(detail.body.negotiations).to.have.length(1);
      expect(await mail(t, { to: MAYA })).to.have.length(1);
    });

    it('adding a new influencer to the same campaign creates only that one', async () => {
      const t = await agent();
      const first = await createCampaign(t);
      await waitForMailCount(t, MAYA, 1);
      const ben = { name: 'Ben Ortiz', email: 'ben@example.com', platform: 'instagram', averageViews: 40000 };
      const body = glowCampaign();
      const res = await t.call('POST', '/api/v1/campaigns', { ...body, influencers: [...body.influencers, ben] });
      expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
      const ids = (res.body.negotiations as { id: string; influencer: { email: string } }[]).map((n) => n.id);
      expect(ids).to.include(first.negotiations[0].id);
      expect(ids).to.have.length(2);
      const all = (await t.call('GET', '/api/v1/negotiations?campaign=cmp-1')).body as {
        influencer: { email: string };
      }[];
      expect(all.map((n) => n.influencer.email).sort()).to.deep.equal(['ben@example.com', MAYA]);
      const benMail = await waitForMailCount(t, 'ben@example.com', 1);
      expect(benMail[0].text).to.contain('$1,000.00'); // 40,000 views at a $25 CPM
      await sleep(100);
      expect(await mail(t, { to: MAYA }), 'Maya is not emailed again').to.have.length(1);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 8. Durability across restarts
  // ---------------------------------------------------------------------------------------------------------------

  describe('e2e: durability across restarts', () => {
    it('a negotiation mid-way continues after a restart', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300");
      const before = await waitForState(t, s.id, 'counter_sent');
      await waitForMailCount(t, MAYA, 2);

      await t.restart();
      const after = await negotiation(t, s.id);
      expect(after.state).to.equal('counter_sent');
      expect(after.lastOfferedRate).to.equal(before.lastOfferedRate);
      expect(after.theirLastAsk).to.equal('2300.00');
      expect(after.round).to.equal(1);

      const accepted = await reply(t, s.threadId, "Sounds great, let's do it");
      const done = await waitForState(t, s.id, 'agreed');
      expect(done.agreedRate).to.equal(before.lastOfferedRate);
      const thread = await waitForMailCount(t, MAYA, 3);
      expect(thread).to.have.length(3);
      expect(thread[2].inReplyTo).to.equal(accepted.messageId);
      expect(thread[2].references).to.include(thread[1].messageId);
      expect(thread[2].subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
    });

    it('a paused negotiation resumes to its exact pre-pause state after a restart', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300");
      await waitForState(t, s.id, 'counter_sent');
      expect((await control(t, s.id, 'pause')).body.state).to.equal('paused');

      await t.restart();
      expect((await negotiation(t, s.id)).state).to.equal('paused');
      const resumed = await control(t, s.id, 'resume');
      expect(resumed.status).to.equal(200);
      expect(resumed.body).to.include({ previousState: 'paused', state: 'counter_sent' });
      expect((await negotiation(t, s.id)).state).to.equal('counter_sent');
    });

    it('a reply recorded while paused is answered on resume after a restart', async () => {
      const t = await agent();
      const s = await started(t);
      await control(t, s.id, 'pause');
      await reply(t, s.threadId, "I'd do it for $2,300");
      await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 1);

      await t.restart();
      expect((await negotiation(t, s.id)).state).to.equal('paused');
      expect(await mail(t, { to: MAYA })).to.have.length(1);
      expect((await control(t, s.id, 'resume')).status).to.equal(200);
      const n = await waitForState(t, s.id, 'counter_sent');
      expect(n.theirLastAsk).to.equal('2300.00');
      expect(await waitForMailCount(t, MAYA, 2)).to.have.length(2);
    });

    it('an inbound duplicate after a restart is still a no-op', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<once@maya.example>' });
      await waitForState(t, s.id, 'counter_sent');
      await t.restart();
      const again = await reply(t, s.threadId, "I'd do it for $2,300", { messageId: '<once@maya.example>' });
      expect(again.duplicate).to.equal(true);
      await sleep(150);
      expect(timelineOf(await negotiation(t, s.id), 'email_received')).to.have.length(1);
      expect(await mail(t, { to: MAYA })).to.have.length(2);
    });
  });
});
