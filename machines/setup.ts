/**
 * The negotiation machine's named parts: its types, the effects it invokes (by key, provided by the host), its
 * guards and its actions. The chart that wires them is machines/negotiation.ts.
 *
 * Actions that need what an effect returned (or what a person sent) take it as `params`, given at the
 * transition where the event's type is known: named actions otherwise only see the union of outside events.
 */
import { and, assign, emit, fromPromise, setup } from 'xstate';
import { addressOf } from '../services/addresses.ts';
import { describeSender, judgeSender, knownEmails, recordContact } from '../services/counterparty.ts';
import type { GateFailure } from '../services/gate.ts';
import type { Classification, EmailKind } from '../services/model/port.ts';
import type { Cents } from '../services/money.ts';
import { type Decision, suggestedCounterCents } from '../services/strategy.ts';
import { approvableSuggestion, approvalRefusal, standingOfferCents } from './approval.ts';
import type {
  ClassifyInput,
  ComposeActorInput,
  DecideActorInput,
  Escalation,
  NegotiationContext,
  NegotiationEmitted,
  NegotiationEvent,
  NegotiationInput,
  NotifyInput,
  NotifyOutput,
  Reply,
  SendEmailInput,
  SentEmail,
  ValidateInput,
  ValidateOutput,
} from './contracts.ts';
import { draftOf, emailText, newDraft, planOf, subjectOf, withSignature } from './inputs.ts';

/** A person's approval of a counter (the APPROVE event). */
export interface Approval {
  rateCents: Cents;
  by: string;
}

function placeholder<I, O>(name: string) {
  // A typed stand-in so the machine can be built without the host; running it unprovided is a bug.
  return fromPromise<O, I>(async () => {
    throw new Error(`effect "${name}" is not provided`);
  });
}

export const machineSetup = setup({
  types: {
    context: {} as NegotiationContext,
    events: {} as NegotiationEvent,
    input: {} as NegotiationInput,
    emitted: {} as NegotiationEmitted,
  },
  actors: {
    // Placeholders: the host provides the real implementations with machine.provide({ actors }). These keys are
    // stored in persisted snapshots (the `src` of a running effect): renaming one breaks restoring them.
    classify: placeholder<ClassifyInput, Classification>('classify'),
    decide: placeholder<DecideActorInput, Decision>('decide'),
    compose: placeholder<ComposeActorInput, { prose: string }>('compose'),
    validate: placeholder<ValidateInput, ValidateOutput>('validate'),
    sendEmail: placeholder<SendEmailInput, SentEmail>('sendEmail'),
    notify: placeholder<NotifyInput, NotifyOutput>('notify'),
  },
  guards: {
    hasQueue: ({ context }) => context.queue.length > 0,
    /** The next reply is from the counterparty (a known contact), not a stranger: only theirs can carry an ask. */
    nextFromContact: ({ context }) =>
      context.queue.length > 0 && knownEmails(context.contacts).includes(addressOf(context.queue[0].from)),
    /** D6: a sender who is neither a known contact nor us means a human has joined the thread. */
    fromStranger: ({ context, event }) =>
      event.type === 'REPLY' &&
      judgeSender(context.contacts, event.reply.from, withSignature(event.reply), context.agentEmail) === 'stranger',
    humanControlled: ({ context }) => context.humanControlled,
    agentControlled: ({ context }) => !context.humanControlled,
    /** A stranger wrote while the agent had the thread: a human takes it over (D6). */
    strangerTakesOver: and(['fromStranger', 'agentControlled']),
    /** A reply is waiting while a human has the thread: it is relayed to them, not answered. */
    queuedForHuman: and(['hasQueue', 'humanControlled']),
    followUpSent: ({ context }) => context.followUpSent,
    pending: ({ context }, kind: 'pause' | 'stop') => context.pendingControl === kind,
    unsent: ({ event }) => (event.type === 'PAUSE' || event.type === 'STOP') && event.unsent === true,
    decisionIs: ({ context }, kind: Decision['kind']) => context.decision?.kind === kind,
    draftKindIs: ({ context }, kind: EmailKind) => context.draft?.kind === kind,
    /** The gate passed the draft (the validate effect's verdict, given as params). */
    gatePassed: (_, verdict: { passed: boolean }) => verdict.passed,
    canRegenerate: ({ context }) => (context.draft?.attempt ?? 2) < 2,
    approvable: ({ context, event }) => event.type === 'APPROVE' && approvalRefusal(context, event.rateCents) === null,
  },
  actions: {
    enqueueReply: assign(({ context }, { reply }: { reply: Reply }) => ({
      // their message joins the thread: our answer is In-Reply-To it
      queue: [...context.queue, reply],
      references: [...context.references, reply.messageId],
    })),
    /** A known or newly admitted counterparty: remember them, and answer them next. */
    trackContact: assign(({ context }, { reply }: { reply: Reply }) => {
      const profile = describeSender(reply.from, withSignature(reply), context.influencer.name, context.agentEmail);
      return {
        contacts: recordContact(context.contacts, reply.from, profile, reply.receivedAt),
        replyTo: addressOf(reply.from),
      };
    }),
    recordReply: emit((_, { reply }: { reply: Reply }) => ({
      type: 'timeline',
      entry: { type: 'email_received', ...reply },
    })),
    markInboxTaken: emit((_, { reply }: { reply: Reply }) => ({
      type: 'inbox.taken',
      messageId: reply.messageId,
    })),
    autoClaim: assign((_, { reply }: { reply: Reply }) => ({
      humanControlled: true,
      controlledBy: `auto-detected: ${addressOf(reply.from)}`,
    })),
    recordAutoTakeover: emit((_, { reply }: { reply: Reply }) => ({
      type: 'timeline',
      entry: { type: 'takeover', by: 'auto-detected', sender: addressOf(reply.from) },
    })),
    takeNextReply: assign(({ context }) => ({ current: context.queue[0] ?? null, queue: context.queue.slice(1) })),
    requestEffect: emit((_, params: { key: string; kind: string }) => ({
      type: 'effect.requested',
      ...params,
    })),
    deferControl: assign({
      pendingControl: ({ context, event }) =>
        context.pendingControl === 'stop' || event.type === 'STOP' ? 'stop' : 'pause',
    }),
    clearPendingControl: assign({ pendingControl: null }),
    recordControl: emit(({ event }) => ({
      type: 'timeline',
      entry: { type: 'control', action: event.type.toLowerCase(), by: 'by' in event ? event.by : null },
    })),
    claim: assign({
      humanControlled: true,
      controlledBy: ({ event }) => ('by' in event ? event.by : null),
    }),
    release: assign({ humanControlled: false, controlledBy: null }),
    recordTakeover: emit(({ event }) => ({
      type: 'timeline',
      entry: { type: 'takeover', by: 'by' in event ? event.by : null },
    })),
    recordRelease: emit(({ event }) => ({
      type: 'timeline',
      entry: { type: 'release', by: 'by' in event ? event.by : null },
    })),
    /**
     * A reply read while escalated (D16): its ask (an acceptance accepts our standing offer) replaces their ask,
     * and the escalation shows it with a recomputed suggestion. Nothing is sent (D1).
     */
    readWhileEscalated: assign(({ context }, { classification }: { classification: Classification }) => {
      const ask = classification.askCents ?? (classification.intent === 'accept' ? context.lastOfferCents : null);
      if (ask == null || ask <= 0 || !context.escalation) return { classification };
      const updated = { ...context, theirAskCents: ask };
      return {
        classification,
        theirAskCents: ask,
        escalation: {
          ...context.escalation,
          askCents: ask,
          suggestedCents: approvableSuggestion(updated, suggestedCounterCents(standingOfferCents(context), ask)),
        },
      };
    }),
    storeClassification: assign(({ context }, { classification }: { classification: Classification }) => ({
      classification,
      theirAskCents: classification.askCents ?? context.theirAskCents,
    })),
    recordClassification: emit(({ context }) => ({
      type: 'timeline',
      entry: { type: 'classified', messageId: context.current?.messageId, ...context.classification },
    })),
    storeDecision: assign((_, { decision }: { decision: Decision }) => ({ decision })),
    draftFromDecision: assign(({ context }) =>
      context.decision?.kind === 'email'
        ? { draft: newDraft(context, context.decision.email), drafts: context.drafts + 1 }
        : {},
    ),
    // Entered again by RESUME (history) after a pause that took the opening back from the send queue: the
    // draft it was sending is kept, so the same email (same keys) goes out once.
    draftOutreach: assign(({ context }) =>
      context.draft?.kind === 'outreach'
        ? {}
        : { draft: newDraft(context, planOf(context, 'outreach', context.openingCents)), drafts: context.drafts + 1 },
    ),
    draftFollowUp: assign(({ context }) => ({
      draft: newDraft(context, planOf(context, 'followup', standingOfferCents(context))),
      drafts: context.drafts + 1,
    })),
    draftApproved: assign(({ context }, { rateCents }: Approval) => ({
      draft: newDraft(context, planOf(context, 'counter', rateCents)),
      drafts: context.drafts + 1,
      approvedCeilingCents: Math.max(context.approvedCeilingCents ?? 0, rateCents),
    })),
    draftExit: assign(({ context }) => ({
      draft: newDraft(context, planOf(context, 'exit', standingOfferCents(context))),
      drafts: context.drafts + 1,
    })),
    recordApproval: emit((_, { rateCents, by }: Approval) => ({
      type: 'timeline',
      entry: { type: 'approval', by, rateCents },
    })),
    recordWalkAway: emit(({ event }) => ({
      type: 'timeline',
      entry: { type: 'walk_away', by: 'by' in event ? event.by : null },
    })),
    storeProse: assign(({ context }, { prose }: { prose: string }) => ({ draft: { ...draftOf(context), prose } })),
    storeGateResult: assign(({ context }, { failures }: { failures: GateFailure[] }) => ({
      draft: { ...draftOf(context), failures },
    })),
    nextAttempt: assign(({ context }) => ({
      draft: { ...draftOf(context), attempt: draftOf(context).attempt + 1, prose: null },
    })),
    /** The email is out: the thread, our standing offer and the package are what it said. */
    recordSent: assign(({ context }, { sent }: { sent: SentEmail }) => {
      const d = draftOf(context);
      const offer = d.kind === 'outreach' || d.kind === 'counter' || d.kind === 'answer';
      return {
        threadId: context.threadId ?? sent.threadId,
        references: [...context.references, sent.messageId],
        emailsSent: context.emailsSent + 1,
        lastOutboundAt: sent.sentAt,
        followUpSent: d.kind === 'followup',
        lastOfferCents: offer ? d.rateCents : context.lastOfferCents,
        round: d.kind === 'counter' || d.kind === 'answer' ? context.round + 1 : context.round,
        agreedCents: d.kind === 'confirmation' ? d.rateCents : context.agreedCents,
        deliverables: d.deliverables,
        usageRights: d.usageRights,
        levers: d.levers,
        leversUsed: d.leversUsed,
      };
    }),
    /** The email chain is over: the reply it answered, and the draft, are done with. */
    finishEmail: assign({ current: null, classification: null, decision: null, draft: null }),
    emitSent: emit(({ context }, { sent }: { sent: SentEmail }) => {
      const d = draftOf(context);
      return {
        type: 'timeline',
        entry: {
          type: 'email_sent',
          kind: d.kind,
          messageId: sent.messageId,
          threadId: sent.threadId,
          to: context.replyTo,
          subject: subjectOf(context),
          text: emailText(d),
          rateCents: d.rateCents,
          sentAt: sent.sentAt,
        },
      };
    }),
    recordAgreement: emit(({ context }) => ({
      type: 'timeline',
      entry: { type: 'agreement', rateCents: context.agreedCents, views: context.influencer.averageViews },
    })),
    /**
     * Opens an escalation: for a failed effect (`failure` names it and its error), the decision that escalated,
     * or the gate's rejection of the draft.
     */
    openEscalation: assign(({ context }, params: { failure: string } | undefined) => {
      const failure = params?.failure ?? null;
      const decision = context.decision?.kind === 'escalate' && !failure ? context.decision : null;
      const failed = context.draft?.failures.length && !failure ? context.draft : null;
      const seq = context.escalations + 1;
      const opened: Escalation = decision
        ? { seq, ...decision, draft: null, slackTs: null }
        : {
            seq,
            reason: failure ?? `Validation failed: ${failed?.failures.map((f) => f.detail).join('; ')}`,
            trigger: failure ? 'effect_failed' : 'validation',
            evidence: null,
            askCents: context.theirAskCents,
            suggestedCents: context.draft?.rateCents ?? context.lastOfferCents,
            draft: failed?.prose ?? null,
            slackTs: null,
          };
      // Only an amount the approval rule accepts becomes the "Approve counter at $X" button.
      const escalation = { ...opened, suggestedCents: approvableSuggestion(context, opened.suggestedCents) };
      return { escalation, escalations: seq, current: null, draft: null, decision: null };
    }),
    emitEscalation: emit(({ context }) => ({
      type: 'timeline',
      entry: { type: 'escalation', ...context.escalation },
    })),
    closeEscalation: assign({ escalation: null }),
    storeSlackTs: assign({
      escalation: ({ context }, { ts }: NotifyOutput) =>
        context.escalation && { ...context.escalation, slackTs: context.escalation.slackTs ?? ts },
    }),
    recordEffectError: emit((_, { effect, message }: { effect: 'classify' | 'notify'; message: string }) => ({
      type: 'timeline',
      entry: { type: 'error', effect, message },
    })),
    recordStale: emit({ type: 'timeline', entry: { type: 'notice', notice: 'stale' } }),
    finishReply: assign({ current: null, classification: null, decision: null }),
  },
});
