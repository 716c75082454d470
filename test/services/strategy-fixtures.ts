/**
 * Fixtures of the strategy tests: the llm-email.md §10 campaign and helpers to run `decide` on a reply.
 */
import type { Terms } from '../../services/domain.ts';
import {
  type CampaignLevers,
  INITIAL_LEVER_STATE,
  type LeverState,
  type UsageRightsSet,
} from '../../services/levers.ts';
import type { Classification, Intent } from '../../services/model/port.ts';
import type { Cents } from '../../services/money.ts';
import type { CpmTracker } from '../../services/pricing.ts';
import { type Decision, decide, type EmailPlan, type NegotiationFacts } from '../../services/strategy.ts';

// ---------------------------------------------------------------------------------------------------------------
// Fixture (llm-email.md §10): Glow Skincare, Maya Lopez 80,000 views, CPM target $25. D4: leniency 20% gives the
// campaign's own ceiling of $30 CPM, i.e. $2,400 for Maya; the opening is the floor rate 80 × $25 = $2,000.00.
// ---------------------------------------------------------------------------------------------------------------

export const SCENARIOS = [
  '1 Instagram Reel, 2 Instagram Stories',
  '1 Instagram Reel, 1 Instagram Story',
  '1 Instagram Reel',
];
export const NO_RIGHTS: UsageRightsSet = {
  paidUsage: 'not_required',
  whitelisting: 'not_required',
  organicOwned: 'not_required',
};

export const NO_LEVERS: CampaignLevers = {
  scenarios: [],
  usageRights: null,
  product: null,
  contentSyndication: false,
  minCostCents: null,
  maxCostCents: null,
  cpmTargetCents: null,
};

export function terms(overrides: Partial<Terms> = {}, levers: Partial<CampaignLevers> = {}): Terms {
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

export function facts(overrides: Partial<NegotiationFacts> = {}): NegotiationFacts {
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

export function reply(
  intent: Intent,
  askCents: Cents | null = null,
  extra: Partial<Classification> = {},
): Classification {
  return { intent, askCents, confidence: 0.9, triggers: [], summary: '', ...extra };
}

export interface Run {
  facts?: Partial<NegotiationFacts>;
  tracker?: CpmTracker | null;
  maxRounds?: number;
}

export const run = (c: Classification, { facts: f = {}, tracker = null, maxRounds = 5 }: Run = {}): Decision =>
  decide({ facts: facts(f), classification: c, tracker, maxRounds });

export function emailOf(d: Decision): EmailPlan {
  if (d.kind !== 'email') throw new Error(`expected an email, got ${JSON.stringify(d)}`);
  return d.email;
}

export function escalationOf(d: Decision): Extract<Decision, { kind: 'escalate' }> {
  if (d.kind !== 'escalate') throw new Error(`expected an escalation, got ${JSON.stringify(d)}`);
  return d;
}

export const tracker = (agreements: Cents[] = [], totalInfluencers = 5, targetMaxCpm: Cents = 3000): CpmTracker => ({
  targetMaxCpm,
  totalInfluencers,
  agreements: agreements.map((cpmCents) => ({ cpmCents, engagementRate: null })),
});

export const ALL_LEVERS_USED: LeverState = {
  scenario: 3,
  usageTier: 'minimum',
  productOffered: true,
  syndicationProposed: true,
  cpmShared: true,
};
