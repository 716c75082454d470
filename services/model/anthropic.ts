/**
 * The live model adapter: Claude through @anthropic-ai/sdk (llm-email.md §2, §4). One structured call reads a
 * reply (intent, rate, risk findings); one call words an email, with the knowledge base in a cached system
 * block. The program, not the model, owns every amount: what the model reports is cross-checked against the
 * deterministic reading of their new text (services/reading.ts, §9, D16).
 */
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { z } from 'zod';
import type { KnowledgeBase } from '../knowledge.ts';
import { type Cents, parseMoney } from '../money.ts';
import { readReply } from '../reading.ts';
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
 * Turns the model's analysis into a Classification the strategy can trust, against the ONE deterministic reading
 * of their new text (services/reading.ts; D16): the model may not add an amount nor an agreement the reading does
 * not find. A rate it reports must be the amount their new text asks for (per-unit and CPM quotes multiplied out),
 * and not merely our own offer; an "acceptance" while their text names another amount is a counter; an acceptance
 * their words do not show, or an amount they did not write, makes the reply unclear. The model adds what words
 * alone cannot: telling a question from a muddle, a polite refusal, and risk findings (joined with the keywords').
 */
export function toClassification(analysis: ReplyAnalysis, input: ClassifyInput): Classification {
  const reading = readReply(input);
  let intent: Intent = analysis.intent;
  let confidence = Math.min(1, Math.max(0, Number.isFinite(analysis.confidence) ? analysis.confidence : 0));
  let summary = analysis.summary.trim().slice(0, 500);
  let askCents: Cents | null = null;
  let why: string | null = null;
  const offer = input.lastOfferCents;

  const rate = normaliseRate(analysis.proposed_rate);
  const reported = rate === 'unreadable' ? null : rate;
  const ask = reading.money.kind === 'ask' && !reading.money.atOffer ? reading.askCents : null;
  if (input.uncertain) why = 'their new text could not be told apart from quoted text';
  else if (rate === 'unreadable') why = `unreadable rate "${analysis.proposed_rate}"`;
  else if (reading.money.kind === 'unclear') why = `the reply names ${reading.money.why}`;
  else if (reading.injection && reading.intent === 'unclear') why = 'the reply tries to instruct the agent';
  else if (reported != null && reported !== ask && !(reported === offer && ask == null)) {
    why = ask == null ? 'a rate their new text does not ask for' : 'the rate read differs from the amount they wrote';
  } else if (ask != null) {
    // Their new text names an amount: whatever the model calls it, it is a counter (D2).
    if (intent === 'unclear') why = 'the model finds the reply unclear';
    else {
      intent = 'counter';
      askCents = ask;
    }
  } else if (intent === 'accept' && !(reading.intent === 'accept')) {
    why = reading.declines ? 'the email declines' : 'their words do not show a plain acceptance';
  } else if (intent === 'counter' && reported === offer && reading.intent === 'accept') {
    intent = 'accept'; // "my rate is $2,000" read as a counter at our own offer: an acceptance of it (D16)
  } else if (intent === 'counter') {
    why = 'a counter-offer without an amount in their new text';
  } else if (intent === 'reject' && !reading.declines) {
    // A refusal their words do not show: never walk away on the model's word alone ("I need 25% more" is no
    // refusal). A question is answered; anything else goes to a person.
    if (reading.intent === 'accept' || reading.intent === 'question') intent = 'question';
    else why = 'their words do not show a refusal';
  } else if (intent === 'question' && reading.intent === 'accept') {
    intent = 'question'; // a yes the model doubts: answer, never close
  }
  if (why) {
    intent = 'unclear';
    askCents = null;
    confidence = Math.min(confidence, 0.5);
    summary = `${summary} (${why})`.trim();
  }

  const kinds = ['hostile', 'legal', 'unusual_deliverables'] as const satisfies TriggerKind[];
  const triggers: Classification['triggers'] = kinds
    .filter((kind) => analysis[kind].detected)
    .map((kind) => ({ kind, evidence: (analysis[kind].evidence ?? '').slice(0, 300) }));
  for (const found of reading.triggers) {
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
