/**
 * The knowledge base (spec/llm-email.md §3): Markdown the team edits, injected into the composer's system prompt.
 * Parsed once, then re-read whenever a file changes, so an edit takes effect with the next email (no restart).
 * Unlike the original, a broken example is skipped with a warning instead of failing the email.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export type KbStage = 'initial_offer' | 'counter_received' | 'counter_sent' | 'agreed' | 'escalated';

export const KB_STAGES: readonly KbStage[] = [
  'initial_offer',
  'counter_received',
  'counter_sent',
  'agreed',
  'escalated',
];

export interface KnowledgeBase {
  /** The KB text for one composed email: general.md, then {platform}.md when it exists, joined by "\n\n---\n\n"; then, when examples match the stage (and platform null or equal), "\n\n## Relevant Email Examples\n\n" + each as "### {title or file stem}\n\n{body}" joined by "\n\n---\n\n", in filename order. Re-reads the files when any changed (mtime/size or added/removed files), so an edit takes effect without a restart. */
  textFor(platform: string, stage: KbStage): string;
  platforms(): string[]; // top-level *.md stems except general, sorted
}

interface Example {
  title: string;
  stages: KbStage[];
  platform: string | null; // lower-case
  body: string;
}

interface Parsed {
  general: string;
  platformTexts: Map<string, string>; // lower-case stem -> text
  examples: Example[]; // filename order
}

const SEPARATOR = '\n\n---\n\n';
const EXAMPLES_HEADING = '\n\n## Relevant Email Examples\n\n';

/** Sorted *.md files of one directory (symlinks followed, sub-directories skipped); [] when it does not exist. */
function markdownFiles(dir: string): { file: string; stat: fs.Stats }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => ({ file: path.join(dir, name), stat: fs.statSync(path.join(dir, name)) }))
    .filter(({ stat }) => stat.isFile());
}

/** Cheap change detection: every KB file with its mtime and size. */
function fingerprint(dir: string): string {
  return [...markdownFiles(dir), ...markdownFiles(path.join(dir, 'examples'))]
    .map(({ file, stat }) => `${file}:${stat.mtimeMs}:${stat.size}`)
    .join('\n');
}

const stem = (file: string) => path.basename(file, '.md').toLowerCase();

/** An example file, or the reason it cannot be used. Front matter: a first line "---", closed by a line "---". */
function parseExample(text: string, fileStem: string): Example | string {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0].trim() !== '---') return 'no front matter (the file must start with a "---" line)';
  const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
  if (end < 0) return 'front matter has no closing "---" line';

  let meta: unknown;
  try {
    meta = parseYaml(lines.slice(1, end).join('\n'));
  } catch (err) {
    return `front matter is not valid YAML: ${(err as Error).message.split('\n')[0]}`;
  }
  if (meta == null || typeof meta !== 'object' || Array.isArray(meta)) return 'front matter is not a set of keys';
  const { title, stages, platform } = meta as Record<string, unknown>;

  if (!Array.isArray(stages) || stages.length === 0) return `"stages" must be a list of: ${KB_STAGES.join(', ')}`;
  const unknown = stages.filter((s) => !KB_STAGES.includes(s as KbStage));
  if (unknown.length > 0) return `unknown stage(s) ${unknown.map(String).join(', ')}; use: ${KB_STAGES.join(', ')}`;
  if (platform != null && typeof platform !== 'string') return '"platform" must be null or a platform name';

  return {
    title: typeof title === 'string' && title.trim() ? title.trim() : fileStem,
    stages: stages as KbStage[],
    platform: platform?.trim() ? platform.trim().toLowerCase() : null,
    body: lines
      .slice(end + 1)
      .join('\n')
      .trim(),
  };
}

function parse(dir: string, warn: (message: string) => void): Parsed {
  if (!fs.existsSync(dir)) throw new Error(`Knowledge base directory not found: ${dir}`);
  const generalFile = path.join(dir, 'general.md');
  if (!fs.existsSync(generalFile)) throw new Error(`Knowledge base playbook not found: ${generalFile}`);

  const platformTexts = new Map<string, string>();
  for (const { file } of markdownFiles(dir)) {
    if (stem(file) !== 'general') platformTexts.set(stem(file), fs.readFileSync(file, 'utf8').trim());
  }

  const examples: Example[] = [];
  for (const { file } of markdownFiles(path.join(dir, 'examples'))) {
    const parsed = parseExample(fs.readFileSync(file, 'utf8'), path.basename(file, '.md'));
    if (typeof parsed === 'string') warn(`Knowledge base example ${file} skipped: ${parsed}`);
    else examples.push(parsed);
  }
  return { general: fs.readFileSync(generalFile, 'utf8').trim(), platformTexts, examples };
}

function render(kb: Parsed, platform: string, stage: KbStage): string {
  const key = platform.trim().toLowerCase();
  const platformText = kb.platformTexts.get(key);
  const text = platformText == null ? kb.general : kb.general + SEPARATOR + platformText;

  // An empty platform (none known) keeps every example, as in the original.
  const examples = kb.examples.filter(
    (e) => e.stages.includes(stage) && (e.platform == null || key === '' || e.platform === key),
  );
  if (examples.length === 0) return text;
  return text + EXAMPLES_HEADING + examples.map((e) => `### ${e.title}\n\n${e.body}`).join(SEPARATOR);
}

/** Throws (naming the path) when the directory or general.md is missing: a startup error. */
export function loadKnowledgeBase(
  dir: string,
  warn: (message: string) => void = (message) => console.warn(message),
): KnowledgeBase {
  let signature = fingerprint(dir);
  let kb = parse(dir, warn);

  // A half-saved edit (say general.md briefly missing) keeps the last good version instead of failing emails.
  const current = (): Parsed => {
    let now: string;
    try {
      now = fingerprint(dir);
    } catch (err) {
      now = `unreadable: ${(err as Error).message}`;
    }
    if (now === signature) return kb;
    signature = now;
    try {
      kb = parse(dir, warn);
    } catch (err) {
      warn(`Knowledge base reload failed, keeping the previous version: ${(err as Error).message}`);
    }
    return kb;
  };

  return {
    textFor: (platform, stage) => render(current(), platform, stage),
    platforms: () => [...current().platformTexts.keys()].sort(),
  };
}
