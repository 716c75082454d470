/**
 * The email chain, defined once: compose -> validate (regenerate once) -> send. Every state that writes an
 * email is this one state config with its own draft (set on entry) and its own `onDone`: the chain ends in its
 * final state `sent`, and the state holding it decides where the negotiation goes next (it may look at the
 * draft's kind: the draft is dropped only as the chain is left). Any failure escalates with the reason.
 *
 * Persisted snapshots name these states (`composing`, `validating`, `sending`) and invoke ids (`compose`,
 * `validate`, `send`) under each holder: keep them, or migrate stored snapshots.
 */
import { composeInput, composeKey, errorText, sendInput, sendKey, validateInput } from './inputs.ts';
import { machineSetup } from './setup.ts';

/** Where an escalation is handled (an absolute state id: the chain is used at several depths). */
export const ESCALATED = '#neg.active.escalated';

/** Transition into `escalated` when an effect failed: `effect` names it, its error is appended. */
export function escalateOnError(effect: string) {
  return {
    target: ESCALATED,
    description: `${effect}: escalate with the error`,
    actions: [
      {
        type: 'openEscalation',
        params: ({ event }: { event: { error: unknown } }) => ({ failure: `${effect}: ${errorText(event.error)}` }),
      },
      'emitEscalation',
    ],
  } as const;
}

/**
 * Pause/stop while the email is still being written or checked apply at once: nothing has gone out. While it is
 * sent they apply at once only when the send queue gave the email back (`unsent`: it was still waiting for its
 * turn); one in the mailbox's hands is finished first (DEFER_CONTROL). RESUME returns to the same step.
 */
const CONTROL_NOW = {
  PAUSE: { target: '#neg.paused', description: 'Nothing went out yet: pause now', actions: 'recordControl' },
  STOP: { target: '#neg.stopped', description: 'Nothing went out yet: stop now', actions: 'recordControl' },
} as const;
const CONTROL_IF_UNSENT = {
  PAUSE: { ...CONTROL_NOW.PAUSE, guard: 'unsent' },
  STOP: { ...CONTROL_NOW.STOP, guard: 'unsent' },
} as const;

/** Pause/stop that arrive while an email is in the mailbox's hands wait for the next stable state. */
export const DEFER_CONTROL = {
  PAUSE: {
    description: 'Deferred until the email is out (or escalated): an email is never sent unrecorded',
    actions: ['deferControl', 'recordControl'],
  },
  STOP: {
    description: 'Deferred until the email is out (or escalated): an email is never sent unrecorded',
    actions: ['deferControl', 'recordControl'],
  },
} as const;

export const emailChain = machineSetup.createStateConfig({
  description: 'Writes, checks and sends the draft: compose, validate (regenerate once), send',
  tags: ['busy'],
  on: DEFER_CONTROL,
  initial: 'composing',
  states: {
    composing: {
      description: 'The model writes the prose of the draft',
      on: CONTROL_NOW,
      entry: { type: 'requestEffect', params: ({ context }) => ({ key: composeKey(context), kind: 'compose' }) },
      invoke: {
        id: 'compose',
        src: 'compose',
        input: ({ context }) => composeInput(context),
        onDone: {
          target: 'validating',
          actions: { type: 'storeProse', params: ({ event }) => ({ prose: event.output.prose }) },
        },
        onError: escalateOnError('Model unavailable'),
      },
    },
    validating: {
      description: 'The gate checks the prose: amounts, scope of work, tone (D10)',
      on: CONTROL_NOW,
      invoke: {
        id: 'validate',
        src: 'validate',
        input: ({ context }) => validateInput(context),
        onDone: [
          {
            guard: { type: 'gatePassed', params: ({ event }) => ({ passed: event.output.passed }) },
            target: 'sending',
            actions: { type: 'storeGateResult', params: ({ event }) => ({ failures: event.output.failures }) },
          },
          {
            guard: 'canRegenerate',
            target: 'composing',
            reenter: true,
            description: 'Rejected once: write it again, told why',
            actions: [
              { type: 'storeGateResult', params: ({ event }) => ({ failures: event.output.failures }) },
              'nextAttempt',
            ],
          },
          {
            target: ESCALATED,
            description: 'Rejected twice: a human decides, shown the rejected draft',
            actions: [
              { type: 'storeGateResult', params: ({ event }) => ({ failures: event.output.failures }) },
              'openEscalation',
              'emitEscalation',
            ],
          },
        ],
        onError: escalateOnError('Validation failed to run'),
      },
    },
    sending: {
      description: 'The email waits for its turn in the send queue, then goes out (journaled: sent at most once)',
      on: CONTROL_IF_UNSENT,
      entry: { type: 'requestEffect', params: ({ context }) => ({ key: sendKey(context), kind: 'send_email' }) },
      invoke: {
        id: 'send',
        src: 'sendEmail',
        input: ({ context }) => sendInput(context),
        onDone: {
          target: 'sent',
          actions: [
            { type: 'emitSent', params: ({ event }) => ({ sent: event.output }) },
            { type: 'recordSent', params: ({ event }) => ({ sent: event.output }) },
          ],
        },
        onError: escalateOnError('Email could not be sent'),
      },
    },
    sent: {
      description: 'Out: the holder routes on (never a resting state); leaving it drops the draft and the reply',
      type: 'final',
      exit: 'finishEmail',
    },
  },
});
