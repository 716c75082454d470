/**
 * Deterministic negotiation lever engine (spec/domain.md §3.1-3.3): picks the first applicable lever in a
 * fixed priority chain. Unlike the original (pitfall P2), each result carries the lever state after use,
 * so a caller that persists `next` moves down the chain round by round (decisions D3).
 */
import { type Cents, formatUsd } from './money.ts';

export type LeverAction =
  | 'enforce_floor'
  | 'escalate_ceiling'
  | 'trade_deliverables'
  | 'trade_usage_rights'
  | 'offer_product'
  | 'propose_syndication'
  | 'share_cpm_target'
  | 'graceful_exit';

export type UsageDuration = 'not_required' | 'days_30' | 'days_60' | 'days_90' | 'months_6' | 'year_1' | 'perpetual';

export interface UsageRightsSet {
  paidUsage: UsageDuration;
  whitelisting: UsageDuration;
  organicOwned: UsageDuration;
}

export interface LeverState {
  scenario: number; // the deliverable scenario currently on the table (1..3)
  usageTier: 'target' | 'minimum';
  productOffered: boolean;
  syndicationProposed: boolean;
  cpmShared: boolean;
}

export const INITIAL_LEVER_STATE: LeverState = {
  scenario: 1,
  usageTier: 'target',
  productOffered: false,
  syndicationProposed: false,
  cpmShared: false,
};

export interface CampaignLevers {
  scenarios: (string | null)[]; // index 0 = scenario 1 .. index 2 = scenario 3; [] = none given
  usageRights: { target: UsageRightsSet; minimum: UsageRightsSet } | null;
  product: { available: boolean; description: string | null; valueCents: Cents | null } | null;
  contentSyndication: boolean;
  minCostCents: Cents | null;
  maxCostCents: Cents | null; // max cost per influencer without approval
  cpmTargetCents: Cents | null;
}

export interface LeverResult {
  action: LeverAction;
  adjustedRateCents: Cents | null; // null for escalate_ceiling and graceful_exit
  deliverables: string | null; // new package text for trade_deliverables
  usageRights: string | null; // usage-rights summary for trade_usage_rights
  instructions: string; // guidance for the email writer; never names the floor, ceiling or max cost
  extraAllowedCents: Cents[]; // amounts the email may mention besides our rate
  shouldEscalate: boolean;
  shouldExit: boolean;
  next: LeverState; // lever state after this lever is used
}

const USAGE_LABELS = [
  ['paidUsage', 'paid usage'],
  ['whitelisting', 'whitelisting'],
  ['organicOwned', 'organic/owned'],
] as const;

/** The minimum-rights summary of §3.3: {paidUsage: 'days_30'} -> "paid usage: days 30". */
export function usageRightsSummary(set: UsageRightsSet): string {
  const parts = USAGE_LABELS.filter(([key]) => set[key] !== 'not_required').map(
    ([key, label]) => `${label}: ${set[key].replaceAll('_', ' ')}`,
  );
  return parts.length > 0 ? parts.join(', ') : 'no usage rights required';
}

function usageRightsDiffer(a: UsageRightsSet, b: UsageRightsSet): boolean {
  return USAGE_LABELS.some(([key]) => a[key] !== b[key]);
}

export function selectLever(input: {
  theirRateCents: Cents;
  ourRateCents: Cents;
  state: LeverState;
  campaign: CampaignLevers;
}): LeverResult {
  const { theirRateCents, ourRateCents, state, campaign } = input;
  const result = (action: LeverAction, instructions: string, extra: Partial<LeverResult> = {}): LeverResult => ({
    action,
    adjustedRateCents: ourRateCents,
    deliverables: null,
    usageRights: null,
    instructions,
    extraAllowedCents: [],
    shouldEscalate: false,
    shouldExit: false,
    next: state,
    ...extra,
  });

  // 1. Our rate is below the campaign's minimum cost per influencer (strict <).
  if (campaign.minCostCents != null && ourRateCents < campaign.minCostCents) {
    return result(
      'enforce_floor',
      'We are at our absolute minimum for this campaign. Present this rate as the best we can offer given the campaign parameters.',
      { adjustedRateCents: campaign.minCostCents },
    );
  }

  // 2. Their rate is above the max cost without approval (strict >).
  if (campaign.maxCostCents != null && theirRateCents > campaign.maxCostCents) {
    return result('escalate_ceiling', 'This ask needs a human decision. Escalate to the campaign manager.', {
      adjustedRateCents: null,
      shouldEscalate: true,
    });
  }

  // 3. Offer the next, smaller deliverable package at the same rate (CPM is views-based). A missing next
  //    scenario stops this lever: scenario 1 never jumps to scenario 3.
  const nextScenario = state.scenario < 3 ? campaign.scenarios[state.scenario] : null;
  if (nextScenario != null) {
    return result(
      'trade_deliverables',
      `We're adjusting the deliverable package to ${nextScenario}. Frame this as streamlining the content scope while maintaining quality.`,
      { deliverables: nextScenario, next: { ...state, scenario: state.scenario + 1 } },
    );
  }

  // 4. Step down from the target usage rights to the minimum.
  const rights = campaign.usageRights;
  if (state.usageTier === 'target' && rights != null && usageRightsDiffer(rights.target, rights.minimum)) {
    const summary = usageRightsSummary(rights.minimum);
    return result(
      'trade_usage_rights',
      `The usage terms in the scope block are now ${summary}. Refer to them only as the adjusted terms in the scope below, and position this as a cost-saving adjustment that keeps the content partnership intact.`,
      { usageRights: summary, next: { ...state, usageTier: 'minimum' } },
    );
  }

  // 5. Add product on top of the rate.
  const product = campaign.product;
  if (product?.available && !state.productOffered) {
    const value = product.valueCents ?? 0;
    return result(
      'offer_product',
      `In addition to the rate, mention that we can provide ${product.description ?? 'product'} valued at ${formatUsd(value)}. Frame this as added value, not a rate replacement.`,
      { extraAllowedCents: [value], next: { ...state, productOffered: true } },
    );
  }

  // 6. Cross-post instead of unique content per platform (needs deliverable scenarios, as in the original).
  if (campaign.scenarios.length > 0 && campaign.contentSyndication && !state.syndicationProposed) {
    return result(
      'propose_syndication',
      'Propose cross-posting the content (e.g. Instagram to TikTok) rather than unique content per platform. Frame this as maximizing reach with less production effort.',
      { next: { ...state, syndicationProposed: true } },
    );
  }

  // 7. Explain the budget with our CPM target.
  if (campaign.cpmTargetCents != null && !state.cpmShared) {
    return result(
      'share_cpm_target',
      `Share that our CPM target is ${formatUsd(campaign.cpmTargetCents)} to justify the budget constraint. Use this selectively: only with motivated influencers who seem engaged but stuck on rate.`,
      { extraAllowedCents: [campaign.cpmTargetCents], next: { ...state, cpmShared: true } },
    );
  }

  // 8. Nothing left to trade.
  return result(
    'graceful_exit',
    "The deal economics don't work for this campaign. Send a warm, relationship-preserving exit: express genuine appreciation, say we would be glad to stay in touch, and wish them well.",
    { adjustedRateCents: null, shouldExit: true },
  );
}
