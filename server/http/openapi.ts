/**
 * The OpenAPI 3.1 description of the HTTP API (GET /api/v1/openapi.json), generated, not written: the operations
 * are the routes the agent's routers really serve (a route added to a router appears by itself), and the request
 * bodies and queries are the zod schemas those routes validate with, converted by zod's own JSON Schema export.
 * What a router cannot say (a summary, the success shape, the documented errors) comes from OPERATIONS below;
 * the response shapes are checked against real responses by test/ops/openapi.test.ts.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { campaignSchema } from '../../services/campaigns.ts';
import { DOMAIN_STATES } from '../../services/domain.ts';
import type { AppState } from './app.ts';
import { previewBody } from '../runtime/campaign-preview.ts';
import { actorBody, approveBody, listQuery, needsYouQuery } from './routes/api.ts';
import { clockBody, inboundMail, sandboxMailQuery, slackAction } from './routes/sandbox.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

// --- Response shapes (loose: a field added to a response does not break its description) ---------------------
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

const SCHEMAS = {
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
type SchemaName = keyof typeof SCHEMAS;

/** The zod schema of a documented response, for tests that check real responses against it. */
export const responseSchema = (name: SchemaName) => SCHEMAS[name];

// --- What the routers cannot say --------------------------------------------------------------------------------
interface Response {
  description: string;
  schema?: SchemaName | [SchemaName];
  type?: string;
}
interface Operation {
  tag: string;
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyType?: string;
  responses: Record<number, Response>;
}

const json = (description: string, schema: Response['schema']): Response => ({ description, schema });
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

const OPERATIONS: Record<string, Operation> = {
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

/** Routes that are pages, not API (the dashboard's HTML and assets). */
const NOT_API = [/^\/$/, /^\/dashboard(\/|$)/];
/** Served by middleware before the routers (no router layer to read them from). */
const MIDDLEWARE_ROUTES = ['POST /slack/events'];

export interface Route {
  method: string;
  path: string; // Koa template: /api/v1/negotiations/:id
}

/** The routes the routers serve (HEAD and OPTIONS are implied by HTTP, not operations). */
export function routesOf(routers: Router<AppState>[]): Route[] {
  const routes = routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      typeof layer.path === 'string'
        ? layer.methods
            .filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
            .map((method) => ({ method, path: String(layer.path) }))
        : [],
    ),
  );
  const extra = MIDDLEWARE_ROUTES.map((r) => ({ method: r.split(' ')[0], path: r.split(' ')[1] }));
  return [...routes, ...extra].filter((r) => !NOT_API.some((re) => re.test(r.path)));
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function responseObject(r: Response) {
  if (!r.schema)
    return r.type ? { description: r.description, content: { [r.type]: {} } } : { description: r.description };
  const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
  const schema = Array.isArray(r.schema) ? { type: 'array', items: ref(r.schema[0]) } : ref(r.schema);
  return { description: r.description, content: { 'application/json': { schema } } };
}

function operationObject(route: Route, protectedPrefixes: string[]) {
  const doc: Operation = OPERATIONS[`${route.method} ${route.path}`] ?? {
    tag: 'Other',
    summary: `${route.method} ${route.path}`,
    responses: { 200: { description: 'OK' } },
  };
  const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = Object.entries(doc.query?.shape ?? {}).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(field as z.ZodType, 'input'),
  }));
  const body = doc.body
    ? {
        required: !doc.body.safeParse(undefined).success && !doc.body.safeParse({}).success,
        content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
      }
    : doc.bodyType
      ? { required: true, content: { [doc.bodyType]: {} } }
      : undefined;
  const secured = protectedPrefixes.some((p) => route.path.toLowerCase().startsWith(p));
  const responses = Object.fromEntries(Object.entries(doc.responses).map(([s, r]) => [s, responseObject(r)]));
  if (secured) responses[401] ??= responseObject(json('A valid bearer token is required (API_TOKEN)', 'Error'));
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c = '') => c.toUpperCase())}`,
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...(secured ? {} : { security: [] }),
  };
}

/** The OpenAPI 3.1 document of `routes`; paths under `protectedPrefixes` need the bearer token. */
export function buildOpenApi(routes: Route[], options: { protectedPrefixes: string[]; version?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationObject(route, options.protectedPrefixes);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Influencer negotiation agent',
      version: options.version ?? '1',
      description:
        'JSON everywhere; money as decimal strings with two places ("2000.00"); times ISO-8601 UTC; errors ' +
        '`{ "error": { "code", "message" } }`; every response carries X-Request-Id. docs/api.md explains each route.',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN (required once it is set)' },
      },
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, s]) => [name, jsonSchema(s, 'output')])),
    },
  };
}

/** GET /api/v1/openapi.json, describing `routers` (itself included) as they are when first asked. */
export function openApiRouter(routers: Router<AppState>[], protectedPrefixes: string[]) {
  const router = new Router<AppState>({ sensitive: true });
  let document: ReturnType<typeof buildOpenApi> | undefined;
  router.get(OPENAPI_PATH, (ctx) => {
    document ??= buildOpenApi(routesOf([...new Set([...routers, router])]), { protectedPrefixes });
    ctx.body = document;
  });
  return router;
}
