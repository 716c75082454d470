/**
 * The README's "A negotiation by hand (sandbox)" block, run as a reader would paste it: read from README.md at test
 * time, only its base URL line (`B=...`) pointed at a fresh sandbox agent on a free port, run with bash (errors
 * and failed pipelines stop it). Every request it makes must succeed (no 4xx/5xx: a typo, a wrong path or a step
 * that the agent refuses at that moment fails the test), and the negotiation must have gone somewhere.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));
const HEADING = '## A negotiation by hand (sandbox)';

/** The first ```sh block after the walkthrough's heading. */
function walkthrough(markdown: string): string {
  const at = markdown.indexOf(HEADING);
  if (at < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const block = /```(?:sh|bash)\n([\s\S]*?)\n```/.exec(markdown.slice(at));
  if (!block) throw new Error(`no sh block under "${HEADING}"`);
  return block[1];
}

describe('README walkthrough (A negotiation by hand), run verbatim against a fresh sandbox', function () {
  this.timeout(90_000);
  let t: TestAgent;
  const answered: { method: string; path: string; status: number }[] = [];

  before(async () => {
    t = await startTestAgent();
    t.agent.server.on('request', (req, res) => {
      res.once('finish', () =>
        answered.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode }),
      );
    });
  });
  after(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  it('every command works as written, and the agent negotiates', async () => {
    const script = walkthrough(readFileSync(README, 'utf8'));
    expect(script, 'the block sets the base URL in a line B=...').to.match(/^B=\S+$/m);
    const run = script.replace(/^B=\S+$/m, `B=${t.url}`);
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', run], {
        env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
      });
      child.stderr.on('data', (c) => {
        out += c;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 80_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(result.code, `bash exited ${result.code}:\n${result.out.slice(-2000)}`).to.equal(0);

    const failed = answered.filter((r) => r.status >= 400);
    expect(failed, 'requests of the walkthrough that failed').to.deep.equal([]);
    expect(answered.some((r) => r.method === 'POST' && r.path === '/api/v1/campaigns' && r.status === 201)).to.equal(
      true,
    );
    expect(answered.filter((r) => r.method === 'POST' && r.path === '/sandbox/mail' && r.status === 202)).to.not.be
      .empty;

    const list = await t.call('GET', '/api/v1/negotiations');
    expect(list.body, 'negotiations the walkthrough started').to.not.be.empty;
    for (const summary of list.body as { id: string }[]) {
      const n = (await t.call('GET', `/api/v1/negotiations/${summary.id}`)).body;
      expect(n.failure, `${n.id} failed`).to.equal(null);
      const types = new Set(n.timeline.map((e: { type: string }) => e.type));
      expect([...types], `${n.id}: the agent read the reply and answered`).to.include.members([
        'email_sent',
        'email_received',
      ]);
    }
  });
});
