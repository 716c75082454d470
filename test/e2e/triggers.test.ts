/** The team's escalation trigger file (decisions D5) as the running agent uses it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent, tempDir } from '../support/agent.ts';
import { negotiation, reply, started, timelineOf, waitForState } from '../support/e2e.ts';

let t: TestAgent | null = null;
// One describe for the file: its hooks (and its kit's) apply to its own tests only.
describe('triggers (e2e)', () => {
  afterEach(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
    t = null;
  });

  function triggersFile(dir: string, yaml: string): string {
    const path = join(dir, 'triggers.yaml');
    writeFileSync(path, yaml);
    return path;
  }

  describe('escalation trigger file', () => {
    it('an always-escalate keyword escalates a reply that would otherwise be accepted, quoting it', async () => {
      const dir = tempDir();
      const file = triggersFile(dir, 'always_trigger_keywords:\n  enabled: true\n  keywords: ["chargeback"]\n');
      t = await startTestAgent({ TRIGGERS_FILE: file }, dir);
      const s = await started(t);
      await reply(t, s.threadId, "Sounds great, let's do it. Last brand did a chargeback on me though.");
      const n = await waitForState(t, s.id, 'escalated');
      const [e] = timelineOf(n, 'escalation');
      expect(e.trigger).to.equal('keyword');
      expect(String(e.evidence)).to.include('chargeback');
    });

    it('a disabled trigger kind does not escalate (legal language off)', async () => {
      const dir = tempDir();
      t = await startTestAgent({ TRIGGERS_FILE: triggersFile(dir, 'legal_language:\n  enabled: false\n') }, dir);
      const s = await started(t);
      // D16: a yes that raises contract terms is not a plain acceptance, so the legal word here is a lawyer's review
      await reply(t, s.threadId, "Sounds great, let's do it! My lawyer will look it over.");
      const n = await waitForState(t, s.id, 'agreed');
      expect(timelineOf(n, 'escalation')).to.have.length(0);
      expect((await negotiation(t, s.id)).agreedRate).to.equal('2000.00');
    });

    it('an invalid file stops the start with a message naming the file and the problem', async () => {
      const dir = tempDir();
      const file = triggersFile(dir, 'legal_language:\n  enable: false\n');
      const error = await startTestAgent({ TRIGGERS_FILE: file }, dir).catch((e: Error) => e);
      expect(String(error))
        .to.include(file)
        .and.match(/enable/);
      removeDir(dir);
    });
  });
});
