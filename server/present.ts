/** JSON shapes of the public API (api.md): money as "2000.00", times as ISO-8601. */
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

/** Timeline data with every `xxxCents` amount shown as `xxx: "2000.00"`. */
export function timelineEntry(e: AuditEntry, withBodies: boolean) {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(e.data)) {
    if (key.endsWith('Cents') && (typeof value === 'number' || value === null))
      data[key.slice(0, -5)] = formatMoneyOrNull(value);
    else if (!withBodies && (key === 'text' || key === 'draft')) continue;
    else data[key] = value;
  }
  return { id: e.id, at: e.at, type: e.type, negotiationId: e.negotiationId, ...data };
}
