/**
 * ClickUp intake (domain.md §5, slack-ops.md §7.1, decisions D12, D13): the webhook signature and event, a small
 * client for GET /task/{id} (the webhook carries no field values), and the mapping of the campaign form's custom
 * fields to the JSON body of POST /api/v1/campaigns (services/campaigns.ts), so the same intake starts both.
 *
 * The mapping never guesses silently: a field it cannot read is a problem naming the field, returned to the caller
 * (who posts it to Slack) instead of a campaign. With the D12 fixes: platform = the largest requested share,
 * Yes/No answers keep their meaning, duration labels are matched case-insensitively, and "$1,000" / "50,000" /
 * "2.5%" are read exactly (money as integer cents, never through binary floats).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CampaignError, campaignSchema, definitionOf } from './campaigns.ts';
import { PLATFORMS, type Platform } from './domain.ts';
import type { UsageDuration } from './levers.ts';
import { formatMoney, moneyInput, parseDecimal, parseMoney } from './money.ts';
import { retry } from './retry.ts';

// ---------------------------------------------------------------------------------------------------------------
// Webhook: signature and event

/**
 * ClickUp signs each delivery with the webhook's secret: `X-Signature` = lowercase hex HMAC-SHA256 of the raw
 * body bytes. Compared in constant time; a missing, malformed or wrong signature (or an empty secret) is false.
 */
export function verifyClickUpSignature(rawBody: Buffer, signatureHeader: string | undefined, secret: string): boolean {
  if (!secret || !signatureHeader) return false;
  const given = signatureHeader.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

export class ClickUpEventError extends Error {}

export interface ClickUpEvent {
  event: string;
  /** null for events that are not about a task (listCreated, ...). */
  taskId: string | null;
  webhookId: string;
  historyItemIds: string[];
}

/** ClickUp task ids are short alphanumeric strings ("86b0x1k2q"); anything else never reaches a URL or an id. */
const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const idText = z.union([z.string().trim().min(1).max(100), z.number().int().nonnegative()]).transform(String);
const eventSchema = z.looseObject({
  event: z.string().trim().min(1).max(100),
  webhook_id: z.string().max(200).optional(),
  task_id: idText.nullish(),
  history_items: z
    .array(z.looseObject({ id: idText }))
    .max(1000)
    .optional(),
});

/** The parts of a (verified) delivery the agent uses; a malformed body is a ClickUpEventError saying what is wrong. */
export function parseClickUpEvent(body: unknown): ClickUpEvent {
  const result = eventSchema.safeParse(body);
  if (!result.success) {
    const what = result.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
      .join('; ');
    throw new ClickUpEventError(`Malformed ClickUp webhook body: ${what}`);
  }
  const data = result.data;
  const taskId = data.task_id ?? null;
  if (taskId != null && !TASK_ID.test(taskId)) {
    throw new ClickUpEventError(`Malformed ClickUp webhook body: task_id: not a ClickUp task id: ${taskId}`);
  }
  return {
    event: data.event,
    taskId,
    webhookId: data.webhook_id ?? '',
    historyItemIds: (data.history_items ?? []).map((h) => h.id),
  };
}

/**
 * A stable key for "this delivery was already handled", stored durably by the caller before acting.
 * - taskCreated: `clickup:taskCreated:<taskId>`. A task is created once, so this also absorbs ClickUp's retries,
 *   a second webhook registered on the same list, and a delivery whose history items differ.
 * - other events: `clickup:<event>:<taskId or ->:<sorted history item ids>`; history items are ids of the task's
 *   history (the same for every webhook and retry), so one change is handled once. Without history items the key
 *   falls back to event + task (every such delivery of the same event on the same task is then the same).
 * The webhook id is left out on purpose: two registrations delivering one change must not both act.
 * Long keys are shortened with a SHA-256 of the ids, so a key is at most ~140 characters.
 */
export function deliveryKey(event: ClickUpEvent): string {
  const task = event.taskId ?? '-';
  if (event.event === 'taskCreated' && event.taskId) return `clickup:taskCreated:${task}`;
  const ids = [...new Set(event.historyItemIds)].sort();
  const tail = ids.length ? ids.join(',') : '-';
  const key = `clickup:${event.event}:${task}:${tail}`;
  if (key.length <= 200) return key;
  return `clickup:${event.event.slice(0, 60)}:${task}:sha256-${createHash('sha256').update(tail).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// API client

export interface ClickUpOption {
  id?: string;
  name?: string;
  label?: string;
  orderindex?: number | string;
}

export interface ClickUpCustomField {
  id?: string;
  name: string;
  type: string;
  type_config?: { options?: ClickUpOption[] } & Record<string, unknown>;
  /** Absent (or null) when the field is not filled in. */
  value?: unknown;
}

export interface ClickUpTask {
  id: string;
  name?: string | null;
  custom_fields: ClickUpCustomField[];
  [key: string]: unknown;
}

// Lenient on purpose: an odd field we do not use must not make the whole task unreadable.
const fieldSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  type: z.string().default('text'),
  type_config: z
    .looseObject({ options: z.array(z.looseObject({})).optional().catch(undefined) })
    .nullish()
    .catch(undefined),
  value: z.unknown().optional(),
});
export const clickUpTaskSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().nullish(),
  custom_fields: z
    .array(z.unknown())
    .default([])
    .transform((fields) =>
      fields.flatMap((f) => {
        const r = fieldSchema.safeParse(f);
        return r.success ? [r.data as ClickUpCustomField] : [];
      }),
    ),
});

export class ClickUpApiError extends Error {
  readonly status: number | null;
  /** ClickUp's ECODE, e.g. OAUTH_025. */
  readonly code: string | null;
  /** 429, 5xx, timeouts and network errors may succeed later; 401/404 will not. */
  readonly retryable: boolean;
  constructor(message: string, status: number | null, code: string | null, retryable: boolean) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryable = retryable;
  }
}

export function createClickUpClient(options: {
  token: string;
  baseUrl?: string;
  timeoutMs?: number;
  /** Extra attempts for retryable failures (429, 5xx, timeout, network), with exponential backoff. */
  retries?: number;
  retryBaseMs?: number;
  fetch?: typeof fetch;
}) {
  const baseUrl = (options.baseUrl ?? 'https://api.clickup.com/api/v2').replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const retryPolicy = { attempts: 1 + (options.retries ?? 2), baseMs: options.retryBaseMs ?? 500 };
  const doFetch = options.fetch ?? fetch;

  async function once(taskId: string): Promise<ClickUpTask> {
    const url = `${baseUrl}/task/${encodeURIComponent(taskId)}?custom_task_ids=false&include_subtasks=false`;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'GET',
        headers: { Authorization: options.token, Accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      const why = timedOut ? `no answer within ${timeoutMs} ms` : String((error as Error)?.message ?? error);
      throw new ClickUpApiError(`ClickUp GET task ${taskId} failed: ${why}`, null, null, true);
    }
    const text = await res.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const body = (json ?? {}) as { err?: unknown; ECODE?: unknown };
      const code = typeof body.ECODE === 'string' ? body.ECODE : null;
      const detail = typeof body.err === 'string' ? `: ${body.err}${code ? ` (${code})` : ''}` : '';
      if (res.status === 401) {
        throw new ClickUpApiError(
          `ClickUp refused the API token for task ${taskId} (401${detail}): check CLICKUP_API_TOKEN and that its user can see the task's workspace`,
          401,
          code,
          false,
        );
      }
      if (res.status === 404) {
        throw new ClickUpApiError(
          `ClickUp task ${taskId} was not found (404${detail}): deleted, or not visible to the token's user`,
          404,
          code,
          false,
        );
      }
      const retryable = res.status === 429 || res.status >= 500;
      const what =
        res.status === 429 ? 'rate-limited the request' : retryable ? 'is unavailable' : 'refused the request';
      throw new ClickUpApiError(
        `ClickUp ${what} for task ${taskId} (${res.status}${detail})`,
        res.status,
        code,
        retryable,
      );
    }
    const parsed = clickUpTaskSchema.safeParse(json);
    if (!parsed.success) {
      throw new ClickUpApiError(`ClickUp returned an unreadable task for ${taskId}`, res.status, null, false);
    }
    return parsed.data as ClickUpTask;
  }

  return {
    /** GET /task/{id}: the task with its custom fields. */
    async getTask(taskId: string): Promise<ClickUpTask> {
      if (!TASK_ID.test(taskId)) throw new ClickUpApiError(`Not a ClickUp task id: ${taskId}`, null, null, false);
      return retry(() => once(taskId), retryPolicy, {
        retryable: (error) => error instanceof ClickUpApiError && error.retryable,
      });
    },
  };
}

export type ClickUpClient = ReturnType<typeof createClickUpClient>;

// ---------------------------------------------------------------------------------------------------------------
// The campaign form (domain.md §5.2): the 45 field names, exactly as ClickUp shows them.

export const CLICKUP_FIELDS = {
  // Background
  clientName: 'Client Name',
  clientWebsite: 'Client Website',
  campaignManager: 'Campaign Manager',
  paymentMethods: 'Available Payment Methods for Influencers (select all that apply)',
  paymentTerms: 'Payment Terms for Influencers (select one)',
  // Goals
  primaryGoal: 'Campaign Type / Primary Goal',
  secondaryGoal: 'Secondary Goal',
  businessContext: 'Why do we have these goals? (Business context, etc)',
  optimizeFor: 'Optimize For',
  // CPM (the numerical field wins over the text one when both are answered)
  cpmTargetText: 'CPM Target',
  cpmTargetNumber: 'CPM Target - Numerical value ($20-$50)',
  cpmLeniency: 'CPM Leniency - Numerical value (0-100%)',
  // Distribution
  platformDistribution: 'Outline the target percentage distribution by platform',
  marketDistribution:
    'Outline the target percentage distribution by market (Give each market a percentage i.e. USA 100%)',
  influencerSizeDistribution: 'What is the percentage distribution by influencer size.',
  // Deliverables (note the double space before "Scenario 1")
  targetDeliverables: 'Target Deliverables per Influencer (select all that apply)',
  contentSyndication: 'Can content be syndicated across multiple platforms?',
  scenario1: 'Minimum Deliverables per Influencer -  Scenario 1 (Text field i.e. Instagram Reel and TikTok)',
  scenario2: 'Minimum Deliverables per Influencer - OR Scenario 2 (Text field i.e. Instagram Reel and UGC Video)',
  scenario3: 'Minimum Deliverables per Influencer - OR Scenario 3 (Text field i.e. Instagram Reel and IG Story)',
  // Usage rights
  targetPaidUsage: 'Target for Paid Usage Required (select one)',
  targetWhitelisting: 'Target for Whitelisting Required (select one)',
  targetOrganicOwned: 'Target for Organic and Owned Channels Required (select one)',
  minimumPaidUsage: 'Minimum for Paid Usage Required (select one)',
  minimumWhitelisting: 'Minimum for Whitelisting Required (select one)',
  minimumOrganicOwned: 'Minimum for Organic and Owned Channels Required (select one)',
  // Budget
  budget: 'Campaign Budget',
  targetInfluencerCount: 'Target Number of Influencers',
  targetCostRange: 'Target Cost per Influencer (Range)',
  minCostPerInfluencer: 'Minimum Cost per Influencer (Do not make an offer lower than this)',
  maxCostWithoutApproval: 'Maximum Cost per Influencer without Human Approval',
  // Product
  productAvailable: 'Can product be used as a lever for negotiation?',
  productDescription: 'What is the product or upgrade that can be offered?',
  productMonetaryValue: 'What is the monetary value of the product or upgrade offered?',
  // Requirements
  exclusivityRequired: 'Category Exclusivity Required',
  exclusivityTerm: 'Category Exclusivity Term Requirement',
  exclusivityDescription: 'Category exclusivity description',
  contentPostedOrganically: "Is content required to be posted organically on the influencer's profile?",
  contentApprovalRequired: 'Is content approval required by the campaign manager prior to posting?',
  revisionRounds: 'How many rounds of content revisions must the influencer agree to?',
  rawFootageRequired: 'Is the influencer required to deliver their raw footage in addition to final deliverables?',
  contentDeliveryDate: 'When is the content expected to be delivered for approval?',
  contentPublishDate: 'When is the content expected to be published?',
  // Sheet routing
  sheetTab: 'Influencer Sheet Tab Name',
  sheetId: 'Influencer Sheet ID',
} as const;

/** The campaign body produced from a task: the INPUT shape of `campaignSchema` (money as "5000.00" text). */
export type ClickUpCampaign = z.input<typeof campaignSchema>;
type BodyKey = keyof ClickUpCampaign;

class FieldProblem extends Error {}
function fail(message: string): never {
  throw new FieldProblem(message);
}
const show = (v: unknown) => JSON.stringify(v);

const TEXT_TYPES = new Set(['text', 'short_text', 'url', 'email', 'phone']);

function hasValue(f: ClickUpCustomField): boolean {
  const v = f.value;
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '';
  if (Array.isArray(v)) return v.length > 0;
  // ClickUp sends a bare 0 for an empty text field (domain.md §5.1 "text-or-null").
  if (TEXT_TYPES.has(f.type) && typeof v !== 'string') return false;
  return true;
}

const normName = (s: string) =>
  s
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

function optionText(o: ClickUpOption | Record<string, unknown>): string | null {
  const r = o as Record<string, unknown>;
  for (const k of ['name', 'label', 'username', 'email']) if (typeof r[k] === 'string' && r[k]) return r[k] as string;
  return null;
}

/** The human labels of a field's value: drop-down option names, label names, user names, or the text itself. */
function labelsOf(f: ClickUpCustomField): string[] {
  const v = f.value;
  const options = (f.type_config?.options ?? []) as ClickUpOption[];
  if (f.type === 'drop_down') {
    // The task API gives the chosen option's orderindex; tolerate an option id too.
    const byIndex =
      typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))
        ? options.find((o) => o.orderindex != null && Number(o.orderindex) === Number(v))
        : undefined;
    const option = byIndex ?? options.find((o) => o.id != null && o.id === v);
    const name = option ? optionText(option) : null;
    if (name == null) fail(`the answer ${show(v)} is not one of the field's options`);
    return [name as string];
  }
  const items = Array.isArray(v) ? v : [v];
  return items.map((item) => {
    if (f.type === 'labels' && typeof item === 'string') {
      const option = options.find((o) => o.id === item);
      const name = option ? optionText(option) : null;
      if (name == null) fail(`the answer ${show(item)} is not one of the field's options`);
      return name as string;
    }
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    const name = item && typeof item === 'object' ? optionText(item as Record<string, unknown>) : null;
    if (name == null) fail(`cannot read the answer ${show(item)}`);
    return name as string;
  });
}

// Field parsers: each returns the body value or throws a FieldProblem (undefined = nothing to set).
type Parser<T> = (f: ClickUpCustomField) => T | undefined;

const text: Parser<string> = (f) => {
  const t = labelsOf(f).join(', ').trim();
  return t === '' ? undefined : t;
};

const list: Parser<string[]> = (f) => {
  const labels = labelsOf(f);
  // A free-text field answered "Venmo, PayPal" is a list too.
  const parts = TEXT_TYPES.has(f.type) ? labels.flatMap((l) => l.split(/[,;\n]/)) : labels;
  const out = parts.map((p) => p.trim()).filter(Boolean);
  return out.length ? out : undefined;
};

const YES = /^(yes|y|true)\b/i;
const NO = /^(no|n|false|none|not required)\b/i;
const yesNo: Parser<boolean> = (f) => {
  if (typeof f.value === 'boolean') return f.value;
  if (f.type === 'checkbox' && (f.value === 'true' || f.value === 'false')) return f.value === 'true';
  const label = labelsOf(f).join(', ').trim();
  if (YES.test(label)) return true;
  if (NO.test(label)) return false;
  return fail(`${show(label)} is not a Yes/No answer`);
};

/** Plain decimal text from a number or a person's text; `unit` ("$" or "%") and thousands separators dropped. */
function decimalText(raw: unknown, unit: '$' | '%'): string {
  if (typeof raw === 'number') {
    const t = String(raw);
    if (!Number.isFinite(raw) || /e/i.test(t)) fail(`${show(raw)} is not a usable number`);
    return t;
  }
  if (typeof raw !== 'string') return fail(`${show(raw)} is not a number`);
  let t = raw.trim();
  t = unit === '$' ? t.replace(/^\$\s*/, '').replace(/\s*(usd|cpm)$/i, '') : t.replace(/\s*%$/, '');
  t = t.replace(/,/g, '').trim();
  if (/^\$?\d+(\.\d+)?\s*[-–]\s*\$?\d/.test(t)) fail(`${show(raw)} is a range; give one number`);
  const d = parseDecimal(t);
  if (!d) return fail(`${show(raw)} is not a number`);
  if (d.n < 0n) fail(`${show(raw)} must not be negative`);
  return t;
}

const cpm: Parser<string> = (f) => {
  const t = decimalText(f.value, '$');
  if (parseDecimal(t)?.n === 0n) fail('the CPM target must be greater than 0 (an offer of $0 is never sent)');
  return t;
};

const percent: Parser<string> = (f) => {
  const t = decimalText(f.value, '%');
  const d = parseDecimal(t) as { n: bigint; scale: number };
  if (d.n > 100n * 10n ** BigInt(d.scale)) fail(`${show(f.value)} is more than 100%`);
  return t;
};

const money: Parser<string> = (f) => {
  const raw = f.value;
  if (typeof raw !== 'number' && typeof raw !== 'string') return fail(`${show(raw)} is not an amount`);
  if (typeof raw === 'string' && raw.includes('%')) fail(`${show(raw)} is a percentage, not an amount`);
  const read = moneyInput(raw, { allowZero: true }); // zero where it is refused: the campaign schema names it
  if ('error' in read) return fail(read.error);
  return formatMoney(read.cents);
};

const count: Parser<number> = (f) => {
  const raw = f.value;
  const t = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.replace(/,/g, '').trim() : '';
  const d = parseDecimal(t);
  if (!d || d.n < 0n) return fail(`${show(raw)} is not a whole number`);
  const unit = 10n ** BigInt(d.scale);
  if (d.n % unit !== 0n) fail(`${show(raw)} is not a whole number`);
  const whole = Number(d.n / unit);
  if (!Number.isSafeInteger(whole)) fail(`${show(raw)} is too large`);
  return whole;
};

/** Duration labels, case-insensitive (D12): "30 Days", "30 days", "6 MONTHS", "1 Year", "Perpetual", "Not required". */
function durationOf(label: string): UsageDuration | null {
  const t = label.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^(not required|not needed|none|no|n\/a|na)$/.test(t)) return 'not_required';
  if (/^(perpetual|perpetuity|in perpetuity|forever|unlimited)$/.test(t)) return 'perpetual';
  const m = /^(\d+) ?(days?|months?|years?)$/.exec(t);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2][0];
  if (unit === 'd') return n === 30 ? 'days_30' : n === 60 ? 'days_60' : n === 90 ? 'days_90' : null;
  if (unit === 'm') return n === 6 ? 'months_6' : n === 12 ? 'year_1' : null;
  return n === 1 ? 'year_1' : null;
}
const duration: Parser<UsageDuration> = (f) => {
  const label = labelsOf(f).join(', ');
  return (
    durationOf(label) ??
    fail(
      `${show(label)} is not a known duration (30 Days, 60 Days, 90 Days, 6 Months, 1 Year, Perpetual, Not required)`,
    )
  );
};

const OPTIMIZE = ['cpm', 'content_volume_usage_rights', 'balance'] as const;
const optimize: Parser<(typeof OPTIMIZE)[number]> = (f) => {
  const label = labelsOf(f).join(' ');
  const key = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const found = OPTIMIZE.find((o) => o === key) ?? (key === 'balanced' ? 'balance' : undefined);
  return found ?? fail(`${show(label)} is not one of CPM, Content Volume & Usage Rights, Balance`);
};

const isoOf = (ms: unknown): string | null => {
  const n = typeof ms === 'number' ? ms : typeof ms === 'string' && /^-?\d+$/.test(ms.trim()) ? Number(ms) : Number.NaN;
  if (!Number.isSafeInteger(n)) return null;
  const d = new Date(n);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};
/** ClickUp dates are epoch milliseconds (as text); a {start, end} range becomes "<start> to <end>" (UTC ISO). */
const date: Parser<string> = (f) => {
  const v = f.value;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const r = v as { start?: unknown; end?: unknown };
    const parts = [isoOf(r.start), isoOf(r.end)].filter((p): p is string => p != null);
    return parts.length ? parts.join(' to ') : fail(`cannot read the date ${show(v)}`);
  }
  return isoOf(v) ?? text(f);
};

// ---------------------------------------------------------------------------------------------------------------
// Platform: the largest requested share (D12), e.g. "60% Instagram, 40% TikTok" -> instagram.

const PLATFORM_WORDS: [Platform, RegExp][] = [
  ['instagram', /\b(instagram|insta|ig)\b/gi],
  ['tiktok', /\b(tik ?tok|tt)\b/gi],
  ['youtube', /\b(you ?tube|yt)\b/gi],
];

function platformsIn(text: string): { platform: Platform; at: number }[] {
  const found: { platform: Platform; at: number }[] = [];
  for (const [platform, re] of PLATFORM_WORDS) {
    for (const m of text.matchAll(re)) found.push({ platform, at: m.index });
  }
  return found.sort((a, b) => a.at - b.at);
}

/**
 * The platform with the largest share in a free-text distribution ("60% TikTok, 40% IG", "Instagram 70 / YouTube
 * 30", "IG Reels 30%, IG Stories 30%, TikTok 40%" -> instagram: shares of one platform add up). A tie goes to the
 * platform named first; with no numbers, the first platform named. A largest share on a platform the agent does
 * not negotiate on (e.g. "70% Snapchat") is a problem, not a fallback.
 */
export function platformFromDistribution(text: string): { platform: Platform } | { problem: string } {
  const shares = new Map<string, { name: string; share: number; first: number; known: boolean }>();
  const mentions = platformsIn(text);
  let offset = 0;
  for (const segment of text.split(/([,;\n|/+&]|\band\b)/i)) {
    const start = offset;
    offset += segment.length;
    // The percentage if the segment has one ("TikTok (18-24) 60%"), else its first number ("Instagram 70").
    const number = /(\d+(?:\.\d+)?)\s*%/.exec(segment) ?? /(\d+(?:\.\d+)?)/.exec(segment);
    if (!number) continue;
    const share = Number(number[1]);
    const known = platformsIn(segment);
    const names = known.length
      ? [...new Set(known.map((k) => k.platform))]
      : [
          segment
            .replace(/(\d+(?:\.\d+)?)\s*%?/g, ' ')
            .replace(/[:=()-]/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        ].filter(Boolean);
    for (const name of names) {
      const key = known.length ? name : name.toLowerCase();
      const prior = shares.get(key);
      shares.set(key, {
        name: prior?.name ?? name,
        share: (prior?.share ?? 0) + share,
        first: prior?.first ?? start,
        known: known.length > 0,
      });
    }
  }
  const ranked = [...shares.entries()].sort(
    (a, b) => b[1].share - a[1].share || Number(b[1].known) - Number(a[1].known) || a[1].first - b[1].first,
  );
  if (ranked.length) {
    const top = ranked[0][1];
    if (top.known) return { platform: top.name as Platform };
    return {
      problem: `the largest share (${top.share}%) is for ${show(top.name)}, not a platform the agent negotiates on (${PLATFORMS.join(', ')})`,
    };
  }
  if (mentions.length) return { platform: mentions[0].platform };
  return { problem: `${show(text)} names no platform the agent negotiates on (${PLATFORMS.join(', ')})` };
}

// ---------------------------------------------------------------------------------------------------------------
// Task -> campaign body

const F = CLICKUP_FIELDS;

/** Fields copied as they are (after parsing) into the body key of the same meaning. */
const SIMPLE: [label: string, key: BodyKey, parse: Parser<unknown>][] = [
  [F.clientWebsite, 'clientWebsite', text],
  [F.campaignManager, 'campaignManager', text],
  [F.paymentMethods, 'paymentMethods', list],
  [F.paymentTerms, 'paymentTerms', text],
  [F.primaryGoal, 'primaryGoal', text],
  [F.secondaryGoal, 'secondaryGoal', text],
  [F.businessContext, 'businessContext', text],
  [F.optimizeFor, 'optimizeFor', optimize],
  [F.cpmLeniency, 'cpmLeniency', percent],
  [F.platformDistribution, 'platformDistribution', text],
  [F.marketDistribution, 'marketDistribution', text],
  [F.influencerSizeDistribution, 'influencerSizeDistribution', text],
  [F.contentSyndication, 'contentSyndication', yesNo],
  [F.budget, 'budget', money],
  [F.targetInfluencerCount, 'targetInfluencerCount', count],
  [F.targetCostRange, 'targetCostRange', text],
  [F.minCostPerInfluencer, 'minCostPerInfluencer', money],
  [F.maxCostWithoutApproval, 'maxCostWithoutApproval', money],
  [F.productAvailable, 'productAvailable', yesNo],
  [F.productDescription, 'productDescription', text],
  [F.productMonetaryValue, 'productMonetaryValue', money],
  [F.exclusivityRequired, 'exclusivityRequired', yesNo],
  [F.exclusivityTerm, 'exclusivityTerm', text],
  [F.exclusivityDescription, 'exclusivityDescription', text],
  [F.contentPostedOrganically, 'contentPostedOrganically', yesNo],
  [F.contentApprovalRequired, 'contentApprovalRequired', yesNo],
  [F.revisionRounds, 'revisionRounds', count],
  [F.rawFootageRequired, 'rawFootageRequired', yesNo],
  [F.contentDeliveryDate, 'contentDeliveryDate', date],
  [F.contentPublishDate, 'contentPublishDate', date],
  [F.sheetTab, 'sheetTab', text],
  [F.sheetId, 'sheetId', text],
];

/** Which form field(s) a body key comes from, to name them in problems found by the campaign schema. */
const LABELS_OF_KEY: Partial<Record<BodyKey, string[]>> = {
  ...Object.fromEntries(SIMPLE.map(([label, key]) => [key, [label]])),
  client: [F.clientName],
  cpmTarget: [F.cpmTargetNumber, F.cpmTargetText],
  deliverables: [F.targetDeliverables, F.scenario1],
  deliverableScenarios: [F.scenario1, F.scenario2, F.scenario3],
  platform: [F.platformDistribution],
};

const quote = (label: string) => `"${label}"`;

export type CampaignFromTask = { campaign: ClickUpCampaign } | { problems: string[] };

/**
 * The campaign body for a ClickUp form task, ready for the campaign intake (which validates it again), or the
 * problems that stop it, each naming the form field, e.g. `"Campaign Budget": "lots" is not an amount`.
 * Campaign id = `clickup-<taskId>`; client = the "Client Name" field (required: it is in the outreach subject).
 */
export function campaignFromTask(task: ClickUpTask): CampaignFromTask {
  const problems: string[] = [];
  const byExact = new Map<string, ClickUpCustomField>();
  const byLoose = new Map<string, ClickUpCustomField>();
  for (const f of task.custom_fields) {
    if (!hasValue(f)) continue;
    if (!byExact.has(f.name)) byExact.set(f.name, f);
    if (!byLoose.has(normName(f.name))) byLoose.set(normName(f.name), f);
  }
  // Exact names first; then the same name up to spacing, case and curly apostrophes (labels get retyped).
  const find = (label: string) => byExact.get(label) ?? byLoose.get(normName(label));
  function read<T>(label: string, parse: Parser<T>): T | undefined {
    const f = find(label);
    if (!f) return undefined;
    try {
      return parse(f);
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      problems.push(`${quote(label)}: ${error.message}`);
      return undefined;
    }
  }

  const body: Record<string, unknown> = { id: `clickup-${task.id}` };
  if (!TASK_ID.test(task.id)) problems.push(`ClickUp task id ${show(task.id)} cannot be a campaign id`);

  const client = read(F.clientName, text);
  if (client === undefined && !find(F.clientName)) {
    problems.push(`${quote(F.clientName)}: missing (it is the client named in the outreach emails)`);
  }
  body.client = client;

  for (const [label, key, parse] of SIMPLE) {
    const value = read(label, parse);
    if (value !== undefined) body[key] = value;
  }

  // CPM: the numerical field wins over the text one (§5.2); no CPM at all is refused (D3.1), not defaulted.
  const cpmLabel = find(F.cpmTargetNumber) ? F.cpmTargetNumber : F.cpmTargetText;
  if (find(cpmLabel)) {
    const value = read(cpmLabel, cpm);
    if (value !== undefined) body.cpmTarget = value;
  } else {
    problems.push(
      `${quote(F.cpmTargetNumber)}: no CPM data (neither it nor ${quote(F.cpmTargetText)} is answered), so no offer can be priced`,
    );
  }

  // Deliverables: the selected target deliverables, else scenario 1; scenarios in order.
  const target = read(F.targetDeliverables, list);
  const scenarios = [F.scenario1, F.scenario2, F.scenario3]
    .map((label) => read(label, text))
    .filter((s): s is string => s !== undefined);
  if (scenarios.length) body.deliverableScenarios = scenarios;
  const deliverables = target?.join(', ') ?? scenarios[0];
  if (deliverables === undefined && !find(F.targetDeliverables)) {
    problems.push(`${quote(F.targetDeliverables)}: no deliverables (neither it nor ${quote(F.scenario1)} is answered)`);
  }
  body.deliverables = deliverables;

  // Platform: the largest requested share; without a distribution, the one platform the deliverables name.
  const distribution = body.platformDistribution as string | undefined;
  if (distribution !== undefined) {
    const found = platformFromDistribution(distribution);
    if ('platform' in found) body.platform = found.platform;
    else problems.push(`${quote(F.platformDistribution)}: ${found.problem}`);
  } else if (!find(F.platformDistribution)) {
    const named = [...new Set(platformsIn([deliverables ?? '', ...scenarios].join('\n')).map((m) => m.platform))];
    if (named.length === 1) body.platform = named[0];
    else {
      const why = named.length ? `the deliverables name ${named.join(' and ')}` : 'the deliverables name no platform';
      problems.push(`${quote(F.platformDistribution)}: missing, and ${why}; say which platform the campaign is for`);
    }
  }

  // Usage rights: built when any of the six is answered; an unanswered one is "not required".
  const RIGHTS = [
    ['paidUsage', F.targetPaidUsage, F.minimumPaidUsage],
    ['whitelisting', F.targetWhitelisting, F.minimumWhitelisting],
    ['organicOwned', F.targetOrganicOwned, F.minimumOrganicOwned],
  ] as const;
  const ORDER: UsageDuration[] = ['not_required', 'days_30', 'days_60', 'days_90', 'months_6', 'year_1', 'perpetual'];
  const usageTarget: Record<string, UsageDuration> = {};
  const usageMinimum: Record<string, UsageDuration> = {};
  let anyUsage = false;
  for (const [right, targetLabel, minimumLabel] of RIGHTS) {
    anyUsage ||= Boolean(find(targetLabel) || find(minimumLabel));
    const t = read(targetLabel, duration) ?? 'not_required';
    const m = read(minimumLabel, duration) ?? 'not_required';
    usageTarget[right] = t;
    usageMinimum[right] = m;
    if (ORDER.indexOf(m) > ORDER.indexOf(t)) {
      problems.push(`${quote(minimumLabel)}: the minimum (${m}) must not exceed ${quote(targetLabel)} (${t})`);
    }
  }
  if (anyUsage) body.usageRights = { target: usageTarget, minimum: usageMinimum };

  // Costs: checked here too so the message names the form fields (the intake checks them again).
  const minCost = body.minCostPerInfluencer as string | undefined;
  const maxCost = body.maxCostWithoutApproval as string | undefined;
  if (maxCost !== undefined && parseMoney(maxCost) === 0) {
    problems.push(`${quote(F.maxCostWithoutApproval)}: must be greater than 0`);
  }
  if (minCost !== undefined && maxCost !== undefined && (parseMoney(minCost) ?? 0) > (parseMoney(maxCost) ?? 0)) {
    problems.push(
      `${quote(F.minCostPerInfluencer)}: ${minCost} exceeds ${quote(F.maxCostWithoutApproval)} (${maxCost})`,
    );
  }

  if (problems.length) return { problems };

  // The campaign schema is the judge: whatever it refuses (length limits, ...) is reported by form field.
  const parsed = campaignSchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as BodyKey | undefined;
      const labels = key ? LABELS_OF_KEY[key] : undefined;
      const where = labels ? labels.map(quote).join(' / ') : key ? String(key) : 'campaign';
      problems.push(`${where}: ${issue.message}`);
    }
    return { problems };
  }
  try {
    definitionOf(parsed.data);
  } catch (error) {
    if (!(error instanceof CampaignError)) throw error;
    return { problems: [error.message] };
  }
  return { campaign: body as ClickUpCampaign };
}
