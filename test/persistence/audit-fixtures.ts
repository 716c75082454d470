/**
 * The audit tests' database (audit*.test.ts): a real SQLite file with the real migrations, filled once before the
 * run with the negotiations and timeline entries the tests query. `dir`, `file` and `db` are live bindings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TimelineEntry } from '../../machines/negotiation.ts';
import type { AUDIT_EVENT_TYPES } from '../../persistence/audit.ts';
import { type Db, openDatabase } from '../../persistence/db.ts';
import { appendTimeline } from '../../persistence/timeline.ts';

// Compile-time: every type the machine writes is a known audit event type (else the CLI would refuse it).
export type Unlisted = Exclude<TimelineEntry['type'], (typeof AUDIT_EVENT_TYPES)[number]>;
export const everyMachineTypeListed: [Unlisted] extends [never] ? true : Unlisted = true;

export const SCRIPT = path.join(import.meta.dirname, '..', '..', 'scripts', 'audit.ts');
export const NOW = Date.parse('2026-02-10T12:00:00.000Z');

export let dir: string;
export let file: string;
export let db: Db;

export function negotiation(id: string, campaign: string, email: string, name: string): void {
  db.prepare(
    `INSERT INTO negotiations (id, campaign_id, influencer_email, influencer_name, platform, average_views, state,
      machine_version, snapshot, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'instagram', 80000, 'awaiting_reply', 1, '{}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
  ).run(id, campaign, email, name);
}

export function entry(
  at: string,
  n: { id: string; campaign: string; email: string } | null,
  e: { type: string; [k: string]: unknown },
): void {
  appendTimeline(db, {
    negotiationId: n?.id ?? null,
    campaignId: n?.campaign ?? null,
    influencerEmail: n?.email ?? null,
    at,
    entry: e,
  });
}

export const MAYA = { id: 'neg-maya', campaign: 'camp_glow', email: 'maya@example.com' };
export const JANE = { id: 'neg-jane', campaign: 'camp_glow', email: 'jd@x.io' };
export const OTHER = { id: 'neg-other', campaign: 'camp_other', email: 'maya@example.com' };

export const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

/** The fixture database, built once for the file. Call it inside the describe of each test file that uses this kit. */
export function useAuditFixtures() {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
    file = path.join(dir, 'data', 'agent.db');
    db = openDatabase(file);
    const insertCampaign = db.prepare(
      "INSERT INTO campaigns (id, client, definition, created_at) VALUES (?, ?, '{}', ?)",
    );
    insertCampaign.run('camp_glow', 'Glow Skincare', '2026-01-01T00:00:00.000Z');
    insertCampaign.run('camp_other', 'Other', '2026-01-01T00:00:00.000Z');
    negotiation(MAYA.id, MAYA.campaign, MAYA.email, 'Maya Lopez');
    negotiation(JANE.id, JANE.campaign, JANE.email, 'Jane Doe');
    negotiation(OTHER.id, OTHER.campaign, OTHER.email, 'Maya Lopez');

    entry('2026-01-05T09:00:00.000Z', null, {
      type: 'campaign_start',
      source: 'api',
      started: 2,
      existing: 0,
      skipped: [],
    });
    entry('2026-01-05T09:00:01.000Z', MAYA, {
      type: 'email_sent',
      kind: 'outreach',
      to: MAYA.email,
      subject: 'Glow x Maya',
      text: 'Hi Maya, we would love to work with you.',
      rateCents: 200_000,
    });
    entry('2026-01-31T23:59:59.500Z', MAYA, {
      type: 'email_received',
      from: MAYA.email,
      subject: 'Re: Glow x Maya',
      text: 'I charge $2,500.',
    });
    entry('2026-02-01T00:00:00.000Z', MAYA, {
      type: 'state_transition',
      from: 'awaiting_reply',
      to: 'counter_received',
      event: 'receive_reply',
    });
    // Same instant as the row before: insertion order breaks the tie.
    entry('2026-02-01T00:00:00.000Z', MAYA, {
      type: 'escalation',
      reason: 'Legal/contract language detected in email',
      trigger: 'legal',
      evidence: 'Our lawyer will review',
      askCents: 250_000,
      suggestedCents: 225_000,
      draft: null,
      slackTs: null,
    });
    entry('2026-02-03T10:00:00.000Z', JANE, {
      type: 'email_sent',
      kind: 'outreach',
      to: JANE.email,
      subject: '<!channel> `tick`\nline two of a subject that goes on for a long while',
      text: 'Hello Jane',
      rateCents: 150_050,
    });
    entry('2026-02-04T10:00:00.000Z', OTHER, { type: 'agreement', rateCents: 300_000, views: 80000 });
  });
  after(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
