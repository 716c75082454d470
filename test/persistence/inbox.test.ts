/** The durable inbox keeps the reply extraction's reading (D16) across a restart, over a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openDatabase } from '../../persistence/db.ts';
import { createInbox, type InboxMessage } from '../../persistence/inbox.ts';

describe('inbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'inbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const message = (extra: Partial<InboxMessage>): InboxMessage => ({
    messageId: `<m-${Math.random()}@x>`,
    negotiationId: 'neg-1',
    threadId: 't-1',
    from: 'Maya Lopez <maya@gmail.com>',
    subject: 'Re: Partnership',
    text: 'Deal!',
    receivedAt: '2026-03-03T09:14:00.000Z',
    ...extra,
  });

  it('stores their words, the quoted context, the signature and uncertain; pending gives them back after a reopen', () => {
    const file = join(dir, 'agent.db');
    const read = message({ quoted: '> Rate: $2,000.00', signature: 'Best,\nMaya', uncertain: false });
    const unclear = message({ text: '', quoted: '---------- Forwarded message ---------', uncertain: true });
    const plain = message({ text: 'ok' });
    const db = openDatabase(file);
    const inbox = createInbox(db);
    for (const m of [read, unclear, plain]) expect(inbox.store(m, '2026-03-03T09:15:00.000Z')).to.equal(true);
    expect(inbox.store(read, '2026-03-03T09:16:00.000Z')).to.equal(false); // a re-delivery
    expect(inbox.has(read.messageId)).to.equal(true);
    db.close();

    const again = createInbox(openDatabase(file));
    expect(again.pending('neg-1')).to.deep.equal([
      { ...read, signature: 'Best,\nMaya' },
      { ...unclear, signature: null },
      { ...plain, signature: null, quoted: null, uncertain: false },
    ]);
  });
});
