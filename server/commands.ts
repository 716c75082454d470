/**
 * What a person can do to a negotiation — pause, resume, stop, claim, release, approve, walk away — shared by
 * the HTTP API, the sandbox Slack actions (and later Slack buttons), with one set of rules and messages.
 */
import type { NegotiationEvent } from '../machines/negotiation.ts';
import type { Queries } from '../persistence/queries.ts';
import { type DomainState, TERMINAL_STATES } from '../services/domain.ts';
import { type Cents, formatUsd } from '../services/money.ts';
import { HttpError } from './errors.ts';
import type { Host } from './host.ts';

export type Control = 'pause' | 'resume' | 'stop' | 'claim' | 'release' | 'walk_away';

const EVENTS: Record<Control, NegotiationEvent['type']> = {
  pause: 'PAUSE',
  resume: 'RESUME',
  stop: 'STOP',
  claim: 'CLAIM',
  release: 'RELEASE',
  walk_away: 'WALK_AWAY',
};

export function createCommands(deps: { host: Host; queries: Queries }) {
  const { host, queries } = deps;

  function current(id: string) {
    const row = queries.negotiation(id);
    if (!row) throw new HttpError(404, 'not_found', `No negotiation with id ${id}`);
    if (row.failure)
      throw new HttpError(409, 'negotiation_failed', `Negotiation ${id} is parked after failures: ${row.failure}`);
    return row;
  }

  function refusal(action: Control | 'approve', state: DomainState, humanControlled: boolean): string {
    if (TERMINAL_STATES.has(state)) return `Cannot ${action.replace('_', ' ')} a negotiation that is ${state}`;
    switch (action) {
      case 'pause':
        return 'The negotiation is already paused';
      case 'resume':
        return `Cannot resume: the negotiation is not paused (state '${state}')`;
      case 'claim':
        return humanControlled ? 'The negotiation is already under human control' : `Cannot claim in state '${state}'`;
      case 'release':
        return 'The negotiation is not under human control';
      default:
        return `Cannot ${action.replace('_', ' ')} a negotiation in state '${state}' (only escalated negotiations)`;
    }
  }

  async function apply(id: string, action: Control | 'approve', event: NegotiationEvent) {
    const before = current(id);
    if (!host.send(id, event)) {
      current(id); // a snapshot found unrestorable just now parked it: say so
      throw new HttpError(409, 'invalid_state', refusal(action, before.state, before.humanControlled === 1));
    }
    await host.settle(id); // pause/stop wait for an email in flight; report the state it led to
    const after = queries.negotiation(id);
    return {
      id,
      previousState: before.state,
      state: after?.state ?? before.state,
      humanControlled: after?.humanControlled === 1,
    };
  }

  return {
    control(id: string, action: Control, by: string) {
      return apply(id, action, { type: EVENTS[action], by } as NegotiationEvent);
    },
    /** Resumes an escalated negotiation with a counter at `rateCents` (decisions D8). */
    approve(id: string, rateCents: Cents, by: string) {
      const row = current(id);
      if (row.state !== 'escalated') throw new HttpError(409, 'invalid_state', refusal('approve', row.state, false));
      if (row.lastOfferCents != null && rateCents < row.lastOfferCents) {
        throw new HttpError(
          422,
          'rate_below_last_offer',
          `Our offers never go down: approve at least ${formatUsd(row.lastOfferCents)}`,
        );
      }
      if (row.theirAskCents != null && rateCents > row.theirAskCents) {
        throw new HttpError(
          422,
          'rate_above_ask',
          `We never offer more than they asked: approve at most ${formatUsd(row.theirAskCents)}`,
        );
      }
      return apply(id, 'approve', { type: 'APPROVE', rateCents, by });
    },
    /** Un-parks a negotiation that failed repeatedly, once the cause is fixed. */
    async unpark(id: string, by: string) {
      const row = queries.negotiation(id);
      if (!row) throw new HttpError(404, 'not_found', `No negotiation with id ${id}`);
      if (!row.failure) throw new HttpError(409, 'not_parked', `Negotiation ${id} is not parked`);
      host.unpark(id);
      const still = queries.negotiation(id)?.failure;
      if (still) throw new HttpError(409, 'still_parked', `Negotiation ${id} is parked again: ${still}`);
      await host.settle(id);
      return { id, previousState: row.state, state: queries.negotiation(id)?.state ?? row.state, unparkedBy: by };
    },
    /** Stops every non-terminal negotiation of an agency (case-insensitive). */
    async stopAgency(agency: string, by: string) {
      const ids = queries.activeByAgency(agency).filter((id) => host.send(id, { type: 'STOP', by }));
      await Promise.all(ids.map((id) => host.settle(id)));
      return { agency, stopped: ids.length, ids };
    },
  };
}

export type Commands = ReturnType<typeof createCommands>;
