/**
 * The concession strategy (decisions D2-D4): the opening offer, the offer limit and next counter, and what an
 * escalation suggests. Worked examples: strategy-decide.test.ts; invariants: strategy-invariants.test.ts.
 */
import { expect } from 'chai';
import { nextCounterCents, offerLimitCents, openingOfferCents } from '../../services/strategy.ts';
import { emailOf, escalationOf, facts, reply, run, terms, tracker } from './strategy-fixtures.ts';

describe('strategy', () => {
  describe('openingOfferCents (D3.1)', () => {
    it('opens Maya (80,000 views, CPM target $25) at the floor rate $2,000.00', () => {
      expect(openingOfferCents(terms(), 80_000)).to.equal(200_000);
    });

    it('never opens below the minimum cost per influencer', () => {
      expect(openingOfferCents(terms({}, { minCostCents: 250_000 }), 80_000)).to.equal(250_000);
      expect(openingOfferCents(terms({}, { minCostCents: 100_000 }), 80_000)).to.equal(200_000);
    });

    it('uses the default $20 floor when the campaign has no CPM target (D4)', () => {
      expect(openingOfferCents(terms({ floorCpmCents: 2000, ceilingCpmCents: 3000 }), 50_000)).to.equal(100_000);
    });

    it('refuses views that are not a positive integer (no $0 opening, D3.1)', () => {
      for (const views of [0, -100, 1.5, Number.NaN]) {
        expect(() => openingOfferCents(terms(), views), String(views)).to.throw(/average_views must be positive/);
      }
    });
  });

  describe('offerLimitCents and nextCounterCents', () => {
    it('limit = ceiling rate capped by the max cost, or a higher human-approved amount', () => {
      expect(offerLimitCents(facts(), null)).to.equal(240_000);
      const capped = facts({ terms: terms({}, { maxCostCents: 230_000 }) });
      expect(offerLimitCents(capped, null)).to.equal(230_000);
      expect(offerLimitCents({ ...capped, approvedCeilingCents: 280_000 }, null)).to.equal(280_000);
      expect(offerLimitCents({ ...capped, approvedCeilingCents: 150_000 }, null)).to.equal(230_000);
    });

    it('CPM tracker premiums raise the limit: engagement 6.0 -> +15% ($34.50 CPM = $2,760)', () => {
      const f = facts({ influencer: { averageViews: 80_000, engagementRate: '6.0' } });
      expect(offerLimitCents(f, tracker())).to.equal(276_000);
      expect(
        offerLimitCents({ ...f, influencer: { averageViews: 80_000, engagementRate: '4.0' } }, tracker()),
      ).to.equal(259_200); // +8%
      expect(offerLimitCents({ ...f, influencer: { averageViews: 80_000, engagementRate: null } }, tracker())).to.equal(
        240_000,
      );
    });

    it('tracker premiums never go beyond 120% of the ceiling ($36 CPM = $2,880)', () => {
      const f = facts({ influencer: { averageViews: 80_000, engagementRate: '8.0' } });
      expect(offerLimitCents(f, tracker([1000, 1000, 1000]))).to.equal(288_000);
      expect(offerLimitCents(f, tracker([100, 100, 100, 100], 5))).to.equal(288_000);
    });

    it('the counter is halfway, rounded half-up to whole dollars, capped by the limit', () => {
      expect(nextCounterCents(200_000, 230_000, 240_000)).to.equal(215_000);
      expect(nextCounterCents(200_308, 230_000, 240_000)).to.equal(215_200); // $2,151.54 -> $2,152
      expect(nextCounterCents(200_000, 230_100, 240_000)).to.equal(215_100); // $2,150.50 -> $2,151 (half-up)
      expect(nextCounterCents(200_000, 300_000, 240_000)).to.equal(240_000);
    });
  });

  describe('escalation suggestions and the opening offer stay inside the rules', () => {
    it('an escalation never suggests approving a counter BELOW our last offer (D3.3)', () => {
      // last $2,003.08 (an odd floor rate), ask $2,003.50 with a legal trigger: halfway $2,003.29 rounds to $2,003
      const c = reply('counter', 200_350, { triggers: [{ kind: 'legal', evidence: 'contract' }] });
      const e = escalationOf(run(c, { facts: { lastOfferCents: 200_308 } }));
      expect(e.suggestedCents, 'suggested counter').to.be.at.least(200_308);
    });

    it('an escalation never suggests approving MORE than they asked (D3.2)', () => {
      // low-confidence reading of "$1,800" while our offer is $2,000
      const e = escalationOf(run(reply('counter', 180_000, { confidence: 0.5 })));
      expect(e.suggestedCents, 'suggested counter').to.be.at.most(180_000);
    });

    it('the opening offer and its restatements stay within the max cost without approval (D3.3)', () => {
      // 500,000 views at a $25 floor = $12,500, but the campaign allows at most $5,000 without approval
      const t = terms({}, { maxCostCents: 500_000 });
      const opening = openingOfferCents(t, 500_000);
      const f = { influencer: { averageViews: 500_000, engagementRate: null }, terms: t, lastOfferCents: opening };
      const limit = offerLimitCents(facts(f), null);
      const answer = emailOf(run(reply('question'), { facts: f }));
      expect(limit).to.equal(500_000);
      expect(opening, `opening ${opening} vs limit ${limit}`).to.be.at.most(limit);
      expect(answer.rateCents, `answer ${answer.rateCents} vs limit ${limit}`).to.be.at.most(limit);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  // Property tests: seeded generator, a few thousand negotiations, one `it` per invariant.
  // -------------------------------------------------------------------------------------------------------------
});
