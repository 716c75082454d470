/**
 * Pricing engine (spec/domain.md §2): rate <-> CPM, campaign CPM bounds, boundary classes and the campaign
 * CPM tracker's flexibility. Every amount, CPMs included, is integer cents; intermediate values are exact
 * BigInt rationals, rounded half-up to cents only where the spec quantizes.
 */
import { type Cents, type Decimal, decimalToCents, divRoundHalfUp, formatMoney, formatUsd } from './money.ts';

export const DEFAULT_FLOOR_CPM: Cents = 2000;
export const DEFAULT_CEILING_CPM: Cents = 3000;
export const SUSPICIOUSLY_LOW_CPM: Cents = 1500;

export class PricingError extends Error {}

function checkViews(views: number): bigint {
  if (!Number.isSafeInteger(views) || views <= 0) {
    throw new PricingError(`average_views must be positive, got ${views}`);
  }
  return BigInt(views);
}

/** rate = views/1000 × cpm, half-up to cents. Throws PricingError unless views is a positive safe integer. */
export function rateFor(views: number, cpmCents: Cents): Cents {
  const v = checkViews(views);
  return Number(divRoundHalfUp(v * BigInt(cpmCents), 1000n));
}

/** cpm = rate / (views/1000), half-up to cents. Same views check; the rate itself is not validated. */
export function cpmFor(rateCents: Cents, views: number): Cents {
  const v = checkViews(views);
  return Number(divRoundHalfUp(BigInt(rateCents) * 1000n, v));
}

/**
 * Campaign CPM bounds (§2.2): no target -> 20/30 (leniency ignored); else floor = target and
 * ceiling = target × (1 + leniency/100), both from the unrounded target, each rounded half-up to cents.
 */
export function deriveCpmBounds(
  target: Decimal | null,
  leniencyPct: Decimal | null,
): { floorCents: Cents; ceilingCents: Cents } {
  if (target == null) return { floorCents: DEFAULT_FLOOR_CPM, ceilingCents: DEFAULT_CEILING_CPM };
  const leniency = leniencyPct ?? { n: 0n, scale: 0 };
  // 1 + L/100 with L = n / 10^scale  ==  (100·10^scale + n) / (100·10^scale)
  const den = 100n * 10n ** BigInt(leniency.scale);
  return { floorCents: decimalToCents(target), ceilingCents: decimalToCents(target, den + leniency.n, den) };
}

export type Boundary = 'exceeds_ceiling' | 'suspiciously_low' | 'below_floor' | 'within_range';

/**
 * Classifies a proposed rate by its implied CPM (rounded to cents), checks in the order of §2.4. Bounds are
 * inclusive: exactly the floor or the ceiling is within range. Only exceeds_ceiling escalates.
 */
export function evaluateRate(
  rateCents: Cents,
  views: number,
  floorCpm: Cents = DEFAULT_FLOOR_CPM,
  ceilingCpm: Cents = DEFAULT_CEILING_CPM,
  lowCpm: Cents = SUSPICIOUSLY_LOW_CPM,
): { rateCents: Cents; cpmCents: Cents; boundary: Boundary; shouldEscalate: boolean; warning: string | null } {
  const cpmCents = cpmFor(rateCents, views);
  const result = (boundary: Boundary, warning: string | null = null) => ({
    rateCents,
    cpmCents,
    boundary,
    shouldEscalate: boundary === 'exceeds_ceiling',
    warning,
  });
  const implied = `Proposed rate implies ${formatUsd(cpmCents)} CPM`;
  if (cpmCents > ceilingCpm) {
    return result('exceeds_ceiling', `${implied}, which exceeds the ${formatUsd(ceilingCpm)} ceiling`);
  }
  if (cpmCents < lowCpm) {
    return result('suspiciously_low', `${implied}, which is suspiciously low (below ${formatUsd(lowCpm)} threshold)`);
  }
  if (cpmCents < floorCpm) return result('below_floor');
  return result('within_range');
}

/** Campaign CPM tracker state (§2.5). agreements are the agreed CPMs so far with their engagement rates. */
export interface CpmTracker {
  targetMaxCpm: Cents;
  totalInfluencers: number;
  agreements: { cpmCents: Cents; engagementRate: Decimal | null }[];
}

/** An exact rational amount of cents, num / den with den > 0 (not reduced). */
export interface Ratio {
  num: bigint;
  den: bigint;
}

const ratio = (num: bigint, den = 1n): Ratio => ({ num, den });
const add = (a: Ratio, b: Ratio): Ratio => ratio(a.num * b.den + b.num * a.den, a.den * b.den);
const compare = (a: Ratio, b: Ratio): number => Number(a.num * b.den - b.num * a.den);
const isPositive = (a: Ratio): boolean => a.num > 0n;
const roundToCents = (a: Ratio): Cents => Number(divRoundHalfUp(a.num, a.den));
const printUsd = (a: Ratio): string => `$${formatMoney(roundToCents(a))}`; // "$1.25", no grouping (reason text)

/** Σ agreed CPM / count, exactly, as a Ratio of cents (sum over count, e.g. 2000,3000 -> 5000/2); null when none. */
export function runningAverageCpm(tracker: CpmTracker): Ratio | null {
  const { agreements } = tracker;
  if (agreements.length === 0) return null;
  const sum = agreements.reduce((s, a) => s + BigInt(a.cpmCents), 0n);
  return ratio(sum, BigInt(agreements.length));
}

/** Decimal text as given: {n: 60, scale: 1} -> "6.0". */
function decimalText(d: Decimal): string {
  const abs = (d.n < 0n ? -d.n : d.n).toString().padStart(d.scale + 1, '0');
  const whole = abs.slice(0, abs.length - d.scale);
  const frac = d.scale > 0 ? `.${abs.slice(abs.length - d.scale)}` : '';
  return `${d.n < 0n ? '-' : ''}${whole}${frac}`;
}

/** Compares a Decimal with an integer. */
const decimalAbove = (d: Decimal, k: bigint): boolean => d.n > k * 10n ** BigInt(d.scale);

/**
 * How far above the campaign's max CPM we may go for one influencer (§2.5 getFlexibility):
 * base = targetMax, plus the budget premium (savings of the agreements so far spread over the remaining
 * influencers), plus 15% (engagement > 5) or 8% (engagement > 3) of targetMax, capped at 120% of targetMax.
 * Exact until the final half-up rounding to cents.
 */
export function cpmFlexibility(
  tracker: CpmTracker,
  engagementRate: Decimal | null,
): { targetCpm: Cents; maxAllowedCpm: Cents; reason: string } {
  const targetMax = BigInt(tracker.targetMaxCpm);
  const count = BigInt(tracker.agreements.length);
  const remaining = BigInt(tracker.totalInfluencers) - count;

  let budgetPremium = ratio(0n);
  const avg = runningAverageCpm(tracker);
  if (avg != null && compare(avg, ratio(targetMax)) < 0 && remaining > 0n) {
    // (targetMax − avg) × count / remaining, with avg = sum / count
    budgetPremium = ratio(targetMax * count - avg.num, remaining);
  }

  let premiumPct = 0n;
  let engagementDesc = 'no engagement data';
  if (engagementRate != null) {
    const r = decimalText(engagementRate);
    if (decimalAbove(engagementRate, 5n)) {
      premiumPct = 15n;
      engagementDesc = `high engagement (${r}% > 5%): +15%`;
    } else if (decimalAbove(engagementRate, 3n)) {
      premiumPct = 8n;
      engagementDesc = `moderate engagement (${r}% > 3%): +8%`;
    } else {
      engagementDesc = `low engagement (${r}%): no premium`;
    }
  }
  const engagementPremium = ratio(targetMax * premiumPct, 100n);

  const hardCap = ratio(targetMax * 6n, 5n);
  let maxAllowed = add(add(ratio(targetMax), budgetPremium), engagementPremium);
  if (compare(maxAllowed, hardCap) > 0) maxAllowed = hardCap;
  const capped = compare(maxAllowed, hardCap) === 0 && isPositive(add(budgetPremium, engagementPremium));

  const parts: string[] = [];
  if (isPositive(budgetPremium)) parts.push(`budget savings: +${printUsd(budgetPremium)}`);
  parts.push(engagementDesc);
  if (capped) parts.push(`capped at 120% of target max (${printUsd(hardCap)})`);
  parts.push(`max allowed: ${printUsd(maxAllowed)}`);

  return { targetCpm: tracker.targetMaxCpm, maxAllowedCpm: roundToCents(maxAllowed), reason: parts.join('; ') };
}
