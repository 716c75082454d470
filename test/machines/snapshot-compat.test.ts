/**
 * Snapshots stored before the chart was split (the single-file machine of commit 6339704, MACHINE_VERSION 2)
 * restore into today's chart and continue exactly as they would have: same state, same context, same records
 * emitted, for the effect finishing, failing, and for outside events. The fixture was recorded by walking that
 * machine through every state node (as the round-trip test does) and stepping each distinct snapshot; contexts
 * after a step are stored as SHA-256 digests of their JSON to keep it small.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { createActor, type Snapshot } from 'xstate';
import { type NegotiationEvent, negotiationMachine } from '../../machines/negotiation.ts';
import { emittedBy, input, step } from './harness.ts';

interface Case {
  persisted: Snapshot<unknown> & { value: unknown };
  steps: {
    event: { type: string; error?: string };
    next: { value: unknown; context: string; children: string[] };
    emitted: unknown[];
  }[];
}

const FIXTURE = new URL('./fixtures/v2-snapshots.jsonl', import.meta.url);
const cases: Case[] = readFileSync(FIXTURE, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));
const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('base64url');

const CONTROL_NOW: Record<string, string> = { PAUSE: 'paused', STOP: 'stopped' };

describe('snapshots stored by the previous chart (MACHINE_VERSION 2)', () => {
  it('cover every resting and in-flight state of the machine', () => {
    const values = new Set(cases.map((c) => JSON.stringify(c.persisted.value)));
    expect(values.size).to.be.at.least(35);
  });

  for (const c of cases) {
    it(`restores ${JSON.stringify(c.persisted.value)} and continues as before`, () => {
      // Restored, not started (the input is ignored on restore): the steps below are pure transitions.
      const restored = createActor(negotiationMachine, { snapshot: structuredClone(c.persisted), input }).getSnapshot();
      expect(restored.status).to.equal(c.persisted.status);
      expect(JSON.parse(JSON.stringify(negotiationMachine.getPersistedSnapshot(restored)))).to.deep.equal(c.persisted);
      for (const s of c.steps) {
        const event = (s.event.error ? { ...s.event, error: new Error(s.event.error) } : s.event) as NegotiationEvent;
        const next = step(restored, event);
        const emitted = emittedBy(restored, event);
        const label = `${s.event.type} from ${JSON.stringify(c.persisted.value)}`;
        // Changed on purpose since version 2: a pause or stop while an email is still being written or checked
        // applies at once (nothing went out), instead of after the email was sent.
        if (CONTROL_NOW[s.event.type] && /"(composing|validating)"/.test(JSON.stringify(c.persisted.value))) {
          expect(next.value, label).to.equal(CONTROL_NOW[s.event.type]);
          continue;
        }
        expect(next.value, label).to.deep.equal(s.next.value);
        expect(Object.keys(next.children), label).to.deep.equal(s.next.children);
        expect(JSON.parse(JSON.stringify(emitted)), label).to.deep.equal(s.emitted);
        expect(digest(next.context), `${label}: context`).to.equal(s.next.context);
      }
    });
  }
});
