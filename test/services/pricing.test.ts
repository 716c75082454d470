import { expect } from 'chai';
import { type Decimal, parseDecimal } from '../../services/money.ts';
import {
  type CpmTracker,
  cpmFlexibility,
  cpmFor,
  DEFAULT_CEILING_CPM,
  DEFAULT_FLOOR_CPM,
  deriveCpmBounds,
  evaluateRate,
  PricingError,
  rateFor,
  runningAverageCpm,
  SUSPICIOUSLY_LOW_CPM,
} from '../../services/pricing.ts';

const dec = (text: string): Decimal => {
  const d = parseDecimal(text);
  if (!d) throw new Error(`bad decimal ${text}`);
  return d;
};
const bounds = (target: string | null, leniency: string | null) =>
  deriveCpmBounds(target == null ? null : dec(target), leniency == null ? null : dec(leniency));
const tracker = (agreements: number[], totalInfluencers = 5, targetMaxCpm = 3000): CpmTracker => ({
  targetMaxCpm,
  totalInfluencers,
  agreements: agreements.map((cpmCents) => ({ cpmCents, engagementRate: null })),
});
const flex = (t: CpmTracker, engagement: string | null = null) =>
  cpmFlexibility(t, engagement == null ? null : dec(engagement));

describe('pricing', () => {
  describe('constants', () => {
    it('defaults to a $20 floor, $30 ceiling and $15 suspiciously-low CPM', () => {
      expect([DEFAULT_FLOOR_CPM, DEFAULT_CEILING_CPM, SUSPICIOUSLY_LOW_CPM]).to.deep.equal([2000, 3000, 1500]);
    });
  });

  describe('rateFor (§2.7 #1-#8)', () => {
    it('#1-#4 rate = views/1000 × cpm', () => {
      expect(rateFor(100, 2000)).to.equal(200);
      expect(rateFor(1000, 2000)).to.equal(2000);
      expect(rateFor(50_000, 2000)).to.equal(100_000);
      expect(rateFor(10_000_000, 2000)).to.equal(20_000_000);
    });

    it('#5 other CPMs', () => {
      expect(rateFor(50_000, 2500)).to.equal(125_000);
      expect(rateFor(50_000, 3000)).to.equal(150_000);
    });

    it('#6 tiny and odd view counts', () => {
      expect(rateFor(1, 2000)).to.equal(2);
      expect(rateFor(999, 2000)).to.equal(1998);
    });

    it('#7 rejects zero, negative and non-integer views', () => {
      expect(() => rateFor(0, 2000)).to.throw(PricingError, 'average_views must be positive, got 0');
      expect(() => rateFor(-100, 2000)).to.throw(PricingError, 'average_views must be positive, got -100');
      expect(() => rateFor(1.5, 2000)).to.throw(PricingError, 'average_views must be positive');
      expect(() => rateFor(Number.NaN, 2000)).to.throw(PricingError);
    });

    it('#8 the initial offer is the rate at the floor CPM', () => {
      expect(rateFor(50_000, DEFAULT_FLOOR_CPM)).to.equal(100_000);
      expect(rateFor(50_000, 2500)).to.equal(125_000);
    });

    it('rounds half-up to whole cents', () => {
      expect(rateFor(1, 2500)).to.equal(3); // 0.025 -> 0.03
      expect(rateFor(1, 1)).to.equal(0); // 0.00001 -> 0.00
      expect(rateFor(15, 2033)).to.equal(30); // 0.30495 -> 0.30
      expect(rateFor(2, 2025)).to.equal(4); // 0.0405 -> 0.04
      expect(rateFor(13_575, 2500)).to.equal(33_938); // 339.375 -> 339.38
    });

    it('never returns fractional cents', () => {
      for (const views of [1, 7, 333, 999, 12_345, 98_765, 1_234_567]) {
        for (const cpm of [1, 1999, 2000, 2501, 3333, 4999]) {
          expect(Number.isInteger(rateFor(views, cpm)), `${views} @ ${cpm}`).to.equal(true);
        }
      }
    });
  });

  describe('cpmFor (§2.7 #9)', () => {
    it('cpm = rate / (views/1000)', () => {
      expect(cpmFor(100_000, 50_000)).to.equal(2000);
      expect(cpmFor(175_000, 50_000)).to.equal(3500);
      expect(cpmFor(50_000, 50_000)).to.equal(1000);
      expect(cpmFor(200, 100)).to.equal(2000);
    });

    it('rounds half-up and does not validate the rate', () => {
      expect(cpmFor(100, 3000)).to.equal(33); // $1 / 3 = 0.3333.. -> 0.33
      expect(cpmFor(200, 3000)).to.equal(67); // 0.6666.. -> 0.67
      expect(cpmFor(1, 2000)).to.equal(1); // 0.005 -> 0.01
      expect(cpmFor(0, 50_000)).to.equal(0);
      expect(cpmFor(-100_000, 50_000)).to.equal(-2000);
    });

    it('checks the views like rateFor', () => {
      expect(() => cpmFor(100_000, 0)).to.throw(PricingError, 'average_views must be positive, got 0');
    });
  });

  describe('deriveCpmBounds (§2.7 #10-#14)', () => {
    it('#10 target 25, leniency 20%', () => {
      expect(bounds('25', '20')).to.deep.equal({ floorCents: 2500, ceilingCents: 3000 });
    });

    it('#11 no or zero leniency', () => {
      expect(bounds('25', null)).to.deep.equal({ floorCents: 2500, ceilingCents: 2500 });
      expect(bounds('30', '0')).to.deep.equal({ floorCents: 3000, ceilingCents: 3000 });
    });

    it('#12 100% leniency doubles the target', () => {
      expect(bounds('20', '100')).to.deep.equal({ floorCents: 2000, ceilingCents: 4000 });
    });

    it('#13 no target gives 20/30 whatever the leniency', () => {
      expect(bounds(null, null)).to.deep.equal({ floorCents: 2000, ceilingCents: 3000 });
      expect(bounds(null, '50')).to.deep.equal({ floorCents: 2000, ceilingCents: 3000 });
    });

    it('#14 ceiling comes from the unrounded target', () => {
      expect(bounds('25.555', '10')).to.deep.equal({ floorCents: 2556, ceilingCents: 2811 });
      expect(bounds('33', '15')).to.deep.equal({ floorCents: 3300, ceilingCents: 3795 });
    });

    it('a zero target is present', () => {
      expect(bounds('0', '20')).to.deep.equal({ floorCents: 0, ceilingCents: 0 });
    });
  });

  describe('evaluateRate (§2.7 #15-#24)', () => {
    it('#15 within range', () => {
      expect(evaluateRate(125_000, 50_000)).to.deep.equal({
        rateCents: 125_000,
        cpmCents: 2500,
        boundary: 'within_range',
        shouldEscalate: false,
        warning: null,
      });
    });

    it('#16 above the ceiling escalates with a warning naming the CPM and the ceiling', () => {
      const r = evaluateRate(175_000, 50_000);
      expect(r.boundary).to.equal('exceeds_ceiling');
      expect(r.cpmCents).to.equal(3500);
      expect(r.shouldEscalate).to.equal(true);
      expect(r.warning).to.include('$35.00').and.include('$30.00').and.include('ceiling');
    });

    it('#17 below the floor, no warning', () => {
      const r = evaluateRate(90_000, 50_000);
      expect(r).to.include({ boundary: 'below_floor', cpmCents: 1800, shouldEscalate: false, warning: null });
    });

    it('#18 suspiciously low warns without escalating', () => {
      const r = evaluateRate(30_000, 50_000);
      expect(r).to.include({ boundary: 'suspiciously_low', cpmCents: 600, shouldEscalate: false });
      expect(r.warning).to.include('$6.00').and.include('$15.00');
    });

    it('#19 bounds are inclusive', () => {
      expect(evaluateRate(150_000, 50_000).boundary).to.equal('within_range');
      expect(evaluateRate(100_000, 50_000).boundary).to.equal('within_range');
      expect(evaluateRate(75_000, 50_000).boundary).to.equal('below_floor'); // exactly the $15 threshold
    });

    it('#20 custom bounds', () => {
      expect(evaluateRate(175_000, 50_000, 1500, 4000, 1000).boundary).to.equal('within_range');
    });

    it('#21 the low threshold is checked before the floor', () => {
      expect(evaluateRate(90_000, 50_000, 2000, 3000, 2000).boundary).to.equal('suspiciously_low');
    });

    it('#22 custom floor 25 / ceiling 30', () => {
      expect(evaluateRate(140_000, 50_000, 2500, 3000)).to.include({ boundary: 'within_range', cpmCents: 2800 });
    });

    it('#23 ceiling equal to the floor', () => {
      const r = evaluateRate(130_000, 50_000, 2500, 2500);
      expect(r).to.include({ boundary: 'exceeds_ceiling', cpmCents: 2600, shouldEscalate: true });
      expect(r.warning).to.include('$26.00').and.include('$25.00');
    });

    it('#24 classifies the CPM rounded to cents', () => {
      expect(evaluateRate(150_025, 50_000)).to.include({ boundary: 'exceeds_ceiling', cpmCents: 3001 });
      expect(evaluateRate(74_974, 50_000)).to.include({ boundary: 'suspiciously_low', cpmCents: 1499 });
      expect(evaluateRate(74_975, 50_000)).to.include({ boundary: 'below_floor', cpmCents: 1500 });
    });

    it('#24 a CPM of 30.004 counts as 30.00, 30.005 as 30.01', () => {
      // 500,000 views: $15,002.00 -> CPM 30.004; $15,002.50 -> CPM 30.005
      expect(evaluateRate(1_500_200, 500_000)).to.include({ boundary: 'within_range', cpmCents: 3000 });
      expect(evaluateRate(1_500_250, 500_000)).to.include({ boundary: 'exceeds_ceiling', cpmCents: 3001 });
    });

    it('does not validate the rate: zero is suspiciously low', () => {
      expect(evaluateRate(0, 50_000)).to.include({ boundary: 'suspiciously_low', cpmCents: 0 });
    });
  });

  describe('CPM tracker (§2.7 #26-#33)', () => {
    it('running average is exact and null without agreements', () => {
      expect(runningAverageCpm(tracker([]))).to.equal(null);
      expect(runningAverageCpm(tracker([2000, 3000]))).to.deep.equal({ num: 5000n, den: 2n });
      expect(runningAverageCpm(tracker([1000, 1000, 2000]))).to.deep.equal({ num: 4000n, den: 3n });
    });

    it('#26 no agreements, no engagement: max allowed = target max', () => {
      expect(flex(tracker([]))).to.deep.equal({
        targetCpm: 3000,
        maxAllowedCpm: 3000,
        reason: 'no engagement data; max allowed: $30.00',
      });
    });

    it('#27 engagement premiums', () => {
      expect(flex(tracker([]), '6.0')).to.deep.equal({
        targetCpm: 3000,
        maxAllowedCpm: 3450,
        reason: 'high engagement (6.0% > 5%): +15%; max allowed: $34.50',
      });
      expect(flex(tracker([]), '4.0')).to.deep.equal({
        targetCpm: 3000,
        maxAllowedCpm: 3240,
        reason: 'moderate engagement (4.0% > 3%): +8%; max allowed: $32.40',
      });
      expect(flex(tracker([]), '2.5')).to.deep.equal({
        targetCpm: 3000,
        maxAllowedCpm: 3000,
        reason: 'low engagement (2.5%): no premium; max allowed: $30.00',
      });
      expect(flex(tracker([]), null).maxAllowedCpm).to.equal(3000);
    });

    it('#28 engagement thresholds are strict', () => {
      expect(flex(tracker([]), '5.0').maxAllowedCpm).to.equal(3240);
      expect(flex(tracker([]), '5.01').maxAllowedCpm).to.equal(3450);
      expect(flex(tracker([]), '3.0').maxAllowedCpm).to.equal(3000);
      expect(flex(tracker([]), '3').reason).to.equal('low engagement (3%): no premium; max allowed: $30.00');
    });

    it('#29 budget premium from savings, capped at 120%', () => {
      expect(flex(tracker([2000, 2000]))).to.deep.equal({
        targetCpm: 3000,
        maxAllowedCpm: 3600,
        reason:
          'budget savings: +$6.67; no engagement data; capped at 120% of target max ($36.00); max allowed: $36.00',
      });
    });

    it('#30 no budget premium when the average is above the target max', () => {
      const f = flex(tracker([3000, 3200], 3));
      expect(f.maxAllowedCpm).to.equal(3000);
      expect(f.reason).to.equal('no engagement data; max allowed: $30.00');
    });

    it('#31 budget and engagement premiums together hit the hard cap', () => {
      const f = flex(tracker([1000, 1000, 1000]), '8.0');
      expect(f.maxAllowedCpm).to.equal(3600);
      expect(f.reason).to.equal(
        'budget savings: +$30.00; high engagement (8.0% > 5%): +15%; capped at 120% of target max ($36.00); max allowed: $36.00',
      );
    });

    it('#32 no budget premium when nobody remains', () => {
      expect(flex(tracker([2500, 2500], 2)).maxAllowedCpm).to.equal(3000);
    });

    it('#33 small budget premium', () => {
      expect(flex(tracker([2500]))).to.deep.equal({
        targetCpm: 3000,
        maxAllowedCpm: 3125,
        reason: 'budget savings: +$1.25; no engagement data; max allowed: $31.25',
      });
    });

    it('rounds the max allowed half-up only at the end', () => {
      // target $25.01: 8% = 2.0008 -> 27.0108 -> $27.01; 120% cap = 30.012 -> $30.01
      expect(flex(tracker([], 5, 2501), '4').maxAllowedCpm).to.equal(2701);
      const capped = flex(tracker([1000, 1000, 1000], 5, 2501), '8');
      expect(capped.maxAllowedCpm).to.equal(3001);
      expect(capped.reason).to.include('capped at 120% of target max ($30.01)');
    });
  });

  describe('§8 acceptance scenarios', () => {
    it('1. rate maths', () => {
      expect(rateFor(50_000, 2000)).to.equal(100_000);
      expect(rateFor(50_000, 2500)).to.equal(125_000);
      expect(cpmFor(175_000, 50_000)).to.equal(3500);
      expect(rateFor(999, 2000)).to.equal(1998);
      expect(() => rateFor(0, 2000)).to.throw(PricingError);
    });

    it('2. campaign bounds', () => {
      expect(bounds('25', '20')).to.deep.equal({ floorCents: 2500, ceilingCents: 3000 });
      expect(bounds('25', null)).to.deep.equal({ floorCents: 2500, ceilingCents: 2500 });
      expect(bounds(null, '20')).to.deep.equal({ floorCents: 2000, ceilingCents: 3000 });
    });

    it('3. boundary classes', () => {
      const classes = [125_000, 150_000, 175_000, 90_000, 30_000].map((rate) => evaluateRate(rate, 50_000));
      expect(classes.map((r) => r.boundary)).to.deep.equal([
        'within_range',
        'within_range',
        'exceeds_ceiling',
        'below_floor',
        'suspiciously_low',
      ]);
      expect(classes.map((r) => r.shouldEscalate)).to.deep.equal([false, false, true, false, false]);
      expect(classes.map((r) => r.warning != null)).to.deep.equal([false, false, true, false, true]);
    });

    it('8. CPM flexibility', () => {
      expect(['6.0', '5.0', '3.0'].map((e) => flex(tracker([]), e).maxAllowedCpm)).to.deep.equal([3450, 3240, 3000]);
      const f = flex(tracker([1000, 1000, 1000]), '8.0');
      expect(f.maxAllowedCpm).to.equal(3600);
      expect(f.reason).to.include('capped at 120% of target max');
    });
  });
});
