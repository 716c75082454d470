/**
 * Phase 3: model calls and tokens per inbound reply, against the fake Messages API.
 */
import { join } from 'node:path';
import { startFakeAnthropic } from '../../test/support/fake-anthropic.ts';
import { type Client, runLoad } from '../lib/http.ts';
import { tempDir } from '../lib/processes.ts';
import { fmt } from '../lib/report.ts';
import { COUNTER_ASKS, campaignBody, influencers } from '../lib/scenarios.ts';
import { CFG, GOAL, log, problems, results, row, targets } from '../lib/common.ts';
import { openReadOnly, quiet, startAgent, stopAgent, until } from '../lib/agent.ts';

/** model_calls_total / model_tokens_total from the agent's /metrics, summed by kind (and type). */
export async function modelMetrics(client: Client) {
  const text = (await client.request('GET', '/metrics')).body;
  const calls: Record<string, number> = {};
  const tokens: Record<string, Record<string, number>> = {};
  for (const line of text.split('\n')) {
    const m = /^(model_calls_total|model_tokens_total)\{([^}]*)\} ([0-9.e+]+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const value = Number(m[3]);
    if (m[1] === 'model_calls_total') calls[labels.kind] = (calls[labels.kind] ?? 0) + value;
    else {
      tokens[labels.kind] ??= {};
      tokens[labels.kind][labels.type] = (tokens[labels.kind][labels.type] ?? 0) + value;
    }
  }
  return { calls, tokens };
}

export async function modelCalls() {
  const S = '3 model calls';
  log(`phase 3: model calls per reply (fake Messages API, ${CFG.modelInfluencers} negotiations x 2 replies)`);
  const fake = await startFakeAnthropic();
  const dir = tempDir('bench-model-');
  const { child, client } = await startAgent(dir, 'agent-model', {
    MODEL_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'x',
    ANTHROPIC_BASE_URL: fake.url,
  });
  try {
    const count = CFG.modelInfluencers;
    const created = await client.json(
      'POST',
      '/api/v1/campaigns',
      campaignBody('bench-model', influencers(count, 'Model', 'creators.example')),
    );
    if (created.status !== 201 && created.status !== 202)
      // 202: a big campaign, created right after
      throw new Error(`model campaign not created: ${created.status}`);
    const mailDb = openReadOnly(join(dir, 'data', 'sandbox.db'));
    const agentDb = openReadOnly(join(dir, 'data', 'agent.db'));
    const outCount = mailDb.prepare("SELECT COUNT(*) FROM mail WHERE direction = 'out'").pluck();
    await until('opening offers (model)', () => (outCount.get() as number) >= count, 60_000);
    await quiet(agentDb, 'opening offers (model)');
    const opening = { calls: fake.calls.length, compose: fake.callsOf('compose').length };
    const list = await client.json<{ id: string; threadId: string; influencer: { email: string } }[]>(
      'GET',
      '/api/v1/negotiations?campaign=bench-model&limit=1000',
    );
    const before = await modelMetrics(client);
    const callsBefore = fake.calls.length;
    // Round 1: every creator counters; round 2: a third ask a question, a third counter again, a third accept.
    const round2 = ['What would the posting schedule look like?', COUNTER_ASKS[1], "Sounds great, let's do it!"];
    let replies = 0;
    for (const [round, textOf] of [(_i: number) => COUNTER_ASKS[0], (i: number) => round2[i % 3]].entries()) {
      const expected = (outCount.get() as number) + list.body.length;
      await runLoad({
        client,
        concurrency: 4,
        count: list.body.length,
        make: (i) => ({
          method: 'POST',
          path: '/sandbox/mail',
          body: {
            from: list.body[i].influencer.email,
            threadId: list.body[i].threadId,
            text: textOf(i),
            messageId: `<model-${round}-${i}@creators.example>`,
          },
        }),
      });
      replies += list.body.length;
      await until(`model round ${round + 1} answers`, () => (outCount.get() as number) >= expected, 60_000);
      await quiet(agentDb, `model round ${round + 1}`);
    }
    const after = await modelMetrics(client);
    const calls = fake.calls.slice(callsBefore);
    const byKind = { classify: 0, compose: 0 };
    for (const c of calls) byKind[c.kind]++;
    const tokens: Record<string, Record<string, number>> = {};
    for (const kind of new Set([...Object.keys(after.tokens), ...Object.keys(before.tokens)])) {
      tokens[kind] = {};
      for (const type of ['input', 'output', 'cache_read', 'cache_write'])
        tokens[kind][type] = (after.tokens[kind]?.[type] ?? 0) - (before.tokens[kind]?.[type] ?? 0);
    }
    const sum = (type: string) => Object.values(tokens).reduce((a, t) => a + (t[type] ?? 0), 0);
    const inputSide = (t: Record<string, number>) => (t.input ?? 0) + (t.cache_read ?? 0) + (t.cache_write ?? 0);
    const cachedShare = sum('cache_read') / (sum('input') + sum('cache_read') + sum('cache_write'));
    const systemChars = (kind: 'classify' | 'compose') => {
      const of = calls.filter((c) => c.kind === kind);
      return of.length ? of.reduce((a, c) => a + c.system.length, 0) / of.length : 0;
    };
    const cached = (kind: 'classify' | 'compose') =>
      calls.some((c) => c.kind === kind && JSON.stringify(c.body.system ?? '').includes('"cache_control"'));
    const shapeProblems = fake.problems();
    if (shapeProblems.length) problems.push(`fake Messages API: ${shapeProblems.slice(0, 3).join('; ')}`);
    const states = agentDb.prepare('SELECT state, COUNT(*) AS n FROM negotiations GROUP BY state').all();
    mailDb.close();
    agentDb.close();
    const perReply = calls.length / replies;
    const m = {
      negotiations: count,
      replies,
      openingCalls: opening,
      calls: calls.length,
      byKind,
      callsPerReply: perReply,
      agentMetricsCalls: Object.fromEntries(
        Object.keys(after.calls).map((k) => [k, after.calls[k] - (before.calls[k] ?? 0)]),
      ),
      tokens,
      cachedShare,
      avgSystemChars: { classify: systemChars('classify'), compose: systemChars('compose') },
      finalStates: states,
    };
    results.model = m;
    row(
      S,
      'model calls per inbound reply',
      fmt.n(perReply, 2),
      `${calls.length} calls for ${replies} replies (classify ${byKind.classify}, compose ${byKind.compose}); opening offers: ${opening.compose} compose calls for ${count} negotiations`,
    );
    for (const [kind, t] of Object.entries(tokens)) {
      row(
        S,
        `${kind} tokens per call: input / cache read / cache write / output`,
        `${fmt.n(t.input / (byKind[kind as 'classify'] || 1))} / ${fmt.n(t.cache_read / (byKind[kind as 'classify'] || 1))} / ${fmt.n(t.cache_write / (byKind[kind as 'classify'] || 1))} / ${fmt.n(t.output / (byKind[kind as 'classify'] || 1))}`,
        `cached share ${((100 * (t.cache_read ?? 0)) / inputSide(t)).toFixed(1)} %; system prompt ~${fmt.n(systemChars(kind as 'classify') / 4)} tokens, ${cached(kind as 'classify') ? 'with' : 'WITHOUT'} cache_control`,
      );
    }
    row(
      S,
      'cached share of input tokens (all calls)',
      `${(100 * cachedShare).toFixed(1)} %`,
      'cache_read / (input + cache_read + cache_write), from the agent /metrics (usage the fake reports)',
    );
    targets.push(
      {
        id: 'model.callsPerReply',
        what: 'Model calls per inbound reply (fake Messages API, shipped knowledge_base/)',
        kind: 'max',
        goal: GOAL.modelCallsPerReply,
        unit: '',
        measured: perReply,
        note: `classify ${fmt.n(byKind.classify / replies, 2)} + compose ${fmt.n(byKind.compose / replies, 2)} per reply; ${replies} replies (counters, questions, acceptances)`,
      },
      {
        id: 'model.cachedShare',
        what: 'Cached share of input tokens, cache_read / (input + cache_read + cache_write)',
        kind: 'info',
        goal: 0,
        unit: '%',
        measured: 100 * cachedShare,
        note: `compose ${((100 * (tokens.compose?.cache_read ?? 0)) / inputSide(tokens.compose ?? {})).toFixed(1)} %, classify ${((100 * (tokens.classify?.cache_read ?? 0)) / inputSide(tokens.classify ?? {})).toFixed(1)} %${cached('classify') ? '' : ' (classify system prompt sent without cache_control)'}`,
      },
    );
  } finally {
    await stopAgent(child, client, 'model agent');
    await fake.close();
  }
}
