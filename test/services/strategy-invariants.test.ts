/**
 * The concession strategy (decisions D2-D4): seeded property tests of the D3 invariants over a few thousand
 * generated negotiations (strategy-cases.ts).
 */
import { expect } from 'chai';
import type { Cents } from '../../services/money.ts';
import { type Decision, type EmailPlan, nextCounterCents, openingOfferCents } from '../../services/strategy.ts';
import { terms } from './strategy-fixtures.ts';
import { type Case, Gen, describeCase, generateCases } from './strategy-cases.ts';

describe('strategy', () => {
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
