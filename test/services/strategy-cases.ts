/**
 * Generated negotiations for the strategy invariants: a seeded PRNG, so every run sees the same cases.
 */
import type { Terms } from '../../services/domain.ts';
import type { CampaignLevers, LeverState, UsageDuration, UsageRightsSet } from '../../services/levers.ts';
import type { Classification, Intent, TriggerKind } from '../../services/model/port.ts';
import type { Cents, Decimal } from '../../services/money.ts';
import { type CpmTracker, deriveCpmBounds, rateFor } from '../../services/pricing.ts';
import {
  type Decision,
  decide,
  type NegotiationFacts,
  offerLimitCents,
  openingOfferCents,
} from '../../services/strategy.ts';
import { SCENARIOS, terms } from './strategy-fixtures.ts';

// ---------------------------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so every run sees the same cases. */
export class Gen {
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

export interface Case {
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

export const DURATIONS: UsageDuration[] = [
  'not_required',
  'days_30',
  'days_60',
  'days_90',
  'months_6',
  'year_1',
  'perpetual',
];
export const INTENTS: Intent[] = ['accept', 'counter', 'reject', 'question', 'unclear'];
export const TRIGGERS: TriggerKind[] = ['hostile', 'legal', 'unusual_deliverables'];

export function generateCases(seed: number, count: number): Case[] {
  const g = new Gen(seed);
  const out: Case[] = [];
  for (let i = 0; i < count; i++) out.push(generateCase(g));
  return out;
}

export function rightsPair(g: Gen): { target: UsageRightsSet; minimum: UsageRightsSet } {
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

export function generateCase(g: Gen): Case {
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
export function generateAsk(g: Gen, ref: Cents, limit: Cents, maxCost: Cents | null): Cents | null {
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

export function describeCase(k: Case): string {
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
