/**
 * End-to-end tests of the public HTTP contract (helpers.ts): the README walkthrough and counters within bounds.
 */
import { expect } from 'chai';
import {
  createCampaign,
  dollars,
  ISO,
  MAYA,
  MONEY,
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
  waitForReceived,
  waitForState,
} from '../../support/e2e.ts';
import { useAgents, agent } from './helpers.ts';

// ---------------------------------------------------------------------------------------------------------------
// 1. The README walkthrough
// ---------------------------------------------------------------------------------------------------------------

// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('API (e2e): walkthrough', () => {
  useAgents();
  describe('e2e: README walkthrough (create -> opening email -> accept -> agreed)', () => {
    it('creates the campaign, emails the opening offer, and closes the deal on "Sounds great"', async () => {
      const t = await agent();
      const created = await createCampaign(t);
      expect(created.id).to.equal('cmp-1');
      expect(created.negotiations).to.have.length(1);
      expect(created.skipped).to.deep.equal([]);
      const neg = created.negotiations[0];
      expect(neg.id).to.be.a('string').and.not.equal('');
      expect(neg.influencer).to.include({ name: 'Maya Lopez', email: MAYA });

      const [opening, ...more] = await waitForMailCount(t, MAYA, 1);
      expect(more).to.deep.equal([]);
      expect(opening.to).to.equal(MAYA);
      expect(opening.subject).to.equal('Collaboration Opportunity - Glow Skincare');
      expect(opening.text).to.contain('$2,000.00');
      expect(opening.messageId).to.be.a('string').and.not.equal('');
      expect(opening.threadId).to.be.a('string').and.not.equal('');
      expect(opening.sentAt).to.match(ISO);

      const before = await negotiation(t, neg.id);
      expect(before.threadId).to.equal(opening.threadId);
      expect(before.lastOfferedRate).to.equal('2000.00');

      const posted = await t.call('POST', '/sandbox/mail', {
        from: MAYA,
        threadId: opening.threadId,
        text: "Sounds great, let's do it",
      });
      expect(posted.status).to.equal(202);
      expect(posted.body.messageId).to.be.a('string');
      expect(posted.body.duplicate).to.not.equal(true);

      const done = await waitForState(t, neg.id, 'agreed');
      expect(done.agreedRate).to.equal('2000.00');
      expect(done.agreedCpm).to.equal('25.00');

      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread).to.have.length(2);
      const confirmation = thread[1];
      expect(confirmation.threadId).to.equal(opening.threadId);
      expect(confirmation.subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
      // threaded as a reply to Maya's message (llm-email.md S2)
      expect(confirmation.inReplyTo).to.equal(posted.body.messageId);
      expect(confirmation.references).to.deep.equal([opening.messageId, posted.body.messageId]);
      expect(confirmation.text).to.contain('$2,000');

      const agreement = await until(async () => (await slack(t, neg.id)).find((m) => m.kind === 'agreement'));
      expect(agreement.text).to.contain('Maya Lopez');
      expect(`${agreement.text} ${JSON.stringify(agreement.blocks)}`).to.contain('$2,000');
    });

    it("the Slack agreement message links to the dashboard's view of the negotiation on this agent (D19)", async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "Sounds great, let's do it");
      await waitForState(t, s.id, 'agreed');
      const agreement = await until(async () => (await slack(t, s.id)).find((m) => m.kind === 'agreement'));
      const links = [...JSON.stringify(agreement.blocks).matchAll(/<(https?:\/\/[^|>]+)\|/g)].map((m) => m[1]);
      expect(links, 'a link to the negotiation').to.have.length.greaterThan(0);
      expect(links[0]).to.equal(`${t.url}/dashboard#n=${s.id}`);
      const followed = await fetch(links[0]);
      expect(followed.status).to.equal(200);
      expect(followed.headers.get('content-type')).to.match(/^text\/html/);
    });

    it('two replies posted back to back are both processed, in order', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300");
      await reply(t, s.threadId, "Sounds great, let's do it");
      const n = await waitForState(t, s.id, 'agreed');
      expect(n.agreedRate).to.equal(n.lastOfferedRate);
      expect(Number(n.agreedRate)).to.be.greaterThan(2000).and.lessThan(2300);
      expect(timelineOf(n, 'email_received').map((e) => e.text)).to.deep.equal([
        "I'd do it for $2,300",
        "Sounds great, let's do it",
      ]);
      expect(await waitForMailCount(t, MAYA, 3)).to.have.length(3);
    });

    it('a reply after the deal is closed is recorded but never answered', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "Sounds great, let's do it");
      await waitForState(t, s.id, 'agreed');
      await waitForMailCount(t, MAYA, 2);
      await reply(t, s.threadId, 'Actually, could we make it $2,500?');
      await until(async () => timelineOf(await negotiation(t, s.id), 'email_received').length === 2);
      await sleep(150);
      const n = await negotiation(t, s.id);
      expect(n.state).to.equal('agreed');
      expect(n.agreedRate).to.equal('2000.00');
      expect(await mail(t, { to: MAYA })).to.have.length(2);
    });
  });

  // ---------------------------------------------------------------------------------------------------------------
  // 2. Counter within bounds
  // ---------------------------------------------------------------------------------------------------------------

  describe('e2e: counter within bounds', () => {
    it('"I\'d do it for $2,300" gets a counter strictly between our offer and the ask', async () => {
      const t = await agent();
      const s = await started(t); // no maxCostWithoutApproval
      const theirs = await reply(t, s.threadId, "I'd do it for $2,300");
      const n = await waitForState(t, s.id, 'counter_sent');

      expect(n.theirLastAsk).to.equal('2300.00');
      expect(n.lastOfferedRate).to.match(MONEY);
      const rate = Number(n.lastOfferedRate);
      expect(rate).to.be.greaterThan(2000).and.lessThan(2300);
      expect(Number.isInteger(rate), 'counters are whole dollars (D3.5)').to.equal(true);
      expect(n.round).to.equal(1);

      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread).to.have.length(2);
      const counter = thread[1];
      expect(counter.threadId).to.equal(s.threadId);
      expect(counter.subject).to.equal('Re: Collaboration Opportunity - Glow Skincare');
      expect(counter.inReplyTo).to.equal(theirs.messageId);
      expect(counter.text).to.contain(usd(n.lastOfferedRate));
      // Every amount the email offers is our counter (the ask may only appear struck through in the SOW).
      const offered = (counter.text.match(/\$[\d,]+(?:\.\d{2})?/g) ?? []).map(dollars);
      expect(offered).to.include(rate);
      for (const amount of offered) expect([rate, 2300]).to.include(amount);
    });

    it('an ask at or below our offer is agreed at the ask (D3.2)', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, 'I can do it for $1,800.');
      const n = await waitForState(t, s.id, 'agreed');
      expect(n.agreedRate).to.equal('1800.00');
      expect(n.agreedCpm).to.equal('22.50');
      const thread = await waitForMailCount(t, MAYA, 2);
      expect(thread[1].text).to.contain('$1,800');
      expect(thread[1].text).to.not.contain('$2,000');
    });

    it('the engagement premium is really used: $2,550 (above the $2,400 CPM ceiling) is countered, not escalated', async () => {
      const t = await agent();
      const s = await started(t); // engagement 4.5% -> +8% on the ceiling, about $2,592
      await reply(t, s.threadId, "I'd do it for $2,550");
      const n = await waitForState(t, s.id, 'counter_sent');
      const rate = Number(n.lastOfferedRate);
      expect(rate).to.be.greaterThan(2000).and.lessThan(2550);
      expect(timelineOf(n, 'escalation')).to.deep.equal([]);
    });

    it('our offers never go down and never exceed the effective ceiling (D3.3)', async () => {
      const t = await agent();
      const s = await started(t);
      let previous = 2000;
      for (const ask of ['$2,700', '$2,650', '$2,620']) {
        const before = timelineOf(await negotiation(t, s.id), 'email_received').length;
        await reply(t, s.threadId, `My rate is ${ask}.`);
        const n = await waitForReceived(t, s.id, before + 1);
        if (['rejected', 'escalated', 'agreed'].includes(n.state)) break;
        const rate = Number(n.lastOfferedRate);
        expect(rate, `offer after ${ask}`).to.be.at.least(previous).and.at.most(2592);
        previous = rate;
      }
      for (const m of await mail(t, { to: MAYA })) {
        const amounts = (m.text.match(/\$[\d,]+\.\d{2}/g) ?? []).map(dollars);
        const offered = amounts.filter((a) => ![2700, 2650, 2620, 25].includes(a));
        for (const a of offered) expect(a, m.text).to.be.at.most(2592);
      }
    });

    it('the next ask within 5% of it is agreed at the ask', async () => {
      const t = await agent();
      const s = await started(t);
      await reply(t, s.threadId, "I'd do it for $2,300");
      const first = await waitForState(t, s.id, 'counter_sent');
      const ourCounter = Number(first.lastOfferedRate);
      // Pick an ask within 5% of itself above our counter.
      const ask = Math.floor(ourCounter * 1.04);
      await reply(t, s.threadId, `Meet me at $${ask.toLocaleString('en-US')} and we have a deal.`);
      const n = await waitForState(t, s.id, 'agreed');
      expect(n.agreedRate).to.equal(`${ask}.00`);
      const thread = await waitForMailCount(t, MAYA, 3);
      expect(thread[2].text).to.contain(usd(`${ask}.00`));
    });
  });
});
