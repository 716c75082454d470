/**
 * One influencer negotiation as an XState v5 machine. Pure: no I/O imports. Every effect is an invoked actor
 * referenced by key and provided by the host (server/effects.ts). Records for the timeline, the inbox and the
 * effect journal are emitted and written by the host in the same transaction as the snapshot.
 *
 * Shape: `active` holds the working domain states and a deep history state, so `paused` resumes exactly where
 * it left off (decisions D6). Pause/stop that arrive while an email is being prepared or sent are deferred to
 * the next stable state, so an email is never sent without being recorded.
 */
import { and, assign, emit, fromPromise, type SnapshotFrom, setup } from 'xstate';
import { addressOf } from '../services/addresses.ts';
import {
  type ContactBook,
  contactName,
  describeSender,
  judgeSender,
  knownEmails,
  newContactBook,
  recordContact,
} from '../services/counterparty.ts';
import type { DomainState, Influencer, Terms } from '../services/domain.ts';
import type { GateFailure } from '../services/gate.ts';
import { INITIAL_LEVER_STATE, type LeverState } from '../services/levers.ts';
import type { Classification, ComposeInput, EmailKind } from '../services/model/port.ts';
import { type Cents, formatUsd } from '../services/money.ts';
import { emailHtml as sowEmailHtml, insertSow, type SowInput, sowBlock } from '../services/sow.ts';
import { type Decision, type EmailPlan, type NegotiationFacts, suggestedCounterCents } from '../services/strategy.ts';

/** Bump when the machine changes in a way old snapshots cannot be restored into (see persistence/store.ts). */
export const MACHINE_VERSION = 2;

export interface Reply {
  messageId: string;
  from: string;
  subject: string;
  text: string;
  receivedAt: string;
  /** A signature the mail parser cut off; the counterparty classifier reads it (domain.md §4.2). */
  signature?: string;
  /** Quoted history / forwarded content the reply extraction cut away: context only, never their words (D16). */
  quoted?: string;
  /** True when the extraction could not separate their new text with confidence: the reply reads as unclear (D16). */
  uncertain?: boolean;
}

export interface Draft extends EmailPlan {
  seq: number; // unique per negotiation: keys the compose and send effects
  attempt: number;
  theirAskCents: Cents | null;
  prose: string | null;
  failures: GateFailure[];
}

export interface Escalation {
  /** Which escalation of the negotiation this is (context.escalations): its Slack buttons carry it (D19). */
  seq?: number; // absent in snapshots written before buttons were bound
  reason: string;
  trigger: string;
  evidence: string | null;
  askCents: Cents | null;
  suggestedCents: Cents | null;
  draft: string | null;
  slackTs: string | null;
}

export interface NegotiationContext {
  id: string;
  influencer: Influencer;
  terms: Terms;
  openingCents: Cents;
  threadId: string | null;
  subject: string;
  references: string[]; // Message-IDs of the thread, oldest first
  lastOfferCents: Cents | null;
  theirAskCents: Cents | null;
  agreedCents: Cents | null;
  approvedCeilingCents: Cents | null;
  round: number;
  emailsSent: number;
  drafts: number;
  escalations: number;
  deliverables: string;
  usageRights: string | null;
  levers: LeverState;
  leversUsed: number;
  humanControlled: boolean;
  controlledBy: string | null;
  queue: Reply[]; // recorded replies not yet decided or relayed
  current: Reply | null;
  classification: Classification | null;
  decision: Decision | null;
  draft: Draft | null;
  escalation: Escalation | null;
  pendingControl: 'pause' | 'stop' | null;
  lastOutboundAt: string | null;
  followUpSent: boolean;
  /** Who may write in the thread (D6) and who we are dealing with (domain.md §4). */
  contacts: ContactBook;
  /** Where our next email goes: the counterparty who last wrote (the influencer or their manager). */
  replyTo: string;
  agentEmail: string;
}

export interface NegotiationInput {
  id: string;
  influencer: Influencer;
  terms: Terms;
  openingCents: Cents;
  agentEmail: string;
  startedAt: string;
}

export type NegotiationEvent =
  | { type: 'REPLY'; reply: Reply }
  | { type: 'TIMEOUT'; at: string }
  | { type: 'PAUSE'; by: string }
  | { type: 'RESUME'; by: string }
  | { type: 'STOP'; by: string }
  | { type: 'CLAIM'; by: string }
  | { type: 'RELEASE'; by: string }
  | { type: 'APPROVE'; rateCents: Cents; by: string }
  | { type: 'WALK_AWAY'; by: string };

/** A timeline/audit row. `type` is the audit event type (decisions D14). */
export interface TimelineEntry {
  type:
    | 'email_sent'
    | 'email_received'
    | 'escalation'
    | 'agreement'
    | 'approval'
    | 'walk_away'
    | 'takeover'
    | 'release'
    | 'control'
    | 'notice'
    | 'classified'
    | 'error';
  [field: string]: unknown;
}

export type NegotiationEmitted =
  | { type: 'timeline'; entry: TimelineEntry }
  | { type: 'inbox.taken'; messageId: string }
  | { type: 'effect.requested'; key: string; kind: string };

// ---- effect inputs and outputs (implemented by the host) ----
export interface ClassifyInput {
  key: string;
  negotiationId: string;
  text: string;
  influencerName: string;
  lastOfferCents: Cents | null;
  /** What the reader needs (D16): quoted context, the extraction's doubt, the package and the average views. */
  quoted: string | null;
  uncertain: boolean;
  package: string;
  averageViews: number;
}
export interface DecideActorInput {
  facts: NegotiationFacts;
  classification: Classification;
  campaignId: string;
}
export interface ComposeActorInput {
  key: string;
  negotiationId: string;
  kind: EmailKind;
  influencerName: string;
  client: string;
  platform: string;
  rateCents: Cents;
  theirAskCents: Cents | null;
  deliverables: string;
  instructions: string | null;
  extraAllowedCents: Cents[];
  paymentTerms: string;
  attempt: number;
  counterparty: ComposeInput['counterparty'];
  theirMessage: string | null;
  rejectedBecause: string[];
}
export interface ValidateInput {
  prose: string;
  allowedCents: Cents[];
  requireSow: boolean;
  agreement: boolean;
}
export interface ValidateOutput {
  passed: boolean;
  failures: GateFailure[];
}
export interface SendEmailInput {
  key: string;
  negotiationId: string;
  to: string;
  subject: string;
  text: string;
  html?: string; // absent in inputs persisted before the HTML part existed
  threadId: string | null;
  inReplyTo: string | null;
  references: string[];
}
export interface SentEmail {
  messageId: string;
  threadId: string;
  sentAt: string;
}
export type NotifyKind = 'escalation' | 'agreement' | 'stale' | 'reply';
export interface NotifyInput {
  key: string;
  kind: NotifyKind;
  negotiationId: string;
  influencer: Influencer;
  terms: Terms;
  lastOfferCents: Cents | null;
  theirAskCents: Cents | null;
  agreedCents: Cents | null;
  deliverables: string; // the package as it stands (levers may have changed it)
  escalation: Escalation | null;
  reply: Reply | null;
  /** How a relayed reply was read while escalated (its ask updates the escalation, D16), else null. */
  classification: Classification | null;
  /** Who holds the negotiation when a human does (their messages offer "Resume agent"), else null. */
  controlledBy: string | null;
}
export interface NotifyOutput {
  ts: string;
}

type Ctx = NegotiationContext;
const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
const draftOf = (c: Ctx) => c.draft as Draft;
/** Who wrote it shows in the signature too (titles, "on behalf of"). */
const withSignature = (r: Reply) => (r.signature ? `${r.text}\n${r.signature}` : r.text);
/** Named actions see the external event union; done events of invoked effects carry `output`. */
const outputOf = <T>(event: unknown) => (event as { output: T }).output;

/** Whom our next email greets: the person it goes to (the influencer, or their manager who wrote, D6). */
function greetingName(c: Ctx): string {
  const known = contactName(c.contacts, c.replyTo);
  if (known) return known;
  return c.replyTo.toLowerCase() === addressOf(c.influencer.email) ? c.influencer.name : 'there';
}

function newDraft(c: Ctx, plan: EmailPlan): Draft {
  return { ...plan, seq: c.drafts + 1, attempt: 1, theirAskCents: c.theirAskCents, prose: null, failures: [] };
}

function plan(c: Ctx, kind: EmailKind, rateCents: Cents): EmailPlan {
  return {
    kind,
    rateCents,
    deliverables: c.deliverables,
    usageRights: c.usageRights,
    instructions: null,
    extraAllowedCents: [],
    levers: c.levers,
    leversUsed: c.leversUsed,
  };
}

export function factsOf(c: Ctx): NegotiationFacts {
  return {
    influencer: c.influencer,
    terms: c.terms,
    lastOfferCents: c.lastOfferCents,
    round: c.round,
    deliverables: c.deliverables,
    usageRights: c.usageRights,
    levers: c.levers,
    leversUsed: c.leversUsed,
    approvedCeilingCents: c.approvedCeilingCents,
  };
}

const sowOf = (d: Draft): SowInput | null =>
  d.kind === 'exit'
    ? null
    : {
        deliverables: d.deliverables,
        usageRights: d.usageRights,
        rateCents: d.rateCents,
        theirAskCents: d.kind === 'confirmation' ? null : d.theirAskCents,
      };

/** The full email text: the checked prose with the deterministic scope-of-work block inserted (D10). */
export function emailText(d: Draft): string {
  const sow = sowOf(d);
  return sow ? insertSow(d.prose ?? '', sowBlock(sow)) : (d.prose ?? '');
}

/** The same email as HTML, the scope-of-work block with their ask struck through (D19). */
export function emailHtml(d: Draft): string {
  return sowEmailHtml(d.prose ?? '', sowOf(d));
}

function notifyInput(c: Ctx, kind: NotifyKind, key: string, reply: Reply | null = null): NotifyInput {
  return {
    key,
    kind,
    negotiationId: c.id,
    influencer: c.influencer,
    terms: c.terms,
    lastOfferCents: c.lastOfferCents,
    theirAskCents: c.theirAskCents,
    agreedCents: c.agreedCents,
    deliverables: c.deliverables,
    escalation: c.escalation,
    reply,
    classification: kind === 'reply' ? c.classification : null,
    controlledBy: c.humanControlled ? (c.controlledBy ?? 'a teammate') : null,
  };
}

/** The classify effect's input for the reply being decided or read: one builder for every state that reads. */
function classifyInput(context: Ctx): ClassifyInput {
  return {
    key: classifyKey(context),
    negotiationId: context.id,
    text: (context.current as Reply).text,
    influencerName: context.influencer.name,
    lastOfferCents: context.lastOfferCents,
    quoted: (context.current as Reply).quoted ?? null,
    uncertain: (context.current as Reply).uncertain === true,
    package: context.deliverables,
    averageViews: context.influencer.averageViews,
  };
}

export interface ApprovalRefusal {
  code: 'invalid_rate' | 'rate_below_last_offer' | 'rate_above_ask';
  message: string;
}

/**
 * The one approval rule (D3.2, D3.3, D8), used by the machine's guard and by every command that approves: a human
 * may approve a counter from our standing offer (the opening offer before any was sent) up to their latest ask.
 */
export function approvalRefusal(
  c: Pick<Ctx, 'lastOfferCents' | 'openingCents' | 'theirAskCents'>,
  rateCents: number,
): ApprovalRefusal | null {
  if (!Number.isSafeInteger(rateCents) || rateCents <= 0) {
    return { code: 'invalid_rate', message: 'An approval needs a positive amount' };
  }
  const floor = c.lastOfferCents ?? c.openingCents;
  if (rateCents < floor) {
    const what = c.lastOfferCents == null ? 'our opening offer' : 'our last offer';
    return {
      code: 'rate_below_last_offer',
      message: `Our offers never go down: approve at least ${formatUsd(floor)} (${what})`,
    };
  }
  if (c.theirAskCents != null && rateCents > c.theirAskCents) {
    return {
      code: 'rate_above_ask',
      message: `Their latest ask is ${formatUsd(c.theirAskCents)}; an approval cannot exceed it`,
    };
  }
  return null;
}

/** The amount to suggest a human approves, or null when no counter between our offer and their ask exists. */
function approvableSuggestion(c: Ctx, suggested: Cents | null): Cents | null {
  return suggested != null && approvalRefusal(c, suggested) === null ? suggested : null;
}

const machineSetup = setup({
  types: {
    context: {} as NegotiationContext,
    events: {} as NegotiationEvent,
    input: {} as NegotiationInput,
    emitted: {} as NegotiationEmitted,
  },
  actors: {
    // Placeholders: the host provides the real implementations with machine.provide({ actors }).
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
    followUpSent: ({ context }) => context.followUpSent,
    pending: ({ context }, kind: 'pause' | 'stop') => context.pendingControl === kind,
    decisionIs: ({ context }, kind: Decision['kind']) => context.decision?.kind === kind,
    draftKindIs: ({ context }, kind: EmailKind) => context.draft?.kind === kind,
    canRegenerate: ({ context }) => (context.draft?.attempt ?? 2) < 2,
    approvable: ({ context, event }) => event.type === 'APPROVE' && approvalRefusal(context, event.rateCents) === null,
  },
  actions: {
    enqueueReply: assign(({ context, event }) =>
      event.type === 'REPLY'
        ? // their message joins the thread: our answer is In-Reply-To it
          { queue: [...context.queue, event.reply], references: [...context.references, event.reply.messageId] }
        : {},
    ),
    /** A known or newly admitted counterparty: remember them, and answer them next. */
    trackContact: assign(({ context, event }) => {
      if (event.type !== 'REPLY') return {};
      const { from, receivedAt } = event.reply;
      const profile = describeSender(from, withSignature(event.reply), context.influencer.name, context.agentEmail);
      return { contacts: recordContact(context.contacts, from, profile, receivedAt), replyTo: addressOf(from) };
    }),
    recordReply: emit(({ event }) => {
      const reply = (event as Extract<NegotiationEvent, { type: 'REPLY' }>).reply;
      return { type: 'timeline' as const, entry: { type: 'email_received' as const, ...reply } };
    }),
    markInboxTaken: emit(({ event }) => ({
      type: 'inbox.taken' as const,
      messageId: (event as Extract<NegotiationEvent, { type: 'REPLY' }>).reply.messageId,
    })),
    takeNextReply: assign(({ context }) => ({ current: context.queue[0] ?? null, queue: context.queue.slice(1) })),
    requestEffect: emit((_, params: { key: string; kind: string }) => ({
      type: 'effect.requested' as const,
      ...params,
    })),
    deferControl: assign({
      pendingControl: ({ context, event }) =>
        context.pendingControl === 'stop' || event.type === 'STOP' ? 'stop' : 'pause',
    }),
    clearPendingControl: assign({ pendingControl: null }),
    recordControl: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: { type: 'control' as const, action: event.type.toLowerCase(), by: 'by' in event ? event.by : null },
    })),
    claim: assign({
      humanControlled: true,
      controlledBy: ({ event }) => ('by' in event ? event.by : null),
    }),
    release: assign({ humanControlled: false, controlledBy: null }),
    autoClaim: assign({
      humanControlled: true,
      controlledBy: ({ event }) => (event.type === 'REPLY' ? `auto-detected: ${addressOf(event.reply.from)}` : null),
    }),
    recordAutoTakeover: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: {
        type: 'takeover' as const,
        by: 'auto-detected',
        sender: event.type === 'REPLY' ? addressOf(event.reply.from) : null,
      },
    })),
    recordTakeover: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: { type: 'takeover' as const, by: 'by' in event ? event.by : null },
    })),
    recordRelease: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: { type: 'release' as const, by: 'by' in event ? event.by : null },
    })),
    /**
     * A reply read while escalated (D16): its ask (an acceptance accepts our standing offer) replaces their ask,
     * and the escalation shows it with a recomputed suggestion. Nothing is sent (D1).
     */
    readWhileEscalated: assign(({ context, event }) => {
      const classification = outputOf<Classification>(event);
      const ask = classification.askCents ?? (classification.intent === 'accept' ? context.lastOfferCents : null);
      if (ask == null || ask <= 0 || !context.escalation) return { classification };
      const updated = { ...context, theirAskCents: ask };
      const floor = context.lastOfferCents ?? context.openingCents;
      return {
        classification,
        theirAskCents: ask,
        escalation: {
          ...context.escalation,
          askCents: ask,
          suggestedCents: approvableSuggestion(updated, suggestedCounterCents(floor, ask)),
        },
      };
    }),
    storeClassification: assign(({ context, event }) => {
      const classification = outputOf<Classification>(event);
      return { classification, theirAskCents: classification.askCents ?? context.theirAskCents };
    }),
    recordClassification: emit(({ context }) => ({
      type: 'timeline' as const,
      entry: { type: 'classified' as const, messageId: context.current?.messageId, ...context.classification },
    })),
    storeDecision: assign({ decision: ({ event }) => outputOf<Decision>(event) }),
    draftFromDecision: assign(({ context }) => {
      const decision = context.decision as Extract<Decision, { kind: 'email' }>;
      return { draft: newDraft(context, decision.email), drafts: context.drafts + 1 };
    }),
    draftOutreach: assign(({ context }) => ({
      draft: newDraft(context, plan(context, 'outreach', context.openingCents)),
      drafts: context.drafts + 1,
    })),
    draftFollowUp: assign(({ context }) => ({
      draft: newDraft(context, plan(context, 'followup', context.lastOfferCents ?? context.openingCents)),
      drafts: context.drafts + 1,
    })),
    draftApproved: assign(({ context, event }) => {
      const rate = (event as Extract<NegotiationEvent, { type: 'APPROVE' }>).rateCents;
      return {
        draft: newDraft(context, plan(context, 'counter', rate)),
        drafts: context.drafts + 1,
        approvedCeilingCents: Math.max(context.approvedCeilingCents ?? 0, rate),
      };
    }),
    draftExit: assign(({ context }) => ({
      draft: newDraft(context, plan(context, 'exit', context.lastOfferCents ?? context.openingCents)),
      drafts: context.drafts + 1,
    })),
    recordApproval: emit(({ event }) => {
      const e = event as Extract<NegotiationEvent, { type: 'APPROVE' }>;
      return { type: 'timeline' as const, entry: { type: 'approval' as const, by: e.by, rateCents: e.rateCents } };
    }),
    recordWalkAway: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: { type: 'walk_away' as const, by: 'by' in event ? event.by : null },
    })),
    storeProse: assign({
      draft: ({ context, event }) => ({
        ...draftOf(context),
        prose: (event as unknown as { output: { prose: string } }).output.prose,
      }),
    }),
    storeGateResult: assign({
      draft: ({ context, event }) => ({ ...draftOf(context), failures: outputOf<ValidateOutput>(event).failures }),
    }),
    nextAttempt: assign({
      draft: ({ context }) => ({ ...draftOf(context), attempt: draftOf(context).attempt + 1, prose: null }),
    }),
    recordSent: assign(({ context, event }) => {
      const sent = outputOf<SentEmail>(event);
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
        current: null,
        classification: null,
        decision: null,
        draft: null,
      };
    }),
    emitSent: emit(({ context, event }) => {
      const sent = outputOf<SentEmail>(event);
      const d = draftOf(context);
      return {
        type: 'timeline' as const,
        entry: {
          type: 'email_sent' as const,
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
      type: 'timeline' as const,
      entry: { type: 'agreement' as const, rateCents: context.agreedCents, views: context.influencer.averageViews },
    })),
    openEscalation: assign(({ context, event }, params: { reason?: string } | undefined) => {
      const decision = context.decision?.kind === 'escalate' && !params?.reason ? context.decision : null;
      const failed = context.draft?.failures.length && !params?.reason ? context.draft : null;
      const error = params?.reason ? `${params.reason}: ${errorText((event as { error?: unknown }).error)}` : null;
      const seq = context.escalations + 1;
      const opened: Escalation = decision
        ? { seq, ...decision, draft: null, slackTs: null }
        : {
            seq,
            reason: error ?? `Validation failed: ${failed?.failures.map((f) => f.detail).join('; ')}`,
            trigger: error ? 'effect_failed' : 'validation',
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
      type: 'timeline' as const,
      entry: { type: 'escalation' as const, ...(context.escalation as Escalation) },
    })),
    closeEscalation: assign({ escalation: null }),
    storeSlackTs: assign({
      escalation: ({ context, event }) =>
        context.escalation && {
          ...context.escalation,
          slackTs: context.escalation.slackTs ?? outputOf<NotifyOutput>(event).ts,
        },
    }),
    recordClassifyError: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: { type: 'error' as const, effect: 'classify', message: errorText((event as { error?: unknown }).error) },
    })),
    recordNotifyError: emit(({ event }) => ({
      type: 'timeline' as const,
      entry: { type: 'error' as const, effect: 'notify', message: errorText((event as { error?: unknown }).error) },
    })),
    recordStale: emit({ type: 'timeline', entry: { type: 'notice', notice: 'stale' } }),
    finishReply: assign({ current: null, classification: null, decision: null }),
  },
});

function placeholder<I, O>(name: string) {
  // A typed stand-in so the machine can be built without the host; running it unprovided is a bug.
  return fromPromise<O, I>(async () => {
    throw new Error(`effect "${name}" is not provided`);
  });
}

/**
 * Every reply is recorded and queued first (D1); one from a stranger (a teammate, an unknown address) hands the
 * thread to a human (D6), one from a known or newly admitted contact updates the contact book.
 */
const RECEIVE_REPLY = [
  {
    guard: and(['fromStranger', 'agentControlled']),
    actions: ['recordReply', 'markInboxTaken', 'enqueueReply', 'autoClaim', 'recordAutoTakeover'],
  },
  { guard: 'fromStranger', actions: ['recordReply', 'markInboxTaken', 'enqueueReply'] },
  { actions: ['recordReply', 'markInboxTaken', 'trackContact', 'enqueueReply'] },
] as const;

const DEFER_CONTROL = {
  PAUSE: { actions: ['deferControl', 'recordControl'] },
  STOP: { actions: ['deferControl', 'recordControl'] },
} as const;

/** Deferred pause/stop are applied as soon as a stable state is reached. */
const CONTROL_RULES = [
  { guard: { type: 'pending', params: 'stop' }, target: '#neg.stopped' },
  { guard: { type: 'pending', params: 'pause' }, target: '#neg.paused' },
] as const;

const ESCALATION_ACTIONS = {
  APPROVE: {
    guard: 'approvable',
    target: '#neg.active.escalated.approving',
    actions: ['recordApproval', 'draftApproved'],
  },
  WALK_AWAY: { target: '#neg.active.escalated.exiting', actions: ['recordWalkAway', 'draftExit'] },
} as const;

const classifyKey = (c: Ctx) => `${c.id}:classify:${(c.current as Reply).messageId}`;
const escalationKey = (c: Ctx) => `${c.id}:notify:escalation:${c.escalations}`;
const staleKey = (c: Ctx) => `${c.id}:notify:stale:${c.emailsSent}`;
const agreementKey = (c: Ctx) => `${c.id}:notify:agreement`;
const relayKey = (c: Ctx) => `${c.id}:notify:reply:${c.current?.messageId}`;
const composeKey = (c: Ctx) => `${c.id}:compose:${draftOf(c).seq}:${draftOf(c).attempt}`;
const sendKey = (c: Ctx) => `${c.id}:send:${draftOf(c).seq}`;
const subjectOf = (c: Ctx) => (c.threadId ? `Re: ${c.subject}` : c.subject);

/** Transition into `escalated`; `reason` names a failed effect (its error is appended). */
function toEscalated(reason?: string) {
  return {
    target: '#neg.active.escalated',
    actions: [{ type: 'openEscalation', params: reason ? { reason } : undefined }, 'emitEscalation'],
  } as const;
}

/** Rules of a stable waiting state: deferred control first, then queued replies (relayed when a human has it). */
function idleRules(relaying: string) {
  return [
    ...CONTROL_RULES,
    { guard: and(['hasQueue', 'humanControlled']), target: relaying, actions: 'takeNextReply' },
    { guard: 'hasQueue', target: '#neg.active.counter_received', actions: 'takeNextReply' },
  ] as const;
}

/** A Slack notification about this negotiation; failures are recorded and never block it. */
function notifying(kind: Exclude<NotifyKind, 'reply'>, key: (c: Ctx) => string, next: string) {
  return machineSetup.createStateConfig({
    tags: ['busy'],
    entry: { type: 'requestEffect', params: ({ context }) => ({ key: key(context), kind: 'notify' }) },
    invoke: {
      id: 'notify',
      src: 'notify',
      input: ({ context }) => notifyInput(context, kind, key(context)),
      onDone: { target: next, actions: 'storeSlackTs' },
      onError: { target: next, actions: 'recordNotifyError' },
    },
  });
}

/** Posts a reply the agent will not answer to the Slack thread of its negotiation (decisions D1). */
function relay(back: string) {
  return machineSetup.createStateConfig({
    tags: ['busy'],
    entry: { type: 'requestEffect', params: ({ context }) => ({ key: relayKey(context), kind: 'notify' }) },
    invoke: {
      id: 'notify',
      src: 'notify',
      input: ({ context }) => notifyInput(context, 'reply', relayKey(context), context.current),
      onDone: { target: back, actions: 'finishReply' },
      onError: { target: back, actions: ['recordNotifyError', 'finishReply'] },
    },
  });
}

/** awaiting_reply and counter_sent: wait for a reply, follow up once, then go stale (decisions D7). */
function waiting(name: 'awaiting_reply' | 'counter_sent') {
  return machineSetup.createStateConfig({
    initial: 'idle',
    states: {
      idle: {
        always: idleRules(`#neg.active.${name}.relaying`),
        on: {
          TIMEOUT: [
            { guard: 'humanControlled' },
            { guard: 'followUpSent', target: '#neg.active.stale', actions: 'recordStale' },
            { target: 'following_up', actions: 'draftFollowUp' },
          ],
        },
      },
      relaying: relay(`#neg.active.${name}.idle`),
      following_up: emailChain([{ target: `#neg.active.${name}.idle` }]),
    },
  });
}

interface AfterSend {
  when?: EmailKind; // only for drafts of this kind
  target: string;
  closeEscalation?: boolean;
}

/**
 * compose -> validate (regenerate once) -> send. `sent` lists where to go once the email is out; any failure
 * escalates with the reason (and the rejected draft).
 */
function emailChain(sent: AfterSend[]) {
  return machineSetup.createStateConfig({
    tags: ['busy'],
    on: DEFER_CONTROL,
    initial: 'composing',
    states: {
      composing: {
        entry: { type: 'requestEffect', params: ({ context }) => ({ key: composeKey(context), kind: 'compose' }) },
        invoke: {
          id: 'compose',
          src: 'compose',
          input: ({ context }) => {
            const d = draftOf(context);
            return {
              key: composeKey(context),
              negotiationId: context.id,
              kind: d.kind,
              influencerName: firstName(greetingName(context)),
              client: context.terms.client,
              platform: context.terms.platform,
              rateCents: d.rateCents,
              theirAskCents: d.theirAskCents,
              deliverables: d.deliverables,
              instructions: d.instructions,
              extraAllowedCents: d.extraAllowedCents,
              paymentTerms: context.terms.paymentTerms,
              attempt: d.attempt,
              counterparty: { type: context.contacts.primaryType, agencyName: context.contacts.agencyName },
              theirMessage: context.classification?.summary ?? null,
              rejectedBecause:
                d.attempt > 1 ? d.failures.filter((f) => f.severity === 'error').map((f) => f.detail) : [],
            };
          },
          onDone: { target: 'validating', actions: 'storeProse' },
          onError: toEscalated('Model unavailable'),
        },
      },
      validating: {
        invoke: {
          id: 'validate',
          src: 'validate',
          input: ({ context }) => {
            const d = draftOf(context);
            return {
              prose: d.prose ?? '',
              allowedCents: [d.rateCents, ...d.extraAllowedCents],
              requireSow: d.kind !== 'exit',
              agreement: d.kind === 'confirmation',
            };
          },
          onDone: [
            { guard: ({ event }) => event.output.passed, target: 'sending', actions: 'storeGateResult' },
            { guard: 'canRegenerate', target: 'composing', reenter: true, actions: ['storeGateResult', 'nextAttempt'] },
            {
              target: '#neg.active.escalated',
              actions: ['storeGateResult', { type: 'openEscalation', params: undefined }, 'emitEscalation'],
            },
          ],
          onError: toEscalated('Validation failed to run'),
        },
      },
      sending: {
        entry: { type: 'requestEffect', params: ({ context }) => ({ key: sendKey(context), kind: 'send_email' }) },
        invoke: {
          id: 'send',
          src: 'sendEmail',
          input: ({ context }) => ({
            key: sendKey(context),
            negotiationId: context.id,
            to: context.replyTo,
            subject: subjectOf(context),
            text: emailText(draftOf(context)),
            html: emailHtml(draftOf(context)),
            threadId: context.threadId,
            inReplyTo: context.references.at(-1) ?? null,
            references: context.references,
          }),
          onDone: sent.map((t) => ({
            guard: t.when ? { type: 'draftKindIs', params: t.when } : undefined,
            target: t.target,
            actions: [
              'emitSent',
              'recordSent',
              ...(t.when === 'confirmation' ? (['recordAgreement'] as const) : []),
              ...(t.closeEscalation ? (['closeEscalation'] as const) : []),
            ],
          })),
          onError: toEscalated('Email could not be sent'),
        },
      },
    },
  });
}

export const negotiationMachine = machineSetup.createMachine({
  id: 'neg',
  context: ({ input }) => ({
    id: input.id,
    influencer: input.influencer,
    terms: input.terms,
    openingCents: input.openingCents,
    threadId: null,
    subject: `Collaboration Opportunity - ${input.terms.client}`,
    references: [],
    lastOfferCents: null,
    theirAskCents: null,
    agreedCents: null,
    approvedCeilingCents: null,
    round: 0,
    emailsSent: 0,
    drafts: 0,
    escalations: 0,
    deliverables: input.terms.deliverables,
    usageRights: null,
    levers: INITIAL_LEVER_STATE,
    leversUsed: 0,
    humanControlled: false,
    controlledBy: null,
    queue: [],
    current: null,
    classification: null,
    decision: null,
    draft: null,
    escalation: null,
    pendingControl: null,
    lastOutboundAt: null,
    followUpSent: false,
    contacts: newContactBook(input.influencer.email, input.influencer.name, input.startedAt),
    replyTo: input.influencer.email,
    agentEmail: input.agentEmail,
  }),
  initial: 'active',
  states: {
    active: {
      initial: 'initial_offer',
      on: {
        REPLY: RECEIVE_REPLY,
        PAUSE: { target: 'paused', actions: 'recordControl' },
        STOP: { target: 'stopped', actions: 'recordControl' },
        CLAIM: { guard: 'agentControlled', actions: ['claim', 'recordTakeover'] },
        RELEASE: { guard: 'humanControlled', actions: ['release', 'recordRelease'] },
      },
      states: {
        hist: { type: 'history', history: 'deep' },
        initial_offer: { entry: 'draftOutreach', ...emailChain([{ target: '#neg.active.awaiting_reply' }]) },
        awaiting_reply: waiting('awaiting_reply'),
        counter_received: {
          tags: ['busy'],
          on: DEFER_CONTROL,
          initial: 'classifying',
          states: {
            classifying: {
              entry: {
                type: 'requestEffect',
                params: ({ context }) => ({ key: classifyKey(context), kind: 'classify' }),
              },
              invoke: {
                id: 'classify',
                src: 'classify',
                input: ({ context }) => classifyInput(context),
                onDone: { target: 'deciding', actions: ['storeClassification', 'recordClassification'] },
                onError: toEscalated('Model unavailable'),
              },
            },
            deciding: {
              invoke: {
                id: 'decide',
                src: 'decide',
                input: ({ context }): DecideActorInput => ({
                  facts: factsOf(context),
                  classification: context.classification as Classification,
                  campaignId: context.terms.campaignId,
                }),
                onDone: { target: 'routing', actions: 'storeDecision' },
                onError: toEscalated('Decision failed'),
              },
            },
            routing: {
              always: [
                { guard: { type: 'decisionIs', params: 'escalate' }, ...toEscalated() },
                { guard: { type: 'decisionIs', params: 'reject' }, target: '#neg.rejected', actions: 'finishReply' },
                { target: 'emailing', actions: 'draftFromDecision' },
              ],
            },
            emailing: emailChain([
              { when: 'confirmation', target: '#neg.agreed' },
              { when: 'exit', target: '#neg.rejected' },
              { target: '#neg.active.counter_sent' },
            ]),
          },
        },
        counter_sent: waiting('counter_sent'),
        escalated: {
          initial: 'notifying',
          states: {
            notifying: { on: ESCALATION_ACTIONS, ...notifying('escalation', escalationKey, 'waiting') },
            waiting: {
              on: ESCALATION_ACTIONS,
              always: [
                ...CONTROL_RULES,
                { guard: 'nextFromContact', target: 'reading', actions: 'takeNextReply' },
                { guard: 'hasQueue', target: 'relaying', actions: 'takeNextReply' },
              ],
            },
            // D16: a reply is read (one classify call, no answer), then relayed with its ask to the Slack thread.
            // No decision while it is read: its ask may change what can be approved.
            reading: {
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
                onDone: { target: 'relaying', actions: ['readWhileEscalated', 'recordClassification'] },
                // Unread, the reply is still relayed: the team reads it themselves.
                onError: { target: 'relaying', actions: 'recordClassifyError' },
              },
            },
            // Decisions wait until the escalation shows the reply (so a refreshed message never hides one).
            relaying: relay('#neg.active.escalated.waiting'),
            approving: emailChain([{ target: '#neg.active.counter_sent', closeEscalation: true }]),
            exiting: emailChain([{ target: '#neg.rejected' }]),
          },
        },
        stale: {
          initial: 'notifying',
          states: {
            notifying: notifying('stale', staleKey, 'idle'),
            idle: { always: idleRules('#neg.active.stale.relaying') },
            relaying: relay('#neg.active.stale.idle'),
          },
        },
      },
    },
    paused: {
      entry: 'clearPendingControl',
      on: {
        REPLY: RECEIVE_REPLY,
        RESUME: { target: '#neg.active.hist', actions: 'recordControl' },
        STOP: { target: 'stopped', actions: 'recordControl' },
        CLAIM: { guard: 'agentControlled', actions: ['claim', 'recordTakeover'] },
        RELEASE: { guard: 'humanControlled', actions: ['release', 'recordRelease'] },
      },
    },
    agreed: {
      initial: 'notifying',
      states: {
        notifying: notifying('agreement', agreementKey, 'done'),
        done: { type: 'final' },
      },
    },
    rejected: { type: 'final' },
    stopped: { entry: 'clearPendingControl', type: 'final' },
  },
});

type NegotiationSnapshot = SnapshotFrom<typeof negotiationMachine>;

/** The domain state (api.md `state`) of a snapshot; finer machine states live inside it. */
export function domainStateOf(snapshot: Pick<NegotiationSnapshot, 'value'>): DomainState {
  const value = snapshot.value as string | Record<string, unknown>;
  if (typeof value === 'string') return value as DomainState;
  const [top, inner] = Object.entries(value)[0] as [string, string | Record<string, unknown>];
  if (top !== 'active') return top as DomainState;
  return (typeof inner === 'string' ? inner : Object.keys(inner)[0]) as DomainState;
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
