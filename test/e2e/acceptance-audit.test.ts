/**
 * The acceptance audit of issues 11 and 12, kept as a regression suite: replies written for it (not the corpus's
 * fixtures, not the phrasing table's rows) sent end to end through POST /sandbox/mail, each to its own negotiation,
 * and read back from GET /api/v1/negotiations/:id. Amount phrasings; client formats in the D16 languages (Outlook
 * header blocks and "Original Message" separators, Gmail/Apple/iOS/Android/Yahoo/Zoho/Yandex/Proton/Thunderbird
 * attributions, forwards, inline answers, our scope-of-work block quoted with its struck amount); HTML-only and
 * raw MIME replies; signatures with rate cards and no "-- ". test/support/probes.ts says how a probe is judged.
 */
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { type Probe, runProbes } from '../support/probes.ts';
import { AMOUNTS, AMOUNTS2, ISSUE } from './audit/amounts.ts';
import { FORMATS, RAW } from './audit/formats.ts';
import { FORMATS2 } from './audit/formats-more.ts';
import { RAW2 } from './audit/html.ts';
import { FORMATS3 } from './audit/outlook.ts';
import { SIGS } from './audit/signatures.ts';

describe('acceptance audit: replies end to end through the sandbox (D16)', function () {
  this.timeout(180_000);
  let t: TestAgent;
  before(async () => {
    t = await startTestAgent({ SHEET_POLL_SECONDS: '0' });
  });
  after(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  const families: [string, Probe[]][] = [
    ["issue 11's measured cases", ISSUE],
    ['amount phrasings', [...AMOUNTS, ...AMOUNTS2]],
    ['client formats after a counter (our struck amount quoted)', [...FORMATS, ...FORMATS2, ...FORMATS3]],
    ['raw and HTML-only messages', [...RAW, ...RAW2]],
    ['signatures with rate cards and no "-- "', SIGS],
  ];
  for (const [family, probes] of families) {
    it(`${family}: every reply read as a careful person reads it`, async () => {
      const failures = await runProbes(t, probes);
      console.log(`      ${family}: ${probes.length - failures.length}/${probes.length} as expected`);
      expect(failures, failures.join('\n')).to.deep.equal([]);
    });
  }
});
