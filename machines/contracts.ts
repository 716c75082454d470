/**
 * What the negotiation machine takes and gives: its input, context, events, emitted records and the input and
 * output of every effect the host provides. Types only; the chart is machines/negotiation.ts.
 *
 * The context is persisted in every snapshot: a field added, renamed or dropped here must keep old snapshots
 * restorable (persistence/snapshot-shape.ts checks stored contexts against this list).
 */
import type { ContactBook } from '../services/counterparty.ts';
import type { NotifyInput, NotifyKind } from '../services/chat/messages.ts';
import type { Escalation, Influencer, Terms } from '../services/domain.ts';
import type { GateFailure } from '../services/gate.ts';
import type { LeverState } from '../services/levers.ts';
import type { Classification, ComposeInput } from '../services/model/port.ts';
import type { Cents } from '../services/money.ts';
import type { Decision, EmailPlan, NegotiationFacts } from '../services/strategy.ts';

// Declared with the messages and the domain they belong to; part of the machine's contract all the same.
export type { Escalation, NotifyInput, NotifyKind };

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

/** What the outside world tells a negotiation (the host sends these; effects answer with done/error events). */
export type NegotiationEvent =
  /** A counterparty's email in the thread, already recorded in the durable inbox. */
  | { type: 'REPLY'; reply: Reply }
  /** The scheduler's deadline passed while we waited for a reply (D7): follow up once, then go stale. */
  | { type: 'TIMEOUT'; at: string }
  /** A person pauses the agent; an email being prepared or sent finishes first. */
  /** `unsent`: the send queue gave back this negotiation's waiting email (nothing is in the mailbox's hands). */
  | { type: 'PAUSE'; by: string; unsent?: boolean }
  /** A person resumes a paused negotiation exactly where it stopped. */
  | { type: 'RESUME'; by: string }
  /** A person ends the negotiation for good. */
  | { type: 'STOP'; by: string; unsent?: boolean }
  /** A person takes the thread over: the agent keeps reading but stops answering (D6). */
  | { type: 'CLAIM'; by: string }
  /** A person hands the thread back to the agent. */
  | { type: 'RELEASE'; by: string }
  /** A person approves a counter at `rateCents` for an escalated negotiation (D8, machines/approval.ts). */
  | { type: 'APPROVE'; rateCents: Cents; by: string }
  /** A person ends an escalated negotiation with a polite exit email. */
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
/** What the compose effect needs: the model port's input (the agent's name is added by the host), keyed. */
export type ComposeActorInput = Omit<ComposeInput, 'agentName'> & { key: string; negotiationId: string };
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
export interface NotifyOutput {
  ts: string;
}
