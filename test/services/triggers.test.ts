/**
 * Escalation trigger configuration (slack-ops.md §1.1, decisions D5): the shipped YAML, validation with errors that
 * name the file and the problem, and applying the configuration to a model classification.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Classification } from '../../services/model/port.ts';
import {
  applyTriggers,
  DEFAULT_LEGAL_KEYWORDS,
  DEFAULT_TRIGGER_CONFIG,
  findKeyword,
  loadTriggerConfig,
  parseTriggerConfig,
  type TriggerConfig,
} from '../../services/triggers.ts';

const SHIPPED = path.join(import.meta.dirname, '..', '..', 'config', 'escalation_triggers.yaml');

let dir: string;
// Its hooks apply to this file's tests only (a hook outside every describe would run before every test of the suite).
describe('triggers', () => {
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'triggers-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function file(text: string, name = 'escalation_triggers.yaml'): string {
    const p = path.join(dir, name);
    fs.writeFileSync(p, text);
    return p;
  }

  function loadError(text: string): string {
    const p = file(text, `bad-${Math.random().toString(36).slice(2)}.yaml`);
    try {
      loadTriggerConfig(p);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).to.include(p);
      return message;
    }
    throw new Error('expected the file to be refused');
  }

  const classification = (triggers: Classification['triggers'] = []): Classification => ({
    intent: 'counter',
    askCents: 250_000,
    confidence: 0.9,
    triggers,
    summary: 'Counter-offer at $2,500.00.',
  });

  function config(edit: (c: TriggerConfig) => void): TriggerConfig {
    const c = structuredClone(DEFAULT_TRIGGER_CONFIG);
    edit(c);
    return c;
  }

  describe('escalation trigger config', () => {
    it('ships a file that loads and equals the built-in defaults', () => {
      const shipped = loadTriggerConfig(SHIPPED);
      expect(shipped.source).to.equal(SHIPPED);
      expect({ ...shipped, source: null }).to.deep.equal(DEFAULT_TRIGGER_CONFIG);
      expect(shipped.kinds.hostile).to.deep.equal({ enabled: true, keywords: [] });
      expect(shipped.confidenceThreshold).to.equal(0.7);
      expect(shipped.ambiguousIntentEnabled).to.equal(true);
      expect(shipped.cpmCeilingEnabled).to.equal(false);
      expect(shipped.alwaysTrigger).to.deep.equal({ enabled: true, keywords: [] });
    });

    it('an empty file or a partial one takes the defaults for what it leaves out', () => {
      expect({ ...loadTriggerConfig(file('')), source: null }).to.deep.equal(DEFAULT_TRIGGER_CONFIG);
      expect({ ...loadTriggerConfig(file('# nothing\n')), source: null }).to.deep.equal(DEFAULT_TRIGGER_CONFIG);
      const c = loadTriggerConfig(
        file(
          [
            'legal_language:',
            '  enabled: false',
            'hostile_tone:',
            '  always_trigger_keywords: ["  scam  ", "cease and desist"]',
            'cpm_over_threshold: { enabled: true }',
            'ambiguous_intent: { confidence_threshold: 0.8 }',
            'always_trigger_keywords: { keywords: [chargeback] }',
          ].join('\n'),
        ),
      );
      // legal language has default keywords (D16): a file that leaves them out keeps them
      expect(c.kinds.legal).to.deep.equal({ enabled: false, keywords: DEFAULT_LEGAL_KEYWORDS });
      expect(c.kinds.hostile).to.deep.equal({ enabled: true, keywords: ['scam', 'cease and desist'] });
      expect(c.kinds.unusual_deliverables).to.deep.equal({ enabled: true, keywords: [] });
      expect(c.cpmCeilingEnabled).to.equal(true);
      expect(c.confidenceThreshold).to.equal(0.8);
      expect(c.alwaysTrigger).to.deep.equal({ enabled: true, keywords: ['chargeback'] });
    });

    it('a disabled ambiguous-intent trigger has threshold 0 (nothing is below it)', () => {
      const c = loadTriggerConfig(file('ambiguous_intent:\n  enabled: false\n  confidence_threshold: 0.9\n'));
      expect(c.ambiguousIntentEnabled).to.equal(false);
      expect(c.confidenceThreshold).to.equal(0);
    });

    it('refuses wrong types, naming the file and the key', () => {
      expect(loadError('hostile_tone:\n  enabled: "yes"\n')).to.match(/hostile_tone\.enabled: .*boolean/i);
      expect(loadError('legal_language:\n  always_trigger_keywords: lawyer\n')).to.include(
        'legal_language.always_trigger_keywords',
      );
      expect(loadError('always_trigger_keywords:\n  keywords: ["", x]\n')).to.include('a keyword must not be empty');
      expect(loadError('ambiguous_intent: { confidence_threshold: 1.5 }')).to.include(
        'ambiguous_intent.confidence_threshold: must be at most 1',
      );
      expect(loadError('ambiguous_intent: { confidence_threshold: 0 }')).to.include('must be above 0');
    });

    it('refuses unknown keys, so a typo is not silently ignored', () => {
      expect(loadError('hostile_tone:\n  enable: false\n')).to.match(/hostile_tone: .*enable/);
      expect(loadError('hostile_ton:\n  enabled: false\n')).to.include('hostile_ton');
    });

    it("explains that the original's global cpm_threshold is not used (campaign bounds, D4)", () => {
      expect(loadError('cpm_over_threshold:\n  enabled: true\n  cpm_threshold: 30.0\n')).to.include(
        "each campaign's own CPM ceiling",
      );
    });

    it('refuses broken YAML and a file that is not a mapping', () => {
      expect(loadError('hostile_tone:\n  enabled: [true\n')).to.include('not valid YAML');
      expect(loadError('hostile_tone: 1\nhostile_tone: 2\n')).to.include('not valid YAML');
      expect(loadError('- hostile_tone\n')).to.include('must be a mapping');
      expect(loadError('just text\n')).to.include('must be a mapping');
    });

    it('a missing file is an error, not a silent fall-back to defaults', () => {
      const missing = path.join(dir, 'nope.yaml');
      expect(() => loadTriggerConfig(missing)).to.throw(
        `Cannot read escalation trigger config ${missing}: file not found`,
      );
    });

    it('parseTriggerConfig names the given source', () => {
      expect(() => parseTriggerConfig('x: 1', 'CONFIG')).to.throw(/Invalid escalation trigger config CONFIG:/);
    });
  });

  describe('applyTriggers', () => {
    const email = 'Hi Anna,\nThanks for the offer. Our lawyer will review any contract\nterms first. Talk soon!';

    it('leaves a classification without configured changes as it was', () => {
      const c = classification([{ kind: 'legal', evidence: 'Our lawyer will review' }]);
      const copy = structuredClone(c);
      expect(applyTriggers(DEFAULT_TRIGGER_CONFIG, c, email)).to.deep.equal(copy);
      expect(c).to.deep.equal(copy); // not mutated
    });

    it('drops the findings of disabled kinds', () => {
      const c = classification([
        { kind: 'hostile', evidence: 'a' },
        { kind: 'legal', evidence: 'b' },
      ]);
      const out = applyTriggers(
        config((x) => {
          x.kinds.legal.enabled = false;
        }),
        c,
        email,
      );
      expect(out.triggers).to.deep.equal([{ kind: 'hostile', evidence: 'a' }]);
      expect(out.intent).to.equal('counter');
      expect(out.askCents).to.equal(250_000);
    });

    it("a kind's keyword fires it with the sentence as evidence (case-insensitive, across a line wrap)", () => {
      const out = applyTriggers(
        config((x) => {
          x.kinds.legal.keywords = ['Contract Terms'];
        }),
        classification(),
        email,
      );
      expect(out.triggers).to.deep.equal([
        { kind: 'legal', evidence: 'Our lawyer will review any contract terms first.' },
      ]);
    });

    it('keywords match whole words only', () => {
      expect(findKeyword('There is an issue with the date.', ['sue'])).to.equal(null);
      expect(findKeyword('We will sue.', ['sue'])).to.deep.equal({ keyword: 'sue', evidence: 'We will sue.' });
      expect(findKeyword('It’s a cease-and-desist.', ["it's a cease-and-desist"])?.evidence).to.equal(
        "It's a cease-and-desist.",
      );
      expect(findKeyword('anything', [])).to.equal(null);
    });

    it('a long sentence is quoted around the match, at most 300 characters', () => {
      const long = `${'word '.repeat(150)}chargeback ${'more '.repeat(100)}`;
      const hit = findKeyword(long, ['chargeback']);
      expect(hit?.evidence.length).to.equal(300);
      expect(hit?.evidence).to.include('chargeback');
    });

    it('keeps the model finding of a kind instead of adding a second one', () => {
      const out = applyTriggers(
        config((x) => {
          x.kinds.legal.keywords = ['lawyer'];
        }),
        classification([{ kind: 'legal', evidence: 'model quote' }]),
        email,
      );
      expect(out.triggers).to.deep.equal([{ kind: 'legal', evidence: 'model quote' }]);
    });

    it('keywords of a disabled kind do not fire', () => {
      const out = applyTriggers(
        config((x) => {
          x.kinds.legal = { enabled: false, keywords: ['lawyer'] };
        }),
        classification(),
        email,
      );
      expect(out.triggers).to.deep.equal([]);
    });

    it('always-trigger keywords add a keyword finding, unless that trigger is disabled', () => {
      const withList = config((x) => {
        x.alwaysTrigger.keywords = ['talk soon'];
        x.kinds.legal.keywords = []; // the email's "lawyer" would fire the default legal words too
      });
      expect(applyTriggers(withList, classification(), email).triggers).to.deep.equal([
        { kind: 'keyword', evidence: 'Talk soon!' },
      ]);
      withList.alwaysTrigger.enabled = false;
      expect(applyTriggers(withList, classification(), email).triggers).to.deep.equal([]);
    });

    it('orders findings hostile, legal, unusual deliverables, keyword (the strategy escalates with the first)', () => {
      const out = applyTriggers(
        config((x) => {
          x.alwaysTrigger.keywords = ['thanks'];
          x.kinds.hostile.keywords = ['talk soon'];
        }),
        classification([
          { kind: 'unusual_deliverables', evidence: 'u' },
          { kind: 'legal', evidence: 'l' },
        ]),
        email,
      );
      expect(out.triggers.map((t) => t.kind)).to.deep.equal(['hostile', 'legal', 'unusual_deliverables', 'keyword']);
      expect(out.triggers[0].evidence).to.equal('Talk soon!');
      expect(out.triggers[3].evidence).to.equal('Thanks for the offer.');
    });
  });
});
