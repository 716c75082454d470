/**
 * Mocha root hook (.mocharc.json "require"): after a full `npm test`, every operation of the OpenAPI document
 * (GET /api/v1/openapi.json, generated from the routers) must have been answered with a 2xx by some test. A route
 * someone adds is in the document at once, so it fails here until a test exercises it. Partial runs (one file,
 * --grep) skip the check.
 */
import { globSync } from 'node:fs';
import { resolve } from 'node:path';
import { removeDir, startTestAgent } from './agent.ts';
import { answeredRequests, unexercised } from './api-coverage.ts';

interface SuiteLike {
  file?: string;
  suites: SuiteLike[];
}

function filesRun(suite: SuiteLike): Set<string> {
  const files = new Set<string>();
  const walk = (s: SuiteLike) => {
    if (s.file) files.add(resolve(s.file));
    for (const child of s.suites) walk(child);
  };
  walk(suite);
  return files;
}

const FILTERS = ['--grep', '-g', '--fgrep', '-f', '--invert'];

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    const root = this.test?.parent as unknown as SuiteLike | undefined;
    if (!root) return;
    const ran = filesRun(root);
    const all = globSync('test/**/*.test.ts').map((f) => resolve(f));
    const full = all.every((f) => ran.has(f)) && !process.argv.some((a) => FILTERS.includes(a.split('=')[0]));
    if (!full) return;
    const t = await startTestAgent();
    try {
      const res = await fetch(`${t.url}/api/v1/openapi.json`);
      const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
      const missing = unexercised(doc.paths, answeredRequests());
      if (missing.length) {
        throw new Error(
          `API routes in the OpenAPI document that no test answered with a 2xx:\n  ${missing.join('\n  ')}\n` +
            'Add a test that calls each (test/support/api-coverage.ts records the requests of every test agent).',
        );
      }
      console.log(`\n  API coverage: all ${Object.keys(doc.paths).length} paths of the OpenAPI document exercised\n`);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  },
};
