/**
 * The Slack adapter of the chat port (live mode) over the real Web API. Exactly once per idempotency key: every
 * post carries the key in its message metadata, and a retried post first looks for a message with that key in
 * the channel's recent history (or the thread), so a post that landed before a crash is not posted twice.
 * Messages are fitted to Block Kit's limits (block-kit.ts); one Slack refuses anyway is posted as plain text
 * (decisions D19: an escalation is never lost).
 */
import {
  type AuthTestResponse,
  type Block,
  ErrorCode,
  type KnownBlock,
  type WebClient,
  type WebClientOptions,
} from '@slack/web-api';
import { escapeMrkdwn, fitMessage, plainVersion } from './block-kit.ts';
import type { ChatMessage, ChatPort } from './port.ts';

export const METADATA_EVENT = 'negotiation_message';
const HISTORY_LIMIT = 100;
const MAX_REPLY_PAGES = 5;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/** WebClient options for the agent: a configurable API root (SLACK_API_URL, for fakes) and bounded retries. */
export function slackClientOptions(apiUrl?: string): WebClientOptions {
  // The effect runner retries failed posts itself (services/retry.ts): SDK retries would multiply its attempts.
  return { ...(apiUrl ? { slackApiUrl: apiUrl } : {}), retryConfig: { retries: 0 }, timeout: 15_000 };
}

interface Posted {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

const hasKey = (key: string) => (m: Posted) =>
  m.metadata?.event_type === METADATA_EVENT && m.metadata.event_payload?.key === key;

async function findInHistory(client: WebClient, channel: string, key: string): Promise<string | null> {
  const result = await client.conversations.history({ channel, include_all_metadata: true, limit: HISTORY_LIMIT });
  return ((result.messages ?? []) as Posted[]).find(hasKey(key))?.ts ?? null;
}

async function findInThread(client: WebClient, channel: string, threadTs: string, key: string): Promise<string | null> {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_REPLY_PAGES; page++) {
    const result = await client.conversations.replies({
      channel,
      ts: threadTs,
      include_all_metadata: true,
      limit: HISTORY_LIMIT,
      cursor,
    });
    const hit = ((result.messages ?? []) as Posted[]).find(hasKey(key));
    if (hit?.ts) return hit.ts;
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return null;
}

/** Slack's answers that mean "this message, as built, is not acceptable": its plain version may be. */
const REFUSALS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'invalid_arguments',
  'invalid_attachments',
  'too_many_attachments',
]);

/** The Slack error code of a refused call (WebClient's platform error), or null for any other failure. */
export function refusalOf(error: unknown): string | null {
  const e = error as { code?: string; data?: { error?: string } };
  const code = e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
  return code && REFUSALS.has(code) ? code : null;
}

export function createSlackChat(deps: {
  client: WebClient;
  /** Told when Slack refused a message and its plain-text version was posted instead. */
  onRefused?(key: string, code: string, error: unknown): void;
}): ChatPort {
  const { client } = deps;
  const inFlight = new Map<string, Promise<{ ts: string }>>(); // two concurrent posts of one key post once

  async function postOnce(message: ChatMessage): Promise<{ ts: string }> {
    // History lookups need an ID; a '#name' would silently defeat the exactly-once check.
    if (!CHANNEL_ID.test(message.channel)) {
      throw new Error(`Slack channel must be a channel ID like C0123ABCD, not '${message.channel}'`);
    }
    const existing = message.threadTs
      ? await findInThread(client, message.channel, message.threadTs, message.key)
      : await findInHistory(client, message.channel, message.key);
    if (existing) return { ts: existing };
    const fitted = fitMessage(message);
    const common = {
      channel: message.channel,
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
      metadata: {
        event_type: METADATA_EVENT,
        event_payload: {
          key: message.key,
          ...(message.negotiationId ? { negotiation_id: message.negotiationId } : {}),
        },
      },
    };
    let result: { ts?: string };
    try {
      result = await client.chat.postMessage({
        ...common,
        text: fitted.text,
        blocks: fitted.blocks as (KnownBlock | Block)[],
      });
    } catch (error) {
      const code = refusalOf(error);
      if (!code) throw error;
      deps.onRefused?.(message.key, code, error);
      result = await client.chat.postMessage({ ...common, text: plainVersion(fitted) });
    }
    if (!result.ts) throw new Error('Slack chat.postMessage returned no ts');
    return { ts: result.ts };
  }

  return {
    post(message) {
      const running = inFlight.get(message.key);
      if (running) return running;
      const posting = postOnce(message).finally(() => inFlight.delete(message.key));
      inFlight.set(message.key, posting);
      return posting;
    },
    async update(message) {
      try {
        // The port's text is plain, like a post's (the decision path below passes the posted, escaped one).
        await update(client, message.channel, message.ts, escapeMrkdwn(message.text), message.blocks);
      } catch (error) {
        // Deleted, or no longer ours to edit: there is nothing left to update.
        const code = (error as { code?: string; data?: { error?: string } }).data?.error;
        if ((error as { code?: string }).code === ErrorCode.PlatformError && GONE.has(code ?? '')) return;
        throw error;
      }
    },
  };
}

const GONE = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'channel_not_found']);

/**
 * Replaces a posted message (a decision replacing the buttons of an escalation). `text` is mrkdwn as posted; the
 * blocks are fitted to Block Kit's limits, and a refused update falls back to the plain version.
 */
export async function update(
  client: WebClient,
  channel: string,
  ts: string,
  text: string,
  blocks: unknown[],
): Promise<{ ts: string }> {
  const fitted = fitMessage({ text, blocks }, 'mrkdwn');
  try {
    await client.chat.update({ channel, ts, text: fitted.text, blocks: fitted.blocks as (KnownBlock | Block)[] });
  } catch (error) {
    if (!refusalOf(error)) throw error;
    await client.chat.update({ channel, ts, text: plainVersion(fitted), blocks: [] });
  }
  return { ts };
}

/** Startup validation: auth.test, with an error that says whether the token is bad or Slack is unreachable. */
export async function verifyAuth(client: WebClient): Promise<AuthTestResponse> {
  try {
    return await client.auth.test();
  } catch (error) {
    const e = error as { code?: string; data?: { error?: string }; message?: string };
    if (e.code === ErrorCode.PlatformError) {
      throw new Error(`SLACK_BOT_TOKEN is invalid: Slack auth.test answered '${e.data?.error}'`, { cause: error });
    }
    throw new Error(`Could not reach Slack to validate SLACK_BOT_TOKEN: ${e.message ?? String(error)}`, {
      cause: error,
    });
  }
}
