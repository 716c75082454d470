/**
 * What the routers cannot say about each operation of the OpenAPI document: its tag, summary, the query and body
 * schemas it validates with, and its documented responses. A served route missing here is listed as "Other".
 */
import type { z } from 'zod';
import { campaignSchema } from '../../services/campaigns.ts';
import { previewBody } from '../runtime/campaign-preview.ts';
import type { SchemaName } from './openapi-schemas.ts';
import { actorBody, approveBody, listQuery, needsYouQuery } from './routes/api.ts';
import { clockBody, inboundMail, sandboxMailQuery, slackAction } from './routes/sandbox.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export interface Response {
  description: string;
  schema?: SchemaName | [SchemaName];
  type?: string;
}
export interface Operation {
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyType?: string;
  responses: Record<number, Response>;
}

export const json = (description: string, schema: Response['schema']): Response => ({ description, schema });
const CONTROL_DOC = (what: string): Operation => ({
  tag: 'Negotiations',
  summary: what,
  body: actorBody,
  responses: {
    200: json('The state before and after', 'ControlResult'),
    404: json('No such negotiation', 'Error'),
    409: json('Not allowed from the current state (the message says why)', 'Error'),
  },
});

const CAMPAIGN_DOC = (what: string): Operation => ({
  tag: 'Campaigns',
  summary: what,
  body: actorBody,
  responses: {
    200: json('What changed', 'CampaignControlResult'),
    404: json('No such campaign', 'Error'),
    409: json('Not allowed now (a stopped campaign stays stopped)', 'Error'),
  },
});

export const OPERATIONS: Record<string, Operation> = {
  'GET /health': { tag: 'Operations', summary: 'Liveness', responses: { 200: json('Running', 'Health') } },
  'GET /ready': {
    tag: 'Operations',
    summary: 'Readiness: the database is writable and every configured integration usable',
    responses: { 200: json('Ready', 'Readiness'), 503: json('Not ready; the failing checks are named', 'Readiness') },
  },
  'GET /metrics': {
    tag: 'Operations',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text format', type: 'text/plain' } },
  },
  [`GET ${OPENAPI_PATH}`]: {
    tag: 'Operations',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', type: 'application/json' } },
  },
  'POST /api/v1/campaigns': {
    tag: 'Campaigns',
    summary: 'Create a campaign and start its negotiations',
    description:
      'Rows come from `influencers`, else from the sheet. Posting the same campaign again creates only new influencers. ' +
      'Up to 100 new negotiations are created before the answer (201); more are accepted (202: stored, listed with ' +
      'their ids in state `initial_offer`) and created in chunks right after, their opening emails going out through ' +
      'the send queue (`GET /api/v1/campaigns/:id/queue`).',
    body: campaignSchema,
    responses: {
      201: json('Created; rows that cannot start are listed in `skipped`', 'CampaignCreated'),
      202: json(
        'Accepted (more than 100 new): created in chunks after the answer; `skipped` as for 201',
        'CampaignCreated',
      ),
      200: json('Nothing new (the same campaign posted again)', 'CampaignCreated'),
      400: json('Invalid body (every bad field named)', 'Error'),
      409: json('The id exists with other terms', 'Error'),
      422: json('No influencer could start', 'Error'),
    },
  },
  'GET /api/v1/info': {
    tag: 'Dashboard',
    summary: 'How the agent runs: sandbox or live, and which sandbox stand-ins exist',
    responses: { 200: json('Mode', 'Info') },
  },
  'POST /api/v1/campaigns/preview': {
    tag: 'Campaigns',
    summary: 'Dry run of POST /api/v1/campaigns: every problem by field and row, each opening offer; stores nothing',
    description:
      'The campaign body, with the influencer list as `influencers` or as `csv` (the sheet tab as CSV, header row ' +
      'first). Always 200 for a JSON object: `ok` says whether the campaign would start.',
    body: previewBody,
    responses: { 200: json('The preview', 'CampaignPreview'), 400: json('Not a JSON object', 'Error') },
  },
  'GET /api/v1/campaigns/:id/stats': {
    tag: 'Campaigns',
    summary: 'Funnel (contacted, replied, outcomes), CPM achieved against floor and ceiling, budget committed',
    responses: { 200: json('The pictures of a campaign', 'CampaignStats'), 404: json('No such campaign', 'Error') },
  },
  'GET /api/v1/campaigns/:id/queue': {
    tag: 'Campaigns',
    summary: "The campaign's emails in the mailbox's send queue: queued, sent in the last 24 h, next send at",
    description:
      'Emails wait their turn within the per-minute and per-day caps (answers to replies first, then follow-ups, then ' +
      'opening emails). `nextSendAt` is an estimate; `mailbox` is the whole queue and what it waits for.',
    responses: { 200: json('The queue', 'CampaignQueue'), 404: json('No such campaign', 'Error') },
  },
  'POST /api/v1/campaigns/:id/pause': CAMPAIGN_DOC('Pause every open negotiation; new sheet rows wait'),
  'POST /api/v1/campaigns/:id/resume': CAMPAIGN_DOC('Resume a paused campaign: every paused negotiation resumes'),
  'POST /api/v1/campaigns/:id/stop': CAMPAIGN_DOC('Stop the campaign for good: every open negotiation stops'),
  'GET /api/v1/needs-you': {
    tag: 'Negotiations',
    summary: 'What needs a person: escalations, replies on human-held threads, parked negotiations; newest first',
    query: needsYouQuery,
    responses: { 200: json('One page and the counts', 'NeedsYou'), 400: json('Invalid query', 'Error') },
  },
  'GET /api/v1/campaigns': {
    tag: 'Campaigns',
    summary: 'Campaigns with counts by state, deals agreed, average agreed CPM, budget committed',
    responses: { 200: json('Campaigns', ['CampaignSummary']) },
  },
  'GET /api/v1/campaigns/:id': {
    tag: 'Campaigns',
    summary: 'A campaign with its definition and negotiations',
    responses: { 200: json('The campaign', 'CampaignDetail'), 404: json('No such campaign', 'Error') },
  },
  'GET /api/v1/negotiations': {
    tag: 'Negotiations',
    summary: 'Negotiation summaries, newest first',
    description:
      'Paged by `offset` or by keyset: `after` = the `X-Next-Cursor` header of the previous page (absent on the ' +
      'last page). The first page carries `X-Total-Count`.',
    query: listQuery,
    responses: { 200: json('Negotiations', ['NegotiationSummary']), 400: json('Invalid filter', 'Error') },
  },
  'GET /api/v1/negotiations/:id': {
    tag: 'Negotiations',
    summary: 'A negotiation with its timeline, contacts and open escalation',
    responses: { 200: json('The negotiation', 'NegotiationDetail'), 404: json('No such negotiation', 'Error') },
  },
  'POST /api/v1/negotiations/:id/pause': CONTROL_DOC('Pause: no email goes out until resumed'),
  'POST /api/v1/negotiations/:id/resume': CONTROL_DOC('Resume a paused negotiation'),
  'POST /api/v1/negotiations/:id/stop': CONTROL_DOC('Stop for good'),
  'POST /api/v1/negotiations/:id/claim': CONTROL_DOC('A person takes over: replies are recorded, not answered'),
  'POST /api/v1/negotiations/:id/release': CONTROL_DOC('Hand a claimed negotiation back to the agent'),
  'POST /api/v1/negotiations/:id/walk-away': CONTROL_DOC('Walk away from an escalation: exit email, then rejected'),
  'POST /api/v1/negotiations/:id/unpark': CONTROL_DOC('Run a negotiation parked after repeated failures again'),
  'POST /api/v1/negotiations/:id/approve': {
    ...CONTROL_DOC('Approve an amount: an escalated negotiation counters at it'),
    body: approveBody,
    responses: {
      ...CONTROL_DOC('').responses,
      400: json('Not a positive amount', 'Error'),
      422: json('Below our last offer or above their ask', 'Error'),
    },
  },
  'POST /api/v1/agencies/:name/stop': {
    tag: 'Negotiations',
    summary: 'Stop every open negotiation of an agency (case-insensitive)',
    body: actorBody,
    responses: { 200: json('What was stopped', 'AgencyStopped') },
  },
  'GET /api/v1/machine': {
    tag: 'Dashboard',
    summary: "The negotiation machine's state tree (for the dashboard's diagram)",
    responses: { 200: { description: 'State tree', type: 'application/json' } },
  },
  'GET /api/v1/events': {
    tag: 'Dashboard',
    summary: 'Server-sent events: `negotiation {id, from, to, at}` after every persisted transition',
    responses: { 200: { description: 'An event stream (heartbeat every 15 s)', type: 'text/event-stream' } },
  },
  'POST /webhooks/gmail': {
    tag: 'Webhooks',
    summary: 'Gmail push through Pub/Sub (OIDC token verified)',
    responses: {
      204: { description: 'The new history is stored in the inbox' },
      401: json('Token missing or not from the configured push subscription', 'Error'),
      404: json('Gmail push is not configured', 'Error'),
    },
  },
  'POST /webhooks/clickup': {
    tag: 'Webhooks',
    summary: 'ClickUp task events (HMAC X-Signature over the raw body)',
    responses: {
      200: json('accepted, duplicate or ignored', 'WebhookAnswer'),
      401: json('Signature missing or wrong', 'Error'),
      404: json('The ClickUp webhook is not configured', 'Error'),
    },
  },
  'POST /slack/events': {
    tag: 'Webhooks',
    summary: 'Slack buttons, the amount dialog and /claim, /resume, /audit (signing secret verified)',
    description: 'Served when Slack runs over HTTP (SLACK_SIGNING_SECRET); slack-app-manifest.yaml points Slack here.',
    bodyType: 'application/x-www-form-urlencoded',
    responses: { 200: { description: 'Acknowledged' }, 401: json('Signature missing or wrong', 'Error') },
  },
  'GET /sandbox/mail': {
    tag: 'Sandbox',
    summary: 'Emails the agent sent, oldest first',
    query: sandboxMailQuery,
    responses: { 200: json('Sent emails', ['SentMail']) },
  },
  'POST /sandbox/mail': {
    tag: 'Sandbox',
    summary: 'Deliver an email from an influencer, as a Gmail push would',
    body: inboundMail,
    responses: {
      202: json('Stored in the inbox (a repeated messageId is a no-op)', 'MailAccepted'),
      400: json('Invalid body', 'Error'),
      404: json('No negotiation has this thread', 'Error'),
    },
  },
  'GET /sandbox/slack': {
    tag: 'Sandbox',
    summary: 'What the Slack stand-in was sent, oldest first',
    responses: { 200: json('Messages', ['SlackMessage']) },
  },
  'POST /sandbox/slack/actions': {
    tag: 'Sandbox',
    summary: 'Click a Slack button (the same path as a real click)',
    body: slackAction,
    responses: { 200: json('The state before and after', 'ControlResult'), 409: json('Not allowed now', 'Error') },
  },
  'POST /sandbox/clock': {
    tag: 'Sandbox',
    summary: "Move the agent's clock forward (follow-up and stale timers)",
    body: clockBody,
    responses: { 200: json('The new offset', 'Clock') },
  },
};
