/**
 * The effect journal's rows name their negotiation and kind in columns of their own, from the effect's input
 * (never read back out of the key), also for an effect restored from a snapshot saved before its input carried them.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { fromPromise } from 'xstate';
import { eventually, glowCampaign, removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';

describe('effect journal ids', () => {
  let t: TestAgent | undefined;
  afterEach(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  it('journals a compose restored from an old snapshot (input without negotiationId) under its negotiation', async () => {
    // First life: the opening email's compose hangs, and the process goes down with the snapshot in `composing`.
    const hang = fromPromise(() => new Promise<never>(() => {}));
    t = await startTestAgent({ SHUTDOWN_GRACE_MS: '0' }, tempDir(), {
      adaptMachine: (m) => m.provide({ actors: { compose: hang } as never }),
    });
    const created = await t.call('POST', '/api/v1/campaigns', glowCampaign());
    expect(created.status).to.equal(201);
    const id: string = created.body.negotiations[0].id;
    await t.stop();
    // The snapshot as a build before this change saved it: the compose input has its key but no negotiationId.
    const db = new Database(join(t.dataDir, 'agent.db'));
    const row = db.prepare('SELECT snapshot FROM negotiations WHERE id = ?').get(id) as { snapshot: string };
    const snapshot = JSON.parse(row.snapshot);
    const input = snapshot.children.compose.snapshot.input;
    expect(input.negotiationId).to.equal(id);
    delete input.negotiationId;
    db.prepare('UPDATE negotiations SET snapshot = ? WHERE id = ?').run(JSON.stringify(snapshot), id);
    db.close();

    // Second life, real effects: the compose runs again and its result is journaled under the row's id.
    t = await startTestAgent({}, t.dataDir);
    const agent = t;
    await eventually(
      async () => (await agent.call('GET', `/api/v1/negotiations/${id}`)).body.state === 'awaiting_reply',
    );
    const read = new Database(join(t.dataDir, 'agent.db'), { readonly: true });
    const rows = read
      .prepare("SELECT key, negotiation_id, kind, status FROM effects WHERE kind IN ('compose', 'send_email')")
      .all() as { key: string; negotiation_id: string; kind: string; status: string }[];
    read.close();
    expect(rows.map((r) => [r.kind, r.negotiation_id, r.status]).sort()).to.deep.equal([
      ['compose', id, 'done'],
      ['send_email', id, 'done'],
    ]);
  });
});
