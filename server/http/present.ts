/** JSON shapes of the public API (api.md): money as "2000.00", times as ISO-8601. */
import type { Escalation } from '../../machines/negotiation.ts';
import type { NeedRow } from '../../persistence/needs-you.ts';
import type { CampaignStats, NegotiationRow } from '../../persistence/queries.ts';
import type { AuditEntry } from '../../persistence/timeline.ts';
import { type CampaignDefinition, termsOf } from '../../services/campaigns.ts';
import { type Influencer, TERMINAL_STATES, type Terms } from '../../services/domain.ts';
import { formatMoney, formatMoneyOrNull, parseDecimal, withMoney } from '../../services/money.ts';
import { deriveCpmBounds, rateFor } from '../../services/pricing.ts';

/** An accepted influencer whose negotiation is still being created, as negotiationSummary shows it. */
export function acceptedInfluencer(i: Influencer) {
  return { name: i.name, email: i.email, platform: i.platform, averageViews: i.averageViews };
}

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
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
  };
}

export function campaignSummary(c: CampaignStats) {
  const d = c.definition;
  const bounds = deriveCpmBounds(
    d.cpmTarget == null ? null : parseDecimal(d.cpmTarget),
    d.cpmLeniency == null ? null : parseDecimal(d.cpmLeniency),
  );
  return {
    id: c.id,
    client: c.client,
    status: c.status,
    platform: d.platform,
    budget: d.budget,
    // the CPM range its offers move in (D3, D4): floor = target, ceiling = target + leniency
    floorCpm: formatMoney(bounds.floorCents),
    ceilingCpm: formatMoney(bounds.ceilingCents),
    maxCostWithoutApproval: d.maxCostWithoutApproval,
    createdAt: c.createdAt,
    negotiations: c.total,
    countsByState: c.counts,
    dealsAgreed: c.dealsAgreed,
    averageAgreedCpm: formatMoneyOrNull(c.averageAgreedCpmCents),
    budgetCommitted: formatMoney(c.budgetCommittedCents),
  };
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

/** What a negotiation may be offered (D3, D4), as amounts for its influencer's views. */
export function boundsOf(terms: Terms, views: number) {
  const ok = Number.isSafeInteger(views) && views > 0;
  return {
    floor: ok ? formatMoney(rateFor(views, terms.floorCpmCents)) : null,
    ceiling: ok ? formatMoney(rateFor(views, terms.ceilingCpmCents)) : null,
    floorCpm: formatMoney(terms.floorCpmCents),
    ceilingCpm: formatMoney(terms.ceilingCpmCents),
    maxWithoutApproval: formatMoneyOrNull(terms.levers.maxCostCents),
  };
}

/** The pictures of a campaign: who was contacted and replied and how it ended, CPM and budget. */
export function campaignStats(c: CampaignStats, funnel: { contacted: number; replied: number }) {
  const summary = campaignSummary(c);
  const n = c.counts;
  const terminal = [...TERMINAL_STATES].reduce((sum, s) => sum + n[s], 0);
  return {
    id: c.id,
    status: c.status,
    funnel: {
      negotiations: c.total,
      contacted: funnel.contacted,
      replied: funnel.replied,
      agreed: n.agreed,
      rejected: n.rejected,
      stale: n.stale,
      escalated: n.escalated,
      paused: n.paused,
      stopped: n.stopped,
      // still talking: everything neither finished nor in one of the columns above
      negotiating: c.total - terminal - n.stale - n.escalated - n.paused,
    },
    cpm: { achieved: summary.averageAgreedCpm, floor: summary.floorCpm, ceiling: summary.ceilingCpm },
    budget: { budget: summary.budget, committed: summary.budgetCommitted },
  };
}

const NEED_REASON = { escalation: 'Escalated', reply: 'New reply on a thread a person holds', parked: 'Parked' };

/** One entry of the "Needs you" list: why, their ask vs our offer vs the bounds, what they last wrote. */
export function needItem(
  row: NeedRow,
  extra: {
    definition: CampaignDefinition | undefined;
    escalation: Escalation | null;
    latestReply: { at: string; text: string; from: string | null } | null;
  },
) {
  const terms = extra.definition ? termsOf(extra.definition, '') : null;
  const escalation = row.kind === 'escalation' ? escalationView(extra.escalation) : null;
  const reason =
    row.kind === 'parked'
      ? (row.failure ?? NEED_REASON.parked)
      : row.kind === 'escalation'
        ? String(escalation?.reason ?? NEED_REASON.escalation)
        : NEED_REASON.reply;
  return {
    kind: row.kind,
    reason,
    since: row.kind === 'parked' ? (row.parkedAt ?? row.updatedAt) : row.updatedAt,
    client: extra.definition?.client ?? null,
    negotiation: negotiationSummary(row),
    escalation,
    bounds: terms ? boundsOf(terms, row.averageViews) : null,
    latestReply: extra.latestReply,
  };
}
