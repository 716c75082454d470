/**
 * The concession strategy of decisions D2-D4: deterministic code decides every amount; the model (or the
 * offline negotiator) only reads the reply and words the email.
 */
import type { Influencer, Terms } from './domain.ts';
import { type LeverState, selectLever } from './levers.ts';
import type { Classification, EmailKind } from './model/port.ts';
import { type Cents, divRoundHalfUp, formatUsd, parseDecimal } from './money.ts';
import { type CpmTracker, cpmFlexibility, cpmFor, rateFor } from './pricing.ts';

/** Below this confidence an intent is treated as unclear (strict <, llm-email.md §0). */
export const CONFIDENCE_THRESHOLD = 0.7;

/** What the strategy needs to know about one negotiation. */
export interface NegotiationFacts {
  influencer: Pick<Influencer, 'averageViews' | 'engagementRate'>;
  terms: Terms;
  lastOfferCents: Cents | null;
  round: number; // counters and answers sent so far
  deliverables: string;
  usageRights: string | null;
  levers: LeverState;
  leversUsed: number;
  approvedCeilingCents: Cents | null; // raised by a human approval (D8)
}

export type EscalationTrigger =
  | 'hostile'
  | 'legal'
  | 'unusual_deliverables'
  | 'keyword'
  | 'ambiguous_intent'
  | 'max_rounds'
  | 'ceiling'
  | 'max_cost'
  | 'no_offer';

export type Decision =
  | {
      kind: 'escalate';
      trigger: EscalationTrigger;
      reason: string;
      evidence: string | null;
      askCents: Cents | null;
      suggestedCents: Cents | null; // the counter the agent would suggest a human approves
    }
  | { kind: 'reject' }
  | { kind: 'email'; email: EmailPlan };

/** An email the strategy wants sent, with every amount already decided. */
export interface EmailPlan {
  kind: EmailKind;
  rateCents: Cents;
  deliverables: string;
  usageRights: string | null;
  instructions: string | null;
  extraAllowedCents: Cents[];
  levers: LeverState; // lever state once this email is sent
  leversUsed: number;
}

export interface DecideInput {
  facts: NegotiationFacts;
  classification: Classification;
  tracker: CpmTracker | null; // the campaign's agreements so far (premiums of domain.md §2.5)
  maxRounds: number;
  /** From the trigger file: below this confidence a reply escalates (default 0.70, strict <). */
  confidenceThreshold?: number;
  /** From the trigger file: an ask above the effective ceiling escalates at once instead of trying levers. */
  cpmCeilingEnabled?: boolean;
}

const TRIGGER_REASONS = {
  hostile: 'Hostile tone detected in email',
  legal: 'Legal/contract language detected in email',
  unusual_deliverables: 'Unusual deliverable request detected in email',
  keyword: 'Always-escalate keyword found in email',
} as const;

/**
 * Opening offer = the campaign's floor rate (D3.1), raised to its minimum cost per influencer, and never above
 * its max cost without approval (a large audience at the floor CPM can exceed it: we open at the max cost).
 */
export function openingOfferCents(terms: Terms, averageViews: number): Cents {
  const { minCostCents, maxCostCents } = terms.levers;
  const opening = Math.max(rateFor(averageViews, terms.floorCpmCents), minCostCents ?? 0);
  return maxCostCents == null ? opening : Math.min(opening, maxCostCents);
}

/**
 * The most the agent may offer without a human: the CPM ceiling (raised by the tracker's premiums, capped at
 * 120%) applied to the views, capped by the max cost without approval, or a human-approved amount if higher.
 */
export function offerLimitCents(facts: NegotiationFacts, tracker: CpmTracker | null): Cents {
  const engagement = facts.influencer.engagementRate ? parseDecimal(facts.influencer.engagementRate) : null;
  const ceilingCpm = tracker ? cpmFlexibility(tracker, engagement).maxAllowedCpm : facts.terms.ceilingCpmCents;
  const byCpm = rateFor(facts.influencer.averageViews, ceilingCpm);
  const maxCost = facts.terms.levers.maxCostCents;
  const limit = maxCost == null ? byCpm : Math.min(byCpm, maxCost);
  return Math.max(limit, facts.approvedCeilingCents ?? 0);
}

/** Halfway from our last offer toward the ask, rounded to whole dollars, capped by the limit (D3.5). */
export function nextCounterCents(lastOfferCents: Cents, askCents: Cents, limitCents: Cents): Cents {
  const halfway = Number(divRoundHalfUp(BigInt(lastOfferCents + askCents), 200n)) * 100;
  return Math.min(halfway, limitCents);
}

/**
 * The counter a human is asked to approve (D8): halfway toward their ask, never below our offer nor above their
 * ask. Also recomputed when a reply changes their ask while a negotiation is escalated (D16).
 */
export function suggestedCounterCents(last: Cents | null, ask: Cents | null): Cents | null {
  if (last == null || ask == null) return last ?? ask;
  return ask <= last ? ask : Math.max(nextCounterCents(last, ask, ask), last);
}

export function decide(input: DecideInput): Decision {
  const { facts, classification: c, tracker, maxRounds } = input;
  const last = facts.lastOfferCents;
  const ask = c.askCents;
  const escalate = (trigger: EscalationTrigger, reason: string, evidence: string | null = null): Decision => ({
    kind: 'escalate',
    trigger,
    reason,
    evidence,
    askCents: ask,
    suggestedCents: suggestedCounterCents(last, ask),
  });
  const trigger = c.triggers[0];
  if (trigger) return escalate(trigger.kind, TRIGGER_REASONS[trigger.kind], trigger.evidence);
  if (c.intent === 'unclear')
    return escalate('ambiguous_intent', `Intent unclear (confidence ${c.confidence.toFixed(2)})`);
  if (c.confidence < (input.confidenceThreshold ?? CONFIDENCE_THRESHOLD)) {
    return escalate('ambiguous_intent', `Low confidence intent: ${c.confidence.toFixed(2)}`);
  }
  const intent = c.intent;
  if (intent === 'reject') return { kind: 'reject' };
  if (ask != null && ask <= 0) return escalate('ambiguous_intent', 'The reply names an amount of $0 or less');
  if (last == null) return escalate('no_offer', 'A reply arrived but no offer is on record');

  const email = (kind: EmailKind, rateCents: Cents, extra: Partial<EmailPlan> = {}): Decision => ({
    kind: 'email',
    email: {
      kind,
      rateCents,
      deliverables: facts.deliverables,
      usageRights: facts.usageRights,
      instructions: null,
      extraAllowedCents: [],
      levers: facts.levers,
      leversUsed: facts.leversUsed,
      ...extra,
    },
  });
  const maxRoundsReached = () => escalate('max_rounds', `Max autonomous rounds (${maxRounds}) reached`);

  // D2: agreement is at OUR last offer; an "acceptance" naming another amount is a counter.
  if (intent === 'accept' && (ask == null || ask === last)) return email('confirmation', last);
  if (ask == null) {
    if (intent === 'counter') return escalate('ambiguous_intent', 'Counter-offer without a readable amount');
    return facts.round >= maxRounds ? maxRoundsReached() : email('answer', last);
  }
  // Far below our own offer is a misread or a trick ("$2 900" read as $2), not a bargain: a human looks.
  if (ask * 2 < last) {
    return escalate('ambiguous_intent', `The ask ${formatUsd(ask)} is less than half our offer of ${formatUsd(last)}`);
  }
  // D3.2: an ask at or below our last offer is accepted at the ask.
  if (ask <= last) return email('confirmation', ask);
  if (facts.round >= maxRounds) return maxRoundsReached();

  const limit = offerLimitCents(facts, tracker);
  if (ask > limit && input.cpmCeilingEnabled && facts.approvedCeilingCents == null) {
    const cpm = formatUsd(cpmFor(ask, facts.influencer.averageViews));
    return escalate('ceiling', `Proposed rate implies ${cpm} CPM, above what the campaign allows without approval`);
  }
  if (ask > limit) return leverMove(facts, ask, last, limit, escalate, email);

  // D3.5: within bounds; agree when the gap is within 5% of the ask or this is the last allowed round.
  const lastRound = facts.round + 1 >= maxRounds;
  if (lastRound || (ask - last) * 100 <= ask * 5) return email('confirmation', ask);
  const next = nextCounterCents(last, ask, limit);
  if (next >= ask) return email('confirmation', ask);
  return email('counter', Math.max(next, last));
}

/** D3.4: an ask above what we may offer goes through the lever chain. */
function leverMove(
  facts: NegotiationFacts,
  ask: Cents,
  last: Cents,
  limit: Cents,
  escalate: (t: EscalationTrigger, reason: string) => Decision,
  email: (kind: EmailKind, rate: Cents, extra?: Partial<EmailPlan>) => Decision,
): Decision {
  const { terms, influencer } = facts;
  // A human approval above the max cost lifts it for this negotiation.
  const maxCost = terms.levers.maxCostCents == null ? null : Math.max(terms.levers.maxCostCents, limit);
  const lever = selectLever({
    theirRateCents: ask,
    ourRateCents: last,
    state: facts.levers,
    campaign: { ...terms.levers, maxCostCents: maxCost },
  });
  const overCeiling = () => {
    const cpm = cpmFor(ask, influencer.averageViews);
    return `Their ask ${formatUsd(ask)} implies a ${formatUsd(cpm)} CPM, above what we may offer without approval (${formatUsd(limit)})`;
  };
  if (lever.shouldEscalate) {
    return escalate(
      'max_cost',
      `Their ask ${formatUsd(ask)} exceeds the max cost without approval (${formatUsd(maxCost ?? limit)})`,
    );
  }
  if (lever.shouldExit) {
    // Levers exhausted: walking away from a creator is the team's call (Slack "Walk away"), not the agent's.
    return escalate('ceiling', `${overCeiling()}; no levers left to trade`);
  }
  const rate = Math.min(lever.adjustedRateCents ?? last, limit);
  if (rate < last || rate >= ask) return escalate('ceiling', overCeiling());
  return email('counter', rate, {
    deliverables: lever.deliverables ?? facts.deliverables,
    usageRights: lever.usageRights ?? facts.usageRights,
    instructions: lever.instructions,
    extraAllowedCents: lever.extraAllowedCents,
    levers: lever.next,
    leversUsed: facts.leversUsed + 1,
  });
}
