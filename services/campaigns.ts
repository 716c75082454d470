/**
 * Campaign intake: the JSON body of POST /api/v1/campaigns (api.md), normalized into a campaign definition,
 * the terms every negotiation of it is bound by, and influencer rows (tolerant: a bad row is skipped with a
 * reason, never silently dropped — decisions D3.1, D12).
 */
import { z } from 'zod';
import { agencyForEmail } from './counterparty.ts';
import { type Influencer, PLATFORMS, type Platform, type Terms } from './domain.ts';
import type { CampaignLevers, UsageDuration, UsageRightsSet } from './levers.ts';
import { type Cents, formatMoney, MAX_MONEY_CENTS, moneyInput, parseDecimal, parseMoney } from './money.ts';
import { deriveCpmBounds, PricingError } from './pricing.ts';
import { openingOfferCents } from './strategy.ts';

const DURATIONS = ['not_required', 'days_30', 'days_60', 'days_90', 'months_6', 'year_1', 'perpetual'] as const;

const text = (max = 2000) => z.string().trim().min(1).max(max);
const amount = z.union([z.number(), z.string().max(40)]);
/** Dollars and cents, exactly (services/money.ts moneyInput): more than 0 unless `allowZero`. */
const money = (options: { allowZero?: boolean } = {}) =>
  amount.transform((v, ctx) => {
    const read = moneyInput(v, options);
    if ('error' in read) {
      ctx.addIssue({ code: 'custom', message: read.error, params: { zeroAmount: parseMoney(v) === 0 } });
      return z.NEVER;
    }
    return read.cents;
  });
/** The CPM target in dollars ("25", "$25.50"): more than 0, at most two decimals, kept as the decimal text given. */
const cpm = amount.transform((v, ctx) => {
  const cleaned = String(v).trim().replace(/^\$/, '').replace(/,/g, '').trim();
  const read = parseDecimal(cleaned) ? moneyInput(cleaned) : { error: `${JSON.stringify(v)} is not a number` };
  const error = 'error' in read ? read.error : read.cents > 10_000 * 100 ? 'must be at most $10,000' : null;
  if (error) {
    ctx.addIssue({ code: 'custom', message: error, params: { zeroAmount: parseMoney(cleaned) === 0 } });
    return z.NEVER;
  }
  return cleaned;
});
/** Decimal text for CPM and percentages ("25", "$25.50", "20%"), kept exact. */
const decimal = (unit: '$' | '%', max: number) =>
  amount.transform((v, ctx) => {
    const cleaned = String(v).trim().replace(unit, '').replace(/,/g, '').trim();
    const d = parseDecimal(cleaned);
    if (!d || d.n < 0n || d.n > BigInt(max) * 10n ** BigInt(d.scale) || d.scale > 6) {
      ctx.addIssue({ code: 'custom', message: `not a number from 0 to ${max}: ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return cleaned;
  });
const usageSet = z.strictObject({
  paidUsage: z.enum(DURATIONS).default('not_required'),
  whitelisting: z.enum(DURATIONS).default('not_required'),
  organicOwned: z.enum(DURATIONS).default('not_required'),
});

const NO_USAGE = { paidUsage: 'not_required', whitelisting: 'not_required', organicOwned: 'not_required' } as const;

const influencerSchema = z.strictObject({
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  platform: z.string().max(40).optional(),
  handle: z.string().max(200).optional(),
  averageViews: amount.optional(),
  engagementRate: amount.optional(),
  minRate: amount.optional(),
  maxRate: amount.optional(),
  agency: z.string().max(200).optional(),
});
export type InfluencerRow = z.infer<typeof influencerSchema>;
/** The influencer rows alone, for a long list checked in slices (the same rules as inside campaignSchema). */
export const influencerRowsSchema = z.array(influencerSchema);
export const MAX_INFLUENCERS = 10_000;

export const campaignSchema = z.strictObject({
  id: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'use letters, digits, . _ : - (max 128)'),
  client: text(200),
  platform: z.enum(PLATFORMS),
  deliverables: text(1000),
  budget: money().optional(),
  cpmTarget: cpm.optional(), // dollars per thousand views
  cpmLeniency: decimal('%', 1000).optional(),
  minCostPerInfluencer: money({ allowZero: true }).optional(), // 0: no minimum
  maxCostWithoutApproval: money().optional(),
  deliverableScenarios: z.array(text(1000)).max(3).optional(),
  sheetTab: text(200).optional(),
  sheetId: text(200).optional(),
  paymentTerms: text(500).optional(),
  contentSyndication: z.boolean().optional(),
  // A side left out means no usage rights on that side (domain.md §5.4).
  usageRights: z.strictObject({ target: usageSet.default(NO_USAGE), minimum: usageSet.default(NO_USAGE) }).optional(),
  productAvailable: z.boolean().optional(),
  productDescription: text(500).optional(),
  productMonetaryValue: money({ allowZero: true }).optional(),
  // Other ClickUp form fields, kept with the campaign for the team (not used by the pricing yet).
  clientWebsite: text(500).optional(),
  campaignManager: text(200).optional(),
  paymentMethods: z.array(text(100)).max(20).optional(),
  primaryGoal: text(500).optional(),
  secondaryGoal: text(500).optional(),
  businessContext: text(2000).optional(),
  optimizeFor: z.enum(['cpm', 'content_volume_usage_rights', 'balance']).optional(),
  targetInfluencerCount: z.number().int().min(0).max(100000).optional(),
  targetCostRange: text(200).optional(),
  exclusivityRequired: z.boolean().optional(),
  exclusivityTerm: text(200).optional(),
  exclusivityDescription: text(2000).optional(),
  contentPostedOrganically: z.boolean().optional(),
  contentApprovalRequired: z.boolean().optional(),
  revisionRounds: z.number().int().min(0).max(20).optional(),
  rawFootageRequired: z.boolean().optional(),
  contentDeliveryDate: text(200).optional(),
  contentPublishDate: text(200).optional(),
  platformDistribution: text(500).optional(),
  marketDistribution: text(500).optional(),
  influencerSizeDistribution: text(500).optional(),
  influencers: influencerRowsSchema.max(MAX_INFLUENCERS).optional(),
});
export type CampaignBody = z.infer<typeof campaignSchema>;

const ROW_SLICE = 500;
/**
 * campaignSchema.safeParse with a long influencer list checked ROW_SLICE rows at a time, `between` awaited between
 * slices (the caller's event loop gets a turn: a 10,000-row body is one 20-70 ms parse otherwise). The same result
 * and the same issues, in the same order, as one parse.
 */
export async function parseCampaignInSlices(
  body: unknown,
  between: () => Promise<void>,
): Promise<z.ZodSafeParseResult<CampaignBody>> {
  const rows = (body as { influencers?: unknown } | null)?.influencers;
  if (typeof body !== 'object' || !Array.isArray(rows) || rows.length <= ROW_SLICE || rows.length > MAX_INFLUENCERS) {
    return campaignSchema.safeParse(body);
  }
  const head = campaignSchema.safeParse({ ...body, influencers: [] });
  const issues: z.core.$ZodIssue[] = head.success ? [] : [...head.error.issues];
  const parsed: InfluencerRow[] = [];
  for (let from = 0; from < rows.length; from += ROW_SLICE) {
    await between();
    const slice = influencerRowsSchema.safeParse(rows.slice(from, from + ROW_SLICE));
    if (slice.success) parsed.push(...slice.data);
    else {
      for (const issue of slice.error.issues) {
        issues.push({ ...issue, path: ['influencers', from + Number(issue.path[0]), ...issue.path.slice(1)] });
      }
    }
  }
  if (!head.success || issues.length)
    return { success: false, error: new z.ZodError(issues) as z.ZodError<CampaignBody> };
  return { success: true, data: { ...head.data, influencers: parsed } };
}

/**
 * A campaign refused only for amounts of zero (a CPM target or budget of 0: an opening at $0, D3.1), which the
 * team is told about; any other invalid body is the caller's mistake alone.
 */
export function onlyZeroAmounts(error: z.ZodError): boolean {
  return error.issues.every((i) => i.code === 'custom' && i.params?.zeroAmount === true);
}

/** What is stored for a campaign (influencers excluded); money as wire strings so it reads well in JSON. */
export type CampaignDefinition = Omit<
  CampaignBody,
  'influencers' | 'budget' | 'minCostPerInfluencer' | 'maxCostWithoutApproval' | 'productMonetaryValue'
> & {
  budget: string | null;
  minCostPerInfluencer: string | null;
  maxCostWithoutApproval: string | null;
  productMonetaryValue: string | null;
};

export class CampaignError extends Error {}

export function definitionOf(body: CampaignBody): CampaignDefinition {
  const { influencers: _, budget, minCostPerInfluencer, maxCostWithoutApproval, productMonetaryValue, ...rest } = body;
  const asMoney = (c: Cents | undefined) => (c == null ? null : formatMoney(c));
  const def: CampaignDefinition = {
    ...rest,
    budget: asMoney(budget),
    minCostPerInfluencer: asMoney(minCostPerInfluencer),
    maxCostWithoutApproval: asMoney(maxCostWithoutApproval),
    productMonetaryValue: asMoney(productMonetaryValue),
  };
  termsOf(def, 'x'); // refuse a campaign whose terms cannot work (e.g. CPM target 0) before anything is stored
  return def;
}

const cents = (wire: string | null) => (wire == null ? null : (parseMoney(wire) as Cents));

/** The negotiation terms derived from a campaign (decisions D3, D4). */
export function termsOf(def: CampaignDefinition, paymentTerms: string): Terms {
  const target = def.cpmTarget == null ? null : parseDecimal(def.cpmTarget);
  const leniency = def.cpmLeniency == null ? null : parseDecimal(def.cpmLeniency);
  const { floorCents, ceilingCents } = deriveCpmBounds(target, leniency);
  if (floorCents <= 0) throw new CampaignError('cpmTarget must be greater than 0 (an offer of $0 is never sent)');
  const maxCost = cents(def.maxCostWithoutApproval);
  if (maxCost != null && maxCost <= 0) throw new CampaignError('maxCostWithoutApproval must be greater than 0');
  const minCost = cents(def.minCostPerInfluencer);
  if (minCost != null && maxCost != null && minCost > maxCost) {
    throw new CampaignError('minCostPerInfluencer must not exceed maxCostWithoutApproval');
  }
  const scenarios = def.deliverableScenarios ?? [];
  const levers: CampaignLevers = {
    scenarios,
    usageRights: def.usageRights
      ? { target: def.usageRights.target as UsageRightsSet, minimum: def.usageRights.minimum as UsageRightsSet }
      : null,
    product:
      def.productAvailable == null
        ? null
        : {
            available: def.productAvailable,
            description: def.productDescription ?? null,
            valueCents: cents(def.productMonetaryValue),
          },
    contentSyndication: def.contentSyndication ?? false,
    minCostCents: minCost,
    maxCostCents: maxCost,
    cpmTargetCents: target == null ? null : floorCents,
  };
  if (def.usageRights) checkUsageRights(def.usageRights.target, def.usageRights.minimum);
  return {
    campaignId: def.id,
    client: def.client,
    platform: def.platform,
    deliverables: scenarios[0] ?? def.deliverables,
    floorCpmCents: floorCents,
    ceilingCpmCents: ceilingCents,
    levers,
    paymentTerms: def.paymentTerms ?? paymentTerms,
  };
}

function checkUsageRights(target: UsageRightsSet, minimum: UsageRightsSet): void {
  for (const right of ['paidUsage', 'whitelisting', 'organicOwned'] as const) {
    const rank = (d: UsageDuration) => DURATIONS.indexOf(d);
    if (rank(minimum[right]) > rank(target[right])) {
      throw new CampaignError(`usageRights.minimum.${right} must not exceed usageRights.target.${right}`);
    }
  }
}

export interface AcceptedInfluencer {
  influencer: Influencer;
  openingCents: Cents;
}

export interface Skipped {
  name: string;
  reason: string;
}

const EMAIL = /^[^\s@<>()",;]+@[^\s@<>()",;]+\.[^\s@<>()",;]+$/;

/** Validates one influencer row (from the body or the sheet); a problem is a skip reason, not an error. */
export function acceptInfluencer(row: InfluencerRow, terms: Terms): AcceptedInfluencer | Skipped {
  const name = row.name?.trim() ?? '';
  const label = name || row.email?.trim() || '(unnamed row)';
  const skip = (reason: string): Skipped => ({ name: label, reason });
  if (!name) return skip('no name');
  const email = row.email?.trim().toLowerCase() ?? '';
  if (!EMAIL.test(email)) return skip(email ? `invalid email: ${email}` : 'no email address');
  const platform = (row.platform?.trim().toLowerCase() || terms.platform) as Platform;
  if (!PLATFORMS.includes(platform)) return skip(`unknown platform: ${row.platform}`);
  const views = parseViews(row.averageViews);
  if (views == null) return skip(`no usable average views (${JSON.stringify(row.averageViews ?? null)})`);
  const engagementText = row.engagementRate == null ? '' : String(row.engagementRate).replace('%', '').trim();
  const parsedEngagement = parseDecimal(engagementText);
  const engagement = parsedEngagement && parsedEngagement.n >= 0n ? engagementText : null; // junk or negative: unknown
  let openingCents: Cents;
  try {
    openingCents = openingOfferCents(terms, views);
  } catch (e) {
    if (e instanceof PricingError) return skip(e.message);
    throw e;
  }
  if (openingCents <= 0) return skip('the opening offer would be $0.00');
  if (openingCents > MAX_MONEY_CENTS) return skip('the opening offer would exceed $100,000,000');
  return {
    influencer: {
      name,
      email,
      platform,
      handle: row.handle?.trim() || null,
      averageViews: views,
      engagementRate: engagement,
      agency: row.agency?.trim() || agencyForEmail(email),
    },
    openingCents,
  };
}

/** The row field a skip reason of acceptInfluencer or planInfluencers is about (the dashboard marks it). */
export function skipField(reason: string): keyof InfluencerRow {
  if (reason === 'no name') return 'name';
  if (/^(invalid email|no email address|duplicate row for)/.test(reason)) return 'email';
  if (reason.startsWith('unknown platform')) return 'platform';
  return 'averageViews'; // views, and the opening offer computed from them
}

/** What becomes of each row of a campaign's list, in order (the intake and its dry run share it). */
export type RowPlan =
  | { kind: 'new'; accepted: AcceptedInfluencer }
  | { kind: 'existing'; accepted: AcceptedInfluencer; negotiationId: string }
  | { kind: 'skipped'; skipped: Skipped };

/** Validates every row, refuses a second row for the same email, and finds the ones negotiating already. */
export function planInfluencers(
  rows: InfluencerRow[],
  terms: Terms,
  negotiating: (email: string) => string | undefined,
  seen = new Set<string>(), // the emails of the rows before these (a list planned in slices)
): RowPlan[] {
  return rows.map((row): RowPlan => {
    const result = acceptInfluencer(row, terms);
    if ('reason' in result) return { kind: 'skipped', skipped: result };
    const email = result.influencer.email;
    if (seen.has(email)) {
      return { kind: 'skipped', skipped: { name: result.influencer.name, reason: `duplicate row for ${email}` } };
    }
    seen.add(email);
    const known = negotiating(email);
    return known ? { kind: 'existing', accepted: result, negotiationId: known } : { kind: 'new', accepted: result };
  });
}

/** "50,000", 50000, "50000.0", "50K", "1.2M" -> whole views; blank, zero, negative or junk -> null. */
function parseViews(v: string | number | undefined): number | null {
  if (v == null) return null;
  const text = String(v).replace(/,/g, '').trim();
  const unit = /[km]$/i.exec(text)?.[0].toLowerCase();
  const d = parseDecimal(unit ? text.slice(0, -1).trim() : text);
  if (!d || d.n <= 0n) return null;
  const scale = unit === 'k' ? 1000n : unit === 'm' ? 1_000_000n : 1n;
  const whole = Number((d.n * scale) / 10n ** BigInt(d.scale));
  return whole > 0 && Number.isSafeInteger(whole) ? whole : null;
}
