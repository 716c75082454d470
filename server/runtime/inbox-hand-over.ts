/** What the host does with one stored inbox message: the REPLY event it becomes, or the record of a closed one. */
import type { Reply } from '../../machines/negotiation.ts';
import type { Db } from '../../persistence/db.ts';
import type { Inbox, InboxMessage } from '../../persistence/inbox.ts';
import type { StoredNegotiation } from '../../persistence/store.ts';
import { appendTimeline } from '../../persistence/timeline.ts';

export function replyOf(message: InboxMessage): Reply {
  return {
    messageId: message.messageId,
    from: message.from,
    subject: message.subject,
    text: message.text,
    receivedAt: message.receivedAt,
    ...(message.signature ? { signature: message.signature } : {}),
    // The reply extraction's reading (D16): context only, and whether their words were told apart.
    ...(message.quoted ? { quoted: message.quoted } : {}),
    uncertain: message.uncertain === true,
  };
}

/** A reply to a closed negotiation is still recorded (and taken from the inbox), never answered. */
export function recordUnanswered(db: Db, inbox: Inbox, row: StoredNegotiation, message: InboxMessage, at: string) {
  db.transaction(() => {
    appendTimeline(db, {
      negotiationId: message.negotiationId,
      campaignId: row.campaignId,
      influencerEmail: row.influencerEmail,
      at,
      entry: { type: 'email_received', ...replyOf(message), note: `not processed: negotiation is ${row.state}` },
    });
    inbox.markTaken(message.messageId, at);
  }).immediate();
}
