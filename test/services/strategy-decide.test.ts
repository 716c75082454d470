/**
 * The concession strategy (decisions D2-D4): worked examples adapted from spec/llm-email.md §10.
 */
import { expect } from 'chai';
import { INITIAL_LEVER_STATE, type UsageDuration } from '../../services/levers.ts';
import type { Intent, TriggerKind } from '../../services/model/port.ts';
import { CONFIDENCE_THRESHOLD, decide, offerLimitCents } from '../../services/strategy.ts';
import {
  ALL_LEVERS_USED,
  NO_RIGHTS,
  SCENARIOS,
  emailOf,
  escalationOf,
  facts,
  reply,
  run,
  terms,
  tracker,
} from './strategy-fixtures.ts';

describe('strategy', () => {
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
});
