/**
 * How the host's transitions are written by the group commit, with as little work as a turn allows. A transition's
 * persisted form is taken when it happens (its children as they are then), but turned into JSON only when the commit
 * writes it, and only for each negotiation's last transition in that commit: the earlier ones are superseded (their
 * timeline, journal and inbox records are written, their snapshots are not; the commit is atomic). A snapshot whose
 * JSON is the one already stored, with nothing else to write, is not written at all (fact 5).
 */
import { domainStateOf } from '../../machines/negotiation.ts';
import type { Store, Transition } from '../../persistence/store.ts';
import type { DomainState } from '../../services/domain.ts';
import type { Live } from './live-actors.ts';

export type Staged = {
  transition: Transition;
  owner: Live;
  from: DomainState;
  persisted: unknown;
  prepared?: boolean;
  /** Nothing was written for it: the same snapshot as stored, and no records. */
  unchanged?: boolean;
};

export function createTransitionWrites(store: Pick<Store, 'persist'>) {
  const pendingOf = new WeakMap<Live, Staged>(); // each live actor's latest transition not yet written

  return {
    /** A transition for the next group commit; the one before it of the same actor, if not written yet, is superseded. */
    stage(owner: Live, transition: Transition, from: DomainState): Staged {
      const staged: Staged = { transition, owner, from, persisted: owner.actor.getPersistedSnapshot() };
      const previous = pendingOf.get(owner);
      if (previous) previous.transition.superseded = true;
      pendingOf.set(owner, staged);
      return staged;
    },
    /** Writes it inside the group commit's transaction (again, unchanged, if that commit is retried). */
    write(staged: Staged): void {
      const t = staged.transition;
      if (pendingOf.get(staged.owner) === staged) pendingOf.delete(staged.owner);
      if (!staged.prepared && !t.superseded) {
        t.json = JSON.stringify(staged.persisted);
        const quiet = t.emitted.length === 0 && !t.completions?.length && t.previousState === domainStateOf(t.snapshot);
        staged.unchanged = quiet && t.json === staged.owner.json;
        staged.owner.json = t.json;
      }
      staged.prepared = true;
      if (!staged.unchanged) store.persist(t);
    },
  };
}
