/**
 * The concession strategy (decisions D2-D4): worked examples adapted from spec/llm-email.md §10 and seeded
 * property tests of the D3 invariants over a few thousand generated negotiations.
 */
import { expect } from 'chai';
import type { Terms } from '../../services/domain.ts';
import {
  type CampaignLevers,
  INITIAL_LEVER_STATE,
  type LeverState,
  type UsageDuration,
  type UsageRightsSet,
} from '../../services/levers.ts';
import type { Classification, Intent, TriggerKind } from '../../services/model/port.ts';
import type { Cents, Decimal } from '../../services/money.ts';
import { type CpmTracker, deriveCpmBounds, rateFor } from '../../services/pricing.ts';
import {
  CONFIDENCE_THRESHOLD,
  type Decision,
  decide,
  type EmailPlan,
  type NegotiationFacts,
  nextCounterCents,
  offerLimitCents,
  openingOfferCents,
} from '../../services/strategy.ts';

// ---------------------------------------------------------------------------------------------------------------
// Fixture (llm-email.md §10): Glow Skincare, Maya Lopez 80,000 views, CPM target $25. D4: leniency 20% gives the
// campaign's own ceiling of $30 CPM, i.e. $2,400 for Maya; the opening is the floor rate 80 × $25 = $2,000.00.
// ---------------------------------------------------------------------------------------------------------------

const SCENARIOS = ['1 Instagram Reel, 2 Instagram Stories', '1 Instagram Reel, 1 Instagram Story', '1 Instagram Reel'];
const NO_RIGHTS: UsageRightsSet = {
  paidUsage: 'not_required',
  whitelisting: 'not_required',
  organicOwned: 'not_required',
};

const NO_LEVERS: CampaignLevers = {
  scenarios: [],
  usageRights: null,
  product: null,
  contentSyndication: false,
  minCostCents: null,
  maxCostCents: null,
  cpmTargetCents: null,
};

function terms(overrides: Partial<Terms> = {}, levers: Partial<CampaignLevers> = {}): Terms {
  return {
    campaignId: 'cmp_001',
    client: 'Glow Skincare',
    platform: 'instagram',
    deliverables: SCENARIOS[0],
    floorCpmCents: 2500,
    ceilingCpmCents: 3000,
    levers: { ...NO_LEVERS, cpmTargetCents: 2500, ...levers },
    paymentTerms: 'within 30 days of content going live',
    ...overrides,
  };
}

function facts(overrides: Partial<NegotiationFacts> = {}): NegotiationFacts {
  return {
    influencer: { averageViews: 80_000, engagementRate: null },
    terms: terms(),
    lastOfferCents: 200_000,
    round: 1,
    deliverables: SCENARIOS[0],
    usageRights: null,
    levers: INITIAL_LEVER_STATE,
    leversUsed: 0,
    approvedCeilingCents: null,
    ...overrides,
  };
}

function reply(intent: Intent, askCents: Cents | null = null, extra: Partial<Classification> = {}): Classification {
  return { intent, askCents, confidence: 0.9, triggers: [], summary: '', ...extra };
}

interface Run {
  facts?: Partial<NegotiationFacts>;
  tracker?: CpmTracker | null;
  maxRounds?: number;
}

const run = (c: Classification, { facts: f = {}, tracker = null, maxRounds = 5 }: Run = {}): Decision =>
  decide({ facts: facts(f), classification: c, tracker, maxRounds });

function emailOf(d: Decision): EmailPlan {
  if (d.kind !== 'email') throw new Error(`expected an email, got ${JSON.stringify(d)}`);
  return d.email;
}

function escalationOf(d: Decision): Extract<Decision, { kind: 'escalate' }> {
  if (d.kind !== 'escalate') throw new Error(`expected an escalation, got ${JSON.stringify(d)}`);
  return d;
}

const tracker = (agreements: Cents[] = [], totalInfluencers = 5, targetMaxCpm: Cents = 3000): CpmTracker => ({
  targetMaxCpm,
  totalInfluencers,
  agreements: agreements.map((cpmCents) => ({ cpmCents, engagementRate: null })),
});

const ALL_LEVERS_USED: LeverState = {
  scenario: 3,
  usageTier: 'minimum',
  productOffered: true,
  syndicationProposed: true,
  cpmShared: true,
};

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

  describe('decide: worked examples (llm-email.md §10 under D2/D3)', () => {
    it('S5 accept with no amount -> confirmation at OUR last offer (D2)', () => {
      const email = emailOf(run(reply('accept')));
      expect(email.kind).to.equal('confirmation');
      expect(email.rateCents).to.equal(200_000);
      expect(email.deliverables).to.equal(SCENARIOS[0]);
      expect(email.leversUsed).to.equal(0);
    });

    it('an acceptance naming exactly our offer is a confirmation at our offer', () => {
      expect(emailOf(run(reply('accept', 200_000)))).to.include({ kind: 'confirmation', rateCents: 200_000 });
    });

    it('an "acceptance" naming a higher amount is treated as a counter (D2)', () => {
      const email = emailOf(run(reply('accept', 230_000)));
      expect(email).to.include({ kind: 'counter', rateCents: 215_000 });
      expect(emailOf(run(reply('counter', 230_000)))).to.deep.equal(email);
    });

    it('an "acceptance" naming a lower amount agrees at that amount (D3.2)', () => {
      expect(emailOf(run(reply('accept', 190_000)))).to.include({ kind: 'confirmation', rateCents: 190_000 });
    });

    it('an ask at or below our last offer is agreed at the ask (D3.2)', () => {
      expect(emailOf(run(reply('counter', 180_000)))).to.include({ kind: 'confirmation', rateCents: 180_000 });
      expect(emailOf(run(reply('counter', 200_000)))).to.include({ kind: 'confirmation', rateCents: 200_000 });
      expect(emailOf(run(reply('question', 150_000)))).to.include({ kind: 'confirmation', rateCents: 150_000 });
    });

    it('S2 an ask within bounds ($2,300 <= $2,400) gets a counter halfway ($2,150), lever state untouched', () => {
      const email = emailOf(run(reply('counter', 230_000)));
      expect(email).to.include({ kind: 'counter', rateCents: 215_000, deliverables: SCENARIOS[0], leversUsed: 0 });
      expect(email.levers).to.deep.equal(INITIAL_LEVER_STATE);
      expect(email.extraAllowedCents).to.deep.equal([]);
    });

    it('halfway counters are whole dollars even from an odd last offer', () => {
      const email = emailOf(run(reply('counter', 230_000), { facts: { lastOfferCents: 200_308 } }));
      expect(email).to.include({ kind: 'counter', rateCents: 215_200 });
    });

    it('a gap within 5% of the ask is agreed at the ask; just over 5% is countered', () => {
      expect(emailOf(run(reply('counter', 210_000)))).to.include({ kind: 'confirmation', rateCents: 210_000 });
      // last $1,900: ask $2,000 is exactly 5% away; $2,000.01 is just over
      const at = { facts: { lastOfferCents: 190_000 } };
      expect(emailOf(run(reply('counter', 200_000), at))).to.include({ kind: 'confirmation', rateCents: 200_000 });
      expect(emailOf(run(reply('counter', 200_001), at))).to.include({ kind: 'counter', rateCents: 195_000 });
    });

    it('at the last allowed round an ask within bounds is agreed at the ask', () => {
      const d = run(reply('counter', 230_000), { facts: { round: 4 } });
      expect(emailOf(d)).to.include({ kind: 'confirmation', rateCents: 230_000 });
    });

    it('S9 round >= maxRounds escalates "Max autonomous rounds (5) reached"', () => {
      for (const round of [5, 6]) {
        const e = escalationOf(run(reply('counter', 230_000), { facts: { round } }));
        expect(e).to.include({ trigger: 'max_rounds', reason: 'Max autonomous rounds (5) reached', askCents: 230_000 });
        expect(e.suggestedCents).to.equal(215_000);
      }
      const q = escalationOf(run(reply('question'), { facts: { round: 5 } }));
      expect(q).to.include({ trigger: 'max_rounds', reason: 'Max autonomous rounds (5) reached' });
      expect(escalationOf(run(reply('counter', 230_000), { facts: { round: 3 }, maxRounds: 3 })).reason).to.equal(
        'Max autonomous rounds (3) reached',
      );
    });

    it('after max rounds an acceptance at our own offer still closes (only asks above it escalate)', () => {
      // D3.6 "the next reply escalates" read as: no further automatic concession. Documented, see the report.
      expect(emailOf(run(reply('accept'), { facts: { round: 5 } }))).to.include({
        kind: 'confirmation',
        rateCents: 200_000,
      });
      expect(run(reply('reject'), { facts: { round: 5 } })).to.deep.equal({ kind: 'reject' });
    });

    it('a question with no amount is answered at our last offer', () => {
      expect(emailOf(run(reply('question')))).to.include({ kind: 'answer', rateCents: 200_000 });
    });

    it('a counter without a readable amount escalates as ambiguous', () => {
      const e = escalationOf(run(reply('counter')));
      expect(e).to.include({ trigger: 'ambiguous_intent', askCents: null, suggestedCents: 200_000 });
    });

    it('a reply with no offer on record escalates (no_offer)', () => {
      const e = escalationOf(run(reply('accept'), { facts: { lastOfferCents: null } }));
      expect(e.trigger).to.equal('no_offer');
    });

    describe('asks above what we may offer go through the lever chain (D3.4)', () => {
      const withScenarios = terms({}, { scenarios: SCENARIOS });

      it('S3-adapted: $3,200 (CPM $40 > $30) with scenarios -> scenario 2 at our current rate, state advances', () => {
        const email = emailOf(run(reply('counter', 320_000), { facts: { terms: withScenarios } }));
        expect(email).to.include({ kind: 'counter', rateCents: 200_000, deliverables: SCENARIOS[1], leversUsed: 1 });
        expect(email.levers).to.deep.equal({ ...INITIAL_LEVER_STATE, scenario: 2 });
        expect(email.instructions).to.include(SCENARIOS[1]);
      });

      it('the persisted lever state moves down the chain round by round', () => {
        const rights = { target: { ...NO_RIGHTS, paidUsage: 'days_60' as UsageDuration }, minimum: NO_RIGHTS };
        const t = terms(
          {},
          {
            scenarios: SCENARIOS,
            usageRights: { target: rights.target, minimum: { ...NO_RIGHTS, paidUsage: 'days_30' } },
            product: { available: true, description: 'Premium skincare set', valueCents: 15_000 },
            contentSyndication: true,
          },
        );
        let f = facts({ terms: t });
        const seen: string[] = [];
        for (let i = 0; i < 10; i++) {
          const d = decide({ facts: f, classification: reply('counter', 320_000), tracker: null, maxRounds: 20 });
          if (d.kind !== 'email') {
            seen.push(d.kind);
            break;
          }
          seen.push(`${d.email.kind}:${d.email.levers.scenario}/${d.email.levers.usageTier}`);
          if (d.email.kind !== 'counter') break;
          expect(d.email.rateCents).to.equal(200_000);
          f = {
            ...f,
            round: f.round + 1,
            deliverables: d.email.deliverables,
            usageRights: d.email.usageRights,
            levers: d.email.levers,
            leversUsed: d.email.leversUsed,
          };
        }
        // scenario 2, scenario 3, usage rights, product, syndication, CPM share, then a human decides
        expect(seen).to.deep.equal([
          'counter:2/target',
          'counter:3/target',
          'counter:3/minimum',
          'counter:3/minimum',
          'counter:3/minimum',
          'counter:3/minimum',
          'escalate',
        ]);
        expect(f.leversUsed).to.equal(6);
        expect(f.levers).to.deep.equal(ALL_LEVERS_USED);
        expect(f.usageRights).to.equal('paid usage: days 30');
      });

      it('the product and CPM-share levers allow their amounts in the email', () => {
        const t = terms({}, { product: { available: true, description: 'Serum', valueCents: 15_000 } });
        expect(emailOf(run(reply('counter', 320_000), { facts: { terms: t } })).extraAllowedCents).to.deep.equal([
          15_000,
        ]);
        expect(
          emailOf(run(reply('counter', 320_000), { facts: { levers: { ...INITIAL_LEVER_STATE, scenario: 3 } } }))
            .extraAllowedCents,
        ).to.deep.equal([2500]);
      });

      it('S4 an ask above maxCostWithoutApproval escalates (max_cost), even within the CPM ceiling', () => {
        const t = terms({}, { scenarios: SCENARIOS, minCostCents: 100_000, maxCostCents: 230_000 });
        const e = escalationOf(run(reply('counter', 235_000), { facts: { terms: t } }));
        expect(e.trigger).to.equal('max_cost');
        expect(e.reason).to.equal('Their ask $2,350.00 exceeds the max cost without approval ($2,300.00)');
        expect(e.askCents).to.equal(235_000);
      });

      it('exhausted levers escalate to the team, who may walk away (never an automatic exit)', () => {
        const e = escalationOf(
          run(reply('counter', 320_000), {
            facts: { terms: terms({}, { cpmTargetCents: null }), levers: ALL_LEVERS_USED, leversUsed: 2 },
          }),
        );
        expect(e.trigger).to.equal('ceiling');
        expect(e.reason).to.include('no levers left to trade');
      });

      it('with no lever to trade at all it escalates instead of walking away (pitfall P2)', () => {
        const e = escalationOf(
          run(reply('counter', 320_000), { facts: { terms: terms({}, { cpmTargetCents: null }), leversUsed: 0 } }),
        );
        expect(e.trigger).to.equal('ceiling');
        expect(e.reason).to.include('$3,200.00').and.include('$40.00 CPM').and.include('no levers left to trade');
      });
    });

    describe('triggers, confidence and rejection', () => {
      const cases: [TriggerKind, string][] = [
        ['legal', 'Legal/contract language detected in email'],
        ['hostile', 'Hostile tone detected in email'],
        ['unusual_deliverables', 'Unusual deliverable request detected in email'],
      ];
      for (const [kind, reason] of cases) {
        it(`a ${kind} trigger escalates with its evidence, before any intent`, () => {
          for (const intent of ['accept', 'counter', 'reject'] as Intent[]) {
            const c = reply(intent, 210_000, { triggers: [{ kind, evidence: 'my lawyer <!channel> says' }] });
            const e = escalationOf(run(c));
            expect(e).to.include({ trigger: kind, reason, evidence: 'my lawyer <!channel> says', askCents: 210_000 });
          }
        });
      }

      it('S7 confidence 0.55 escalates "Low confidence intent: 0.55"', () => {
        const e = escalationOf(run(reply('question', null, { confidence: 0.55 })));
        expect(e).to.include({ trigger: 'ambiguous_intent', reason: 'Low confidence intent: 0.55' });
        expect(escalationOf(run(reply('accept', null, { confidence: 0.6999 }))).trigger).to.equal('ambiguous_intent');
        expect(escalationOf(run(reply('reject', null, { confidence: 0.1 }))).trigger).to.equal('ambiguous_intent');
      });

      it('confidence exactly 0.70 proceeds (strict <)', () => {
        expect(CONFIDENCE_THRESHOLD).to.equal(0.7);
        expect(emailOf(run(reply('question', null, { confidence: 0.7 })))).to.include({ kind: 'answer' });
        expect(emailOf(run(reply('accept', null, { confidence: 0.7 })))).to.include({ kind: 'confirmation' });
      });

      it('a model-chosen unclear intent escalates whatever its confidence', () => {
        expect(escalationOf(run(reply('unclear', null, { confidence: 0.95 }))).trigger).to.equal('ambiguous_intent');
      });

      it('S6 reject -> reject', () => {
        expect(run(reply('reject'))).to.deep.equal({ kind: 'reject' });
        expect(run(reply('reject', 500_000))).to.deep.equal({ kind: 'reject' });
      });
    });

    describe('human approval and CPM tracker premiums', () => {
      it('a human-approved ceiling lets counters go up to it', () => {
        const t = terms({}, { maxCostCents: 230_000 });
        // without approval $2,700 is above the max cost: escalate
        expect(escalationOf(run(reply('counter', 270_000), { facts: { terms: t } })).trigger).to.equal('max_cost');
        // approved up to $2,800: countered halfway between $2,500 and $2,790
        const approved = { terms: t, lastOfferCents: 250_000, approvedCeilingCents: 280_000 };
        expect(emailOf(run(reply('counter', 279_000), { facts: approved }))).to.include({
          kind: 'counter',
          rateCents: 264_500,
        });
        // an ask above the approved amount still escalates
        expect(escalationOf(run(reply('counter', 290_000), { facts: approved })).trigger).to.equal('max_cost');
      });

      it('engagement 6.0 raises the limit to $2,760: an ask of $2,700 is countered instead of levered', () => {
        const high = { influencer: { averageViews: 80_000, engagementRate: '6.0' } };
        const withTracker = emailOf(run(reply('counter', 270_000), { facts: high, tracker: tracker() }));
        expect(withTracker).to.include({ kind: 'counter', rateCents: 235_000, leversUsed: 0 });
        // without the tracker $2,700 is above the $2,400 limit: the lever chain (here: share the CPM target)
        const without = emailOf(run(reply('counter', 270_000), { facts: high, tracker: null }));
        expect(without).to.include({ kind: 'counter', rateCents: 200_000, leversUsed: 1 });
        expect(without.levers).to.deep.equal({ ...INITIAL_LEVER_STATE, cpmShared: true });
        // the last allowed round agrees at the ask, which is within the raised limit
        const last = emailOf(run(reply('counter', 276_000), { facts: { ...high, round: 4 }, tracker: tracker() }));
        expect(last).to.include({ kind: 'confirmation', rateCents: 276_000 });
      });

      it('premiums never lift the limit beyond 120% of the ceiling ($2,880)', () => {
        const high = { influencer: { averageViews: 80_000, engagementRate: '8.0' }, round: 4 };
        const t = tracker([1000, 1000, 1000]);
        expect(emailOf(run(reply('counter', 288_000), { facts: high, tracker: t }))).to.include({
          kind: 'confirmation',
          rateCents: 288_000,
        });
        // one cent more goes through the lever chain instead of being agreed
        const over = emailOf(run(reply('counter', 288_001), { facts: high, tracker: t }));
        expect(over).to.include({ kind: 'counter', rateCents: 200_000, leversUsed: 1 });
        expect(offerLimitCents(facts(high), t)).to.equal(288_000);
      });
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
  describe('invariants (D3) over generated negotiations', () => {
    let cases: Case[] = [];
    before(() => {
      cases = generateCases(0x5eed_2026, 4000);
    });

    /** Asserts `check` on every case; the message names the first counterexamples. */
    function forAll(name: string, filter: (k: Case) => boolean, check: (k: Case) => string | null) {
      const failures: string[] = [];
      let checked = 0;
      for (const k of cases) {
        if (!filter(k)) continue;
        checked++;
        const problem = check(k);
        if (problem) failures.push(`${problem}\n    case: ${describeCase(k)}`);
      }
      expect(checked, `${name}: no case exercised this property`).to.be.greaterThan(20);
      expect(
        failures.length,
        `${name}: ${failures.length}/${checked} counterexamples, e.g.\n  ${failures.slice(0, 3).join('\n  ')}`,
      ).to.equal(0);
    }
    const all = () => true;
    const emailWith = (k: Case, ...kinds: string[]) =>
      k.decision?.kind === 'email' && kinds.includes(k.decision.email.kind);

    it('7. decide never throws for valid inputs', () => {
      forAll('no throw', all, (k) => (k.error ? `threw ${k.error}` : null));
    });

    it('the generator covers every decision kind', () => {
      const kinds = new Set(
        cases.map((k) => (k.decision?.kind === 'email' ? k.decision.email.kind : k.decision?.kind)),
      );
      expect([...kinds].sort()).to.deep.equal(['answer', 'confirmation', 'counter', 'escalate', 'reject']);
    });

    it('1. an email rate is never more than the ask when an ask exists', () => {
      forAll(
        'rate <= ask',
        (k) => k.decision?.kind === 'email' && k.ask != null,
        (k) => {
          const e = (k.decision as { email: EmailPlan }).email;
          return e.rateCents <= (k.ask as number) ? null : `${e.kind} at ${e.rateCents} > ask ${k.ask}`;
        },
      );
    });

    it('2. counters never go below our last offer (and are strictly below the ask)', () => {
      forAll(
        'counter >= last',
        (k) => emailWith(k, 'counter'),
        (k) => {
          const r = (k.decision as { email: EmailPlan }).email.rateCents;
          if (k.last == null) return 'counter without a last offer';
          if (r < k.last) return `counter ${r} < last ${k.last}`;
          if (k.ask == null || r >= k.ask) return `counter ${r} not below ask ${k.ask}`;
          return null;
        },
      );
    });

    it('3a. a counter never exceeds offerLimitCents(facts, tracker)', () => {
      forAll(
        'counter <= limit',
        (k) => emailWith(k, 'counter'),
        (k) => {
          const r = (k.decision as { email: EmailPlan }).email.rateCents;
          return r <= k.limit ? null : `counter ${r} > limit ${k.limit}`;
        },
      );
    });

    it('3b. answers and exits restate our last offer, never a new amount', () => {
      forAll(
        'answer/exit = last',
        (k) => emailWith(k, 'answer', 'exit'),
        (k) => {
          const e = (k.decision as { email: EmailPlan }).email;
          if (e.rateCents !== k.last) return `${e.kind} at ${e.rateCents} != last ${k.last}`;
          if (e.kind === 'answer' && k.ask != null) return 'answer although an ask was given';
          if (e.kind === 'exit') return 'the strategy never exits on its own';
          return null;
        },
      );
    });

    it('3c/4. with offers the agent really made, answers and confirmations never exceed the limit (D3.3)', () => {
      // Realistic last offers: the opening, or a counter between it and the limit. The opening may sit above the
      // CPM limit when the campaign's minimum cost per influencer demands it; restating or undercutting that
      // standing offer is never a new commitment.
      forAll(
        'realistic answer/confirmation <= max(limit, standing offer)',
        (k) => k.realisticLast && emailWith(k, 'answer', 'confirmation'),
        (k) => {
          const e = (k.decision as { email: EmailPlan }).email;
          const bound = Math.max(k.limit, k.last as number);
          if (e.kind === 'answer' && e.rateCents > bound) return `answer ${e.rateCents} > limit ${k.limit}`;
          if (e.kind === 'confirmation' && e.rateCents !== k.last && e.rateCents > bound) {
            return `confirmation at ask ${e.rateCents} > limit ${k.limit} (last ${k.last})`;
          }
          return null;
        },
      );
    });

    it('4. a confirmation is at our last offer, at an ask <= our last offer, or at an ask within the limit', () => {
      forAll(
        'confirmation rate',
        (k) => emailWith(k, 'confirmation'),
        (k) => {
          const r = (k.decision as { email: EmailPlan }).email.rateCents;
          const last = k.last as number;
          if (k.ask == null) return k.intent === 'accept' && r === last ? null : `confirmation ${r} without an ask`;
          if (k.ask === last) return r === last ? null : `confirmation ${r} != last ${last}`;
          if (r !== k.ask) return `confirmation ${r} != ask ${k.ask}`;
          return k.ask <= last || k.ask <= k.limit ? null : `confirmation at ask ${k.ask} > limit ${k.limit}`;
        },
      );
    });

    it('4b. within bounds, agreement at the ask only when the gap is <= 5%, at the last round, or halfway reaches it', () => {
      forAll(
        'D3.5 agreement',
        (k) => emailWith(k, 'confirmation') && k.ask != null && k.last != null && k.ask > k.last,
        (k) => {
          const ask = k.ask as number;
          const last = k.last as number;
          const lastRound = k.facts.round + 1 >= k.maxRounds;
          const within5 = (ask - last) * 100 <= ask * 5;
          const halfwayReaches = nextCounterCents(last, ask, k.limit) >= ask;
          return lastRound || within5 || halfwayReaches ? null : 'agreed at the ask without a reason';
        },
      );
      forAll(
        'D3.5 counter',
        (k) => emailWith(k, 'counter') && k.ask != null && k.ask <= k.limit,
        (k) => {
          const r = (k.decision as { email: EmailPlan }).email.rateCents;
          const expected = Math.max(nextCounterCents(k.last as number, k.ask as number, k.limit), k.last as number);
          return r === expected ? null : `counter ${r} != halfway ${expected}`;
        },
      );
    });

    it('5. when round >= maxRounds: no counter, answer or exit; an ask above our last offer escalates or is rejected', () => {
      forAll(
        'max rounds',
        (k) => k.facts.round >= k.maxRounds,
        (k) => {
          const d = k.decision as Decision;
          if (d.kind === 'email') {
            if (d.email.kind !== 'confirmation') return `${d.email.kind} after max rounds`;
            if (k.last == null || d.email.rateCents > k.last) return `confirmation ${d.email.rateCents} above last`;
          }
          if (k.ask != null && k.last != null && k.ask > k.last && d.kind === 'email')
            return 'email for an ask above last';
          const plain =
            k.triggers.length === 0 && k.confidence >= 0.7 && k.intent !== 'unclear' && k.intent !== 'reject';
          if (plain && k.ask != null && k.last != null && k.ask > k.last) {
            if (d.kind !== 'escalate' || d.trigger !== 'max_rounds')
              return `expected max_rounds, got ${JSON.stringify(d)}`;
          }
          return null;
        },
      );
    });

    it('6. every amount is a non-negative safe integer (cents)', () => {
      const ok = (v: unknown) => v == null || (Number.isSafeInteger(v) && (v as number) >= 0);
      forAll(
        'cents',
        (k) => k.decision != null,
        (k) => {
          const d = k.decision as Decision;
          const amounts =
            d.kind === 'email'
              ? [d.email.rateCents, ...d.email.extraAllowedCents]
              : d.kind === 'escalate'
                ? [d.askCents, d.suggestedCents]
                : [];
          const bad = amounts.filter((a) => !ok(a));
          if (d.kind === 'email' && !Number.isSafeInteger(d.email.rateCents)) return `rate ${d.email.rateCents}`;
          return bad.length ? `bad amounts ${bad.join(', ')}` : null;
        },
      );
    });

    it('triggers, low confidence and rejection are handled before any pricing', () => {
      forAll('pre-checks', all, (k) => {
        const d = k.decision as Decision;
        if (k.triggers.length > 0) {
          return d.kind === 'escalate' && d.trigger === k.triggers[0].kind && d.evidence === k.triggers[0].evidence
            ? null
            : `trigger not escalated: ${JSON.stringify(d)}`;
        }
        if (k.confidence < 0.7 || k.intent === 'unclear') {
          return d.kind === 'escalate' && d.trigger === 'ambiguous_intent'
            ? null
            : `low confidence: ${JSON.stringify(d)}`;
        }
        if (k.intent === 'reject') return d.kind === 'reject' ? null : 'reject not rejected';
        if (d.kind === 'reject') return 'rejected without a reject intent';
        if (d.kind === 'escalate' && d.askCents !== k.ask) return `escalation askCents ${d.askCents} != ${k.ask}`;
        return null;
      });
    });

    it('lever counters advance the lever state; plain counters leave it alone', () => {
      forAll(
        'lever state',
        (k) => emailWith(k, 'counter'),
        (k) => {
          const e = (k.decision as { email: EmailPlan }).email;
          const leverUsed = (k.ask as number) > k.limit;
          if (!leverUsed) {
            return e.leversUsed === k.facts.leversUsed && e.levers === k.facts.levers
              ? null
              : 'plain counter moved levers';
          }
          if (e.leversUsed !== k.facts.leversUsed + 1) return `leversUsed ${e.leversUsed}`;
          const enforceFloor =
            k.facts.terms.levers.minCostCents != null && (k.last as number) < k.facts.terms.levers.minCostCents;
          if (!enforceFloor && JSON.stringify(e.levers) === JSON.stringify(k.facts.levers))
            return 'lever state did not advance';
          return null;
        },
      );
    });

    it('escalation suggestions lie between our last offer and the ask (D3.2, D3.3, D8)', () => {
      forAll(
        'suggestion',
        (k) => k.decision?.kind === 'escalate' && k.ask != null && k.last != null,
        (k) => {
          const s = (k.decision as { suggestedCents: Cents | null }).suggestedCents;
          const ask = k.ask as number;
          const last = k.last as number;
          if (s == null) return 'no suggestion';
          if (s > ask) return `suggested ${s} > ask ${ask}`;
          if (ask >= last && s < last) return `suggested ${s} < last ${last}`;
          return null;
        },
      );
    });

    it('8. openingOfferCents = max(floor rate, min cost), > 0 whenever the floor rate is at least a cent', () => {
      const g = new Gen(0x0de17);
      for (let i = 0; i < 4000; i++) {
        const views = g.chance(0.05) ? g.pick([1, 2, 499, 500, 10_000_000]) : g.logInt(1, 10_000_000);
        const floor = g.chance(0.1) ? g.int(1, 499) : g.int(500, 10_000);
        const minCost = g.chance(0.5) ? null : g.int(0, 5_000_000);
        const t = terms({ floorCpmCents: floor, ceilingCpmCents: floor * 2 }, { minCostCents: minCost });
        // independent exact computation: views × floor / 1000, half-up
        const floorRate = Number((BigInt(views) * BigInt(floor) * 2n + 1000n) / 2000n);
        const opening = openingOfferCents(t, views);
        const label = `views ${views}, floor ${floor}, minCost ${minCost}`;
        expect(opening, label).to.equal(Math.max(floorRate, minCost ?? 0));
        expect(Number.isSafeInteger(opening), label).to.equal(true);
        if (views * floor >= 500 || (minCost ?? 0) > 0) expect(opening, label).to.be.greaterThan(0);
      }
      // The one exception: a floor rate under half a cent rounds to $0.00 (1 view at a $4.99 CPM);
      // acceptInfluencer refuses such a row (see campaigns.test.ts), so no $0 offer is ever sent.
      expect(openingOfferCents(terms({ floorCpmCents: 499 }), 1)).to.equal(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run sees the same cases. */
class Gen {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.next() * (max - min + 1));
  }
  /** Log-uniform integer in [min, max] (min >= 1). */
  logInt(min: number, max: number): number {
    const v = Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))));
    return Math.min(max, Math.max(min, v));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

interface Case {
  facts: NegotiationFacts;
  tracker: CpmTracker | null;
  maxRounds: number;
  intent: Intent;
  confidence: number;
  triggers: Classification['triggers'];
  ask: Cents | null;
  last: Cents | null;
  realisticLast: boolean;
  limit: Cents;
  decision: Decision | null;
  error: string | null;
}

const DURATIONS: UsageDuration[] = ['not_required', 'days_30', 'days_60', 'days_90', 'months_6', 'year_1', 'perpetual'];
const INTENTS: Intent[] = ['accept', 'counter', 'reject', 'question', 'unclear'];
const TRIGGERS: TriggerKind[] = ['hostile', 'legal', 'unusual_deliverables'];

function generateCases(seed: number, count: number): Case[] {
  const g = new Gen(seed);
  const out: Case[] = [];
  for (let i = 0; i < count; i++) out.push(generateCase(g));
  return out;
}

function rightsPair(g: Gen): { target: UsageRightsSet; minimum: UsageRightsSet } {
  const target: UsageRightsSet = {
    paidUsage: g.pick(DURATIONS),
    whitelisting: g.pick(DURATIONS),
    organicOwned: g.pick(DURATIONS),
  };
  const lower = (d: UsageDuration) => DURATIONS[g.int(0, DURATIONS.indexOf(d))];
  return {
    target,
    minimum: {
      paidUsage: lower(target.paidUsage),
      whitelisting: lower(target.whitelisting),
      organicOwned: lower(target.organicOwned),
    },
  };
}

function generateCase(g: Gen): Case {
  const views = g.chance(0.08) ? g.pick([1, 2, 999, 1000, 80_000, 10_000_000]) : g.logInt(1, 10_000_000);
  // CPM target in cents (or none: 20/30, D4) and leniency in tenths of a percent
  const target: Decimal | null = g.chance(0.25)
    ? null
    : { n: BigInt(g.chance(0.05) ? g.int(1, 499) : g.int(500, 10_000)), scale: 2 };
  const leniency: Decimal | null = g.chance(0.2) ? null : { n: BigInt(g.int(0, 1000)), scale: 1 };
  const { floorCents, ceilingCents } = deriveCpmBounds(target, leniency);
  const floorRate = rateFor(views, floorCents);
  const scale = Math.max(floorRate, 100);

  const minCost = g.chance(0.6) ? null : g.int(0, Math.round(scale * g.pick([0.2, 0.8, 1.2, 2])));
  const maxCost = g.chance(0.5)
    ? null
    : Math.max(minCost ?? 1, g.int(1, Math.round(scale * g.pick([0.5, 1.2, 1.6, 3]))));
  const scenarios = g.pick<(string | null)[]>([[], ['S1'], ['S1', 'S2'], SCENARIOS, ['S1', null, 'S3']]);
  const levers: CampaignLevers = {
    scenarios,
    usageRights: g.chance(0.4) ? rightsPair(g) : null,
    product: g.chance(0.4)
      ? {
          available: g.chance(0.7),
          description: g.chance(0.5) ? 'Serum' : null,
          valueCents: g.chance(0.7) ? g.int(0, 50_000) : null,
        }
      : null,
    contentSyndication: g.chance(0.4),
    minCostCents: minCost,
    maxCostCents: maxCost,
    cpmTargetCents: target == null ? null : floorCents,
  };
  const t: Terms = { ...terms(), floorCpmCents: floorCents, ceilingCpmCents: ceilingCents, levers };
  const leverState: LeverState = {
    scenario: g.int(1, 3),
    usageTier: g.pick(['target', 'minimum'] as const),
    productOffered: g.chance(0.4),
    syndicationProposed: g.chance(0.4),
    cpmShared: g.chance(0.4),
  };
  const engagement = g.chance(0.4)
    ? null
    : g.pick(['6.0', '5', '5.0', '3.0', '4.5', '2.5', '0', `${g.int(0, 150) / 10}`]);
  const tracker: CpmTracker | null = g.chance(0.5)
    ? null
    : {
        targetMaxCpm: ceilingCents,
        totalInfluencers: g.int(0, 20),
        agreements: Array.from({ length: g.int(0, 6) }, () => ({
          cpmCents: g.int(Math.round(ceilingCents * 0.3), Math.round(ceilingCents * 1.3)),
          engagementRate: null,
        })),
      };

  const base: NegotiationFacts = {
    influencer: { averageViews: views, engagementRate: engagement },
    terms: t,
    lastOfferCents: null,
    round: 0,
    deliverables: t.deliverables,
    usageRights: null,
    levers: leverState,
    leversUsed: g.int(0, 4),
    approvedCeilingCents: null,
  };
  const opening = openingOfferCents(t, views);
  const unapprovedLimit = offerLimitCents(base, tracker);

  // Our last offer: none, one the agent really made (opening, or a counter up to the limit), or anything.
  let last: Cents | null = null;
  let realisticLast = false;
  const mode = g.next();
  if (mode < 0.05) last = null;
  else if (mode < 0.7) {
    realisticLast = true;
    last = opening >= unapprovedLimit || g.chance(0.3) ? opening : g.int(opening, unapprovedLimit);
  } else last = g.int(0, 2 * Math.max(opening, unapprovedLimit, 1));

  const approved = last != null && g.chance(0.15) ? g.int(last, Math.max(last, unapprovedLimit) * 2) : null;
  const f: NegotiationFacts = { ...base, lastOfferCents: last, approvedCeilingCents: approved };
  const limit = offerLimitCents(f, tracker);

  const ask = generateAsk(g, last ?? opening, limit, maxCost);

  const maxRounds = g.chance(0.5) ? 5 : g.int(1, 7);
  f.round = g.pick([0, maxRounds - 1, maxRounds, maxRounds + 1, g.int(0, maxRounds)]);
  if (f.round < 0) f.round = 0;

  const intent = g.pick(INTENTS);
  const confidence = g.chance(0.3) ? g.pick([0, 0.55, 0.69, 0.6999, 0.7, 0.71, 1]) : 0.5 + g.next() / 2;
  const triggers = g.chance(0.1)
    ? Array.from({ length: g.int(1, 2) }, () => ({ kind: g.pick(TRIGGERS), evidence: `evidence ${g.int(1, 99)}` }))
    : [];

  const classification: Classification = { intent, askCents: ask, confidence, triggers, summary: '' };
  let decision: Decision | null = null;
  let error: string | null = null;
  try {
    decision = decide({ facts: f, classification, tracker, maxRounds });
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  return {
    facts: f,
    tracker,
    maxRounds,
    intent,
    confidence,
    triggers,
    ask,
    last,
    realisticLast,
    limit,
    decision,
    error,
  };
}

/** Their ask: none, at/below our offer, just above it, within the limit, around it, far above it, at the max cost. */
function generateAsk(g: Gen, ref: Cents, limit: Cents, maxCost: Cents | null): Cents | null {
  switch (g.int(0, 9)) {
    case 0:
      return null;
    case 1:
      return g.int(0, ref);
    case 2:
      return ref;
    case 3:
      return ref + g.int(1, Math.max(1, Math.round(ref * 0.06)));
    case 4:
      return g.int(ref + 1, Math.max(ref + 1, limit));
    case 5:
      return Math.max(0, limit + g.int(-1, 1));
    case 6:
      return g.int(limit + 1, 3 * limit + 2);
    case 7:
      if (maxCost != null) return maxCost + g.int(0, 2);
      return g.int(0, 3 * Math.max(ref, limit, 1));
    default:
      return g.int(0, 3 * Math.max(ref, limit, 1));
  }
}

function describeCase(k: Case): string {
  const l = k.facts.terms.levers;
  return JSON.stringify({
    views: k.facts.influencer.averageViews,
    engagement: k.facts.influencer.engagementRate,
    floorCpm: k.facts.terms.floorCpmCents,
    ceilingCpm: k.facts.terms.ceilingCpmCents,
    minCost: l.minCostCents,
    maxCost: l.maxCostCents,
    approved: k.facts.approvedCeilingCents,
    tracker: k.tracker ? { total: k.tracker.totalInfluencers, n: k.tracker.agreements.length } : null,
    last: k.last,
    ask: k.ask,
    limit: k.limit,
    round: k.facts.round,
    maxRounds: k.maxRounds,
    intent: k.intent,
    confidence: k.confidence,
    triggers: k.triggers.length,
    leversUsed: k.facts.leversUsed,
    decision: k.decision,
  });
}
