/**
 * ClickUp intake (domain.md §5, decisions D12, D13): the campaign form's custom fields mapped to the JSON body of
 * POST /api/v1/campaigns (services/campaigns.ts), so the same intake starts both.
 *
 * The mapping never guesses silently: a field it cannot read is a problem naming the field, returned to the caller
 * (who posts it to Slack) instead of a campaign. With the D12 fixes: platform = the largest requested share, and
 * each answer read exactly (fields.ts).
 */
import type { z } from 'zod';
import { CampaignError, campaignSchema, definitionOf } from '../campaigns.ts';
import type { UsageDuration } from '../levers.ts';
import { parseMoney } from '../money.ts';
import {
  count,
  cpm,
  date,
  duration,
  FieldProblem,
  hasValue,
  list,
  money,
  normName,
  optimize,
  type Parser,
  percent,
  show,
  text,
  yesNo,
} from './fields.ts';
import { CLICKUP_FIELDS } from './form.ts';
import { platformFromDistribution, platformsIn } from './platform.ts';
import { type ClickUpCustomField, type ClickUpTask, TASK_ID } from './task.ts';

/** The campaign body produced from a task: the INPUT shape of `campaignSchema` (money as "5000.00" text). */
export type ClickUpCampaign = z.input<typeof campaignSchema>;
type BodyKey = keyof ClickUpCampaign;

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
