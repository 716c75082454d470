/**
 * `npm run demo` runs a whole scripted campaign, prints one readable row per influencer and the dashboard URL, and
 * leaves the campaign in its own data directory until `--clean` removes it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { removeDir, tempDir } from '../support/agent.ts';

const DEMO = fileURLToPath(new URL('../../scripts/demo.ts', import.meta.url));

describe('npm run demo', () => {
  it('ends every simulated influencer in the outcome its script leads to, keeps the campaign, and --clean removes it', async function () {
    this.timeout(90_000);
    const dir = join(tempDir('demo-test-'), 'demo-data');
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [DEMO, ...args], {
        timeout: 60_000,
        env: { ...process.env, DATA_DIR: dir, PORT: '0' },
      });
    try {
      const { stdout } = await run('--exit');
      const outcome = (name: string) => new RegExp(`^${name}\\s*│ ([a-z ]+?)\\s*│`, 'm').exec(stdout)?.[1];
      expect(outcome('Maya Lopez')).to.equal('agreed');
      expect(outcome('Leo Park')).to.equal('agreed');
      expect(outcome('Ana Ruiz')).to.equal('agreed');
      expect(outcome('Sam Lee')).to.equal('needs your decision');
      expect(outcome('Kim Ito')).to.equal('declined');
      expect(outcome('Noor Haddad')).to.equal('no answer');
      expect(stdout).to.match(/Deals agreed: 3 of 6; average CPM \$[\d,]+\.\d\d \(target \$25\.00, ceiling \$30\.00\)/);
      expect(stdout).to.match(/^Maya Lopez .*│\s+\$2,000\.00 │/m);
      expect(stdout, 'no raw JSON').to.not.match(/[{[]"/);
      expect(stdout).to.contain('http://127.0.0.1:3000/dashboard#campaign=demo-glow');

      // The campaign stays in the demo's database.
      const db = new Database(join(dir, 'agent.db'), { readonly: true });
      expect(db.prepare('SELECT COUNT(*) FROM negotiations WHERE campaign_id = ?').pluck().get('demo-glow')).to.equal(
        6,
      );
      db.close();

      const cleaned = await run('--clean');
      expect(cleaned.stdout).to.contain('Removed the demo campaign');
      expect(existsSync(dir)).to.equal(false);
    } finally {
      removeDir(join(dir, '..'));
    }
  });
});
