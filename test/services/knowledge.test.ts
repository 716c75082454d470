import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_FORBIDDEN_PHRASES, SOW_PLACEHOLDER, validateEmail } from '../../services/gate.ts';
import { type KbStage, loadKnowledgeBase } from '../../services/knowledge.ts';

const SHIPPED = path.join(import.meta.dirname, '..', '..', 'knowledge_base');
const EXAMPLES_HEADING = '\n\n## Relevant Email Examples\n\n';

function example(stages: string, platform = 'null', title = 'An example'): string {
  return `---\nscenario: test\ntitle: ${title}\nstages: ${stages}\ntactics: [one]\nplatform: ${platform}\n---\n\n## Email\n\nBody of ${title}.\n`;
}

/** A temporary KB; files maps relative paths to contents. */
function tempKb(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kb-'));
  fs.mkdirSync(path.join(dir, 'examples'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Writes new content and moves the mtime forward, so a same-millisecond edit is still seen. */
function edit(file: string, text: string): void {
  fs.writeFileSync(file, text);
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
}

const shippedExamples = () =>
  fs
    .readdirSync(path.join(SHIPPED, 'examples'))
    .filter((f) => f.endsWith('.md'))
    .sort();

/** The example stems injected for a stage, recovered from the "### {title}" headings. */
function injectedStems(text: string): string[] {
  const byTitle = new Map<string, string>();
  for (const file of shippedExamples()) {
    const front = fs.readFileSync(path.join(SHIPPED, 'examples', file), 'utf8').split(/^---$/m)[1];
    byTitle.set((parseYaml(front) as { title: string }).title, path.basename(file, '.md'));
  }
  const examples = text.split(EXAMPLES_HEADING)[1] ?? '';
  return [...examples.matchAll(/^### (.+)$/gm)].map((m) => byTitle.get(m[1]) ?? `?${m[1]}`);
}

/** The email text of a Markdown section: from a heading line to the next heading or rule. */
function sectionsAfter(text: string, heading: RegExp): string[] {
  const lines = text.split('\n');
  const sections: string[] = [];
  lines.forEach((line, i) => {
    if (!heading.test(line)) return;
    const end = lines.findIndex((l, j) => j > i && (/^#{1,6} /.test(l) || l === '---'));
    sections.push(lines.slice(i + 1, end < 0 ? undefined : end).join('\n'));
  });
  return sections;
}

describe('knowledge base loader', () => {
  it('selects the shipped examples per stage, in filename order', () => {
    const kb = loadKnowledgeBase(SHIPPED);
    const table: Record<KbStage, string[]> = {
      initial_offer: ['bundled_rate', 'multi_platform_bundle'],
      counter_sent: ['bundled_rate', 'cpm_mention', 'multi_platform_bundle', 'product_offer', 'usage_rights'],
      counter_received: ['cpm_mention', 'escalation', 'misalignment_exit', 'usage_rights', 'walk_away'],
      agreed: ['positive_close'],
      escalated: ['escalation'],
    };
    for (const [stage, stems] of Object.entries(table)) {
      expect(injectedStems(kb.textFor('instagram', stage as KbStage)), stage).to.deep.equal(stems);
    }
  });

  it('starts with general.md, appends the platform file, and lists the shipped platforms', () => {
    const kb = loadKnowledgeBase(SHIPPED);
    const general = fs.readFileSync(path.join(SHIPPED, 'general.md'), 'utf8').trim();
    const tiktok = fs.readFileSync(path.join(SHIPPED, 'tiktok.md'), 'utf8').trim();
    const text = kb.textFor('TikTok', 'agreed');
    expect(text.startsWith(`${general}\n\n---\n\n${tiktok}${EXAMPLES_HEADING}### `)).to.equal(true);
    expect(kb.platforms()).to.deep.equal(['instagram', 'tiktok', 'youtube']);
    // general.md alone must stay above the 1024-token prompt-cache minimum (about 4 characters a token).
    expect(general.length).to.be.greaterThan(6000);
  });

  it('joins the parts exactly as specified and filters examples by platform', () => {
    const dir = tempKb({
      'general.md': 'GENERAL\n',
      'instagram.md': 'INSTAGRAM\n',
      'examples/a.md': example('[agreed]', 'null', 'Any platform'),
      'examples/b.md': example('[agreed]', 'TikTok', 'TikTok only'),
      'examples/c.md': example('[initial_offer]'),
    });
    const kb = loadKnowledgeBase(dir);
    expect(kb.textFor('instagram', 'agreed')).to.equal(
      'GENERAL\n\n---\n\nINSTAGRAM\n\n## Relevant Email Examples\n\n### Any platform\n\n## Email\n\nBody of Any platform.',
    );
    expect(kb.textFor('tiktok', 'agreed')).to.contain('### Any platform').and.contain('### TikTok only');
    expect(kb.textFor('instagram', 'escalated')).to.equal('GENERAL\n\n---\n\nINSTAGRAM');
  });

  it('falls back to general.md alone for an unknown platform, and to the file stem for a missing title', () => {
    const dir = tempKb({
      'general.md': 'GENERAL',
      'examples/no_title.md': '---\nstages: [escalated]\nplatform: null\n---\nHolding reply.',
    });
    const kb = loadKnowledgeBase(dir);
    expect(kb.textFor('twitch', 'agreed')).to.equal('GENERAL');
    expect(kb.textFor('../general', 'agreed')).to.equal('GENERAL');
    expect(kb.textFor('twitch', 'escalated')).to.equal(`GENERAL${EXAMPLES_HEADING}### no_title\n\nHolding reply.`);
  });

  it('skips a bad example with a warning naming the file and the problem, and keeps the good ones', () => {
    const dir = tempKb({
      'general.md': 'GENERAL',
      'examples/good.md': example('[agreed]', 'null', 'Good'),
      'examples/no_close.md': '---\ntitle: Broken\nstages: [agreed]\n\nBody',
      'examples/bad_yaml.md': '---\ntitle: [unclosed\n---\nBody',
      'examples/bad_stage.md': example('[agreed, closing]'),
      'examples/not_list.md': example('agreed'),
      'examples/bad_platform.md': example('[agreed]', '[instagram]'),
      'examples/no_front.md': 'Just an email.',
    });
    const warnings: string[] = [];
    const kb = loadKnowledgeBase(dir, (m) => warnings.push(m));
    expect(kb.textFor('instagram', 'agreed')).to.equal(
      `GENERAL${EXAMPLES_HEADING}### Good\n\n## Email\n\nBody of Good.`,
    );
    expect(warnings).to.have.length(6);
    const about = (file: string) => warnings.find((w) => w.includes(path.join(dir, 'examples', file))) ?? '';
    expect(about('no_close.md')).to.contain('closing');
    expect(about('bad_yaml.md')).to.contain('YAML');
    expect(about('bad_stage.md')).to.contain('closing').and.contain('initial_offer');
    expect(about('not_list.md')).to.contain('list');
    expect(about('bad_platform.md')).to.contain('platform');
    expect(about('no_front.md')).to.contain('front matter');
  });

  it('throws an error naming the path when the directory or general.md is missing', () => {
    const dir = tempKb({ 'instagram.md': 'INSTAGRAM' });
    expect(() => loadKnowledgeBase(dir)).to.throw(path.join(dir, 'general.md'));
    const missing = path.join(dir, 'nowhere');
    expect(() => loadKnowledgeBase(missing)).to.throw(missing);
  });

  it('picks up edits, new files and removed files without a new load', () => {
    const dir = tempKb({ 'general.md': 'GENERAL v1', 'examples/a.md': example('[agreed]', 'null', 'First') });
    const kb = loadKnowledgeBase(dir);
    expect(kb.textFor('youtube', 'agreed')).to.match(/^GENERAL v1\n[\s\S]*### First/);

    edit(path.join(dir, 'general.md'), 'GENERAL v2');
    edit(path.join(dir, 'youtube.md'), 'YOUTUBE');
    edit(path.join(dir, 'examples', 'a.md'), example('[agreed]', 'null', 'Renamed'));
    expect(kb.textFor('youtube', 'agreed')).to.equal(
      `GENERAL v2\n\n---\n\nYOUTUBE${EXAMPLES_HEADING}### Renamed\n\n## Email\n\nBody of Renamed.`,
    );
    expect(kb.platforms()).to.deep.equal(['youtube']);

    fs.rmSync(path.join(dir, 'examples', 'a.md'));
    expect(kb.textFor('youtube', 'agreed')).to.equal('GENERAL v2\n\n---\n\nYOUTUBE');
  });

  it('keeps the last good version when general.md disappears mid-edit', () => {
    const dir = tempKb({ 'general.md': 'GENERAL' });
    const warnings: string[] = [];
    const kb = loadKnowledgeBase(dir, (m) => warnings.push(m));
    fs.rmSync(path.join(dir, 'general.md'));
    expect(kb.textFor('instagram', 'agreed')).to.equal('GENERAL');
    expect(kb.textFor('instagram', 'agreed')).to.equal('GENERAL');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain(path.join(dir, 'general.md'));
  });
});

describe('shipped knowledge base content', () => {
  const NO_SOW = ['escalation.md', 'misalignment_exit.md', 'walk_away.md'];

  it('has the nine examples, each with {{SOW}} exactly once except the exit and holding emails', () => {
    expect(shippedExamples()).to.have.length(9);
    for (const file of shippedExamples()) {
      const count = fs.readFileSync(path.join(SHIPPED, 'examples', file), 'utf8').split(SOW_PLACEHOLDER).length - 1;
      if (NO_SOW.includes(file)) expect(count, file).to.be.at.most(1);
      else expect(count, file).to.equal(1);
    }
  });

  it('never writes a concrete dollar amount', () => {
    const files = [
      ...fs.readdirSync(SHIPPED).filter((f) => f.endsWith('.md')),
      ...shippedExamples().map((f) => path.join('examples', f)),
    ];
    for (const file of files) {
      expect(fs.readFileSync(path.join(SHIPPED, file), 'utf8'), file).not.to.match(/\$\s*\d/);
    }
  });

  it('has example emails that pass the validation gate as they stand', () => {
    const emails: { where: string; prose: string; requireSow: boolean }[] = [];
    for (const file of shippedExamples()) {
      const text = fs.readFileSync(path.join(SHIPPED, 'examples', file), 'utf8');
      const [prose] = sectionsAfter(text, /^## Email$/);
      emails.push({ where: file, prose, requireSow: !NO_SOW.includes(file) });
    }
    for (const platform of ['instagram', 'tiktok', 'youtube']) {
      const text = fs.readFileSync(path.join(SHIPPED, `${platform}.md`), 'utf8');
      const sections = sectionsAfter(text, /^### Example/);
      expect(sections, platform).to.have.length.within(2, 3);
      sections.forEach((prose, i) => {
        emails.push({ where: `${platform} example ${i + 1}`, prose, requireSow: true });
      });
    }
    for (const { where, prose, requireSow } of emails) {
      const result = validateEmail({
        prose,
        allowedCents: [], // placeholders such as ${rate} are not amounts
        requireSow,
        agreement: where === 'positive_close.md',
        forbiddenPhrases: DEFAULT_FORBIDDEN_PHRASES,
      });
      expect(result.failures, where).to.deep.equal([]);
    }
  });
});
