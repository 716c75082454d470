/** JSON shapes of the public API (api.md): money as "2000.00", times as ISO-8601. */
import type { Escalation } from '../machines/negotiation.ts';
import type { AuditEntry } from '../persistence/timeline.ts';
import type { CampaignStats, NegotiationRow } from '../persistence/queries.ts';
import { formatMoney, formatMoneyOrNull } from '../services/money.ts';

export function negotiationSummary(n: NegotiationRow) {
  return {
    id: n.id,
    campaignId: n.campaignId,
    threadId: n.threadId,
    influencer: {
      name: n.influencerName,
      email: n.influencerEmail,
      platform: n.platform,
      averageViews: n.averageViews,
    },
    state: n.state,
    humanControlled: n.humanControlled === 1,
    round: n.round,
    lastOfferedRate: formatMoneyOrNull(n.lastOfferCents),
    theirLastAsk: formatMoneyOrNull(n.theirAskCents),
    agreedRate: formatMoneyOrNull(n.agreedCents),
    agreedCpm: formatMoneyOrNull(n.agreedCpmCents),
    failure: n.failure,
    // parked (decisions D18): the negotiation does nothing until a person un-parks it
    parked: n.failure == null ? null : { reason: n.failure, at: n.parkedAt },
    updatedAt: n.updatedAt,
  };
}

export function campaignSummary(c: CampaignStats) {
  return {
    id: c.id,
    client: c.client,
    platform: c.definition.platform,
    budget: c.definition.budget,
    createdAt: c.createdAt,
    negotiations: c.total,
    countsByState: c.counts,
    dealsAgreed: c.dealsAgreed,
    averageAgreedCpm: formatMoneyOrNull(c.averageAgreedCpmCents),
    budgetCommitted: formatMoney(c.budgetCommittedCents),
  };
}

/** Internal data on the wire: every `xxxCents` amount becomes `xxx: "2000.00"`. */
export function withMoney(data: Record<string, unknown>, withBodies = true): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key.endsWith('Cents') && (typeof value === 'number' || value === null))
      out[key.slice(0, -5)] = formatMoneyOrNull(value);
    else if (!withBodies && (key === 'text' || key === 'draft')) continue;
    else out[key] = value;
  }
  return out;
}

export function timelineEntry(e: AuditEntry, withBodies: boolean) {
  return { id: e.id, at: e.at, type: e.type, negotiationId: e.negotiationId, ...withMoney(e.data, withBodies) };
}

/** The open escalation of a negotiation, as the team sees it. */
export function escalationView(e: Escalation | null) {
  if (!e) return null;
  const { seq, reason, trigger, evidence, askCents, suggestedCents, draft } = e;
  // `number`: the escalation's sequence number, which its Slack buttons carry (D19).
  return withMoney({ number: seq ?? null, reason, trigger, evidence, askCents, suggestedCents, draft });
}
