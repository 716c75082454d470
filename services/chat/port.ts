/** The chat port: the sandbox Slack stand-in and (later) Slack both implement it. */
export type ChatKind = 'escalation' | 'agreement' | 'notice';

export interface ChatMessage {
  key: string; // idempotency key: posting the same key twice posts once
  channel: string;
  text: string; // plain-text fallback
  blocks: unknown[]; // Block Kit
  negotiationId: string | null;
  kind: ChatKind;
  threadTs: string | null; // post as a reply in this Slack thread
}

/** A new version of a posted message (an escalation whose ask changed, D16). */
export interface ChatUpdate {
  channel: string;
  ts: string;
  /** Plain text, escaped by the adapter like a post's. */
  text: string;
  blocks: unknown[];
}

export interface ChatPort {
  post(message: ChatMessage): Promise<{ ts: string }>;
  /** Replaces a posted message; one that no longer exists is left alone (nothing to update). */
  update(message: ChatUpdate): Promise<void>;
}
