/** What the actor host (host.ts) is given, and what it gives the effects it runs. */
import type { InspectionEvent } from 'xstate';
import type { NegotiationEmitted } from '../../machines/negotiation.ts';
import type { Db } from '../../persistence/db.ts';
import type { Inbox } from '../../persistence/inbox.ts';
import type { EffectRef, Journal } from '../../persistence/journal.ts';
import type { FailureCause, NegotiationMachine, Policy, Store } from '../../persistence/store.ts';
import type { WalSync } from '../../persistence/wal-sync.ts';
import type { Clock } from '../../services/clock.ts';
import type { DomainState } from '../../services/domain.ts';
import type { Logger } from '../observability/logger.ts';

export interface HostDeps {
  db: Db;
  /** The group commit's transactions, fsynced off the event loop. */
  wal: WalSync;
  store: Store;
  inbox: Inbox;
  journal: Journal;
  /**
   * The machine with its effect implementations, built from what the effects need of the host: built here, once
   * the host can answer, so nothing is tied together before it exists.
   */
  machine(runtime: EffectRuntime): NegotiationMachine;
  clock: Clock;
  logger: Logger;
  policy: Policy;
  cacheSize: number;
  onFailure(negotiationId: string, message: string, parked: boolean, cause: FailureCause): void;
  /** Database writes started failing (the reason) or work again (null). */
  onStorage?(problem: string | null): void;
  /** How often a held negotiation's database is probed for writes again (default 1 s). */
  storageRetryMs?: number;
  /** An outside observer of every actor (the Stately inspector, the inspection log). */
  inspect?(event: InspectionEvent, negotiationId: string): void;
  onPersist?(id: string, from: DomainState, to: DomainState, emitted: NegotiationEmitted[]): void;
}

/** What the effects need of the host: the group commit's barrier, and where to hand their results. */
export interface EffectRuntime {
  /** Resolves once every transition made so far is committed (the group commit). */
  durable(): Promise<void>;
  /** Hands an effect's result to be journaled in the transaction of the transition that consumes it. */
  completed(effect: EffectRef, result: unknown): void;
}
