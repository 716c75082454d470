/**
 * Starting a campaign: validate the body, read influencer rows (body or sheet), and create one negotiation per
 * new (campaign, influencer email) — re-posting the same campaign creates nothing new (decisions D12).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../persistence/db.ts';
import type { Queries } from '../persistence/queries.ts';
import { appendTimeline } from '../persistence/timeline.ts';
import {
  type AcceptedInfluencer,
  acceptInfluencer,
  CampaignError,
  campaignSchema,
  definitionOf,
  type Skipped,
  termsOf,
} from '../services/campaigns.ts';
import { noticeMessage } from '../services/chat/messages.ts';
import type { ChatPort } from '../services/chat/port.ts';
import type { Clock } from '../services/clock.ts';
import { SheetError, type SheetsPort } from '../services/sheets/port.ts';
import type { Config } from './config.ts';
import { HttpError } from './errors.ts';
import type { Host } from './host.ts';
import type { Logger } from './logger.ts';
import { negotiationSummary } from './present.ts';
import { parseInput } from './validate.ts';

export function createCampaignIntake(deps: {
  db: Db;
  queries: Queries;
  host: Host;
  sheets: SheetsPort;
  chat: ChatPort;
  clock: Clock;
  logger: Logger;
  config: Pick<Config, 'paymentTerms' | 'slack' | 'agentEmail'>;
}) {
  const { db, queries, host, clock } = deps;
  let queue: Promise<unknown> = Promise.resolve();

  async function start(body: unknown) {
    const input = parseInput(campaignSchema, body, 'invalid_campaign');
    const refuse = (message: string, code: string): never => {
      // D3.1: a campaign that cannot start is refused with a clear error AND a notice to the team.
      notify(`refused:${input.id}:${clock.iso()}`, `Campaign ${input.client} (${input.id}) was not started`, [message]);
      throw new HttpError(422, code, message);
    };
    let definition: ReturnType<typeof definitionOf>;
    let terms: ReturnType<typeof termsOf>;
    try {
      definition = definitionOf(input);
      terms = termsOf(definition, deps.config.paymentTerms);
    } catch (error) {
      if (error instanceof CampaignError) return refuse(error.message, 'invalid_campaign');
      throw error;
    }
    const stored = queries.campaignDefinition(definition.id);
    if (stored && JSON.stringify(stored) !== JSON.stringify(definition)) {
      throw new HttpError(409, 'campaign_conflict', `Campaign ${definition.id} already exists with different terms`);
    }
    let rows = input.influencers;
    let source = 'request';
    if (!rows) {
      try {
        const sheet = await deps.sheets.readInfluencers(definition.sheetTab ?? null, definition.sheetId ?? null);
        rows = sheet.rows;
        source = `sheet tab "${sheet.tab}"`;
      } catch (error) {
        if (error instanceof SheetError) return refuse(error.message, 'sheet_unavailable');
        throw error;
      }
    }

    const skipped: Skipped[] = [];
    const fresh: AcceptedInfluencer[] = [];
    const existing = [];
    const seen = new Set<string>();
    for (const row of rows) {
      const result = acceptInfluencer(row, terms);
      if ('reason' in result) {
        skipped.push(result);
        continue;
      }
      const email = result.influencer.email;
      if (seen.has(email)) {
        skipped.push({ name: result.influencer.name, reason: `duplicate row for ${email}` });
        continue;
      }
      seen.add(email);
      const known = queries.negotiationFor(definition.id, email);
      if (known) existing.push(known);
      else fresh.push(result);
    }

    const ids = fresh.map(() => `neg-${randomBytes(8).toString('hex')}`);
    const startedAt = clock.iso();
    const news = fresh.length > 0 || !stored; // a re-post with nothing new is silent
    host.create(
      fresh.map((f, i) => ({
        input: {
          id: ids[i],
          influencer: f.influencer,
          terms,
          openingCents: f.openingCents,
          agentEmail: deps.config.agentEmail,
          startedAt,
        },
        campaignId: definition.id,
      })),
      (write) =>
        db.transaction(() => {
          const at = clock.iso();
          if (!stored) queries.insertCampaign(definition, at);
          if (news) {
            appendTimeline(db, {
              negotiationId: null,
              campaignId: definition.id,
              influencerEmail: null,
              at,
              entry: { type: 'campaign_start', source, started: fresh.length, existing: existing.length, skipped },
            });
          }
          write();
        })(),
    );
    if (news) {
      notify(
        `campaign:${definition.id}:${clock.iso()}`,
        `Campaign ${definition.client} (${definition.id}): ${fresh.length} negotiation(s) started from the ${source}`,
        skipped.map((s) => `Not started: ${s.name} — ${s.reason}`),
      );
    }
    // Report the opening offers when they go out promptly (always in the sandbox); never wait long.
    await Promise.race([Promise.all(ids.map((id) => host.settle(id))), new Promise((r) => setTimeout(r, 2_000))]);
    const negotiations = [...existing.map((n) => n.id), ...ids]
      .map((id) => queries.negotiation(id))
      .filter((n) => n !== undefined)
      .map((n) => {
        const s = negotiationSummary(n);
        return { id: s.id, influencer: s.influencer, state: s.state, lastOfferedRate: s.lastOfferedRate };
      });
    return { created: fresh.length > 0 || !stored, body: { id: definition.id, negotiations, skipped } };
  }

  function notify(key: string, title: string, lines: string[]) {
    deps.chat
      .post({
        key,
        channel: deps.config.slack.escalationChannel,
        kind: 'notice',
        negotiationId: null,
        threadTs: null,
        ...noticeMessage(title, lines),
      })
      .catch((error) => deps.logger.error('campaign notice not posted', { key, error: String(error) }));
  }

  return {
    /** Serialized: two posts of the same campaign never race each other. */
    start(body: unknown) {
      const result = queue.then(() => start(body));
      queue = result.catch(() => undefined);
      return result;
    },
  };
}

export type CampaignIntake = ReturnType<typeof createCampaignIntake>;
