/**
 * The host's failure rule (decisions D18): a failing actor is recorded and reloaded; after MAX_FAILURES it is
 * parked; a snapshot that cannot be restored parks at once. Each failure is written on the negotiation's
 * timeline (with the park mark) and reported once; a failure that cannot be written holds the negotiation until
 * database writes work again, when it fails (and is recorded) again.
 */
import { describeError, isStorageError } from '../../persistence/db.ts';
import type { FailureCause, FailureRecord, Store } from '../../persistence/store.ts';
import type { Clock } from '../../services/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { StorageHold } from './storage-hold.ts';

const MAX_FAILURES = 3;

export function createActorFailures(deps: {
  store: Store;
  clock: Clock;
  logger: Logger;
  storage: StorageHold;
  onFailure(negotiationId: string, message: string, parked: boolean, cause: FailureCause): void;
}) {
  const { logger } = deps;
  const counts = new Map<string, number>();

  /** The failure on the negotiation's timeline (and the park mark); false when it could not be written. */
  function record(id: string, failure: FailureRecord, deadLetter: string | null): boolean {
    try {
      deps.store.recordFailure(id, failure, deadLetter, deps.clock.iso());
      return true;
    } catch (writeError) {
      logger.error('could not record the negotiation failure', { negotiationId: id, error: describeError(writeError) });
      if (isStorageError(writeError)) deps.storage.hold(writeError, id); // recorded when it fails again later
      return false;
    }
  }

  return {
    /**
     * An actor failed (its actor is already stopped). A storage error only holds it until writes work again; any
     * other error is counted and recorded, and `deadLetter` (the inbound message that made it throw) is not
     * re-delivered. Returns whether it may be restarted.
     */
    failed(id: string, error: unknown, cause: 'action' | 'persist', deadLetter: string | null): boolean {
      if (isStorageError(error)) {
        // Not this negotiation's fault: it is not counted towards parking, only held until writes work again.
        logger.warn('negotiation held: its transition could not be written', {
          negotiationId: id,
          error: describeError(error),
        });
        deps.storage.hold(error, id);
        return false;
      }
      const message = error instanceof Error ? error.message : String(error);
      const count = (counts.get(id) ?? 0) + 1;
      counts.set(id, count);
      const parked = count >= MAX_FAILURES;
      logger.error('negotiation actor failed', {
        negotiationId: id,
        cause,
        error: message,
        stack: (error as Error)?.stack,
        parked,
      });
      if (record(id, { cause, message, parked }, deadLetter)) deps.onFailure(id, message, parked, cause);
      return !parked;
    },
    /** Parks a negotiation whose snapshot cannot be restored (or read): one reason, one notice, no retry. */
    park(id: string, error: unknown): void {
      const message = error instanceof Error ? error.message : String(error);
      logger.error('negotiation parked: its saved state cannot be restored', { negotiationId: id, error: message });
      if (record(id, { cause: 'restore', message, parked: true }, null)) deps.onFailure(id, message, true, 'restore');
    },
    /** A person un-parked it: it starts counting again. */
    forget(id: string): void {
      counts.delete(id);
    },
  };
}
