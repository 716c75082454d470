/**
 * The Slack listeners (decisions D6, D8, D19): the escalation buttons, the "other amount" modal, and /claim,
 * /resume and /audit. Each checks the approvers, calls the server's handlers, then updates the message or
 * answers the user ephemerally.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTION_IDS, parseActionsBlockId } from '../../services/chat/messages.ts';
import { update } from '../../services/chat/slack.ts';
import { DomainError } from '../../services/errors.ts';
import { type Cents, formatUsd } from '../../services/money.ts';
import type { Logger } from '../observability/logger.ts';
import {
  AMOUNT_BLOCK,
  APPROVE_MODAL,
  approveModal,
  decidedBlocks,
  parseDollarsToCents,
  readModalContext,
  resumeButtons,
} from './blocks.ts';

/**
 * What the server does for Slack; `slackUser` is the Slack user id (e.g. U123). Errors' messages are shown.
 * `escalation` is the escalation the clicked button was posted for (D19), when the button carries one.
 */
export interface SlackHandlers {
  approve(negotiationId: string, cents: Cents, slackUser: string, escalation?: number): Promise<unknown>;
  walkAway(negotiationId: string, slackUser: string, escalation?: number): Promise<unknown>;
  takeOver(negotiationId: string, slackUser: string, escalation?: number): Promise<unknown>;
  resume(negotiationId: string, slackUser: string, escalation?: number): Promise<unknown>;
  /** /claim <negotiation id | thread id | email>: returns the confirmation shown to the user. */
  claim(ref: string, slackUser: string): Promise<string>;
  /** /resume <negotiation id | thread id | email>: returns the confirmation shown to the user. */
  resumeRef(ref: string, slackUser: string): Promise<string>;
  /** /audit <args>: returns the text shown to the user. */
  audit(query: string): Promise<string>;
  /** The configured approvers (a user group or list; empty = anyone in the workspace). */
  isAllowed(slackUser: string): boolean | Promise<boolean>;
}

type Decision = 'approve' | 'walk_away' | 'take_over' | 'resume_agent';

/** Registers every action, view and command listener of the agent on the Bolt app. */
export function registerListeners(app: App, handlers: SlackHandlers, logger: Logger): void {
  const failureText = (error: unknown) => {
    if (error instanceof DomainError) return error.message; // a refusal: its message says why
    logger.error('slack: handler failed', { error: String(error), stack: (error as Error)?.stack });
    return 'Something went wrong; the error was logged';
  };

  async function allowed(user: string): Promise<boolean> {
    try {
      return await handlers.isAllowed(user);
    } catch (error) {
      logger.error('slack: isAllowed failed', { error: String(error) });
      return false;
    }
  }

  /** Ephemeral to the clicking user: via response_url when there is one, else chat.postEphemeral. */
  async function tell(
    to: { respond?: RespondFn; client: WebClient; channel?: string; user: string },
    text: string,
  ): Promise<void> {
    try {
      if (to.respond) await to.respond({ response_type: 'ephemeral', replace_original: false, text });
      else if (to.channel) await to.client.chat.postEphemeral({ channel: to.channel, user: to.user, text });
    } catch (error) {
      logger.warn('slack: could not send an ephemeral reply', { error: String(error) });
    }
  }

  async function decide(
    kind: Decision,
    d: {
      negotiationId: string;
      escalation: number | null;
      user: string;
      cents?: Cents;
      client: WebClient;
      channel: string | undefined;
      ts: string | undefined;
      original: { text?: string; blocks?: unknown[] } | null;
      respond?: RespondFn;
    },
  ) {
    const to = { respond: d.respond, client: d.client, channel: d.channel, user: d.user };
    if (!(await allowed(d.user))) {
      await tell(to, 'You are not allowed to act on negotiations (ask an admin to add you to the approvers).');
      return;
    }
    const mention = `<@${d.user}>`;
    const escalation = d.escalation ?? undefined;
    let decision: string;
    let next: unknown[] = [];
    try {
      switch (kind) {
        case 'approve':
          await handlers.approve(d.negotiationId, d.cents as Cents, d.user, escalation);
          decision = `:white_check_mark: Approved at ${formatUsd(d.cents as Cents)} by ${mention}`;
          break;
        case 'walk_away':
          await handlers.walkAway(d.negotiationId, d.user, escalation);
          decision = `:no_entry_sign: Walked away by ${mention}`;
          break;
        case 'take_over':
          await handlers.takeOver(d.negotiationId, d.user, escalation);
          decision = `:raising_hand: Taken over by ${mention}: the agent no longer answers this negotiation`;
          next = [resumeButtons(d.negotiationId, d.escalation)];
          break;
        case 'resume_agent':
          await handlers.resume(d.negotiationId, d.user, escalation);
          decision = `:robot_face: Agent resumed by ${mention}`;
          break;
      }
    } catch (error) {
      const verb = { approve: 'approve', walk_away: 'walk away', take_over: 'take over', resume_agent: 'resume' }[kind];
      await tell(to, `Could not ${verb}: ${failureText(error)}`);
      return;
    }
    if (!d.channel || !d.ts) return;
    const original = d.original ?? (await fetchMessage(d.client, d.channel, d.ts));
    try {
      await update(
        d.client,
        d.channel,
        d.ts,
        original?.text || decision,
        decidedBlocks(original?.blocks ?? [], d.negotiationId, decision, next),
      );
    } catch (error) {
      logger.warn('slack: could not update the message', { error: String(error) });
      await tell(to, `${decision} (the message could not be updated)`);
    }
  }

  /** The message a modal was opened from (private_metadata cannot carry its blocks). */
  async function fetchMessage(client: WebClient, channel: string, ts: string) {
    try {
      const top = await client.conversations.history({ channel, latest: ts, oldest: ts, inclusive: true, limit: 1 });
      const found = top.messages?.find((m) => m.ts === ts);
      if (found) return { text: found.text, blocks: found.blocks as unknown[] | undefined };
      const thread = await client.conversations.replies({ channel, ts, inclusive: true, limit: 1 });
      const reply = thread.messages?.find((m) => m.ts === ts);
      return reply ? { text: reply.text, blocks: reply.blocks as unknown[] | undefined } : null;
    } catch (error) {
      logger.warn('slack: could not read the message to update', { error: String(error) });
      return null;
    }
  }

  const buttons: [string, Decision][] = [
    [ACTION_IDS.approve, 'approve'],
    [ACTION_IDS.walkAway, 'walk_away'],
    [ACTION_IDS.takeOver, 'take_over'],
    [ACTION_IDS.resumeAgent, 'resume_agent'],
  ];
  for (const [actionId, kind] of buttons) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, client, respond }) => {
      await ack();
      const user = body.user.id;
      const target = parseActionsBlockId(action.block_id);
      if (!target) return tell({ respond, client, user }, 'This button does not belong to a negotiation.');
      let cents: Cents | undefined;
      if (kind === 'approve') {
        cents = /^\d{1,15}$/.test(action.value ?? '') ? Number(action.value) : undefined;
        if (!cents) return tell({ respond, client, user }, 'This approve button carries no amount.');
      }
      await decide(kind, {
        ...target,
        user,
        cents,
        client,
        channel: body.channel?.id ?? body.container?.channel_id,
        ts: body.message?.ts ?? body.container?.message_ts,
        original: body.message ? { text: body.message.text, blocks: body.message.blocks } : null,
        respond,
      });
    });
  }

  // "Other amount": a modal with one amount field, opened from the escalation message.
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.approveOther, async ({ ack, body, action, client, respond }) => {
    await ack();
    const user = body.user.id;
    const target = parseActionsBlockId(action.block_id);
    const channel = body.channel?.id ?? body.container?.channel_id;
    const ts = body.message?.ts ?? body.container?.message_ts;
    if (!target || !channel || !ts) {
      return tell({ respond, client, user }, 'This button does not belong to a negotiation message.');
    }
    if (!(await allowed(user))) {
      return tell({ respond, client, user }, 'You are not allowed to approve negotiations.');
    }
    const suggested = /^\d{1,15}$/.test(action.value ?? '') ? Number(action.value) : null;
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: approveModal(
          {
            negotiationId: target.negotiationId,
            channel,
            ts,
            ...(target.escalation ? { escalation: target.escalation } : {}),
          },
          suggested,
        ),
      });
    } catch (error) {
      logger.warn('slack: could not open the amount modal', { error: String(error) });
      await tell({ respond, client, user }, 'Could not open the amount dialog; try again.');
    }
  });

  app.view(APPROVE_MODAL, async ({ ack, body, view, client }) => {
    const typed = view.state.values[AMOUNT_BLOCK]?.[AMOUNT_BLOCK]?.value ?? '';
    const parsed = parseDollarsToCents(typed);
    if ('error' in parsed) {
      await ack({ response_action: 'errors', errors: { [AMOUNT_BLOCK]: parsed.error } });
      return;
    }
    await ack(); // closes the modal; the outcome shows on the message or as an ephemeral reply
    const ctx = readModalContext(view.private_metadata);
    if (!ctx) {
      logger.warn('slack: amount modal without its negotiation', { privateMetadata: view.private_metadata });
      return;
    }
    await decide('approve', {
      negotiationId: ctx.negotiationId,
      escalation: ctx.escalation ?? null,
      user: body.user.id,
      cents: parsed.cents,
      client,
      channel: ctx.channel,
      ts: ctx.ts,
      original: null,
    });
  });

  const commands: [string, string, (text: string, user: string) => Promise<string>][] = [
    ['/claim', 'Usage: /claim <negotiation id | thread id | email>', (t, u) => handlers.claim(t, u)],
    ['/resume', 'Usage: /resume <negotiation id | thread id | email>', (t, u) => handlers.resumeRef(t, u)],
    ['/audit', '', (t) => handlers.audit(t)],
  ];
  for (const [name, usage, run] of commands) {
    app.command(name, async ({ ack, command, respond, client }) => {
      await ack();
      const user = command.user_id;
      const text = command.text.trim();
      const to = { respond, client, channel: command.channel_id, user };
      if (usage && !text) return tell(to, usage);
      if (!(await allowed(user))) return tell(to, `You are not allowed to use ${name}.`);
      let reply: string;
      try {
        reply = await run(text, user);
      } catch (error) {
        reply = `${name} failed: ${failureText(error)}`;
      }
      await tell(to, reply.length > 39_000 ? `${reply.slice(0, 39_000)}\n…(truncated)` : reply);
    });
  }
}
