/**
 * The one approval rule (machines/approval.ts): its refusals, and the machine's `approvable` guard agreeing with
 * it on every amount, before any offer was sent (the opening offer is the floor) and after.
 */
import { expect } from 'chai';
import { approvalRefusal } from '../../machines/approval.ts';
import { domainStateOf } from '../../machines/negotiation.ts';
import { classification, failed, reply, type Snapshot, settle, start, step } from './harness.ts';

describe('approvalRefusal: the one approval rule (D3.2, D3.3, D8)', () => {
  const c = { lastOfferCents: 200000, openingCents: 150000, theirAskCents: 260000 };
  it('accepts from our last offer up to their latest ask', () => {
    for (const rate of [200000, 230000, 260000]) expect(approvalRefusal(c, rate), String(rate)).to.equal(null);
  });
  it('refuses below our offer (the opening offer before any was sent), above their ask, and non-amounts', () => {
    expect(approvalRefusal(c, 199999)?.code).to.equal('rate_below_last_offer');
    expect(approvalRefusal({ ...c, lastOfferCents: null }, 149999)?.message).to.equal(
      'Our offers never go down: approve at least $1,500.00 (our opening offer)',
    );
    expect(approvalRefusal({ ...c, lastOfferCents: null }, 150000)).to.equal(null);
    expect(approvalRefusal(c, 260001)).to.deep.equal({
      code: 'rate_above_ask',
      message: 'Their latest ask is $2,600.00; an approval cannot exceed it',
    });
    expect(approvalRefusal({ ...c, theirAskCents: null }, 900000)).to.equal(null);
    for (const rate of [0, -5, 2000.5, Number.NaN, 2 ** 60])
      expect(approvalRefusal(c, rate)?.code).to.equal('invalid_rate');
  });
});

describe('the approvable guard is the approval rule', () => {
  const by = 'tester';
  /** Every amount around the bounds the rule draws, and amounts that are not amounts. */
  function agree(s: Snapshot) {
    expect(domainStateOf(s)).to.equal('escalated');
    const c = s.context;
    const bounds = [c.openingCents, c.lastOfferCents, c.theirAskCents].filter((n) => n != null);
    const rates = [...bounds.flatMap((n) => [n - 1, n, n + 1]), 0, -1, 1.5, 10 ** 9];
    for (const rateCents of rates) {
      const allowed = approvalRefusal(c, rateCents) === null;
      expect(s.can({ type: 'APPROVE', rateCents, by }), String(rateCents)).to.equal(allowed);
    }
  }

  it('before any offer was sent: the opening offer is the floor, and the refusal says so', () => {
    const s = step(start(), failed('compose')); // the opening offer could not be written: escalated at once
    expect(s.context.lastOfferCents).to.equal(null);
    agree(s);
    expect(approvalRefusal(s.context, s.context.openingCents - 1)?.message).to.contain('(our opening offer)');
  });

  it('after a counter above our limit: from our last offer up to their ask', () => {
    const s = settle(step(settle(start()), reply(1)), { classification: classification('counter', 320000) });
    expect(s.context.theirAskCents).to.equal(320000);
    agree(s);
    expect(approvalRefusal(s.context, 320001)?.code).to.equal('rate_above_ask');
  });
});
