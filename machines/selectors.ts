/**
 * Reads of a negotiation snapshot the rest of the program needs: its domain state (api.md `state`), whether an
 * effect runs, when its next deadline is due, and the domain event a change of state stands for.
 */
import type { SnapshotFrom } from 'xstate';
import { DOMAIN_STATES, type DomainState } from '../services/domain.ts';
import type { negotiationMachine } from './negotiation.ts';

export type NegotiationSnapshot = SnapshotFrom<typeof negotiationMachine>;

const DOMAIN = new Set<string>(DOMAIN_STATES);
const isDomainState = (key: string): key is DomainState => DOMAIN.has(key);

/**
 * The domain state of a snapshot; finer machine states live inside it. The top-level states are domain states,
 * and so are the children of `active` (its `hist` is never a current state).
 */
export function domainStateOf(snapshot: Pick<NegotiationSnapshot, 'value'>): DomainState {
  const value: unknown = snapshot.value;
  const [top, inner] = typeof value === 'string' ? [value, null] : (Object.entries(value ?? {})[0] ?? ['', null]);
  const key = top === 'active' ? (typeof inner === 'string' ? inner : Object.keys(inner ?? {})[0]) : top;
  if (key === undefined || !isDomainState(key)) throw new Error(`Not a negotiation state: ${JSON.stringify(value)}`);
  return key;
}

/** True while an effect runs (tag `busy`): such a negotiation must be restored at boot to finish it. */
export function isBusy(snapshot: NegotiationSnapshot): boolean {
  return snapshot.hasTag('busy');
}

/**
 * When the next TIMEOUT is due (epoch ms), or null: only an idle wait for the counterparty's reply that the
 * agent controls has a deadline (decisions D7).
 */
export function nextDeadlineAt(
  snapshot: NegotiationSnapshot,
  policy: { followUpAfterMs: number; staleAfterMs: number },
): number | null {
  const c = snapshot.context;
  const waiting =
    snapshot.matches({ active: { awaiting_reply: 'idle' } }) || snapshot.matches({ active: { counter_sent: 'idle' } });
  if (!waiting || c.humanControlled || !c.lastOutboundAt || c.queue.length) return null;
  return Date.parse(c.lastOutboundAt) + (c.followUpSent ? policy.staleAfterMs : policy.followUpAfterMs);
}

/** The domain event (spec/domain.md §1.1) a change of domain state stands for, for the audit trail. */
export function domainEventOf(from: DomainState | null, to: DomainState): string {
  if (from === null) return 'create';
  if (to === 'paused') return 'pause';
  if (from === 'paused' && to !== 'stopped') return 'resume';
  const byTarget: Partial<Record<DomainState, string>> = {
    awaiting_reply: 'send_offer',
    counter_received: 'receive_reply',
    counter_sent: from === 'escalated' ? 'resume_counter' : 'send_counter',
    agreed: 'accept',
    rejected: 'reject',
    escalated: 'escalate',
    stale: 'timeout',
    stopped: 'stop',
  };
  return byTarget[to] ?? to;
}
