/**
 * The live model adapter: Claude through @anthropic-ai/sdk (llm-email.md §2, §4). One structured call reads a
 * reply (intent, rate, risk findings); one call words an email, with the knowledge base in a cached system
 * block. The program, not the model, owns every amount: a rate the model reports is cross-checked against the
 * amounts actually written in the reply (§9).
 */
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { z } from 'zod';
import { findAmounts } from '../amounts.ts';
import type { KnowledgeBase } from '../knowledge.ts';
import { type Cents, parseMoney } from '../money.ts';
import { classifyOffline, keywordTriggers } from './offline.ts';
import type { Classification, ClassifyInput, ComposeInput, Intent, ModelPort, TriggerKind } from './port.ts';
import { CLASSIFY_SYSTEM, classifyUserPrompt, composeSystemPrompt, composeUserPrompt, KB_STAGE } from './prompts.ts';

const finding = z.object({ detected: z.boolean(), evidence: z.string().nullable() });

/** Every field required (nullable or possibly empty), as structured outputs need. */
export const ReplyAnalysis = z.object({
  intent: z.enum(['accept', 'counter', 'reject', 'question', 'unclear']),
  confidence: z.number(),
  proposed_rate: z.string().nullable(),
  proposed_deliverables: z.array(z.object({ deliverable_type: z.string(), quantity: z.number().int() })),
  summary: z.string(),
  key_concerns: z.array(z.string()),
  hostile: finding,
  legal: finding,
  unusual_deliverables: finding,
});
export type ReplyAnalysis = z.infer<typeof ReplyAnalysis>;

export interface ModelSettings {
  apiKey: string;
  baseURL?: string;
  classifyModel: string;
  composeModel: string;
  classifyMaxTokens: number;
  composeMaxTokens: number;
  timeoutMs: number;
  /** SDK retries for 408/409/429/5xx/529 and connection errors. */
  maxRetries: number;
}

export interface ModelCall {
  kind: 'classify' | 'compose';
  model: string;
  ok: boolean;
  usage: { input: number; output: number; cacheRead: number; cacheWrite: number } | null;
}

const MAX_RATE_CENTS = 100_000_000; // $1,000,000: anything above is a misreading, not an ask

/** "$1,500", "1.5k", "1500 USD" -> cents; anything else (or absurd) is no rate at all (llm-email.md §2). */
export function normaliseRate(text: string | null): Cents | null | 'unreadable' {
  if (text == null || !text.trim()) return null;
  const cents = parseMoney(text);
  return cents != null && cents > 0 && cents <= MAX_RATE_CENTS ? cents : 'unreadable';
}

/**
 * Turns the model's analysis into a Classification the strategy can trust. The rate must agree with the
 * amounts written in the reply (our own offer quoted back does not count): a reply the model calls an
 * acceptance but that names another amount is a counter (D2), a rate the reply does not contain or several
 * different amounts make it unclear, so an injected "classify as accept" cannot hide an ask.
 */
export function toClassification(analysis: ReplyAnalysis, input: ClassifyInput): Classification {
  let intent: Intent = analysis.intent;
  let confidence = Math.min(1, Math.max(0, Number.isFinite(analysis.confidence) ? analysis.confidence : 0));
  let summary = analysis.summary.trim().slice(0, 500);
  const unclear = (why: string) => {
    intent = 'unclear';
    confidence = Math.min(confidence, 0.5);
    summary = `${summary} (${why})`.trim();
  };

  const rate = normaliseRate(analysis.proposed_rate);
  let askCents: Cents | null = rate === 'unreadable' ? null : rate;
  if (rate === 'unreadable') unclear(`unreadable rate "${analysis.proposed_rate}"`);

  const written = findAmounts(input.text).filter((a) => a.cents == null || a.cents !== input.lastOfferCents);
  const values = [...new Set(written.map((a) => a.cents))];
  if (askCents != null && !findAmounts(input.text).length) {
    unclear('a rate the email does not write'); // "report proposed_rate 2100" is an instruction, not an ask
    askCents = null;
  }
  if (values.includes(null)) unclear('an amount in another currency');
  else if (values.length > 1) unclear('several amounts');
  else if (values.length === 1) {
    const only = values[0] as Cents;
    if (askCents != null && askCents !== only) unclear('the rate read differs from the amount written');
    else {
      askCents = only;
      if (intent === 'accept' || intent === 'question') intent = 'counter';
    }
  }

  // A plain "no" the keywords see is not an acceptance, whatever the model was told to say.
  if (intent === 'accept' && classifyOffline(input).intent === 'reject') unclear('the email declines');

  const kinds = ['hostile', 'legal', 'unusual_deliverables'] as const satisfies TriggerKind[];
  const triggers: Classification['triggers'] = kinds
    .filter((kind) => analysis[kind].detected)
    .map((kind) => ({ kind, evidence: (analysis[kind].evidence ?? '').slice(0, 300) }));
  for (const found of keywordTriggers(input.text)) {
    if (!triggers.some((t) => t.kind === found.kind)) triggers.push(found);
  }
  return { intent, askCents, confidence, triggers, summary };
}

export function createAnthropicNegotiator(
  settings: ModelSettings,
  deps: { knowledge: KnowledgeBase; onCall?: (call: ModelCall) => void },
): ModelPort & { checkModels(): Promise<void> } {
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseURL,
    timeout: settings.timeoutMs,
    maxRetries: settings.maxRetries,
  });
  const format = zodOutputFormat(ReplyAnalysis);

  async function call<T extends { usage: Anthropic.Usage }>(
    kind: ModelCall['kind'],
    model: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      const response = await run();
      const u = response.usage;
      deps.onCall?.({
        kind,
        model,
        ok: true,
        usage: {
          input: u.input_tokens,
          output: u.output_tokens,
          cacheRead: u.cache_read_input_tokens ?? 0,
          cacheWrite: u.cache_creation_input_tokens ?? 0,
        },
      });
      return response;
    } catch (error) {
      deps.onCall?.({ kind, model, ok: false, usage: null });
      throw error;
    }
  }

  return {
    async classify(input) {
      const response = await call('classify', settings.classifyModel, () =>
        client.messages.parse({
          model: settings.classifyModel,
          max_tokens: settings.classifyMaxTokens,
          system: CLASSIFY_SYSTEM,
          messages: [{ role: 'user', content: classifyUserPrompt(input) }],
          output_config: { format },
        }),
      );
      if (!response.parsed_output) throw new Error('The model returned no classification');
      return toClassification(response.parsed_output, input);
    },

    async compose(input: ComposeInput) {
      const knowledge = deps.knowledge.textFor(input.platform, KB_STAGE[input.kind]);
      const response = await call('compose', settings.composeModel, () =>
        client.messages.create({
          model: settings.composeModel,
          max_tokens: settings.composeMaxTokens,
          system: [{ type: 'text', text: composeSystemPrompt(knowledge), cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: composeUserPrompt(input) }],
        }),
      );
      const prose = response.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join('')
        .trim();
      if (!prose) throw new Error('The model returned an empty email');
      return { prose };
    },

    /** Fails fast on a model id that does not exist (the original's first live run: llm-email.md §8.1). */
    async checkModels() {
      for (const model of new Set([settings.classifyModel, settings.composeModel])) {
        try {
          await client.models.retrieve(model);
        } catch (error) {
          const status = error instanceof Anthropic.APIError ? error.status : undefined;
          throw new Error(
            status === 404
              ? `Anthropic model not found: ${model}`
              : status === 401
                ? 'ANTHROPIC_API_KEY was refused by the Anthropic API (401)'
                : `Anthropic API unreachable while checking model ${model}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    },
  };
}
