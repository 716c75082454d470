/**
 * The response shapes of the OpenAPI document (components/schemas): loose, so a field added to a response does
 * not break its description. test/ops/openapi.test.ts checks real responses against them.
 */
import { z } from 'zod';
import { DOMAIN_STATES } from '../../services/domain.ts';

const money = z
  .string()
  .regex(/^\d+\.\d{2}$/)
  .describe('Dollars with two decimals, e.g. "2000.00"');
const time = z.string().describe('ISO-8601, UTC');
const influencer = z.looseObject({
  name: z.string(),
  email: z.string(),
  platform: z.string(),
  averageViews: z.number(),
});
const negotiationSummary = z.looseObject({
  id: z.string(),
  campaignId: z.string(),
  threadId: z.string().nullable(),
  influencer,
  state: z.enum(DOMAIN_STATES),
  humanControlled: z.boolean(),
  round: z.number().int(),
  lastOfferedRate: money.nullable(),
  theirLastAsk: money.nullable(),
  agreedRate: money.nullable(),
  agreedCpm: money.nullable(),
  updatedAt: time,
});
const timelineEntry = z.looseObject({ id: z.number().int(), at: time, type: z.string() });
const campaignSummary = z.looseObject({
  id: z.string(),
  client: z.string(),
  platform: z.string(),
  negotiations: z.number().int(),
  countsByState: z.record(z.string(), z.number().int()),
  dealsAgreed: z.number().int(),
  averageAgreedCpm: money.nullable(),
  budgetCommitted: money,
});
const control = z.looseObject({ id: z.string(), previousState: z.string(), state: z.enum(DOMAIN_STATES) });
const campaignStatus = z.enum(['active', 'paused', 'stopped']);
const bounds = z.looseObject({
  floor: money.nullable(),
  ceiling: money.nullable(),
  floorCpm: money,
  ceilingCpm: money,
  maxWithoutApproval: money.nullable(),
});
const count = z.number().int();

export const SCHEMAS = {
  Error: z.object({ error: z.object({ code: z.string().regex(/^[a-z][a-z0-9_]*$/), message: z.string() }) }),
  Health: z.object({ status: z.literal('ok') }),
  Readiness: z.looseObject({
    status: z.enum(['ready', 'not_ready']),
    checks: z.record(z.string(), z.string()).describe('"ok" or what failed'),
  }),
  NegotiationSummary: negotiationSummary,
  NegotiationDetail: negotiationSummary.extend({
    contacts: z.array(z.looseObject({})),
    escalation: z.looseObject({ reason: z.string() }).nullable(),
    bounds: bounds.nullable(),
    timeline: z.array(timelineEntry),
  }),
  CampaignSummary: campaignSummary.extend({ status: campaignStatus, floorCpm: money, ceilingCpm: money }),
  CampaignQueue: z.object({
    queued: z.number().int(),
    sentLast24h: z.number().int(),
    nextSendAt: z.string().nullable(),
    mailbox: z.object({
      queued: z.number().int(),
      sentLast24h: z.number().int(),
      nextSendAt: z.string().nullable(),
      waitingFor: z.enum(['minute cap', 'daily cap', 'sending window', 'mailbox limit']).nullable(),
    }),
  }),
  CampaignStats: z.looseObject({
    id: z.string(),
    status: campaignStatus,
    funnel: z.looseObject({
      negotiations: count,
      contacted: count,
      replied: count,
      agreed: count,
      rejected: count,
      stale: count,
      escalated: count,
      paused: count,
      stopped: count,
      negotiating: count,
    }),
    cpm: z.looseObject({ achieved: money.nullable(), floor: money, ceiling: money }),
    budget: z.looseObject({ budget: money.nullable(), committed: money }),
  }),
  CampaignControlResult: z.looseObject({
    id: z.string(),
    action: z.enum(['pause', 'resume', 'stop']),
    previousStatus: campaignStatus,
    status: campaignStatus,
    changed: count,
    ids: z.array(z.string()),
  }),
  CampaignPreview: z.looseObject({
    ok: z.boolean(),
    errors: z.array(z.looseObject({ field: z.string(), message: z.string() })),
    warnings: z.array(z.string()),
    campaign: z.looseObject({ id: z.string(), floorCpm: money, ceilingCpm: money }).nullable(),
    rows: z.array(
      z.looseObject({
        row: count,
        status: z.enum(['new', 'existing', 'skipped']),
        openingOffer: money.nullable(),
        reason: z.string().nullable(),
        field: z.string().nullable(),
      }),
    ),
    influencers: z.array(z.looseObject({})),
    summary: z.looseObject({ rows: count, new: count, existing: count, skipped: count }),
  }),
  NeedsYou: z.looseObject({
    counts: z.looseObject({ escalation: count, reply: count, parked: count, total: count }).nullable(),
    items: z.array(
      z.looseObject({
        kind: z.enum(['escalation', 'reply', 'parked']),
        reason: z.string(),
        since: time,
        negotiation: negotiationSummary,
        escalation: z.looseObject({}).nullable(),
        bounds: bounds.nullable(),
        latestReply: z.looseObject({ at: time, text: z.string() }).nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  }),
  Info: z.looseObject({
    mode: z.enum(['sandbox', 'live']),
    sandbox: z.looseObject({ mail: z.boolean(), slack: z.boolean(), clock: z.boolean() }),
  }),
  CampaignDetail: campaignSummary.extend({
    definition: z.looseObject({}),
    negotiations: z.array(negotiationSummary),
  }),
  CampaignCreated: z.looseObject({
    id: z.string(),
    negotiations: z.array(z.looseObject({ id: z.string(), influencer: z.looseObject({}), state: z.string() })),
    skipped: z.array(z.looseObject({ name: z.string(), reason: z.string() })),
  }),
  ControlResult: control,
  AgencyStopped: z.looseObject({ agency: z.string(), stopped: z.number().int(), ids: z.array(z.string()) }),
  SentMail: z.looseObject({
    messageId: z.string(),
    threadId: z.string(),
    from: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    sentAt: time,
  }),
  MailAccepted: z.looseObject({ messageId: z.string(), duplicate: z.literal(true).optional() }),
  SlackMessage: z.looseObject({
    channel: z.string(),
    text: z.string(),
    blocks: z.array(z.unknown()),
    ts: z.string(),
    negotiationId: z.string().nullable(),
    kind: z.enum(['escalation', 'agreement', 'notice']),
  }),
  Clock: z.looseObject({ offsetHours: z.number(), now: time }),
  WebhookAnswer: z.looseObject({ status: z.string() }),
};
export type SchemaName = keyof typeof SCHEMAS;

/** The zod schema of a documented response, for tests that check real responses against it. */
export const responseSchema = (name: SchemaName) => SCHEMAS[name];
