import { expect } from 'chai';
import {
  type CampaignLevers,
  INITIAL_LEVER_STATE,
  type LeverAction,
  type LeverState,
  selectLever,
  type UsageRightsSet,
  usageRightsSummary,
} from '../../services/levers.ts';

const NO_RIGHTS: UsageRightsSet = {
  paidUsage: 'not_required',
  whitelisting: 'not_required',
  organicOwned: 'not_required',
};
const SCENARIOS = ['1x IG Reel + 2x Stories', '1x IG Reel', '1x IG Story'];

const noCampaign: CampaignLevers = {
  scenarios: [],
  usageRights: null,
  product: null,
  contentSyndication: false,
  minCostCents: null,
  maxCostCents: null,
  cpmTargetCents: null,
};

/** Everything a lever could use: scenarios, usage rights 60 -> 30 days, product, syndication, CPM target $25. */
const fullCampaign: CampaignLevers = {
  scenarios: SCENARIOS,
  usageRights: { target: { ...NO_RIGHTS, paidUsage: 'days_60' }, minimum: { ...NO_RIGHTS, paidUsage: 'days_30' } },
  product: { available: true, description: 'Premium skincare set', valueCents: 20_000 },
  contentSyndication: true,
  minCostCents: null,
  maxCostCents: null,
  cpmTargetCents: 2500,
};

// spec/domain.md §3.5 defaults: their 800, ours 500 (dollars), scenario 1, tier target, flags false.
const select = (campaign: Partial<CampaignLevers>, state: Partial<LeverState> = {}, their = 80_000, ours = 50_000) =>
  selectLever({
    theirRateCents: their,
    ourRateCents: ours,
    state: { ...INITIAL_LEVER_STATE, ...state },
    campaign: { ...noCampaign, ...campaign },
  });

const USED: LeverState = {
  scenario: 3,
  usageTier: 'minimum',
  productOffered: true,
  syndicationProposed: true,
  cpmShared: true,
};

describe('lever engine', () => {
  it('starts at scenario 1, target usage tier, nothing used', () => {
    expect(INITIAL_LEVER_STATE).to.deep.equal({
      scenario: 1,
      usageTier: 'target',
      productOffered: false,
      syndicationProposed: false,
      cpmShared: false,
    });
  });

  describe('§3.5 examples', () => {
    it('L1 enforce_floor raises our rate to the minimum cost', () => {
      const r = select({ scenarios: SCENARIOS, minCostCents: 40_000 }, {}, 80_000, 30_000);
      expect(r).to.include({
        action: 'enforce_floor',
        adjustedRateCents: 40_000,
        shouldEscalate: false,
        shouldExit: false,
      });
      expect(r.next).to.deep.equal(INITIAL_LEVER_STATE);
      expect(r.instructions).to.match(/absolute minimum/);
    });

    it('L2 escalate_ceiling when their rate is above the max cost', () => {
      const r = select({ scenarios: SCENARIOS, maxCostCents: 150_000 }, {}, 200_000);
      expect(r).to.include({
        action: 'escalate_ceiling',
        shouldEscalate: true,
        shouldExit: false,
        adjustedRateCents: null,
      });
      expect(r.next).to.deep.equal(INITIAL_LEVER_STATE);
      expect(r.instructions).not.to.include('1,500').and.not.include('1500');
    });

    it('L3 trade_deliverables offers scenario 2 at the unchanged rate', () => {
      const r = select({ scenarios: SCENARIOS });
      expect(r).to.include({ action: 'trade_deliverables', deliverables: '1x IG Reel', adjustedRateCents: 50_000 });
      expect(r.instructions).to.include('1x IG Reel');
      expect(r.next).to.deep.equal({ ...INITIAL_LEVER_STATE, scenario: 2 });
    });

    it('L4 from scenario 2 offers scenario 3', () => {
      const r = select({ scenarios: SCENARIOS }, { scenario: 2 });
      expect(r).to.include({ action: 'trade_deliverables', deliverables: '1x IG Story' });
      expect(r.next.scenario).to.equal(3);
    });

    it('L5 trade_usage_rights offers the minimum rights', () => {
      const r = select({ scenarios: SCENARIOS, usageRights: fullCampaign.usageRights }, { scenario: 3 });
      expect(r).to.include({
        action: 'trade_usage_rights',
        usageRights: 'paid usage: days 30',
        adjustedRateCents: 50_000,
      });
      expect(r.instructions).to.include('paid usage: days 30');
      expect(r.next).to.deep.equal({ ...INITIAL_LEVER_STATE, scenario: 3, usageTier: 'minimum' });
    });

    it('L6 offer_product names the product and its value', () => {
      const r = select(fullCampaign, { scenario: 3, usageTier: 'minimum' });
      expect(r).to.include({ action: 'offer_product', adjustedRateCents: 50_000 });
      expect(r.instructions).to.include('skincare').and.include('$200');
      expect(r.extraAllowedCents).to.deep.equal([20_000]);
      expect(r.next.productOffered).to.equal(true);
    });

    it('L7 propose_syndication once the product was offered', () => {
      const r = select(fullCampaign, { scenario: 3, usageTier: 'minimum', productOffered: true });
      expect(r).to.include({ action: 'propose_syndication', adjustedRateCents: 50_000 });
      expect(r.extraAllowedCents).to.deep.equal([]);
      expect(r.next.syndicationProposed).to.equal(true);
    });

    it('L8 share_cpm_target once syndication was proposed', () => {
      const r = select(fullCampaign, { ...USED, cpmShared: false });
      expect(r).to.include({ action: 'share_cpm_target', adjustedRateCents: 50_000 });
      expect(r.instructions).to.include('our CPM target is $25.00');
      expect(r.extraAllowedCents).to.deep.equal([2500]);
      expect(r.next).to.deep.equal(USED);
    });

    it('L9 graceful_exit when everything is used', () => {
      const r = select(fullCampaign, USED);
      expect(r).to.include({
        action: 'graceful_exit',
        shouldExit: true,
        shouldEscalate: false,
        adjustedRateCents: null,
      });
      expect(r.next).to.deep.equal(USED);
    });

    it('L10 enforce_floor wins over a possible deliverable trade', () => {
      expect(select({ ...fullCampaign, minCostCents: 40_000 }, {}, 80_000, 30_000).action).to.equal('enforce_floor');
    });

    it('L11 our rate equal to the minimum cost is not below it (strict <)', () => {
      expect(select({ minCostCents: 50_000 }).action).to.equal('graceful_exit');
    });

    it('their rate equal to the max cost does not escalate (strict >)', () => {
      expect(select({ maxCostCents: 80_000 }).action).to.equal('graceful_exit');
      expect(select({ maxCostCents: 79_999 }).action).to.equal('escalate_ceiling');
    });

    it('L12 a missing scenario 2 stops the deliverable trade (no jump to scenario 3)', () => {
      const r = select({ scenarios: ['A', null, 'C'] });
      expect(r.action).to.equal('graceful_exit');
    });

    it('L13 a product without description or value', () => {
      const r = select({ product: { available: true, description: null, valueCents: null } });
      expect(r.action).to.equal('offer_product');
      expect(r.instructions).to.include('product valued at $0');
      expect(r.extraAllowedCents).to.deep.equal([0]);
    });

    it('no campaign data at all is a graceful exit', () => {
      expect(select({}).action).to.equal('graceful_exit');
    });
  });

  describe('chain details', () => {
    it('scenario 0 would offer scenario 1', () => {
      expect(select({ scenarios: SCENARIOS }, { scenario: 0 })).to.include({
        action: 'trade_deliverables',
        deliverables: '1x IG Reel + 2x Stories',
      });
    });

    it('identical target and minimum usage rights are no lever', () => {
      const same = { ...NO_RIGHTS, paidUsage: 'days_30' as const };
      expect(select({ usageRights: { target: same, minimum: same } }).action).to.equal('graceful_exit');
    });

    it('an unavailable product is no lever', () => {
      expect(select({ product: { available: false, description: 'x', valueCents: 100 } }).action).to.equal(
        'graceful_exit',
      );
    });

    it('syndication needs deliverable scenarios and comes before the CPM share', () => {
      expect(select({ contentSyndication: true, cpmTargetCents: 2500 }).action).to.equal('share_cpm_target');
      expect(
        select({ scenarios: SCENARIOS, contentSyndication: true, cpmTargetCents: 2500 }, { scenario: 3 }).action,
      ).to.equal('propose_syndication');
    });

    it('instructions never name the floor, ceiling or max cost', () => {
      const floor = select({ minCostCents: 123_400 }, {}, 80_000, 30_000);
      const ceiling = select({ maxCostCents: 56_700 }, {}, 80_000);
      for (const r of [floor, ceiling]) expect(r.instructions).not.to.match(/\$|\d/);
    });
  });

  describe('lever state advances after use (decisions D3, pitfall P2)', () => {
    it('walks the whole chain when the caller feeds `next` back', () => {
      const actions: LeverAction[] = [];
      const packages: (string | null)[] = [];
      let state = INITIAL_LEVER_STATE;
      for (let i = 0; i < 10; i++) {
        const r = selectLever({ theirRateCents: 80_000, ourRateCents: 50_000, state, campaign: fullCampaign });
        actions.push(r.action);
        packages.push(r.deliverables);
        if (r.shouldExit) break;
        state = r.next;
      }
      expect(actions).to.deep.equal([
        'trade_deliverables',
        'trade_deliverables',
        'trade_usage_rights',
        'offer_product',
        'propose_syndication',
        'share_cpm_target',
        'graceful_exit',
      ]);
      expect(packages.slice(0, 2)).to.deep.equal(['1x IG Reel', '1x IG Story']);
      expect(state).to.deep.equal(USED);
    });

    it('does not mutate the given state', () => {
      const state = { ...INITIAL_LEVER_STATE };
      selectLever({ theirRateCents: 80_000, ourRateCents: 50_000, state, campaign: fullCampaign });
      expect(state).to.deep.equal(INITIAL_LEVER_STATE);
    });
  });

  describe('usageRightsSummary', () => {
    it('lists the required rights in order with readable durations', () => {
      expect(usageRightsSummary({ ...NO_RIGHTS, paidUsage: 'days_30' })).to.equal('paid usage: days 30');
      expect(usageRightsSummary({ paidUsage: 'months_6', whitelisting: 'year_1', organicOwned: 'perpetual' })).to.equal(
        'paid usage: months 6, whitelisting: year 1, organic/owned: perpetual',
      );
      expect(usageRightsSummary({ ...NO_RIGHTS, organicOwned: 'days_90' })).to.equal('organic/owned: days 90');
    });

    it('says when no rights are required', () => {
      expect(usageRightsSummary(NO_RIGHTS)).to.equal('no usage rights required');
    });
  });

  describe('§8 acceptance scenarios', () => {
    it('6. lever priority', () => {
      expect(select({ scenarios: SCENARIOS, minCostCents: 40_000 }, {}, 80_000, 30_000)).to.include({
        action: 'enforce_floor',
        adjustedRateCents: 40_000,
      });
      expect(select({ scenarios: SCENARIOS, maxCostCents: 150_000 }, {}, 200_000)).to.include({
        action: 'escalate_ceiling',
        shouldEscalate: true,
        adjustedRateCents: null,
      });
      expect(select({ scenarios: SCENARIOS })).to.include({
        action: 'trade_deliverables',
        deliverables: '1x IG Reel',
        adjustedRateCents: 50_000,
      });
    });

    it('7. lever exhaustion', () => {
      expect(select(fullCampaign, USED)).to.include({
        action: 'graceful_exit',
        shouldExit: true,
        adjustedRateCents: null,
      });
      expect(
        select(
          {
            usageRights: {
              target: { ...NO_RIGHTS, paidUsage: 'days_60' },
              minimum: { ...NO_RIGHTS, paidUsage: 'days_30' },
            },
          },
          { scenario: 3 },
        ),
      ).to.include({ action: 'trade_usage_rights', usageRights: 'paid usage: days 30' });
    });
  });
});
