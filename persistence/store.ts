/**
 * The actor store: creates, restores and persists negotiation actors — in one module, as XState's persistence
 * API moves between versions (architecture.md, fact 6). A transition's snapshot, its timeline rows, its effect
 * journal rows and its inbox acknowledgements are written in ONE transaction (fact 7).
 */
import { type Actor, createActor, type InspectionEvent } from 'xstate';
import {
  domainEventOf,
  domainStateOf,
  isBusy,
  MACHINE_VERSION,
  type NegotiationEmitted,
  type NegotiationInput,
  type negotiationMachine,
  nextDeadlineAt,
  type TimelineEntry,
} from '../machines/negotiation.ts';
import { DOMAIN_STATES, type DomainState } from '../services/domain.ts';
import { cpmFor } from '../services/pricing.ts';
import type { Db } from './db.ts';
import type { Inbox } from './inbox.ts';
import type { Journal } from './journal.ts';
import { contextProblem } from './snapshot-shape.ts';
import { appendTimeline } from './timeline.ts';

export type NegotiationMachine = typeof negotiationMachine;
export type NegotiationActor = Actor<NegotiationMachine>;
export type NegotiationSnapshot = ReturnType<NegotiationActor['getSnapshot']>;

export interface Policy {
  followUpAfterMs: number;
  staleAfterMs: number;
}

export interface StoredNegotiation {
  id: string;
  campaignId: string;
  influencerEmail: string;
  state: DomainState;
  machineVersion: number;
  snapshot: string;
  failure: string | null;
}

/** A stored snapshot this build cannot restore (decisions D18): the negotiation is parked with this reason. */
export class SnapshotError extends Error {}
export class SnapshotVersionError extends SnapshotError {}

export function createNegotiationActor(
  machine: NegotiationMachine,
  input: NegotiationInput,
  options: { inspect?: (event: InspectionEvent) => void } = {},
): NegotiationActor {
  return createActor(machine, { input, ...options });
}

/**
 * Restores a stored snapshot, or throws a SnapshotError saying why it cannot be: a snapshot from another machine
 * version (no silent reinterpretation), invalid JSON, a context without the machine's fields, a state the machine
 * does not have, or anything the store cannot derive its columns from. The actor is not started.
 */
export function restoreNegotiationActor(
  machine: NegotiationMachine,
  row: StoredNegotiation,
  options: { inspect?: (event: InspectionEvent) => void } = {},
): NegotiationActor {
  if (row.machineVersion > MACHINE_VERSION) {
    throw new SnapshotVersionError(
      `negotiation ${row.id} was saved by machine version ${row.machineVersion}, newer than this build (${MACHINE_VERSION}): run the newer build, or restore a backup`,
    );
  }
  if (row.machineVersion !== MACHINE_VERSION) {
    throw new SnapshotVersionError(
      `negotiation ${row.id} was saved by machine version ${row.machineVersion}; this build runs ${MACHINE_VERSION} and has no migration for it`,
    );
  }
  const refuse = (why: string) => new SnapshotError(`negotiation ${row.id} cannot be restored: ${why}`);
  let persisted: { context?: unknown; status?: unknown; children?: unknown };
  try {
    persisted = JSON.parse(row.snapshot);
  } catch (error) {
    throw refuse(`its saved state is not valid JSON (${(error as Error).message})`);
  }
  if (typeof persisted !== 'object' || persisted === null || Array.isArray(persisted))
    throw refuse('its saved state is not an object');
  if (persisted.status !== 'active' && persisted.status !== 'done')
    throw refuse(`its saved status is ${JSON.stringify(persisted.status)}`);
  const problem = contextProblem(persisted.context);
  if (problem) throw refuse(`its saved context does not fit the machine (${problem})`);
  withNegotiationIdInInputs(persisted, row.id);
  // The input only seeds a fresh context; a restored actor takes its context from the snapshot.
  const actor = createActor(machine, { snapshot: persisted as never, input: undefined as never, ...options });
  const snapshot = actor.getSnapshot();
  if (snapshot.status === 'error') {
    // XState keeps a restore error in the snapshot instead of throwing (a state the machine does not have).
    const cause = (snapshot as { error?: unknown }).error;
    throw refuse(
      `its saved state does not fit the machine (${cause instanceof Error ? cause.message : String(cause)})`,
    );
  }
  // A state that waits for an effect must hold that effect's child, or it would wait forever.
  const nodes = (snapshot as unknown as { _nodes?: { invoke?: { id: string }[] }[] })._nodes ?? [];
  for (const invoked of nodes.flatMap((node) => node.invoke ?? [])) {
    if (!(invoked.id in snapshot.children))
      throw refuse(`its saved state waits for a "${invoked.id}" effect it does not hold`);
  }
  try {
    const derived = columns(snapshot, { followUpAfterMs: 0, staleAfterMs: 0 });
    if (!DOMAIN_STATES.includes(derived.state)) throw new Error(`no domain state "${derived.state}"`);
  } catch (error) {
    throw refuse(`its saved state cannot be read (${(error as Error).message})`);
  }
  return actor;
}

/**
 * An effect in flight restarts with its saved input. Inputs saved before classify and compose carried their
 * negotiation's id lack it: it is the row's id (the effect journals its result under it).
 */
function withNegotiationIdInInputs(persisted: { children?: unknown }, id: string): void {
  const children = (persisted.children ?? {}) as Record<string, { snapshot?: { input?: Record<string, unknown> } }>;
  for (const child of Object.values(children)) {
    const input = child?.snapshot?.input;
    if (input && typeof input === 'object' && 'key' in input && !('negotiationId' in input)) input.negotiationId = id;
  }
}

/** The summary columns the API and the scheduler query, derived from the snapshot. */
function columns(snapshot: NegotiationSnapshot, policy: Policy) {
  const c = snapshot.context;
  return {
    state: domainStateOf(snapshot),
    busy: isBusy(snapshot) ? 1 : 0,
    human_controlled: c.humanControlled ? 1 : 0,
    round: c.round,
    thread_id: c.threadId,
    last_offer_cents: c.lastOfferCents,
    their_ask_cents: c.theirAskCents,
    agreed_cents: c.agreedCents,
    agreed_cpm_cents: c.agreedCents == null ? null : cpmFor(c.agreedCents, c.influencer.averageViews),
    next_deadline_at: nextDeadlineAt(snapshot, policy),
    // the sheet's agency, or the one a manager's reply revealed (stop-by-agency, D6)
    agency: c.contacts.agencyName ?? c.influencer.agency,
  };
}

/** Why a negotiation failed: an action threw, its transition could not be written, or its snapshot cannot be restored. */
export type FailureCause = 'action' | 'persist' | 'restore';
export interface FailureRecord {
  cause: FailureCause;
  message: string;
  parked: boolean;
}

/** An effect's result, journaled with the transition of the negotiation that consumes it. */
export interface Completion {
  key: string;
  kind: string;
  result: unknown;
}

export interface Transition {
  id: string;
  snapshot: NegotiationSnapshot;
  json: string; // the persisted snapshot
  /**
   * A later transition of the same negotiation is written in the same commit: this one's records (timeline,
   * journal, inbox) are written, its snapshot is not (the later one's is; the commit is atomic).
   */
  superseded?: boolean;
  previousState: DomainState | null; // null for the first write of a new negotiation
  event: string;
  emitted: NegotiationEmitted[];
  completions?: Completion[]; // effect results this transition consumed (journal)
  at: string;
}

export function createStore(db: Db, policy: Policy, journal: Journal, inbox: Inbox) {
  const insertNegotiation = db.prepare(`
    INSERT INTO negotiations (id, campaign_id, influencer_email, influencer_name, platform, average_views, agency, state, busy,
      human_controlled, round, thread_id, last_offer_cents, their_ask_cents, agreed_cents, agreed_cpm_cents,
      next_deadline_at, machine_version, snapshot, created_at, updated_at)
    VALUES (@id, @campaign_id, @influencer_email, @influencer_name, @platform, @average_views, @agency, @state, @busy,
      @human_controlled, @round, @thread_id, @last_offer_cents, @their_ask_cents, @agreed_cents, @agreed_cpm_cents,
      @next_deadline_at, @machine_version, @snapshot, @at, @at)`);
  const updateNegotiation = db.prepare(`
    UPDATE negotiations SET state = @state, busy = @busy, human_controlled = @human_controlled, round = @round,
      thread_id = @thread_id, last_offer_cents = @last_offer_cents, their_ask_cents = @their_ask_cents,
      agreed_cents = @agreed_cents, agreed_cpm_cents = @agreed_cpm_cents, next_deadline_at = @next_deadline_at, agency = @agency,
      machine_version = @machine_version, snapshot = @snapshot, updated_at = @at
    WHERE id = @id`);
  const requestEffect = db.prepare(`
    INSERT OR IGNORE INTO effects (key, negotiation_id, kind, status, created_at, updated_at)
    VALUES (?, ?, ?, 'requested', ?, ?)`);
  const selectOne = db.prepare(
    `SELECT id, campaign_id AS campaignId, influencer_email AS influencerEmail, state,
      machine_version AS machineVersion, snapshot, failure FROM negotiations WHERE id = ?`,
  );
  const setFailure = db.prepare('UPDATE negotiations SET failure = ?, parked_at = ?, updated_at = ? WHERE id = ?');

  function writeTransition(t: Transition, insert: { campaignId: string } | null): void {
    const c = t.snapshot.context;
    const state = domainStateOf(t.snapshot);
    const row = () => ({
      id: t.id,
      ...columns(t.snapshot, policy),
      machine_version: MACHINE_VERSION,
      snapshot: t.json,
      at: t.at,
    });
    if (insert) {
      insertNegotiation.run({
        ...row(),
        campaign_id: insert.campaignId,
        influencer_email: c.influencer.email,
        influencer_name: c.influencer.name,
        platform: c.influencer.platform,
        average_views: c.influencer.averageViews,
      });
    } else if (!t.superseded) {
      updateNegotiation.run(row());
    }
    const owner = { negotiationId: t.id, campaignId: c.terms.campaignId, influencerEmail: c.influencer.email };
    // The transition's own records first (e.g. the reply that arrived), then the state change they led to.
    for (const e of t.emitted) {
      if (e.type === 'timeline') appendTimeline(db, { ...owner, at: t.at, entry: e.entry as TimelineEntry });
      else if (e.type === 'effect.requested') requestEffect.run(e.key, t.id, e.kind, t.at, t.at);
      else inbox.markTaken(e.messageId, t.at);
    }
    for (const c of t.completions ?? [])
      journal.complete({ key: c.key, negotiationId: t.id, kind: c.kind }, c.result, t.at);
    if (t.previousState !== state) {
      const event = domainEventOf(t.previousState, state);
      appendTimeline(db, {
        ...owner,
        at: t.at,
        entry: { type: 'state_transition', from: t.previousState, to: state, event, cause: t.event },
      });
    }
  }

  return {
    /** First write of a new negotiation (its initial snapshot). */
    insert: db.transaction((t: Transition, campaignId: string) => writeTransition(t, { campaignId })),
    persist: db.transaction((t: Transition) => writeTransition(t, null)),
    load(id: string): StoredNegotiation | undefined {
      return selectOne.get(id) as StoredNegotiation | undefined;
    },
    /**
     * A failure on the negotiation's timeline, with the park mark when it is parked and the inbound message that
     * made it fail dead-lettered (not re-delivered forever), in one transaction.
     */
    recordFailure(id: string, failure: FailureRecord, deadLetter: string | null, at: string): void {
      db.transaction(() => {
        const owner = selectOne.get(id) as StoredNegotiation | undefined;
        appendTimeline(db, {
          negotiationId: id,
          campaignId: owner?.campaignId ?? null,
          influencerEmail: owner?.influencerEmail ?? null,
          at,
          entry: { type: 'error', ...failure },
        });
        if (deadLetter) inbox.fail(deadLetter, failure.message);
        if (failure.parked) setFailure.run(failure.message, at, at, id);
      }).immediate();
    },
    /** Parks a negotiation with its reason (null un-parks it). */
    markFailed(id: string, failure: string | null, at: string): void {
      setFailure.run(failure, failure == null ? null : at, at, id);
    },
  };
}

export type Store = ReturnType<typeof createStore>;
