/**
 * The Block Kit the Slack listeners post: a decided message (its buttons replaced by who decided what), the
 * Resume button after a take-over, and the "other amount" modal with its exact dollar parser.
 */
import { ACTION_IDS, actionsBlockId, parseActionsBlockId } from '../../services/chat/messages.ts';
import { type Cents, formatUsd, moneyInput } from '../../services/money.ts';

export const APPROVE_MODAL = 'approve_other';
export const AMOUNT_BLOCK = 'amount';

/** The block_id of a negotiation's actions block: the buttons say which negotiation (and escalation) they act on. */
export const negotiationBlockId = actionsBlockId;

/** "2,600", "$2600.5", "2600.50" -> cents, by the one money rule (moneyInput); else what to type instead. */
export function parseDollarsToCents(text: string): { cents: Cents } | { error: string } {
  const read = moneyInput(text, { plain: true });
  return 'error' in read ? { error: `${read.error}: enter an amount in US dollars, like 2,600 or 2600.50` } : read;
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

const section = (text: string, blockId?: string) => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text },
});

/** The message after a decision: the negotiation's buttons replaced by who decided what (and what can follow). */
export function decidedBlocks(blocks: unknown[], negotiationId: string, decision: string, next: unknown[] = []) {
  const isOurs = (b: unknown) => {
    const id = (b as { block_id?: string }).block_id;
    return id === `decision:${negotiationId}` || parseActionsBlockId(id)?.negotiationId === negotiationId;
  };
  const at = blocks.findIndex(isOurs);
  const kept = blocks.filter((b) => !isOurs(b));
  const insertAt = at < 0 ? kept.length : at;
  return [...kept.slice(0, insertAt), section(decision, `decision:${negotiationId}`), ...next, ...kept.slice(insertAt)];
}

export const resumeButtons = (negotiationId: string, escalation: number | null) => ({
  type: 'actions',
  block_id: negotiationBlockId(negotiationId, escalation),
  elements: [
    {
      type: 'button',
      text: { type: 'plain_text', text: 'Resume agent' },
      action_id: ACTION_IDS.resumeAgent,
      value: negotiationId,
    },
  ],
});

export interface ModalContext {
  negotiationId: string;
  channel: string;
  ts: string;
  escalation?: number; // the escalation whose "Other amount…" button opened it (D19)
}

export function approveModal(ctx: ModalContext, suggested: Cents | null) {
  return {
    type: 'modal' as const,
    callback_id: APPROVE_MODAL,
    private_metadata: JSON.stringify(ctx),
    title: { type: 'plain_text' as const, text: 'Approve an amount' },
    submit: { type: 'plain_text' as const, text: 'Approve' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: AMOUNT_BLOCK,
        label: { type: 'plain_text' as const, text: 'Counter offer (US dollars)' },
        hint: { type: 'plain_text' as const, text: 'The agent emails a counter at exactly this amount.' },
        // Plain text rather than number_input: people type "2,600"; the server parses it exactly either way.
        element: {
          type: 'plain_text_input' as const,
          action_id: AMOUNT_BLOCK,
          placeholder: { type: 'plain_text' as const, text: 'e.g. 2,600 or 2600.50' },
          ...(suggested ? { initial_value: formatUsd(suggested) } : {}),
        },
      },
    ],
  };
}

export function readModalContext(privateMetadata: string): ModalContext | null {
  try {
    const ctx = JSON.parse(privateMetadata) as Partial<ModalContext>;
    if (ctx.escalation !== undefined && !(Number.isSafeInteger(ctx.escalation) && ctx.escalation > 0)) return null;
    return ctx.negotiationId && ctx.channel && ctx.ts ? (ctx as ModalContext) : null;
  } catch {
    return null;
  }
}
