/**
 * A local fake of the Anthropic Messages API for the REAL @anthropic-ai/sdk (pointed at it with baseURL). It
 * records every request, checks its shape, simulates prompt caching by system-prompt hash, and answers with
 * scripted outputs. By default it "reads" a reply with the offline classifier and writes a plain email from the
 * figures in the prompt, so a whole negotiation can run against it.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ReplyAnalysis } from '../../services/model/anthropic.ts';
import { classifyOffline } from '../../services/model/offline.ts';
import { parseMoney } from '../../services/money.ts';

export type CallKind = 'classify' | 'compose';

export interface RecordedCall {
  kind: CallKind;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are inspected by the tests
  body: any;
  /** The untrusted email text (classify) or the user prompt (compose). */
  prompt: string;
  system: string;
  cacheControl: boolean;
  /** Shape problems found in this request (empty when it is well formed). */
  problems: string[];
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };
type Responder<T> = (call: RecordedCall) => T | Reply;

export const KNOWN_MODELS = ['claude-haiku-4-5-20251001', 'claude-sonnet-4-6'];

const REQUIRED_FIELDS = [
  'intent',
  'confidence',
  'proposed_rate',
  'proposed_deliverables',
  'summary',
  'key_concerns',
  'hostile',
  'legal',
  'unusual_deliverables',
];

/** The email inside the classifier's first untrusted block (their new text). */
export function untrustedText(prompt: string): string {
  const match = /<<<(UNTRUSTED_[0-9a-f]+)[^\n]*\n([\s\S]*?)\n\1>>>/.exec(prompt);
  return match ? match[2] : '';
}

/** The quoted context block of a classifier prompt, if any (the second untrusted block). */
export function quotedText(prompt: string): string | null {
  const blocks = [...prompt.matchAll(/<<<(UNTRUSTED_[0-9a-f]+)[^\n]*\n([\s\S]*?)\n\1>>>/g)];
  return blocks[1]?.[2] ?? null;
}

/** The negotiation context the classifier prompt carries (offer, package, average views). */
export function promptContext(prompt: string): {
  our_current_offer?: string | null;
  package_being_negotiated?: string | null;
  average_views?: number | null;
} {
  const line = /^Negotiation context: (.*)$/m.exec(prompt)?.[1];
  try {
    return line ? JSON.parse(line) : {};
  } catch {
    return {};
  }
}

/** What the offline classifier makes of the email, in the model's output format (an honest model). */
export function offlineAnalysis(call: RecordedCall): ReplyAnalysis {
  const text = untrustedText(call.prompt);
  const context = promptContext(call.prompt);
  const offer = context.our_current_offer;
  const c = classifyOffline({
    text,
    influencerName: '',
    lastOfferCents: offer ? parseMoney(offer) : null,
    package: context.package_being_negotiated ?? null,
    averageViews: context.average_views ?? null,
  });
  const finding = (kind: string) => {
    const t = c.triggers.find((x) => x.kind === kind);
    return { detected: Boolean(t), evidence: t?.evidence ?? null };
  };
  return {
    intent: c.intent,
    confidence: c.confidence,
    proposed_rate: c.askCents == null ? null : (c.askCents / 100).toFixed(2),
    proposed_deliverables: [],
    summary: c.summary,
    key_concerns: [],
    hostile: finding('hostile'),
    legal: finding('legal'),
    unusual_deliverables: finding('unusual_deliverables'),
  };
}

export const promptField = (prompt: string, label: string) =>
  new RegExp(`^${label}[^:\\n]*: (.*)$`, 'm').exec(prompt)?.[1] ?? '';

/** A plain, rule-abiding email built from the figures the prompt gives. */
export function plainEmail(call: RecordedCall): string {
  const p = call.prompt;
  const kind = promptField(p, 'Email to write');
  const rate = promptField(p, 'Our rate');
  const name = promptField(p, 'First name of the person we write to');
  const sender = promptField(p, 'Sender name');
  const body =
    kind === 'exit'
      ? ["Thank you so much for your time. We can't make this one work, so we'll step back for now."]
      : kind === 'confirmation'
        ? [
            `Wonderful, we're delighted to confirm our partnership at ${rate}. The agreed terms:`,
            '{{SOW}}',
            'Payment is processed within 30 days of content going live. Next steps: 1. SOW, 2. brief, 3. payment.',
          ]
        : [`Thanks for getting back to us. Our offer is ${rate} for the package below.`, '{{SOW}}', 'Let us know!'];
  return [`Hi ${name},`, ...body, `Best,\n${sender}`].join('\n\n');
}

export async function startFakeAnthropic() {
  const calls: RecordedCall[] = [];
  const cache = new Set<string>();
  const failures: { status: number; kind: CallKind | 'any'; remaining: number }[] = [];
  let classify: Responder<ReplyAnalysis> = offlineAnalysis;
  let compose: Responder<string> = plainEmail;
  const models = new Set(KNOWN_MODELS);

  function inspect(body: ReturnType<typeof JSON.parse>): RecordedCall {
    const problems: string[] = [];
    if (typeof body?.model !== 'string') problems.push('model missing');
    if (!Number.isInteger(body?.max_tokens)) problems.push('max_tokens missing');
    const messages = Array.isArray(body?.messages) ? body.messages : [];
    if (messages.length !== 1 || messages[0].role !== 'user') problems.push('expected one user message');
    const content = messages[0]?.content;
    const prompt = typeof content === 'string' ? content : '';
    const format = body?.output_config?.format;
    const kind: CallKind = format ? 'classify' : 'compose';
    let system = '';
    let cacheControl = false;
    if (kind === 'classify') {
      if (format.type !== 'json_schema') problems.push('output format is not json_schema');
      const required: string[] = format.schema?.required ?? [];
      for (const field of REQUIRED_FIELDS) if (!required.includes(field)) problems.push(`schema lacks ${field}`);
      if (format.schema?.additionalProperties !== false) problems.push('schema allows extra properties');
      system = typeof body.system === 'string' ? body.system : JSON.stringify(body.system);
      if (!untrustedText(prompt)) problems.push('the email is not in a delimited untrusted block');
    } else {
      const block = Array.isArray(body?.system) && body.system.length === 1 ? body.system[0] : null;
      if (block?.type !== 'text') problems.push('system is not one text block');
      system = block?.text ?? '';
      cacheControl = block?.cache_control?.type === 'ephemeral';
      if (!cacheControl) problems.push('system block has no ephemeral cache_control');
      if (!system.includes('# Knowledge base')) problems.push('system lacks the knowledge base');
    }
    return { kind, body, prompt, system, cacheControl, problems };
  }

  function usage(call: RecordedCall, output: string) {
    const tokens = (text: string) => Math.ceil(text.length / 4);
    const input = tokens(call.prompt);
    const systemTokens = tokens(call.system);
    if (!call.cacheControl) return { input_tokens: input + systemTokens, output_tokens: tokens(output) };
    const hash = createHash('sha256').update(call.system).digest('hex');
    const hit = cache.has(hash);
    cache.add(hash);
    return {
      input_tokens: input,
      output_tokens: tokens(output),
      cache_creation_input_tokens: hit ? 0 : systemTokens,
      cache_read_input_tokens: hit ? systemTokens : 0,
    };
  }

  function send(res: ServerResponse, reply: Reply) {
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }
  const error = (status: number, type: string, message: string): Reply => ({
    status,
    body: { type: 'error', error: { type, message } },
    // the SDK honours this, so retries in tests take a millisecond, not seconds
    headers: { 'retry-after-ms': '1' },
  });
  const isReply = (x: unknown): x is Reply =>
    typeof x === 'object' && x !== null && 'status' in x && 'body' in x && !('intent' in x);

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname.startsWith('/v1/models/')) {
      const id = decodeURIComponent(url.pathname.slice('/v1/models/'.length));
      return models.has(id)
        ? send(res, { status: 200, body: { type: 'model', id, display_name: id, created_at: '2025-10-01T00:00:00Z' } })
        : send(res, error(404, 'not_found_error', `model: ${id}`));
    }
    if (req.method !== 'POST' || url.pathname !== '/v1/messages') {
      return send(res, error(404, 'not_found_error', 'no such route'));
    }
    // SDK 1.x sends the key as a bearer token; older ones as x-api-key
    if (!req.headers['x-api-key'] && !req.headers.authorization?.startsWith('Bearer ')) {
      return send(res, error(401, 'authentication_error', 'no api key'));
    }
    const call = inspect(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    calls.push(call);
    const failure = failures.find((f) => f.remaining > 0 && (f.kind === 'any' || f.kind === call.kind));
    if (failure) {
      failure.remaining--;
      return send(res, error(failure.status, failure.status === 529 ? 'overloaded_error' : 'api_error', 'injected'));
    }
    const answer = call.kind === 'classify' ? classify(call) : compose(call);
    if (isReply(answer)) return send(res, answer);
    const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
    send(res, {
      status: 200,
      body: {
        id: `msg_${calls.length}`,
        type: 'message',
        role: 'assistant',
        model: call.body.model,
        content: [{ type: 'text', text }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: usage(call, text),
      },
    });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => send(res, error(500, 'api_error', String(e))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsOf: (kind: CallKind) => calls.filter((c) => c.kind === kind),
    problems: () => calls.flatMap((c) => c.problems.map((p) => `${c.kind}: ${p}`)),
    /** Replaces the classifier's behaviour (return an analysis, or a raw HTTP reply). */
    onClassify(responder: Responder<ReplyAnalysis>) {
      classify = responder;
    },
    onCompose(responder: Responder<string>) {
      compose = responder;
    },
    /** The next `count` calls (of a kind) fail with `status`. */
    fail(status: number, count: number, kind: CallKind | 'any' = 'any') {
      failures.push({ status, kind, remaining: count });
    },
    removeModel(id: string) {
      models.delete(id);
    },
    reset() {
      calls.length = 0;
      failures.length = 0;
      cache.clear();
      classify = offlineAnalysis;
      compose = plainEmail;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FakeAnthropic = Awaited<ReturnType<typeof startFakeAnthropic>>;
