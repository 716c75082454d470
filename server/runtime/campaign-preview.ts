/**
 * The dry run of POST /api/v1/campaigns (the dashboard's preview before anything is sent): the same schema, terms
 * and row rules as the intake (services/campaigns.ts), each influencer's opening offer, and every problem tied to
 * the field or row it is about. The influencer list may be given as CSV in the sheet's column layout. Nothing is
 * stored, nothing is sent, nobody is told.
 */
import { z } from 'zod';
import type { Queries } from '../../persistence/queries.ts';
import {
  CampaignError,
  campaignSchema,
  definitionOf,
  type InfluencerRow,
  planInfluencers,
  skipField,
  termsOf,
} from '../../services/campaigns.ts';
import { PLATFORMS, type Terms } from '../../services/domain.ts';
import { formatMoney, formatMoneyOrNull } from '../../services/money.ts';
import { cpmFor } from '../../services/pricing.ts';
import { SHEET_COLUMNS } from '../../services/sheets/port.ts';
import { parseSheetCsv } from '../../services/sheets/csv.ts';

/** The CSV, when given, replaces `influencers` (the body is otherwise the campaign body). */
export const previewBody = z.looseObject({ csv: z.string().max(2_000_000).optional() });

/** Columns a sheet must have for any row to start (platform falls back to the campaign's). */
const REQUIRED_COLUMNS = ['name', 'email', 'average views'];

export interface PreviewRow {
  /** The sheet's row number (2 = the first row under the header), or the index in `influencers` from 1. */
  row: number;
  name: string | null;
  email: string | null;
  platform: string | null;
  averageViews: number | string | null;
  status: 'new' | 'existing' | 'skipped';
  openingOffer: string | null;
  openingCpm: string | null;
  reason: string | null;
  field: string | null;
}

interface Problem {
  field: string;
  message: string;
}

export function createCampaignPreview(deps: { queries: Queries; paymentTerms: string }) {
  const { queries } = deps;

  function preview(input: unknown) {
    const body = { ...(input as Record<string, unknown>) };
    const errors: Problem[] = [];
    const warnings: string[] = [];
    let fromCsv = false;
    if (typeof body.csv === 'string') {
      fromCsv = true;
      const read = readCsv(body.csv, errors, warnings);
      delete body.csv;
      body.influencers = read;
    }
    const rawRows = Array.isArray(body.influencers) ? (body.influencers as unknown[]) : null;
    const parsed = campaignSchema.safeParse(body);
    const rowProblems = new Map<number, Problem>();
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [first, index, field] = issue.path.map(String);
        if (first === 'influencers' && index !== undefined && /^\d+$/.test(index)) {
          if (!rowProblems.has(Number(index)))
            rowProblems.set(Number(index), { field: field ?? 'row', message: issue.message });
        } else errors.push({ field: first ?? 'body', message: issue.message });
      }
    }
    // Rows that break the schema cannot be posted: they are reported and left out of `influencers`.
    const rowsToPost: { index: number; row: InfluencerRow }[] = [];
    for (const [index, row] of (rawRows ?? []).entries()) {
      if (!rowProblems.has(index)) rowsToPost.push({ index, row: row as InfluencerRow });
    }

    let terms: Terms | null = null;
    let campaign: Record<string, unknown> | null = null;
    if (parsed.success || errors.length === 0) {
      const data = parsed.success ? parsed.data : campaignSchema.safeParse({ ...body, influencers: undefined }).data;
      if (data) {
        try {
          const definition = definitionOf(data);
          terms = termsOf(definition, deps.paymentTerms);
          const stored = queries.campaignDefinition(definition.id);
          const status = queries.campaignStatus(definition.id) ?? null;
          if (stored && JSON.stringify(stored) !== JSON.stringify(definition))
            errors.push({ field: 'id', message: `Campaign ${definition.id} already exists with different terms` });
          else if (stored && status !== 'active')
            warnings.push(`Campaign ${definition.id} is ${status}: nobody new will be contacted`);
          else if (stored) warnings.push(`Campaign ${definition.id} exists: only influencers it does not have start`);
          campaign = {
            id: definition.id,
            client: definition.client,
            exists: Boolean(stored),
            status,
            floorCpm: formatMoney(terms.floorCpmCents),
            ceilingCpm: formatMoney(terms.ceilingCpmCents),
            minCostPerInfluencer: definition.minCostPerInfluencer,
            maxCostWithoutApproval: definition.maxCostWithoutApproval,
            budget: definition.budget,
          };
        } catch (error) {
          if (!(error instanceof CampaignError)) throw error;
          errors.push({ field: /^[A-Za-z]+/.exec(error.message)?.[0] ?? 'body', message: error.message });
        }
      }
    }
    if (!rawRows && !fromCsv) warnings.push('No influencer list: the rows will be read from the sheet');

    // Row rules need terms (the platform default, the opening offer): neutral ones when the campaign is invalid.
    const rowTerms = terms ?? neutralTerms(body.platform);
    const campaignId = campaign ? String(campaign.id) : null;
    const plans = planInfluencers(
      rowsToPost.map((r) => r.row),
      rowTerms,
      (email) => (campaignId ? queries.negotiationFor(campaignId, email)?.id : undefined),
    );
    const planOf = new Map(rowsToPost.map((r, i) => [r.index, plans[i]]));
    const offset = fromCsv ? 2 : 1;
    const rows: PreviewRow[] = (rawRows ?? []).map((raw, index) => {
      const row = (raw ?? {}) as Record<string, unknown>;
      const base = {
        row: index + offset,
        name: text(row.name),
        email: text(row.email),
        platform: text(row.platform),
        averageViews: (row.averageViews as number | string | undefined) ?? null,
      };
      const problem = rowProblems.get(index);
      const plan = planOf.get(index);
      if (problem || !plan)
        return {
          ...base,
          ...none,
          status: 'skipped',
          reason: problem?.message ?? 'invalid row',
          field: problem?.field ?? null,
        };
      if (plan.kind === 'skipped')
        return {
          ...base,
          ...none,
          status: 'skipped',
          reason: plan.skipped.reason,
          field: skipField(plan.skipped.reason),
        };
      const { influencer, openingCents } = plan.accepted;
      return {
        ...base,
        platform: influencer.platform,
        averageViews: influencer.averageViews,
        status: plan.kind,
        openingOffer: terms ? formatMoney(openingCents) : null,
        openingCpm: terms ? formatMoney(cpmFor(openingCents, influencer.averageViews)) : null,
        reason: plan.kind === 'existing' ? 'already negotiating in this campaign' : null,
        field: null,
      };
    });
    const count = (status: PreviewRow['status']) => rows.filter((r) => r.status === status).length;
    const fresh = plans.filter((p) => p.kind === 'new');
    const total = terms ? fresh.reduce((sum, p) => sum + (p.kind === 'new' ? p.accepted.openingCents : 0), 0) : null;
    if (rawRows?.length && !count('new') && !count('existing') && !errors.length)
      errors.push({ field: fromCsv ? 'csv' : 'influencers', message: 'No row can start: fix the rows marked below' });
    if (rawRows?.length && !count('new') && count('existing'))
      warnings.push('Everyone in the list is negotiating in this campaign already: nobody new to email');
    return {
      // the campaign would start someone (rows from the sheet are read when it is created)
      ok: errors.length === 0 && (!rawRows || count('new') > 0),
      errors,
      warnings,
      campaign,
      rows,
      influencers: rowsToPost.map((r) => r.row),
      summary: {
        rows: rows.length,
        new: count('new'),
        existing: count('existing'),
        skipped: count('skipped'),
        openingTotal: formatMoneyOrNull(total),
      },
    };
  }

  return { preview };
}

const none = { openingOffer: null, openingCpm: null };
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);

/** Reads the pasted or uploaded sheet; a file that is not a sheet is an error on `csv`, never a crash. */
function readCsv(csv: string, errors: Problem[], warnings: string[]): InfluencerRow[] {
  if (!csv.trim()) {
    errors.push({ field: 'csv', message: 'The CSV is empty: paste the sheet with its header row' });
    return [];
  }
  let sheet: ReturnType<typeof parseSheetCsv>;
  try {
    sheet = parseSheetCsv(csv);
  } catch (error) {
    errors.push({ field: 'csv', message: `Not a readable CSV: ${(error as Error).message}` });
    return [];
  }
  const known = sheet.headers.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !known.includes(c));
  if (missing.length) {
    errors.push({
      field: 'csv',
      message: `Missing column${missing.length > 1 ? 's' : ''} ${missing.map(title).join(', ')} (the header row has: ${sheet.headers.join(', ') || 'nothing'})`,
    });
  }
  const ignored = sheet.headers.filter((h) => !SHEET_COLUMNS[h.trim().toLowerCase()]);
  if (ignored.length) warnings.push(`Columns ignored: ${ignored.join(', ')}`);
  if (!sheet.rows.length) errors.push({ field: 'csv', message: 'The CSV has a header row but no influencer rows' });
  return sheet.rows;
}

const title = (column: string) => `"${column.replace(/\b\w/g, (c) => c.toUpperCase())}"`;

function neutralTerms(platform: unknown): Terms {
  const p = PLATFORMS.find((x) => x === platform) ?? 'instagram';
  return termsOf(definitionOf({ id: 'preview', client: 'preview', platform: p, deliverables: 'preview' }), '');
}

export type CampaignPreview = ReturnType<typeof createCampaignPreview>;
