// Types of the API's JSON as the dashboard reads it (docs/api.md), for the type checker only (never served).

export type Money = string; // "2000.00"
export type DomainState =
  | 'initial_offer'
  | 'awaiting_reply'
  | 'counter_received'
  | 'counter_sent'
  | 'agreed'
  | 'rejected'
  | 'escalated'
  | 'stale'
  | 'paused'
  | 'stopped';

export interface Info {
  mode: 'sandbox' | 'live';
  sandbox: { mail: boolean; slack: boolean; clock: boolean };
}

export interface Campaign {
  id: string;
  client: string;
  status: 'active' | 'paused' | 'stopped';
  platform: string;
  budget: Money | null;
  floorCpm: Money;
  ceilingCpm: Money;
  maxCostWithoutApproval: Money | null;
  createdAt: string;
  negotiations: number;
  countsByState: Record<DomainState, number>;
  dealsAgreed: number;
  averageAgreedCpm: Money | null;
  budgetCommitted: Money;
}

export interface CampaignQueue {
  queued: number;
  sentLast24h: number;
  nextSendAt: string | null;
  mailbox: { queued: number; sentLast24h: number; nextSendAt: string | null; waitingFor: string | null };
}
export interface CampaignStats {
  id: string;
  /** The campaign's emails in the mailbox's send queue (GET /api/v1/campaigns/:id/queue). */
  queue?: CampaignQueue;
  status: Campaign['status'];
  funnel: Record<
    | 'negotiations'
    | 'contacted'
    | 'replied'
    | 'agreed'
    | 'rejected'
    | 'stale'
    | 'escalated'
    | 'paused'
    | 'stopped'
    | 'negotiating',
    number
  >;
  cpm: { achieved: Money | null; floor: Money; ceiling: Money };
  budget: { budget: Money | null; committed: Money };
}

export interface Summary {
  id: string;
  campaignId: string;
  threadId: string | null;
  influencer: { name: string; email: string; platform: string; averageViews: number };
  state: DomainState;
  humanControlled: boolean;
  round: number;
  lastOfferedRate: Money | null;
  theirLastAsk: Money | null;
  agreedRate: Money | null;
  agreedCpm: Money | null;
  parked: { reason: string; at: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

export interface Bounds {
  floor: Money | null;
  ceiling: Money | null;
  floorCpm: Money;
  ceilingCpm: Money;
  maxWithoutApproval: Money | null;
}

export interface EscalationView {
  number: number | null;
  reason: string;
  trigger: string | null;
  evidence: string | null;
  ask: Money | null;
  suggested: Money | null;
  draft: string | null;
}

export interface TimelineEntry {
  id: number;
  at: string;
  type: string;
  [field: string]: unknown;
}

export interface Detail extends Summary {
  contacts: { email: string; name: string | null; type: string; isPrimary?: boolean; firstSeenAt?: string }[];
  counterparty: { type: string; agency: string | null } | null;
  escalation: EscalationView | null;
  bounds: Bounds | null;
  client: string | null;
  timeline: TimelineEntry[];
}

export interface NeedItem {
  kind: 'escalation' | 'reply' | 'parked';
  reason: string;
  since: string;
  client: string | null;
  negotiation: Summary;
  escalation: EscalationView | null;
  bounds: Bounds | null;
  latestReply: { at: string; text: string; from: string | null } | null;
}

export interface NeedsPage {
  /** with the first page only */
  counts: { escalation: number; reply: number; parked: number; total: number } | null;
  items: NeedItem[];
  nextCursor: string | null;
}

export interface PreviewRow {
  row: number;
  name: string | null;
  email: string | null;
  platform: string | null;
  averageViews: number | string | null;
  status: 'new' | 'existing' | 'skipped';
  openingOffer: Money | null;
  openingCpm: Money | null;
  reason: string | null;
  field: string | null;
}

export interface Preview {
  ok: boolean;
  errors: { field: string; message: string }[];
  warnings: string[];
  campaign: { id: string; client: string; exists: boolean; floorCpm: Money; ceilingCpm: Money } | null;
  rows: PreviewRow[];
  influencers: Record<string, unknown>[];
  summary: { rows: number; new: number; existing: number; skipped: number; openingTotal: Money | null };
}

export interface Created {
  id: string;
  negotiations: {
    id: string;
    influencer: { name: string; email: string };
    state: DomainState;
    lastOfferedRate?: Money | null;
  }[];
  skipped: { name: string; reason: string }[];
}

export interface MachineNode {
  id: string;
  key: string;
  type: string;
  domain: DomainState | null;
  history?: string;
  states: MachineNode[];
}

export interface Machine {
  domainStates: DomainState[];
  root: MachineNode;
  edges: { from: string; to: string; events: string[] }[];
}
