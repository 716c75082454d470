/**
 * What needs a person (the dashboard's "Needs you" list): negotiations parked after failures (D18), escalations
 * awaiting a decision (D5, D8), and human-held threads with a reply newer than the takeover (D6), by latest
 * activity, newest first. Each kind is read from its own partial index and the three are merged, so a page costs
 * the same with 100 or 100,000 negotiations. Also the campaign funnel (who was emailed, who replied).
 */
import type { Statement } from 'better-sqlite3';
import type { Escalation } from '../machines/negotiation.ts';
import type { Db } from './db.ts';
import { NEGOTIATION_COLUMNS, type NegotiationRow } from './queries.ts';

export type NeedKind = 'parked' | 'escalation' | 'reply';

export interface NeedRow extends NegotiationRow {
  kind: NeedKind;
}

/** Where a page of the list ends (latest activity, then id). */
export interface NeedKey {
  updatedAt: string;
  id: string;
}

const OPEN = `state NOT IN ('agreed', 'rejected', 'stopped')`;
/** Their reply is newer than the latest takeover or email of ours: nobody has answered it yet. */
const NEW_REPLY = `(SELECT t.type FROM timeline t WHERE t.negotiation_id = negotiations.id
  AND t.type IN ('email_received', 'takeover', 'email_sent') ORDER BY t.id DESC LIMIT 1) = 'email_received'`;
/**
 * Each kind and its partial index (migrations 9 and 10), named so the planner cannot prefer the plain state index:
 * that one would read every escalated row to sort them (15 ms at 7,000 escalations instead of 0.3 ms).
 */
const KINDS: Record<NeedKind, { index: string; where: string }> = {
  parked: { index: 'negotiations_parked', where: 'failure IS NOT NULL' },
  escalation: { index: 'negotiations_escalated', where: `state = 'escalated' AND failure IS NULL` },
  reply: {
    index: 'negotiations_human',
    where: `human_controlled = 1 AND failure IS NULL AND state <> 'escalated' AND ${OPEN} AND ${NEW_REPLY}`,
  },
};

export function createNeedsYou(db: Db) {
  const pages = Object.fromEntries(
    (Object.keys(KINDS) as NeedKind[]).map((kind) => [
      kind,
      {
        first: db.prepare(
          `SELECT ${NEGOTIATION_COLUMNS} FROM negotiations INDEXED BY ${KINDS[kind].index} WHERE ${KINDS[kind].where}
            ORDER BY updated_at DESC, id DESC LIMIT ?`,
        ),
        after: db.prepare(
          `SELECT ${NEGOTIATION_COLUMNS} FROM negotiations INDEXED BY ${KINDS[kind].index} WHERE ${KINDS[kind].where}
            AND (updated_at, id) < (?, ?) ORDER BY updated_at DESC, id DESC LIMIT ?`,
        ),
        count: db
          .prepare(`SELECT COUNT(*) FROM negotiations INDEXED BY ${KINDS[kind].index} WHERE ${KINDS[kind].where}`)
          .pluck(),
      },
    ]),
  ) as Record<NeedKind, { first: Statement<unknown[]>; after: Statement<unknown[]>; count: Statement<unknown[]> }>;
  const latestReply = db.prepare(
    `SELECT at, data FROM timeline WHERE negotiation_id = ? AND type = 'email_received' ORDER BY id DESC LIMIT 1`,
  );
  const snapshot = db.prepare('SELECT snapshot FROM negotiations WHERE id = ?').pluck();
  const funnel = db
    .prepare(`SELECT type, COUNT(DISTINCT negotiation_id) AS n FROM timeline
      WHERE campaign_id = ? AND type IN ('email_sent', 'email_received') GROUP BY type`)
    .raw();

  return {
    /** One page, newest activity first; `after` is the last row of the previous page. */
    page(limit: number, after?: NeedKey): NeedRow[] {
      const rows: NeedRow[] = [];
      for (const kind of Object.keys(KINDS) as NeedKind[]) {
        const found = (
          after ? pages[kind].after.all(after.updatedAt, after.id, limit) : pages[kind].first.all(limit)
        ) as NegotiationRow[];
        for (const row of found) rows.push({ ...row, kind });
      }
      rows.sort((a, b) => (a.updatedAt === b.updatedAt ? cmp(b.id, a.id) : cmp(b.updatedAt, a.updatedAt)));
      return rows.slice(0, limit);
    },
    counts(): Record<NeedKind, number> & { total: number } {
      const parked = pages.parked.count.get() as number;
      const escalation = pages.escalation.count.get() as number;
      const reply = pages.reply.count.get() as number;
      return { parked, escalation, reply, total: parked + escalation + reply };
    },
    /** Their newest email (the words they wrote, quoted history and signature apart), or null. */
    latestReply(negotiationId: string): { at: string; text: string; from: string | null } | null {
      const row = latestReply.get(negotiationId) as { at: string; data: string } | undefined;
      if (!row) return null;
      const data = JSON.parse(row.data) as { text?: unknown; from?: unknown };
      return { at: row.at, text: String(data.text ?? ''), from: typeof data.from === 'string' ? data.from : null };
    },
    /**
     * The open escalation as stored with the negotiation's last transition: a read model, so no actor is restored
     * for it (the guarded restore runs when someone acts). Undefined when the stored snapshot cannot be read.
     */
    storedEscalation(negotiationId: string): Escalation | null | undefined {
      try {
        const stored = JSON.parse(String(snapshot.get(negotiationId))) as { context?: { escalation?: unknown } };
        const e = stored.context?.escalation;
        if (e === null) return null;
        return e && typeof e === 'object' && typeof (e as Escalation).reason === 'string'
          ? (e as Escalation)
          : undefined;
      } catch {
        return undefined;
      }
    },
    /** How many of a campaign's negotiations we emailed, and how many of them replied at least once. */
    funnel(campaignId: string): { contacted: number; replied: number } {
      const counts = new Map(funnel.all(campaignId) as [string, number][]);
      return { contacted: counts.get('email_sent') ?? 0, replied: counts.get('email_received') ?? 0 };
    },
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export type NeedsYou = ReturnType<typeof createNeedsYou>;
