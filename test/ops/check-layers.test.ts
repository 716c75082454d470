/**
 * The layer check `npm run lint` runs (scripts/check-layers.ts): imports run server → persistence → machines →
 * services, no product layer imports the tools (bench, test, scripts), SQL is prepared only in persistence/. Run on fixture trees and on the repo.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function check(root: string) {
  return spawnSync(process.execPath, ['scripts/check-layers.ts', root], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** A tree of files (path → source) in a temp directory. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('layer check (npm run lint)', () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('accepts the repository as it is, and lint runs it after biome', () => {
    const result = check(ROOT);
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
    const lint = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.lint as string;
    expect(lint).to.match(/^biome check \. && node scripts\/check-layers\.ts$/);
  });

  it('accepts downward imports, type-only and re-exports included', () => {
    const root = tree({
      'server/app.ts': "import { a } from '../persistence/a.ts';\nimport type { M } from '../machines/m.ts';\n",
      'persistence/a.ts': "export { m } from '../machines/m.ts';\nimport '../services/s.ts';\n",
      'machines/m.ts': "import { s } from '../services/s.ts';\n",
      'services/s.ts': "import { t } from './chat/t.ts';\n",
      'services/chat/t.ts': "import { s } from '../s.ts';\n",
      'test/x.test.ts': "import { app } from '../server/app.ts';\n",
    });
    roots.push(root);
    const result = check(root);
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
  });

  it('keeps the rooms of server/ in order: wiring, then http and slack, then runtime, then observability', () => {
    const root = tree({
      'server/main.ts': "import { serve } from './http/serve.ts';\nimport { host } from './runtime/host.ts';\n",
      'server/config.ts': "import { parseTokens } from './http/api-tokens.ts';\n",
      'server/http/routes/api.ts':
        "import { host } from '../../runtime/host.ts';\nimport { log } from '../../observability/logger.ts';\n",
      'server/slack/app.ts': "import type { Commands } from '../runtime/commands.ts';\n",
      'server/runtime/effects.ts':
        "import type {\n  Config,\n} from '../config.ts';\nimport { present } from '../http/present.ts';\nimport { main } from '../main.ts';\n",
      'server/runtime/intake.ts': "import { loadConfig } from '../config.ts';\n",
      'server/observability/metrics.ts': "import type { Host } from '../runtime/host.ts';\n",
    });
    roots.push(root);
    const result = check(root);
    expect(result.status).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.slice(0, -1).sort()).to.deep.equal([
      'server/observability/metrics.ts: imports ../runtime/host.ts (server/observability/ sits below server/runtime/)',
      'server/runtime/effects.ts: imports ../http/present.ts (server/runtime/ sits below server/http/)',
      'server/runtime/effects.ts: imports ../main.ts (server/runtime/ sits below server/)',
      'server/runtime/intake.ts: imports ../config.ts (server/runtime/ sits below server/)',
    ]);
  });

  it('rejects every upward import, a product import of a tool and SQL outside persistence, naming file and reason', () => {
    const root = tree({
      'services/chat/messages.ts': "import type { NotifyInput } from '../../machines/negotiation.ts';\n",
      'services/sheet.ts': "import type { Db } from '../persistence/db.ts';\n",
      'persistence/audit.ts': "import { withMoney } from '../server/present.ts';\n",
      'machines/m.ts': "const late = await import('../server/host.ts');\n",
      'server/app.ts': "import { fake } from '../test/support/fake.ts';\n",
      'server/ok.ts': "import { a } from '../persistence/audit.ts';\n",
      'server/outbox.ts': "const due = db.prepare('SELECT key FROM chat_outbox');\n",
      'services/chat/sandbox.ts': "const all = db.prepare('SELECT ts FROM slack');\n",
      'persistence/outbox.ts': "const due = db.prepare<[string]>('SELECT key FROM chat_outbox');\n",
    });
    roots.push(root);
    const result = check(root);
    expect(result.status).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines.slice(0, -1).sort()).to.deep.equal([
      'machines/m.ts: imports ../server/host.ts (machines/ sits below server/)',
      'persistence/audit.ts: imports ../server/present.ts (persistence/ sits below server/)',
      'server/app.ts: imports ../test/support/fake.ts (server/ may not import test/)',
      'server/outbox.ts: prepares SQL (every statement lives in persistence/)',
      'services/chat/messages.ts: imports ../../machines/negotiation.ts (services/ sits below machines/)',
      'services/sheet.ts: imports ../persistence/db.ts (services/ sits below persistence/)',
    ]);
    expect(lines.at(-1)).to.include('6 problem(s)');
  });
});
