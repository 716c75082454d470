/**
 * A local fake of the ClickUp API v2 subset the agent uses (GET /api/v2/task/{id}), on 127.0.0.1 with a random
 * port, serving scripted tasks with ClickUp's custom field shapes: drop_down values are the chosen option's
 * orderindex, labels values are option ids, number/currency/date values are text, an unanswered field has no
 * `value` key. Errors use ClickUp's body `{ err, ECODE }`. Plus builders for the campaign form task and for signed
 * webhook deliveries.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLICKUP_FIELDS } from '../../services/clickup/form.ts';

export const FAKE_CLICKUP_TOKEN = 'pk_81942673_FAKEFAKEFAKEFAKEFAKEFAKEFAKEFAKE';

export interface FakeOption {
  id: string;
  name?: string;
  label?: string;
  color: string | null;
  orderindex: number;
}

export interface FakeField {
  id: string;
  name: string;
  type: string;
  type_config: Record<string, unknown>;
  date_created: string;
  hide_from_guests: boolean;
  required: boolean;
  value?: unknown;
}

export interface FakeTask {
  id: string;
  name: string;
  custom_fields: FakeField[];
  [key: string]: unknown;
}

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}

/** A stable uuid-looking id from a seed, so tasks are identical from run to run. */
const uuid = (seed: string) => {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

function field(name: string, type: string, typeConfig: Record<string, unknown>, value: unknown): FakeField {
  const f: FakeField = {
    id: uuid(name),
    name,
    type,
    type_config: typeConfig,
    date_created: '1704153600000',
    hide_from_guests: false,
    required: false,
  };
  if (value !== undefined) f.value = value; // ClickUp leaves the key out when the field is empty
  return f;
}

/** Builders for custom fields as GET /task returns them; `undefined` = not answered. */
export const cf = {
  text: (name: string, value?: string) => field(name, 'text', {}, value),
  shortText: (name: string, value?: string) => field(name, 'short_text', {}, value),
  url: (name: string, value?: string) => field(name, 'url', {}, value),
  /** value = the option's orderindex (what the task API returns); `chosen` is the option name. */
  dropDown(name: string, options: string[], chosen?: string) {
    const opts: FakeOption[] = options.map((o, i) => ({
      id: uuid(`${name}/${o}`),
      name: o,
      color: null,
      orderindex: i,
    }));
    const index = chosen === undefined ? -1 : options.indexOf(chosen);
    if (chosen !== undefined && index < 0) throw new Error(`${chosen} is not an option of ${name}`);
    return field(
      name,
      'drop_down',
      { default: 0, placeholder: null, new_drop_down: true, options: opts },
      index < 0 ? undefined : index,
    );
  },
  /** value = the chosen options' ids. */
  labels(name: string, options: string[], chosen?: string[]) {
    const opts = options.map((o, i) => ({ id: uuid(`${name}/${o}`), label: o, color: '#7b68ee', orderindex: i }));
    const ids = chosen?.map((c) => {
      const o = opts.find((x) => x.label === c);
      if (!o) throw new Error(`${c} is not a label of ${name}`);
      return o.id;
    });
    return field(name, 'labels', { options: opts }, ids);
  },
  /** ClickUp gives number values as text ("5000"); pass a number to get a JSON number instead. */
  number: (name: string, value?: string | number) => field(name, 'number', {}, value),
  currency: (name: string, value?: string | number) =>
    field(name, 'currency', { precision: 2, currency_type: 'USD', default: null }, value),
  /** Epoch milliseconds as text. */
  date: (name: string, value?: number | { start: number | null; end: number | null }) =>
    field(name, 'date', {}, typeof value === 'number' ? String(value) : value),
  checkbox: (name: string, value?: boolean) => field(name, 'checkbox', {}, value === undefined ? undefined : value),
  users: (name: string, users?: { id: number; username: string; email: string }[]) =>
    field(name, 'users', { single_user: true, include_groups: true }, users),
};

const F = CLICKUP_FIELDS;
const YES_NO = ['Yes', 'No'];
const DURATIONS = ['Not required', '30 Days', '60 Days', '90 Days', '6 Months', '1 Year', 'Perpetual'];
const DELIVERABLES = [
  'Instagram Reel',
  'Instagram Story',
  'Instagram Feed Post',
  'TikTok Video',
  'YouTube Short',
  'YouTube Integration',
  'UGC Video',
];

/**
 * The 45 form fields of a realistic submission (Glow Skincare, TikTok-first), in ClickUp's shapes, plus a field
 * that is not part of the form. Replace or blank answers with `withField` / `withoutAnswer`.
 */
export function campaignFormFields(): FakeField[] {
  return [
    cf.shortText(F.clientName, 'Glow Skincare'),
    cf.url(F.clientWebsite, 'https://glowskincare.example'),
    cf.users(F.campaignManager, [{ id: 183, username: 'Dana Whitfield', email: 'dana@agency.example' }]),
    cf.labels(F.paymentMethods, ['PayPal', 'Bank Transfer (ACH)', 'Wire', 'Venmo'], ['PayPal', 'Bank Transfer (ACH)']),
    cf.dropDown(
      F.paymentTerms,
      ['Net 15', 'Net 30', 'Net 45', '50% upfront, 50% on delivery'],
      '50% upfront, 50% on delivery',
    ),
    cf.dropDown(F.primaryGoal, ['Awareness', 'Conversions', 'Content Creation', 'Product Launch'], 'Product Launch'),
    cf.dropDown(F.secondaryGoal, ['Awareness', 'Conversions', 'Content Creation', 'Product Launch'], 'Awareness'),
    cf.text(F.businessContext, 'New SPF serum launches in May; we need Gen Z reach before the summer push.'),
    cf.dropDown(F.optimizeFor, ['CPM', 'Content Volume & Usage Rights', 'Balance'], 'CPM'),
    cf.text(F.cpmTargetText, '$20-$30'),
    cf.number(F.cpmTargetNumber, '25'),
    cf.number(F.cpmLeniency, '20'),
    cf.text(F.platformDistribution, '60% TikTok, 40% IG'),
    cf.text(F.marketDistribution, 'USA 80%, Canada 20%'),
    cf.text(F.influencerSizeDistribution, 'Micro 70%, Mid-tier 30%'),
    cf.labels(F.targetDeliverables, DELIVERABLES, ['TikTok Video', 'Instagram Reel']),
    cf.dropDown(F.contentSyndication, YES_NO, 'Yes'),
    cf.text(F.scenario1, '1 TikTok Video and 1 Instagram Reel'),
    cf.text(F.scenario2, '1 TikTok Video and 1 Instagram Story'),
    cf.text(F.scenario3, '1 TikTok Video'),
    cf.dropDown(F.targetPaidUsage, DURATIONS, '90 Days'),
    cf.dropDown(F.targetWhitelisting, DURATIONS, '30 Days'),
    cf.dropDown(F.targetOrganicOwned, DURATIONS, '1 Year'),
    cf.dropDown(F.minimumPaidUsage, DURATIONS, '30 Days'),
    cf.dropDown(F.minimumWhitelisting, DURATIONS, 'Not required'),
    cf.dropDown(F.minimumOrganicOwned, DURATIONS, '6 Months'),
    cf.currency(F.budget, '50000'),
    cf.number(F.targetInfluencerCount, '10'),
    cf.shortText(F.targetCostRange, '$2,000-$5,000'),
    cf.currency(F.minCostPerInfluencer, '1000'),
    cf.currency(F.maxCostWithoutApproval, '2300.50'),
    cf.dropDown(F.productAvailable, YES_NO, 'Yes'),
    cf.text(F.productDescription, 'Full SPF serum kit'),
    cf.currency(F.productMonetaryValue, '150'),
    cf.dropDown(F.exclusivityRequired, YES_NO, 'No'),
    cf.dropDown(F.exclusivityTerm, ['30 Days', '60 Days', '90 Days']),
    cf.text(F.exclusivityDescription, undefined),
    cf.dropDown(F.contentPostedOrganically, YES_NO, 'Yes'),
    cf.dropDown(F.contentApprovalRequired, YES_NO, 'Yes'),
    cf.number(F.revisionRounds, '2'),
    cf.dropDown(F.rawFootageRequired, YES_NO, 'No'),
    cf.date(F.contentDeliveryDate, Date.UTC(2025, 3, 15)),
    cf.date(F.contentPublishDate, Date.UTC(2025, 4, 1)),
    cf.shortText(F.sheetTab, ' Glow Q2 '),
    cf.shortText(F.sheetId, undefined),
    cf.text('Internal notes', 'not part of the form'),
  ];
}

/** A task as GET /task/{id} returns it (the fields the agent does not read are there for realism). */
export function campaignTask(id: string, fields: FakeField[] = campaignFormFields()): FakeTask {
  return {
    id,
    custom_id: null,
    custom_item_id: 0,
    name: 'Glow Skincare - SPF launch',
    text_content: '',
    description: '',
    status: { id: 'p90_subcat_open', status: 'to do', color: '#d3d3d3', orderindex: 0, type: 'open' },
    orderindex: '1.00000000000000000000000000000000',
    date_created: '1704153600000',
    date_updated: '1704153600000',
    date_closed: null,
    archived: false,
    creator: { id: 183, username: 'Dana Whitfield', color: '#7b68ee', email: 'dana@agency.example' },
    assignees: [],
    tags: [],
    parent: null,
    priority: null,
    due_date: null,
    start_date: null,
    custom_fields: fields,
    list: { id: '162641062', name: 'Campaign Intake', access: true },
    folder: { id: '90110164', name: 'Campaigns', hidden: false, access: true },
    space: { id: '90110000' },
    url: `https://app.clickup.com/t/${id}`,
  };
}

/** The fields with `replacement` put in place of the field of the same name (appended when absent). */
export function withField(fields: FakeField[], replacement: FakeField): FakeField[] {
  const at = fields.findIndex((f) => f.name === replacement.name);
  if (at < 0) return [...fields, replacement];
  return fields.map((f, i) => (i === at ? replacement : f));
}

/** The fields with `name` left unanswered (value key removed, as ClickUp does). */
export function withoutAnswer(fields: FakeField[], name: string): FakeField[] {
  if (!fields.some((f) => f.name === name)) throw new Error(`no field ${name}`);
  return fields.map((f) => {
    if (f.name !== name) return f;
    const { value: _, ...rest } = f;
    return rest;
  });
}

/** A ClickUp webhook delivery: the exact body bytes and the headers ClickUp sends (X-Signature over the body). */
export function signedDelivery(body: unknown, secret: string) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    body: raw,
    headers: {
      'Content-Type': 'application/json',
      'X-Signature': createHmac('sha256', secret).update(raw).digest('hex'),
    } as Record<string, string>,
  };
}

/** The body of a taskCreated delivery (webhooktaskpayloads); `historyId` identifies the task history item. */
export function taskCreatedBody(taskId: string, historyId = '2800763136717140857', webhookId = uuid('webhook')) {
  return {
    event: 'taskCreated',
    history_items: [
      {
        id: historyId,
        type: 1,
        date: '1704153600000',
        field: 'status',
        parent_id: '162641062',
        data: { status_type: 'open' },
        source: null,
        user: { id: 183, username: 'Dana Whitfield', email: 'dana@agency.example', color: '#7b68ee' },
        before: { status: null, color: '#000000', type: 'removed', orderindex: -1 },
        after: { status: 'to do', color: '#d3d3d3', orderindex: 0, type: 'open' },
      },
    ],
    task_id: taskId,
    webhook_id: webhookId,
  };
}

export async function startFakeClickUp(options: { token?: string } = {}) {
  const token = options.token ?? FAKE_CLICKUP_TOKEN;
  const tasks = new Map<string, FakeTask>();
  const requests: FakeRequest[] = [];
  const failures: { status: number; body: unknown }[] = [];

  function send(res: ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    });
    req.resume();
    req.on('end', () => {
      const injected = failures.shift();
      if (injected) return send(res, injected.status, injected.body);
      const match = /^\/api\/v2\/task\/([^/]+)$/.exec(url.pathname);
      if (!match || req.method !== 'GET') return send(res, 404, { err: 'Route not found', ECODE: 'APP_001' });
      if (req.headers.authorization !== token) return send(res, 401, { err: 'Token invalid', ECODE: 'OAUTH_025' });
      const task = tasks.get(decodeURIComponent(match[1]));
      if (!task) return send(res, 404, { err: 'Task not found, deleted', ECODE: 'ITEM_013' });
      send(res, 200, task);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    /** The baseUrl for createClickUpClient. */
    apiUrl: `${url}/api/v2`,
    token,
    addTask(task: FakeTask) {
      tasks.set(task.id, task);
    },
    removeTask(id: string) {
      tasks.delete(id);
    },
    /** Every request received, oldest first. */
    requests: () => [...requests],
    /** How many GET /task/{id} requests were received for `taskId` (all requests when omitted). */
    count: (taskId?: string) =>
      taskId === undefined
        ? requests.length
        : requests.filter((r) => r.path === `/api/v2/task/${encodeURIComponent(taskId)}`).length,
    /** The next `times` requests fail with `status` (ClickUp-style body). */
    failNext(status: number, times = 1, body: unknown = { err: 'Internal server error', ECODE: 'APP_500' }) {
      for (let i = 0; i < times; i++) failures.push({ status, body });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeClickUp = Awaited<ReturnType<typeof startFakeClickUp>>;
