/**
 * Reading replies: the npm reply-extraction libraries against our corpus (test/fixtures/replies/), scored like
 * our pipeline (exact-match after whitespace normalisation, amount leaks), plus each one's time on a 1 MB reply
 * with deep quoting (in a worker, stopped after BIG_TIMEOUT_MS). Our pipeline runs with and without thread hints.
 *
 *   npm i --no-save email-reply-parser planer email-forward-parser node-email-reply-parser talonjs
 *   node bench/reply-libraries.ts            # or REPLY_LIBS=/path/to/node_modules/.. to load them elsewhere
 *
 * A library that is not installed is skipped.
 */
import { createRequire } from 'node:module';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { extractReply } from '../services/mail/reply/index.ts';
import {
  type Extracted,
  loadCorpus,
  pct,
  type ReplyFixture,
  summarise,
  threadMessages,
} from '../test/support/reply-corpus.ts';
import { deepQuotedReply, pathologicalReplies } from '../test/support/big-replies.ts';

const BIG_TIMEOUT_MS = 20_000;
const requireLib = createRequire(process.env.REPLY_LIBS ? `${process.env.REPLY_LIBS}/` : import.meta.url);

type Candidate = (body: string) => Extracted;

function load(name: string) {
  try {
    const mod = requireLib(name);
    return mod.default ?? mod;
  } catch {
    return null;
  }
}

/** Each library's reading of a body as "their new text". */
function candidates(): Record<string, Candidate | null> {
  const ERP = load('email-reply-parser');
  const planer = load('planer');
  const EFP = load('email-forward-parser');
  const nerp = load('node-email-reply-parser');
  const talon = load('talonjs');
  const erp: Candidate | null = ERP ? (b) => ({ text: new ERP().read(b).getVisibleText() }) : null;
  const pl: Candidate | null = planer ? (b) => ({ text: planer.extractFrom(b, 'text/plain') }) : null;
  const forward = EFP ? (b: string) => new EFP().read(b) : null;
  return {
    'email-reply-parser': erp,
    planer: pl,
    'email-forward-parser': forward ? (b) => ({ text: forward(b).forwarded ? (forward(b).message ?? '') : b }) : null,
    'node-email-reply-parser': nerp ? (b) => ({ text: nerp(b, true) }) : null,
    talonjs: talon ? (b) => ({ text: talon.quotations.extractFromPlain(b).body }) : null,
    'email-forward-parser + email-reply-parser + planer':
      forward && erp && pl
        ? (b) => {
            const f = forward(b);
            const note = f.forwarded ? (f.message ?? '') : b;
            return pl(erp(note).text);
          }
        : null,
  };
}

function ours(withHints: boolean): Candidate {
  const thread = Object.values(threadMessages());
  return (b) => extractReply(b, withHints ? { thread, senderName: 'Maya Lopez' } : {});
}

if (!isMainThread) {
  // Worker: time one candidate on the big body.
  const { name, size } = workerData as { name: string; size: number };
  const run = name.startsWith('ours') ? ours(name.includes('hints')) : candidates()[name];
  const body = deepQuotedReply(size);
  const start = performance.now();
  run?.(body);
  parentPort?.postMessage(performance.now() - start);
} else {
  const corpus = await loadCorpus();
  const rows: string[] = [];
  const all: [string, Candidate | null][] = [
    ...Object.entries(candidates()),
    ['ours (no thread hints)', ours(false)],
    ['ours (with thread hints)', ours(true)],
  ];
  for (const [name, run] of all) {
    if (!run) {
      console.log(`${name}: not installed, skipped`);
      continue;
    }
    const s = summarise(corpus, (f: ReplyFixture) => run(f.body));
    const big = await timeBig(name.startsWith('ours') ? name : name, 1_000_000);
    rows.push(
      `| ${name} | ${pct(s.exact, s.total)} (${s.exact}/${s.total}) | ${pct(s.leaks, s.total)} (${s.leaks}) | ${(s.ms / s.total).toFixed(2)} ms | ${big} |`,
    );
    if (process.env.VERBOSE) for (const f of s.failures) console.log(name, f.id, f.leaked, JSON.stringify(f.got));
  }
  console.log(`corpus: ${corpus.length} replies`);
  console.log('| extractor | exact | leaks | mean time | 1 MB deep-quoted reply |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  timeOursOnBigBodies();
}

/** Our pipeline on 1 MB bodies, in this process after a warm-up: the median of 5 runs per body. */
function timeOursOnBigBodies() {
  const bodies = { 'deep-quoted reply': deepQuotedReply(1_000_000), ...pathologicalReplies(1_000_000) };
  const run = ours(true);
  run('warm-up');
  console.log('| 1 MB body | median | uncertain |');
  console.log('| --- | --- | --- |');
  for (const [name, body] of Object.entries(bodies)) {
    const times: number[] = [];
    let uncertain = false;
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      uncertain = run(body).uncertain ?? false;
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${times[2].toFixed(1)} ms | ${uncertain} |`);
  }
}

function timeBig(name: string, size: number): Promise<string> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { name, size } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(`> ${BIG_TIMEOUT_MS / 1000} s (stopped)`);
    }, BIG_TIMEOUT_MS);
    worker.once('message', (ms: number) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(`${ms.toFixed(1)} ms`);
    });
    worker.once('error', (e: Error) => {
      clearTimeout(timer);
      resolve(`error: ${e.message}`);
    });
  });
}
