/** Campaign rows and the read models behind the HTTP API (columns only; snapshots are never parsed here). */
import type { Statement } from 'better-sqlite3';
import type { CampaignDefinition } from '../services/campaigns.ts';
import { DOMAIN_STATES, type DomainState } from '../services/domain.ts';
import { normalizeAgencyName } from '../services/representation.ts';
import type { Cents } from '../services/money.ts';
import type { Db } from './db.ts';

export interface NegotiationRow {
  id: string;
  campaignId: string;
  threadId: string | null;
  influencerName: string;
  influencerEmail: string;
  platform: string;
  averageViews: number;
  state: DomainState;
  humanControlled: number;
  round: number;
  lastOfferCents: Cents | null;
  theirAskCents: Cents | null;
  agreedCents: Cents | null;
  agreedCpmCents: Cents | null;
  failure: string | null; // why the negotiation is parked (decisions D18), null when it runs
  parkedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export const NEGOTIATION_COLUMNS = `id, campaign_id AS campaignId, thread_id AS threadId, influencer_name AS influencerName,
  influencer_email AS influencerEmail, platform, average_views AS averageViews, state,
  human_controlled AS humanControlled, round, last_offer_cents AS lastOfferCents, their_ask_cents AS theirAskCents,
  agreed_cents AS agreedCents, agreed_cpm_cents AS agreedCpmCents, failure, parked_at AS parkedAt, created_at AS createdAt,
  updated_at AS updatedAt`;

/** A campaign paused or stopped as a whole: its new rows wait (paused) or never start (stopped). */
export type CampaignStatus = 'active' | 'paused' | 'stopped';

export interface CampaignStats {
  id: string;
  client: string;
  status: CampaignStatus;
  createdAt: string;
  definition: CampaignDefinition;
  counts: Record<DomainState, number>;
  total: number;
  dealsAgreed: number;
  averageAgreedCpmCents: Cents | null;
  budgetCommittedCents: Cents;
}

export interface NegotiationFilter {
  campaignId?: string;
  state?: DomainState;
}

/** Where a page of the newest-first list ends: the next page starts after this row. */
export interface PageKey {
  createdAt: string;
  id: string;
}

function filterSql(filter: NegotiationFilter) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.campaignId) {
    where.push('campaign_id = ?');
    args.push(filter.campaignId);
  }
  if (filter.state) {
    where.push('state = ?');
    args.push(filter.state);
  }
  return { where, args };
}

export function createQueries(db: Db) {
  // Statements built from a filter's shape, prepared once per shape.
  const prepared = new Map<string, Statement<unknown[]>>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
  const insertCampaign = db.prepare('INSERT INTO campaigns (id, client, definition, created_at) VALUES (?, ?, ?, ?)');
  const selectCampaign = db.prepare(
    'SELECT id, client, status, definition, created_at AS createdAt FROM campaigns WHERE id = ?',
  );
  const selectCampaigns = db.prepare(
    'SELECT id, client, status, definition, created_at AS createdAt FROM campaigns ORDER BY created_at, id',
  );
  const updateStatus = db.prepare('UPDATE campaigns SET status = ? WHERE id = ?');
  const stateCounts = db.prepare(`
    SELECT campaign_id AS campaignId, state, COUNT(*) AS n, SUM(agreed_cents) AS committed,
      SUM(agreed_cpm_cents) AS cpmSum FROM negotiations GROUP BY campaign_id, state`);
  const stateCountsOne = db.prepare(`
    SELECT campaign_id AS campaignId, state, COUNT(*) AS n, SUM(agreed_cents) AS committed,
      SUM(agreed_cpm_cents) AS cpmSum FROM negotiations WHERE campaign_id = ? GROUP BY state`);
  const selectNegotiation = db.prepare(`SELECT ${NEGOTIATION_COLUMNS} FROM negotiations WHERE id = ?`);
  const byThread = db.prepare('SELECT id FROM negotiations WHERE thread_id = ?');
  const byCampaignEmail = db.prepare(
    `SELECT ${NEGOTIATION_COLUMNS} FROM negotiations WHERE campaign_id = ? AND influencer_email = ?`,
  );
  const agreedCpms = db.prepare(
    `SELECT agreed_cpm_cents AS cpm FROM negotiations WHERE campaign_id = ? AND state = 'agreed' AND agreed_cpm_cents IS NOT NULL`,
  );
  // An asleep negotiation (its opening email queued, D20) is busy but waits for the send queue to wake it.
  const busy = db.prepare(`
    SELECT id FROM negotiations WHERE busy = 1 AND failure IS NULL
    AND id NOT IN (SELECT negotiation_id FROM send_queue WHERE asleep = 1 AND sent_at IS NULL)`);
  const countInCampaign = db.prepare('SELECT COUNT(*) AS n FROM negotiations WHERE campaign_id = ?');
  const openThreads = db
    .prepare(
      `SELECT thread_id FROM negotiations WHERE thread_id IS NOT NULL AND state NOT IN ('agreed', 'rejected', 'stopped')`,
    )
    .pluck();
  const openByEmail = db
    .prepare(
      `SELECT id FROM negotiations WHERE influencer_email = ? COLLATE NOCASE AND state NOT IN ('agreed', 'rejected', 'stopped')`,
    )
    .pluck();
  const byAgency = db.prepare(
    `SELECT id FROM negotiations WHERE (agency = ? COLLATE NOCASE OR agency = ? COLLATE NOCASE)
      AND state NOT IN ('agreed', 'rejected', 'stopped')`,
  );

  type CampaignRow = { id: string; client: string; status: CampaignStatus; definition: string; createdAt: string };
  type CountRow = {
    campaignId: string;
    state: DomainState;
    n: number;
    committed: number | null;
    cpmSum: number | null;
  };

  function withStats(row: CampaignRow, counts: CountRow[]): CampaignStats {
    const byState = Object.fromEntries(DOMAIN_STATES.map((s) => [s, 0])) as Record<DomainState, number>;
    let total = 0;
    let committed = 0;
    let cpmSum = 0;
    for (const c of counts) {
      byState[c.state] = c.n;
      total += c.n;
      if (c.state === 'agreed') {
        committed = c.committed ?? 0;
        cpmSum = c.cpmSum ?? 0;
      }
    }
    const deals = byState.agreed;
    return {
      id: row.id,
      client: row.client,
      status: row.status,
      createdAt: row.createdAt,
      definition: JSON.parse(row.definition),
      counts: byState,
      total,
      dealsAgreed: deals,
      averageAgreedCpmCents: deals ? Math.round(cpmSum / deals) : null,
      budgetCommittedCents: committed,
    };
  }

  return {
    insertCampaign(def: CampaignDefinition, at: string): void {
      insertCampaign.run(def.id, def.client, JSON.stringify(def), at);
    },
    campaignStatus(id: string): CampaignStatus | undefined {
      return (selectCampaign.get(id) as CampaignRow | undefined)?.status;
    },
    setCampaignStatus(id: string, status: CampaignStatus): void {
      updateStatus.run(status, id);
    },
    campaignDefinition(id: string): CampaignDefinition | undefined {
      const row = selectCampaign.get(id) as CampaignRow | undefined;
      return row && JSON.parse(row.definition);
    },
    campaign(id: string): CampaignStats | undefined {
      const row = selectCampaign.get(id) as CampaignRow | undefined;
      return row && withStats(row, stateCountsOne.all(id) as CountRow[]);
    },
    campaigns(): CampaignStats[] {
      const counts = stateCounts.all() as CountRow[];
      const grouped = Map.groupBy(counts, (c) => c.campaignId);
      return (selectCampaigns.all() as CampaignRow[]).map((row) => withStats(row, grouped.get(row.id) ?? []));
    },
    negotiation(id: string): NegotiationRow | undefined {
      return selectNegotiation.get(id) as NegotiationRow | undefined;
    },
    /** Open negotiations with an influencer (Slack /claim and /resume by email). */
    openByEmail(email: string): string[] {
      return openByEmail.all(email.trim()) as string[];
    },
    /** Threads whose replies still matter (re-sync after a long outage). */
    openThreads(): string[] {
      return openThreads.all() as string[];
    },
    negotiationByThread(threadId: string): string | undefined {
      return (byThread.get(threadId) as { id: string } | undefined)?.id;
    },
    negotiationFor(campaignId: string, email: string): NegotiationRow | undefined {
      return byCampaignEmail.get(campaignId, email.toLowerCase()) as NegotiationRow | undefined;
    },
    /**
     * Negotiation rows, newest first, filtered by campaign and/or state: by `offset`, or by keyset (`after`: the
     * last row of the previous page), which stays fast at any depth on the (state|campaign_id, created_at, id)
     * indexes.
     */
    negotiations(filter: NegotiationFilter & { limit?: number; offset?: number; after?: PageKey }): NegotiationRow[] {
      const { where, args } = filterSql(filter);
      if (filter.after) {
        where.push('(created_at, id) < (?, ?)');
        args.push(filter.after.createdAt, filter.after.id);
      }
      const sql = `SELECT ${NEGOTIATION_COLUMNS} FROM negotiations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`;
      return statement(sql).all(...args, filter.limit ?? 500, filter.offset ?? 0) as NegotiationRow[];
    },
    /** How many negotiations match a filter (answered from an index). */
    countNegotiations(filter: NegotiationFilter): number {
      const { where, args } = filterSql(filter);
      const sql = `SELECT COUNT(*) FROM negotiations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
      return statement(sql)
        .pluck()
        .get(...args) as number;
    },
    /** Ids of a campaign's negotiations in the given states (a whole campaign paused, resumed or stopped). */
    campaignNegotiationIds(campaignId: string, states: readonly DomainState[]): string[] {
      const sql = `SELECT id FROM negotiations WHERE campaign_id = ? AND state IN (${states.map(() => '?').join(', ')})
        ORDER BY created_at, id`;
      return statement(sql)
        .pluck()
        .all(campaignId, ...states) as string[];
    },
    /** The campaign's agreed CPMs and size: the CPM tracker of domain.md §2.5, derived, never duplicated. */
    tracker(campaignId: string, targetMaxCpm: Cents) {
      const agreements = (agreedCpms.all(campaignId) as { cpm: number }[]).map((r) => ({
        cpmCents: r.cpm,
        engagementRate: null,
      }));
      const total = (countInCampaign.get(campaignId) as { n: number }).n;
      return { targetMaxCpm, totalInfluencers: total, agreements };
    },
    /** Negotiations with an effect in flight (to restart at boot, to wait for at shutdown). */
    busyIds(): string[] {
      return (busy.all() as { id: string }[]).map((r) => r.id);
    },
    /**
     * Open negotiations of an agency, case-insensitively: as the sheet named it, or as a manager's email named it
     * (stored without a legal suffix, so "Bright Management, LLC" finds "Bright Management" too).
     */
    activeByAgency(agency: string): string[] {
      return (byAgency.all(agency.trim(), normalizeAgencyName(agency)) as { id: string }[]).map((r) => r.id);
    },
  };
}

export type Queries = ReturnType<typeof createQueries>;
