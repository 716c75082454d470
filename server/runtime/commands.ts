/**
 * What a person can do to a negotiation — pause, resume, stop, claim, release, approve, walk away — shared by
 * the HTTP API, the sandbox Slack actions (and later Slack buttons), with one set of rules and messages.
 */
import { approvalRefusal } from '../../machines/approval.ts';
import { domainStateOf, type NegotiationEvent } from '../../machines/negotiation.ts';
import type { Db } from '../../persistence/db.ts';
import type { CampaignStatus, Queries } from '../../persistence/queries.ts';
import { appendTimeline } from '../../persistence/timeline.ts';
import type { Clock } from '../../services/clock.ts';
import { DOMAIN_STATES, type DomainState, TERMINAL_STATES } from '../../services/domain.ts';
import type { Cents } from '../../services/money.ts';
import { Conflict, Invalid, NotFound, Unprocessable } from '../../services/errors.ts';
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

const READING = 'They just replied and the agent is reading it (their ask may change); try again in a moment';
/** An escalated negotiation reading or relaying a new reply takes no decision until Slack shows it (D16). */
const readingReply = (s: { matches(value: object): boolean }) =>
  s.matches({ active: { escalated: 'reading' } }) || s.matches({ active: { escalated: 'relaying' } });

export type CampaignControl = 'pause' | 'resume' | 'stop';

const OPEN_STATES = DOMAIN_STATES.filter((s) => !TERMINAL_STATES.has(s));
/** What a whole-campaign control does: the negotiations it applies to, the status the campaign gets. */
const CAMPAIGN: Record<CampaignControl, { states: readonly DomainState[]; status: CampaignStatus }> = {
  pause: { states: OPEN_STATES.filter((s) => s !== 'paused'), status: 'paused' },
  resume: { states: ['paused'], status: 'active' },
  stop: { states: OPEN_STATES, status: 'stopped' },
};

export function createCommands(deps: {
  host: Host;
  queries: Queries;
  db: Db;
  clock: Clock;
  /** The send queue: a pause or stop takes back an email still waiting for its turn (nothing went out). */
  sendQueue?: { withdraw(negotiationId: string): boolean };
}) {
  const { host, queries } = deps;

  function current(id: string) {
    const row = queries.negotiation(id);
    if (!row) throw new NotFound(`No negotiation with id ${id}`);
    if (row.failure)
      throw new Conflict('negotiation_failed', `Negotiation ${id} is parked after failures: ${row.failure}`);
    return row;
  }

  function refusal(action: Control | 'approve', id: string, fallback: DomainState, fallbackHuman: boolean): string {
    const snapshot = host.snapshot(id);
    const state = snapshot ? domainStateOf(snapshot) : fallback;
    const humanControlled = snapshot ? snapshot.context.humanControlled : fallbackHuman;
    if (TERMINAL_STATES.has(state)) return `Cannot ${action.replace('_', ' ')} a negotiation that is ${state}`;
    if ((action === 'approve' || action === 'walk_away') && state === 'escalated') {
      return snapshot && readingReply(snapshot)
        ? READING
        : 'This escalation was already decided: its email is on its way';
    }
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

  /**
   * A Slack button names the escalation it was posted for (D19): a click on an older escalation's button, or on
   * one the negotiation has since escalated past, is refused before anything happens.
   */
  function checkEscalation(id: string, escalation: number | undefined): void {
    if (escalation == null) return;
    const latest = host.snapshot(id)?.context.escalations ?? 0;
    if (escalation !== latest) {
      throw new Conflict(
        'stale_escalation',
        latest > escalation
          ? `This button belongs to escalation #${escalation}; the negotiation has escalated again since (#${latest}). Use the latest escalation message.`
          : `This button belongs to escalation #${escalation}, which this negotiation never had`,
      );
    }
  }

  /**
   * The event a person's control sends. A pause or stop first takes the negotiation's waiting email out of the
   * send queue; `unsent` tells the chart nothing is in the mailbox's hands, so it applies now instead of after
   * the email (which would otherwise still go out: a stopped campaign sending its openings).
   */
  function withQueue(id: string, event: NegotiationEvent): NegotiationEvent {
    if (event.type !== 'PAUSE' && event.type !== 'STOP') return event;
    return { ...event, unsent: deps.sendQueue?.withdraw(id) ?? false };
  }

  async function apply(id: string, action: Control | 'approve', event: NegotiationEvent, escalation?: number) {
    const before = current(id);
    checkEscalation(id, escalation);
    if (!host.send(id, withQueue(id, event))) {
      current(id); // a snapshot found unrestorable just now parked it: say so
      throw new Conflict('invalid_state', refusal(action, id, before.state, before.humanControlled === 1));
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
    /** `escalation`: the escalation a Slack button was posted for, checked first (D19). */
    control(id: string, action: Control, by: string, escalation?: number) {
      return apply(id, action, { type: EVENTS[action], by } as NegotiationEvent, escalation);
    },
    /** Resumes an escalated negotiation with a counter at `rateCents` (decisions D8), within the approval rule. */
    approve(id: string, rateCents: Cents, by: string, escalation?: number) {
      current(id);
      checkEscalation(id, escalation);
      const snapshot = host.snapshot(id);
      const state = snapshot ? domainStateOf(snapshot) : 'stopped';
      if (!snapshot || state !== 'escalated') {
        throw new Conflict('invalid_state', refusal('approve', id, state, false));
      }
      if (readingReply(snapshot)) throw new Conflict('reply_being_read', READING);
      const refused = approvalRefusal(snapshot.context, rateCents);
      if (refused) throw new (refused.code === 'invalid_rate' ? Invalid : Unprocessable)(refused.code, refused.message);
      return apply(id, 'approve', { type: 'APPROVE', rateCents, by }, escalation);
    },
    /** Un-parks a negotiation that failed repeatedly, once the cause is fixed. */
    async unpark(id: string, by: string) {
      const row = queries.negotiation(id);
      if (!row) throw new NotFound(`No negotiation with id ${id}`);
      if (!row.failure) throw new Conflict('not_parked', `Negotiation ${id} is not parked`);
      host.unpark(id);
      const still = queries.negotiation(id)?.failure;
      if (still) throw new Conflict('still_parked', `Negotiation ${id} is parked again: ${still}`);
      await host.settle(id);
      return { id, previousState: row.state, state: queries.negotiation(id)?.state ?? row.state, unparkedBy: by };
    },
    /**
     * Pauses, resumes or stops a whole campaign: its status (new sheet rows wait while paused, never start once
     * stopped) and an audit entry naming who did it are written together, then every negotiation it applies to
     * gets the same event a person would send it. Pause and stop may be repeated (they catch negotiations that
     * were busy or parked the first time); resume applies to a paused campaign only, stop is final.
     */
    async campaign(campaignId: string, action: CampaignControl, by: string) {
      const previous = queries.campaignStatus(campaignId);
      if (!previous) throw new NotFound(`No campaign with id ${campaignId}`);
      if (previous === 'stopped' && action !== 'stop')
        throw new Conflict('campaign_stopped', `Campaign ${campaignId} is stopped; it cannot be ${action}d`);
      if (action === 'resume' && previous !== 'paused')
        throw new Conflict('invalid_state', `Campaign ${campaignId} is not paused`);
      const { states, status } = CAMPAIGN[action];
      const ids = queries.campaignNegotiationIds(campaignId, states);
      deps.db
        .transaction(() => {
          queries.setCampaignStatus(campaignId, status);
          appendTimeline(deps.db, {
            negotiationId: null,
            campaignId,
            influencerEmail: null,
            at: deps.clock.iso(),
            entry: { type: 'campaign_control', action, by, previousStatus: previous, status, negotiations: ids.length },
          });
        })
        .immediate();
      const changed = ids.filter(
        (id) =>
          !queries.negotiation(id)?.failure &&
          host.send(id, withQueue(id, { type: EVENTS[action], by } as NegotiationEvent)),
      );
      await Promise.all(changed.map((id) => host.settle(id)));
      return { id: campaignId, action, previousStatus: previous, status, changed: changed.length, ids: changed };
    },
    /** Stops every non-terminal negotiation of an agency (case-insensitive). */
    async stopAgency(agency: string, by: string) {
      const ids = queries.activeByAgency(agency).filter((id) => host.send(id, withQueue(id, { type: 'STOP', by })));
      await Promise.all(ids.map((id) => host.settle(id)));
      return { agency, stopped: ids.length, ids };
    },
  };
}

export type Commands = ReturnType<typeof createCommands>;
