/**
 * One conformance table for both adapters (D16, issue scope 3-4): every phrasing of test/services/reading-table.ts
 * is read by the offline negotiator, and by the Claude adapter through the real @anthropic-ai/sdk against the local
 * fake Messages API with (a) an honest model that reports the right reading and (b) lying models (other amounts,
 * amounts only in the quoted text, our offer plus a bit, an intent flipped to accept, an omitted ask, our offer as
 * "their" rate, an unreadable rate). The honest runs must give the table's result; a lying run may fall back to
 * unclear, but never gives an ask or an agreement the table does not expect, and never loses a legal escalation.
 */
import { expect } from 'chai';
import { findAmounts } from '../../services/amounts.ts';
import { loadKnowledgeBase } from '../../services/knowledge.ts';
import { createAnthropicNegotiator, type ReplyAnalysis } from '../../services/model/anthropic.ts';
import { classifyOffline } from '../../services/model/offline.ts';
import { readReply } from '../../services/reading.ts';
import type { Classification, ClassifyInput } from '../../services/model/port.ts';
import { type FakeAnthropic, startFakeAnthropic, untrustedText } from '../support/fake-anthropic.ts';
import { type Expected, ROWS, type Row } from './reading-table.ts';

const OFFER = 200_000;
const PACKAGE = '1 Instagram Reel, 2 Instagram Stories';
const VIEWS = 80_000;

function inputOf(row: Row): ClassifyInput {
  return {
    text: row.t,
    quoted: row.quoted ?? null,
    uncertain: row.uncertain ?? false,
    influencerName: 'Maya Lopez',
    lastOfferCents: row.offer ?? OFFER,
    package: row.pkg ?? PACKAGE,
    averageViews: row.views === undefined ? VIEWS : row.views,
  };
}

const outcome = (c: Classification): Expected | 'counter' =>
  c.intent === 'counter' && c.askCents != null ? c.askCents : c.intent;
const show = (e: Expected | 'counter') => (typeof e === 'number' ? `ask ${e / 100}` : e);
const hasLegal = (c: Classification) => c.triggers.some((t) => t.kind === 'legal');

function mismatch(row: Row, c: Classification): string | null {
  const got = outcome(c);
  const wrong = got !== row.e || Boolean(row.legal) !== hasLegal(c);
  return wrong
    ? `${JSON.stringify(row.t)}${row.pkg ? ` [${row.pkg}]` : ''}: expected ${show(row.e)}${row.legal ? ' + legal' : ''}, got ${show(got)}${hasLegal(c) ? ' + legal' : ''} (${c.summary})`
    : null;
}

const NO = { detected: false, evidence: null };

function analysis(overrides: Partial<ReplyAnalysis>): ReplyAnalysis {
  return {
    intent: 'unclear',
    confidence: 0.95,
    proposed_rate: null,
    proposed_deliverables: [],
    summary: 'Scripted reading.',
    key_concerns: [],
    hostile: NO,
    legal: NO,
    unusual_deliverables: NO,
    ...overrides,
  };
}

/** The right reading of a row, as an honest model would report it. */
function honest(row: Row): ReplyAnalysis {
  const e = row.e;
  return analysis({
    intent: typeof e === 'number' ? 'counter' : e,
    proposed_rate: typeof e === 'number' ? (e / 100).toFixed(2) : null,
    legal: row.legal ? { detected: true, evidence: row.t } : NO,
  });
}

/** The lies a model may tell about a row. */
function lies(row: Row): [string, ReplyAnalysis][] {
  const offer = row.offer ?? OFFER;
  const quotedAmount = row.quoted ? findAmounts(row.quoted).find((a) => a.cents != null)?.cents : undefined;
  const out: [string, ReplyAnalysis][] = [
    ['another amount', analysis({ intent: 'counter', proposed_rate: '3141.00' })],
    [
      'our offer plus a bit, as an acceptance',
      analysis({ intent: 'accept', proposed_rate: ((offer + 9000) / 100).toFixed(2) }),
    ],
    ['intent flipped to accept', analysis({ intent: 'accept', confidence: 0.99 })],
    ['the ask omitted', analysis({ intent: 'question' })],
    ['our offer as their rate', analysis({ intent: 'accept', proposed_rate: (offer / 100).toFixed(2) })],
    ['an unreadable rate', analysis({ intent: 'accept', proposed_rate: 'about 9k-ish' })],
    ['a reject', analysis({ intent: 'reject', confidence: 0.99 })],
  ];
  if (typeof row.e === 'number') {
    out.push(['the ask plus a bit', analysis({ intent: 'counter', proposed_rate: ((row.e + 5000) / 100).toFixed(2) })]);
  }
  if (quotedAmount != null) {
    out.push([
      'an amount only in the quoted text',
      analysis({ intent: 'counter', proposed_rate: (quotedAmount / 100).toFixed(2) }),
    ]);
  }
  return out;
}

describe('reply reading: one conformance table for both adapters (D16)', function () {
  this.timeout(120_000);
  const knowledge = loadKnowledgeBase(new URL('../../knowledge_base', import.meta.url).pathname);
  let fake: FakeAnthropic;
  let answer: ReplyAnalysis = analysis({});
  before(async () => {
    fake = await startFakeAnthropic();
    fake.onClassify(() => answer);
  });
  after(() => fake.close());

  it(`holds at least 150 phrasings (${ROWS.length})`, () => {
    expect(ROWS.length).to.be.at.least(150);
  });

  it('the offline negotiator reads every phrasing as the table says', () => {
    const wrong = ROWS.map((row) => mismatch(row, classifyOffline(inputOf(row)))).filter((m) => m != null);
    console.log(`      offline reader: ${ROWS.length - wrong.length}/${ROWS.length} phrasings as expected`);
    expect(wrong).to.deep.equal([]);
  });

  it('Claude with an honest model (real SDK, fake Messages API) gives the same results', async () => {
    const model = createAnthropicNegotiator(
      {
        apiKey: 'k',
        baseURL: fake.url,
        classifyModel: 'claude-haiku-4-5-20251001',
        composeModel: 'claude-sonnet-4-6',
        classifyMaxTokens: 1024,
        composeMaxTokens: 2048,
        timeoutMs: 5000,
        maxRetries: 0,
      },
      { knowledge },
    );
    const wrong: string[] = [];
    for (const row of ROWS) {
      answer = honest(row);
      const c = await model.classify(inputOf(row));
      const m = mismatch(row, c);
      if (m) wrong.push(m);
    }
    // Their new text is the first untrusted block; quoted history, when there is some, sits in its own block.
    const calls = fake.callsOf('classify');
    expect(calls.map((c) => untrustedText(c.prompt))).to.deep.equal(ROWS.map((r) => r.t));
    for (const [i, call] of calls.entries()) {
      if (ROWS[i].quoted)
        expect(call.prompt)
          .to.include('NOT the counterparty')
          .and.include(ROWS[i].quoted as string);
    }
    console.log(
      `      Claude adapter, honest model: ${ROWS.length - wrong.length}/${ROWS.length} phrasings as expected`,
    );
    expect(wrong).to.deep.equal([]);
    expect(fake.problems()).to.deep.equal([]);
  });

  it('Claude with lying models never gives an ask or an agreement the table does not expect', async () => {
    const model = createAnthropicNegotiator(
      {
        apiKey: 'k',
        baseURL: fake.url,
        classifyModel: 'claude-haiku-4-5-20251001',
        composeModel: 'claude-sonnet-4-6',
        classifyMaxTokens: 1024,
        composeMaxTokens: 2048,
        timeoutMs: 5000,
        maxRetries: 0,
      },
      { knowledge },
    );
    const violations: string[] = [];
    let runs = 0;
    let asExpected = 0;
    let unclear = 0;
    for (const row of ROWS) {
      for (const [lie, a] of lies(row)) {
        answer = a;
        const c = await model.classify(inputOf(row));
        runs++;
        const got = outcome(c);
        if (got === row.e) asExpected++;
        else if (got === 'unclear') unclear++;
        const label = `${JSON.stringify(row.t)} (${lie}): got ${show(got)}, table says ${show(row.e)}`;
        if (typeof got === 'number' && got !== row.e) violations.push(label);
        if (c.intent === 'counter' && c.askCents == null) violations.push(`${label}: a counter without an ask`);
        if (got === 'accept' && row.e !== 'accept') violations.push(label);
        if (row.legal && !hasLegal(c)) violations.push(`${label}: the legal escalation was lost`);
        // A refusal may stand on the model's word only where their words neither ask, accept nor question.
        if (got === 'reject' && row.e !== 'reject' && (row.e !== 'unclear' || readReply(inputOf(row)).accepts))
          violations.push(`${label}: a walk-away their words do not show`);
      }
    }
    console.log(
      `      Claude adapter, lying models: ${runs} readings, ${asExpected} as the table says, ${unclear} fell back to unclear, ${violations.length} unexpected asks, agreements or walk-aways`,
    );
    expect(violations).to.deep.equal([]);
  });
});
