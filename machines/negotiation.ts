/**
 * One influencer negotiation as an XState v5 chart. Pure: no I/O. Every effect is an invoked actor referenced by
 * key and provided by the host (server/runtime/effects.ts); records for the timeline, the inbox and the effect journal
 * are emitted and written by the host in the same transaction as the snapshot.
 *
 * Shape: `active` holds the working domain states and a deep history state, so `paused` resumes exactly where
 * it left off (decisions D6). Pause/stop that arrive while an email is being prepared or sent are deferred to
 * the next stable state, so an email is never sent without being recorded.
 *
 * Where the parts are: types in contracts.ts, named guards/actions/effects in setup.ts, the email chain in
 * email-chain.ts, effect inputs and keys in inputs.ts, the approval rule in approval.ts, reads of a snapshot in
 * selectors.ts. State keys, invoke ids and effect names are stored in persisted snapshots: renaming one needs a
 * snapshot migration (persistence/store.ts, MACHINE_VERSION).
 */
import type { NegotiationContext, NotifyKind, Reply } from './contracts.ts';
import { DEFER_CONTROL, ESCALATED, emailChain, escalateOnError } from './email-chain.ts';
import {
  agreementKey,
  classificationOf,
  classifyInput,
  classifyKey,
  errorText,
  escalationKey,
  factsOf,
  initialContext,
  notifyInput,
  relayKey,
  staleKey,
} from './inputs.ts';
import { type Approval, machineSetup } from './setup.ts';

export type * from './contracts.ts';
export { type ApprovalRefusal, approvalRefusal } from './approval.ts';
export { emailHtml, emailText, factsOf, openingSendKey } from './inputs.ts';
export { domainEventOf, domainStateOf, isBusy, type NegotiationSnapshot, nextDeadlineAt } from './selectors.ts';

/** Bump when the machine changes in a way old snapshots cannot be restored into (see persistence/store.ts). */
export const MACHINE_VERSION = 2;

const replyOf = ({ event }: { event: { reply: Reply } }) => ({ reply: event.reply });
const approvalOf = ({ event }: { event: Approval }) => ({ rateCents: event.rateCents, by: event.by });
const effectError = (effect: 'classify' | 'notify') => ({
  type: 'recordEffectError' as const,
  params: ({ event }: { event: { error: unknown } }) => ({ effect, message: errorText(event.error) }),
});

/**
 * Every reply is recorded and queued first (D1); one from a stranger (a teammate, an unknown address) hands the
 * thread to a human (D6), one from a known or newly admitted contact updates the contact book.
 */
const RECEIVE_REPLY = [
  {
    guard: 'strangerTakesOver',
    description: 'A stranger wrote while the agent had the thread: record it and hand the thread to a human',
    actions: [
      { type: 'recordReply', params: replyOf },
      { type: 'markInboxTaken', params: replyOf },
      { type: 'enqueueReply', params: replyOf },
      { type: 'autoClaim', params: replyOf },
      { type: 'recordAutoTakeover', params: replyOf },
    ],
  },
  {
    guard: 'fromStranger',
    description: 'A stranger wrote while a human has the thread: record and queue it (relayed, not answered)',
    actions: [
      { type: 'recordReply', params: replyOf },
      { type: 'markInboxTaken', params: replyOf },
      { type: 'enqueueReply', params: replyOf },
    ],
  },
  {
    description: 'The counterparty wrote: record it, remember the sender, queue it',
    actions: [
      { type: 'recordReply', params: replyOf },
      { type: 'markInboxTaken', params: replyOf },
      { type: 'trackContact', params: replyOf },
      { type: 'enqueueReply', params: replyOf },
    ],
  },
] as const;

const CLAIM = {
  guard: 'agentControlled',
  description: 'A person takes the thread over (D6)',
  actions: ['claim', 'recordTakeover'],
} as const;
const RELEASE = {
  guard: 'humanControlled',
  description: 'A person hands the thread back to the agent',
  actions: ['release', 'recordRelease'],
} as const;

/** Deferred pause/stop are applied as soon as a stable state is reached. */
const CONTROL_RULES = [
  { guard: { type: 'pending', params: 'stop' }, target: '#neg.stopped', description: 'Apply a deferred stop' },
  { guard: { type: 'pending', params: 'pause' }, target: '#neg.paused', description: 'Apply a deferred pause' },
] as const;

/** Rules of a stable waiting state: deferred control first, then queued replies (relayed when a human has it). */
const IDLE_RULES = [
  ...CONTROL_RULES,
  {
    guard: 'queuedForHuman',
    target: 'relaying',
    description: 'A human has the thread: relay the reply',
    actions: 'takeNextReply',
  },
  {
    guard: 'hasQueue',
    target: '#neg.active.counter_received',
    description: 'Answer the next reply',
    actions: 'takeNextReply',
  },
] as const;

const ESCALATION_ACTIONS = {
  APPROVE: {
    guard: 'approvable',
    target: 'approving',
    description: 'A person approves a counter within the approval rule (machines/approval.ts)',
    actions: [
      { type: 'recordApproval', params: approvalOf },
      { type: 'draftApproved', params: approvalOf },
    ],
  },
  WALK_AWAY: {
    target: 'exiting',
    description: 'A person ends the negotiation: a polite exit email',
    actions: ['recordWalkAway', 'draftExit'],
  },
} as const;

/** A Slack notification about this negotiation; failures are recorded and never block it. */
function notifying(
  kind: Exclude<NotifyKind, 'reply'>,
  key: (c: NegotiationContext) => string,
  next: 'waiting' | 'idle' | 'done',
) {
  return machineSetup.createStateConfig({
    description: `Tells the team in Slack (${kind})`,
    tags: ['busy'],
    entry: { type: 'requestEffect', params: ({ context }) => ({ key: key(context), kind: 'notify' }) },
    invoke: {
      id: 'notify',
      src: 'notify',
      input: ({ context }) => notifyInput(context, kind, key(context)),
      onDone: { target: next, actions: { type: 'storeSlackTs', params: ({ event }) => event.output } },
      onError: { target: next, actions: effectError('notify') },
    },
  });
}

/** Posts a reply the agent will not answer to the Slack thread of its negotiation (decisions D1). */
function relaying(back: 'idle' | 'waiting') {
  return machineSetup.createStateConfig({
    description: 'Posts the reply to the Slack thread: a human reads it, the agent does not answer',
    tags: ['busy'],
    entry: { type: 'requestEffect', params: ({ context }) => ({ key: relayKey(context), kind: 'notify' }) },
    invoke: {
      id: 'notify',
      src: 'notify',
      input: ({ context }) => notifyInput(context, 'reply', relayKey(context), context.current),
      onDone: { target: back, actions: 'finishReply' },
      onError: { target: back, actions: [effectError('notify'), 'finishReply'] },
    },
  });
}

/** awaiting_reply and counter_sent: wait for a reply, follow up once, then go stale (decisions D7). */
const WAITING = machineSetup.createStateConfig({
  initial: 'idle',
  states: {
    idle: {
      description: 'Waits for their reply; the scheduler sends TIMEOUT when the follow-up or stale deadline passes',
      always: IDLE_RULES,
      on: {
        TIMEOUT: [
          { guard: 'humanControlled', description: 'A human has the thread: no follow-up from the agent' },
          {
            guard: 'followUpSent',
            target: '#neg.active.stale',
            description: 'No reply after the follow-up',
            actions: 'recordStale',
          },
          { target: 'following_up', description: 'No reply yet: follow up once', actions: 'draftFollowUp' },
        ],
      },
    },
    relaying: relaying('idle'),
    following_up: { ...emailChain, description: 'Sends the one follow-up', onDone: 'idle' },
  },
});

export const negotiationMachine = machineSetup.createMachine({
  id: 'neg',
  description: 'One influencer negotiation, from the opening offer to an agreement, a refusal or a stop',
  context: ({ input }) => initialContext(input),
  initial: 'active',
  states: {
    active: {
      description: 'The agent works the negotiation (a human may hold the thread meanwhile)',
      initial: 'initial_offer',
      on: {
        REPLY: RECEIVE_REPLY,
        PAUSE: { target: 'paused', description: 'A person pauses the agent', actions: 'recordControl' },
        STOP: { target: 'stopped', description: 'A person stops the negotiation', actions: 'recordControl' },
        CLAIM,
        RELEASE,
      },
      states: {
        hist: { type: 'history', history: 'deep', description: 'Where RESUME returns to' },
        initial_offer: {
          ...emailChain,
          description: 'Sends the opening offer',
          entry: 'draftOutreach',
          onDone: 'awaiting_reply',
        },
        awaiting_reply: { ...WAITING, description: 'Our offer is out: waiting for their first reply' },
        counter_received: {
          description: 'Reads their reply, decides, and answers it',
          tags: ['busy'],
          on: DEFER_CONTROL,
          initial: 'classifying',
          states: {
            classifying: {
              description: 'The model reads the reply: intent, ask, questions (D16)',
              entry: {
                type: 'requestEffect',
                params: ({ context }) => ({ key: classifyKey(context), kind: 'classify' }),
              },
              invoke: {
                id: 'classify',
                src: 'classify',
                input: ({ context }) => classifyInput(context),
                onDone: {
                  target: 'deciding',
                  actions: [
                    { type: 'storeClassification', params: ({ event }) => ({ classification: event.output }) },
                    'recordClassification',
                  ],
                },
                onError: escalateOnError('Model unavailable'),
              },
            },
            deciding: {
              description: 'The strategy decides: answer, counter, accept, exit or escalate (D2, D3)',
              invoke: {
                id: 'decide',
                src: 'decide',
                input: ({ context }) => ({
                  facts: factsOf(context),
                  classification: classificationOf(context),
                  campaignId: context.terms.campaignId,
                }),
                onDone: {
                  target: 'routing',
                  actions: { type: 'storeDecision', params: ({ event }) => ({ decision: event.output }) },
                },
                onError: escalateOnError('Decision failed'),
              },
            },
            routing: {
              description: 'Goes where the decision says (never a resting state)',
              always: [
                {
                  guard: { type: 'decisionIs', params: 'escalate' },
                  target: ESCALATED,
                  description: 'The strategy needs a human',
                  actions: ['openEscalation', 'emitEscalation'],
                },
                {
                  guard: { type: 'decisionIs', params: 'reject' },
                  target: '#neg.rejected',
                  description: 'Nothing to answer: the negotiation ends',
                  actions: 'finishReply',
                },
                { target: 'emailing', description: 'Write the email decided', actions: 'draftFromDecision' },
              ],
            },
            emailing: {
              ...emailChain,
              description: 'Sends the email decided: a counter, an answer, a confirmation or an exit',
              onDone: [
                {
                  guard: { type: 'draftKindIs', params: 'confirmation' },
                  target: '#neg.agreed',
                  description: 'They accepted: we confirmed the deal',
                  actions: 'recordAgreement',
                },
                { guard: { type: 'draftKindIs', params: 'exit' }, target: '#neg.rejected', description: 'We left' },
                { target: '#neg.active.counter_sent', description: 'Our counter or answer is out' },
              ],
            },
          },
        },
        counter_sent: { ...WAITING, description: 'Our counter is out: waiting for their reply' },
        escalated: {
          description: 'A human decides: approve a counter or walk away (D8); replies are read and relayed',
          initial: 'notifying',
          states: {
            notifying: { ...notifying('escalation', escalationKey, 'waiting'), on: ESCALATION_ACTIONS },
            waiting: {
              description: 'Waits for a person to approve or walk away',
              on: ESCALATION_ACTIONS,
              always: [
                ...CONTROL_RULES,
                {
                  guard: 'nextFromContact',
                  target: 'reading',
                  description: 'The counterparty wrote: read it first',
                  actions: 'takeNextReply',
                },
                {
                  guard: 'hasQueue',
                  target: 'relaying',
                  description: 'Someone else wrote: relay it',
                  actions: 'takeNextReply',
                },
              ],
            },
            // D16: a reply is read (one classify call, no answer), then relayed with its ask to the Slack thread.
            // No decision while it is read: its ask may change what can be approved.
            reading: {
              description: 'Reads their reply (no answer): its ask updates the escalation (D16)',
              tags: ['busy'],
              on: DEFER_CONTROL,
              entry: {
                type: 'requestEffect',
                params: ({ context }) => ({ key: classifyKey(context), kind: 'classify' }),
              },
              invoke: {
                id: 'classify',
                src: 'classify',
                input: ({ context }) => classifyInput(context),
                onDone: {
                  target: 'relaying',
                  actions: [
                    { type: 'readWhileEscalated', params: ({ event }) => ({ classification: event.output }) },
                    'recordClassification',
                  ],
                },
                // Unread, the reply is still relayed: the team reads it themselves.
                onError: { target: 'relaying', actions: effectError('classify') },
              },
            },
            // Decisions wait until the escalation shows the reply (so a refreshed message never hides one).
            relaying: relaying('waiting'),
            approving: {
              ...emailChain,
              description: 'Sends the approved counter',
              onDone: { target: '#neg.active.counter_sent', actions: 'closeEscalation' },
            },
            exiting: { ...emailChain, description: 'Sends the exit email', onDone: '#neg.rejected' },
          },
        },
        stale: {
          description: 'No reply after the follow-up: the team is told; a late reply still counts',
          initial: 'notifying',
          states: {
            notifying: notifying('stale', staleKey, 'idle'),
            idle: { description: 'Waits for a late reply', always: IDLE_RULES },
            relaying: relaying('idle'),
          },
        },
      },
    },
    paused: {
      description: 'A person paused the agent: replies are recorded and queued; RESUME returns where it was',
      entry: 'clearPendingControl',
      on: {
        REPLY: RECEIVE_REPLY,
        RESUME: { target: '#neg.active.hist', description: 'Back where it was paused', actions: 'recordControl' },
        STOP: { target: 'stopped', description: 'A person stops the negotiation', actions: 'recordControl' },
        CLAIM,
        RELEASE,
      },
    },
    agreed: {
      description: 'A deal at the agreed rate',
      initial: 'notifying',
      states: {
        notifying: notifying('agreement', agreementKey, 'done'),
        done: { type: 'final', description: 'The team was told of the deal' },
      },
    },
    rejected: { type: 'final', description: 'The negotiation ended without a deal' },
    stopped: { entry: 'clearPendingControl', type: 'final', description: 'A person stopped the negotiation' },
  },
});
