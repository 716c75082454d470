/** Domain types shared by the machine, the services and the read models. Money is integer cents. */
import type { CampaignLevers } from './levers.ts';
import type { Cents } from './money.ts';

export const PLATFORMS = ['instagram', 'tiktok', 'youtube'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** The ten domain states of spec/domain.md §1.4 (finer machine states live inside them). */
export const DOMAIN_STATES = [
  'initial_offer',
  'awaiting_reply',
  'counter_received',
  'counter_sent',
  'agreed',
  'rejected',
  'escalated',
  'stale',
  'paused',
  'stopped',
] as const;
export type DomainState = (typeof DOMAIN_STATES)[number];
export const TERMINAL_STATES: ReadonlySet<DomainState> = new Set(['agreed', 'rejected', 'stopped']);

export interface Influencer {
  name: string;
  email: string; // lower-cased address
  platform: Platform;
  handle: string | null;
  averageViews: number;
  engagementRate: string | null; // percentage points as decimal text ("4.5")
  agency: string | null; // the talent agency that represents them, if known
}

/** The campaign terms a negotiation is bound by, fixed when it is created. */
export interface Terms {
  campaignId: string;
  client: string;
  platform: Platform;
  deliverables: string; // the opening package (scenario 1, else the target deliverables)
  floorCpmCents: Cents; // campaign CPM bounds (decisions D4; 20/30 when the campaign gives no target)
  ceilingCpmCents: Cents;
  levers: CampaignLevers;
  paymentTerms: string;
}

/** An open escalation as the negotiation records it (its context) and its Slack messages show it. */
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
