/**
 * A big campaign's accepted influencer rows, stored at intake (cheap rows, no negotiation yet) so the POST is
 * answered at once; the intake turns them into negotiations in chunks, deleting each row in the transaction that
 * creates its negotiation, and goes on after a restart from what is left (decisions D20).
 */
import type { AcceptedInfluencer } from '../services/campaigns.ts';
import type { Db } from './db.ts';

export interface IntakeRow extends AcceptedInfluencer {
  negotiationId: string;
  campaignId: string;
  startedAt: string;
}

export function createIntakeRows(db: Db) {
  const insert = db.prepare(`
    INSERT INTO intake_rows (negotiation_id, campaign_id, influencer_email, started_at, accepted)
    VALUES (@negotiationId, @campaignId, @email, @startedAt, @accepted)`);
  const next = db.prepare(`
    SELECT negotiation_id AS negotiationId, campaign_id AS campaignId, started_at AS startedAt, accepted
    FROM intake_rows ORDER BY seq LIMIT ?`);
  const remove = db.prepare('DELETE FROM intake_rows WHERE negotiation_id = ?');
  const find = db
    .prepare('SELECT negotiation_id FROM intake_rows WHERE campaign_id = ? AND influencer_email = ?')
    .pluck();
  const any = db.prepare('SELECT 1 FROM intake_rows LIMIT 1').pluck();

  return {
    add(rows: IntakeRow[]): void {
      for (const { negotiationId, campaignId, startedAt, influencer, openingCents } of rows) {
        const accepted = JSON.stringify({ influencer, openingCents });
        insert.run({ negotiationId, campaignId, email: influencer.email, startedAt, accepted });
      }
    },
    /** The oldest rows still to create, in the order they were accepted. */
    next(limit: number): IntakeRow[] {
      return (next.all(limit) as (Omit<IntakeRow, keyof AcceptedInfluencer> & { accepted: string })[]).map(
        ({ accepted, ...row }) => ({ ...row, ...(JSON.parse(accepted) as AcceptedInfluencer) }),
      );
    },
    /** In the transaction that creates its negotiation. */
    remove(negotiationId: string): void {
      remove.run(negotiationId);
    },
    /** The negotiation accepted (not created yet) for this campaign and email. */
    find(campaignId: string, email: string): string | undefined {
      return find.get(campaignId, email) as string | undefined;
    },
    pending(): boolean {
      return any.get() !== undefined;
    },
  };
}

export type IntakeRows = ReturnType<typeof createIntakeRows>;
