/**
 * Escalation trigger configuration (slack-ops.md §1.1, decisions D5): a YAML file the team can edit, shipped at
 * config/escalation_triggers.yaml. Unlike the original, a broken file is a startup error naming the file and the
 * problem (never a silent fallback to defaults), unknown keys are refused (a typo such as `enable: false` must not
 * be ignored), and `always_trigger_keywords` really fire (case-insensitive, whole words, the sentence as evidence).
 *
 * The model finds hostile/legal/unusual triggers in the same call that reads the intent (D5: one call); this
 * module only applies the team's configuration to that classification. The ambiguous-intent threshold and the
 * CPM-ceiling switch are read by the strategy (`confidenceThreshold`, `cpmCeilingEnabled`).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Classification, TriggerKind } from './model/port.ts';

/** The trigger kinds the model reports, in the order they are listed (slack-ops.md §1.2). */
export const MODEL_TRIGGER_KINDS = [
  'hostile',
  'legal',
  'unusual_deliverables',
] as const satisfies readonly TriggerKind[];
export type ModelTriggerKind = (typeof MODEL_TRIGGER_KINDS)[number];

/** The kind of a finding made by the team's `always_trigger_keywords` list. */
export const KEYWORD_TRIGGER_KIND = 'keyword' satisfies TriggerKind;
type AppliedTriggerKind = TriggerKind;
type TriggerFinding = Classification['triggers'][number];

export interface KeywordTrigger {
  enabled: boolean;
  /** Matched case-insensitively as whole words/phrases; a hit fires the trigger with the sentence as evidence. */
  keywords: string[];
}

export interface TriggerConfig {
  /** The file it was read from, or null for the built-in defaults. */
  source: string | null;
  /** hostile_tone, legal_language, unusual_deliverables: found by the model, plus the team's own keywords. */
  kinds: Record<ModelTriggerKind, KeywordTrigger>;
  /** The top-level always_trigger_keywords list: any hit escalates (kind 'keyword'). */
  alwaysTrigger: KeywordTrigger;
  ambiguousIntentEnabled: boolean;
  /**
   * Below this confidence an intent is ambiguous and escalates (strict <). 0 when ambiguous_intent is
   * disabled, so nothing is below it.
   */
  confidenceThreshold: number;
  /**
   * cpm_over_threshold: when true, an ask above the campaign's effective CPM ceiling escalates at once (trigger
   * 'ceiling') instead of going through the lever chain first (D3.4). The ceiling is always the campaign's own
   * (D4); there is no global threshold in this file.
   */
  cpmCeilingEnabled: boolean;
}

const DEFAULT_CONFIDENCE_THRESHOLD = 0.7;

const keywords = z
  .array(z.string().trim().min(1, 'a keyword must not be empty').max(200, 'a keyword is at most 200 characters'))
  .max(500, 'at most 500 keywords');

/**
 * Legal language always escalates (D5, D16), whatever the model reports: the default keywords of legal_language
 * (the shipped file lists the same words). A team that edits the list replaces it.
 */
export const DEFAULT_LEGAL_KEYWORDS: string[] = [
  'exclusivity',
  'exclusive',
  'exclusively',
  'non-compete',
  'contract',
  'contracts',
  'contractual',
  'agency agreement',
  'management agreement',
  'lawyer',
  'lawyers',
  'attorney',
  'attorneys',
  'legal team',
  'legal counsel',
  'NDA',
  'non-disclosure',
  'confidentiality agreement',
  'usage rights',
  'perpetuity',
  'perpetual',
  'buyout',
  'licensing',
  'whitelisting',
  'whitelist',
  'whitelisted',
  'allowlisting',
  'spark ads',
  'paid usage',
  'intellectual property',
  'indemnification',
  'terms and conditions',
];

const modelTrigger = (defaults: string[] = []) =>
  z.strictObject({
    enabled: z.boolean().default(true),
    always_trigger_keywords: keywords.default(defaults),
  });

const FILE_SCHEMA = z.strictObject({
  hostile_tone: modelTrigger().prefault({}),
  legal_language: modelTrigger(DEFAULT_LEGAL_KEYWORDS).prefault({}),
  unusual_deliverables: modelTrigger().prefault({}),
  ambiguous_intent: z
    .strictObject({
      enabled: z.boolean().default(true),
      confidence_threshold: z
        .number()
        .gt(0, 'must be above 0')
        .max(1, 'must be at most 1')
        .default(DEFAULT_CONFIDENCE_THRESHOLD),
    })
    .prefault({}),
  cpm_over_threshold: z.strictObject({ enabled: z.boolean().default(false) }).prefault({}),
  always_trigger_keywords: z
    .strictObject({ enabled: z.boolean().default(true), keywords: keywords.default([]) })
    .prefault({}),
});

type TriggerFile = z.output<typeof FILE_SCHEMA>;

function fromFile(file: TriggerFile, source: string | null): TriggerConfig {
  const kind = (t: TriggerFile['hostile_tone']): KeywordTrigger => ({
    enabled: t.enabled,
    keywords: t.always_trigger_keywords,
  });
  const ambiguous = file.ambiguous_intent;
  return {
    source,
    kinds: {
      hostile: kind(file.hostile_tone),
      legal: kind(file.legal_language),
      unusual_deliverables: kind(file.unusual_deliverables),
    },
    alwaysTrigger: { enabled: file.always_trigger_keywords.enabled, keywords: file.always_trigger_keywords.keywords },
    ambiguousIntentEnabled: ambiguous.enabled,
    confidenceThreshold: ambiguous.enabled ? ambiguous.confidence_threshold : 0,
    cpmCeilingEnabled: file.cpm_over_threshold.enabled,
  };
}

/** The built-in defaults: what an empty file means (equal to the shipped file). */
export const DEFAULT_TRIGGER_CONFIG: TriggerConfig = fromFile(FILE_SCHEMA.parse({}), null);

/** Explains keys of the original's file that have no meaning here. */
function unsupported(raw: unknown): string[] {
  const cpm = (raw as { cpm_over_threshold?: unknown } | null)?.cpm_over_threshold;
  if (cpm && typeof cpm === 'object' && 'cpm_threshold' in cpm) {
    return [
      "cpm_over_threshold.cpm_threshold: not supported: the CPM trigger uses each campaign's own CPM ceiling (decisions D4); remove the key and set the campaign's CPM target/leniency instead",
    ];
  }
  return [];
}

/** Parses and validates the text of a trigger file; `source` names it in errors. */
export function parseTriggerConfig(text: string, source: string): TriggerConfig {
  const fail = (problems: string[]): never => {
    throw new Error(`Invalid escalation trigger config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    fail([`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (raw === null || raw === undefined) raw = {}; // an empty file: all defaults
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(['the file must be a mapping of trigger names to settings']);
  const explained = unsupported(raw);
  if (explained.length) fail(explained);
  const result = FILE_SCHEMA.safeParse(raw);
  if (!result.success) {
    fail(result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`));
  }
  return fromFile(result.data as TriggerFile, source);
}

/**
 * Reads and validates the trigger file. Throws an Error naming the file and every problem (a missing or unreadable
 * file too): the service must not start with triggers it was not configured with.
 */
/** Reads the file TRIGGERS_FILE names (server/config.ts; default: the shipped config/escalation_triggers.yaml). */
export function loadTriggerConfig(path: string): TriggerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new Error(`Cannot read escalation trigger config ${path}: ${reason}`);
  }
  return parseTriggerConfig(text, path);
}

// ---- applying the configuration to one classification ----

const ORDER: AppliedTriggerKind[] = [...MODEL_TRIGGER_KINDS, KEYWORD_TRIGGER_KIND];
const rank = (kind: AppliedTriggerKind) => {
  const i = ORDER.indexOf(kind);
  return i < 0 ? ORDER.length : i;
};
const EVIDENCE_MAX = 300;

const normalize = (text: string) => text.replace(/[‘’]/g, "'").replace(/[“”]/g, '"');

/**
 * Sentences of an email: hard line wraps are joined (a phrase may be wrapped), except after a blank line or a short
 * line ending in "," or ":" (a greeting or sign-off: "Hi Anna,"); then split after . ! ?
 */
function sentences(text: string): string[] {
  return normalize(text)
    .replace(/\r\n?/g, '\n')
    .replace(/(^|\n)([^\n]{0,40}[,:])[^\S\n]*\n/g, '$1$2\n\n')
    .split(/\n\s*\n/)
    .flatMap((paragraph) =>
      paragraph
        .replace(/\s+/g, ' ')
        .trim()
        .split(/(?<=[.!?])\s+/),
    )
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A keyword as a case-insensitive pattern: whole words at its ends, any whitespace between its words. */
function keywordPattern(keyword: string): RegExp {
  const body = normalize(keyword).trim().split(/\s+/).map(escapeRegExp).join('\\s+');
  const start = /^[\p{L}\p{N}_]/u.test(keyword.trim()) ? '(?<![\\p{L}\\p{N}_])' : '';
  const end = /[\p{L}\p{N}_]$/u.test(keyword.trim()) ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${start}${body}${end}`, 'iu');
}

/** The first sentence containing one of the keywords (cut to 300 characters around the match), or null. */
export function findKeyword(text: string, list: string[]): { keyword: string; evidence: string } | null {
  if (!list.length) return null;
  const patterns = list.map((keyword) => ({ keyword, pattern: keywordPattern(keyword) }));
  for (const sentence of sentences(text)) {
    for (const { keyword, pattern } of patterns) {
      const m = pattern.exec(sentence);
      if (!m) continue;
      if (sentence.length <= EVIDENCE_MAX) return { keyword, evidence: sentence };
      const from = Math.max(0, Math.min(m.index - 100, sentence.length - EVIDENCE_MAX));
      return { keyword, evidence: sentence.slice(from, from + EVIDENCE_MAX) };
    }
  }
  return null;
}

/**
 * Applies the team's configuration to the model's classification of one reply: findings of disabled kinds are
 * dropped; the team's keywords add a finding (the matched sentence as evidence) for an enabled kind the model did
 * not report; an always-trigger keyword adds a 'keyword' finding. Findings are ordered hostile, legal, unusual
 * deliverables, keyword (the strategy escalates with the first). `text` is the reply the model classified.
 */
export function applyTriggers(config: TriggerConfig, classification: Classification, text: string): Classification {
  const enabled = (kind: AppliedTriggerKind) =>
    kind === KEYWORD_TRIGGER_KIND
      ? config.alwaysTrigger.enabled
      : ((config.kinds as Partial<Record<AppliedTriggerKind, KeywordTrigger>>)[kind]?.enabled ?? true);
  const triggers: TriggerFinding[] = classification.triggers.filter((t) => enabled(t.kind));
  const found = new Set(triggers.map((t) => t.kind));
  for (const kind of MODEL_TRIGGER_KINDS) {
    const trigger = config.kinds[kind];
    if (!trigger.enabled || found.has(kind)) continue;
    const hit = findKeyword(text, trigger.keywords);
    if (hit) triggers.push({ kind, evidence: hit.evidence });
  }
  if (config.alwaysTrigger.enabled && !found.has(KEYWORD_TRIGGER_KIND)) {
    const hit = findKeyword(text, config.alwaysTrigger.keywords);
    if (hit) triggers.push({ kind: KEYWORD_TRIGGER_KIND, evidence: hit.evidence });
  }
  triggers.sort((a, b) => rank(a.kind) - rank(b.kind));
  return { ...classification, triggers };
}
