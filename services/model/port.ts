/** What the negotiation machines need from a language model (Claude in live mode, offline.ts in sandbox). */
import type { CounterpartyType } from '../counterparty.ts';
import type { Cents } from '../money.ts';

export type Intent = 'accept' | 'counter' | 'reject' | 'question' | 'unclear';

/** 'keyword': a hit on the team's always-escalate keyword list (config/escalation_triggers.yaml). */
export type TriggerKind = 'hostile' | 'legal' | 'unusual_deliverables' | 'keyword';

export interface Classification {
  intent: Intent;
  askCents: Cents | null;
  /** 0..1 */
  confidence: number;
  triggers: { kind: TriggerKind; evidence: string }[];
  summary: string;
}

/** Budget figures are never given to the classifier (D11). */
export interface ClassifyInput {
  /** The latest reply only, quoted history already stripped. Untrusted. */
  text: string;
  /** The quoted history the extraction cut away: context only, never their ask (D16). Untrusted. */
  quoted?: string | null;
  /** The extraction could not separate their new text with confidence: never an acceptance or an ask (D16). */
  uncertain?: boolean;
  influencerName: string;
  lastOfferCents: Cents | null;
  /** The deliverables being negotiated ("1 Instagram Reel, 2 Instagram Stories"): per-unit prices multiply out. */
  package?: string | null;
  /** The influencer's average views: a CPM quote converts with it (D16). */
  averageViews?: number | null;
}

export type EmailKind = 'outreach' | 'counter' | 'answer' | 'followup' | 'confirmation' | 'exit';

export interface ComposeInput {
  kind: EmailKind;
  influencerName: string;
  client: string;
  platform: string;
  rateCents: Cents;
  theirAskCents: Cents | null;
  deliverables: string;
  /** Lever guidance from the program, e.g. "propose a streamlined package". */
  instructions: string | null;
  /** Amounts the prose may mention besides the rate (product value, CPM target). */
  extraAllowedCents: Cents[];
  paymentTerms: string;
  agentName: string;
  /** 1, or 2 when regenerating after a gate failure. */
  attempt: number;
  /** Who we are writing to, for the tone (domain.md §4.5). */
  counterparty: { type: CounterpartyType; agencyName: string | null };
  /** The classifier's summary of their last reply (model output from untrusted text), or null. */
  theirMessage: string | null;
  /** Why the gate rejected the previous draft (attempt 2), else empty. */
  rejectedBecause: string[];
}

export interface ModelPort {
  classify(input: ClassifyInput): Promise<Classification>;
  /** Prose with the SOW placeholder (none for 'exit'); no subject, no signature block. */
  compose(input: ComposeInput): Promise<{ prose: string }>;
}
