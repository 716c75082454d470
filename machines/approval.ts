/**
 * The one approval rule (D3.2, D3.3, D8). Pure: the machine's `approvable` guard, the escalation's suggested
 * amount and every command that approves (server/runtime/commands.ts) ask these functions, so a refusal message and
 * the guard can never disagree.
 */
import { type Cents, formatUsd } from '../services/money.ts';
import type { NegotiationContext } from './contracts.ts';

type Offers = Pick<NegotiationContext, 'lastOfferCents' | 'openingCents' | 'theirAskCents'>;

/** Our standing offer: the last one we sent, or the opening offer before any was sent. Offers never go down. */
export function standingOfferCents(c: Pick<NegotiationContext, 'lastOfferCents' | 'openingCents'>): Cents {
  return c.lastOfferCents ?? c.openingCents;
}

export interface ApprovalRefusal {
  code: 'invalid_rate' | 'rate_below_last_offer' | 'rate_above_ask';
  message: string;
}

/** Why a human may not approve a counter at `rateCents` (null: they may): from our standing offer up to their ask. */
export function approvalRefusal(c: Offers, rateCents: number): ApprovalRefusal | null {
  if (!Number.isSafeInteger(rateCents) || rateCents <= 0) {
    return { code: 'invalid_rate', message: 'An approval needs a positive amount' };
  }
  const floor = standingOfferCents(c);
  if (rateCents < floor) {
    const what = c.lastOfferCents == null ? 'our opening offer' : 'our last offer';
    return {
      code: 'rate_below_last_offer',
      message: `Our offers never go down: approve at least ${formatUsd(floor)} (${what})`,
    };
  }
  if (c.theirAskCents != null && rateCents > c.theirAskCents) {
    return {
      code: 'rate_above_ask',
      message: `Their latest ask is ${formatUsd(c.theirAskCents)}; an approval cannot exceed it`,
    };
  }
  return null;
}

/** The amount to suggest a human approves, or null when no counter between our offer and their ask exists. */
export function approvableSuggestion(c: Offers, suggested: Cents | null): Cents | null {
  return suggested != null && approvalRefusal(c, suggested) === null ? suggested : null;
}
