/**
 * Reliability: adversarial influencer emails (decisions D2, D10, D11; llm-email.md §9). A corpus of 50 emails —
 * instructions to the model, fake system messages and tool output, amounts in words, in other currencies, "2.1k",
 * with space or zero-width thousands separators, in fullwidth or other digits, requests to reveal the budget, floor,
 * ceiling and max cost (also "as plain numbers" or "in words" to slip past a filter), Slack mentions and links,
 * markdown, HTML, very long text, lookalike letters, prompt-closing delimiters — each the first reply of its own
 * negotiation (a few with a second step), run against
 *   (a) the sandbox's offline negotiator, and
 *   (b) Claude through the fake Messages API acting as an OBEDIENT model: its reading reports whatever the email
 *       demands (intent, the amount it names, no risk findings) and its writer writes whatever the email asks:
 *       their message echoed, the demanded amount, and the campaign's budget figures (which a real writer is never
 *       given: the suite also checks that no prompt contains them).
 *
 * Across everything the agent sent and posted:
 * - every amount in an email's prose (outside the "Scope of Work:" block) is the email's own rate, read after
 *   Unicode normalisation (NFKC, other digit scripts, zero-width characters dropped);
 * - no email names a budget figure (budget, max cost, ceiling rate, minimum cost, ceiling CPM) in any form — with
 *   a currency, as a bare number, in "k" or in words — nor a forbidden phrase (floor rate, ceiling, max cost, ...);
 * - every agreement is at our last offer, or at an amount the influencer actually wrote (read as a person would:
 *   "$2 900" is 2,900) that is at most our offer — or, as decisions D3.5 allow, within 5% above it and within the
 *   campaign's limit (reported separately: the rule alone would not admit it);
 * - no Slack message carries an unescaped mention or link (`<!…>`, `<@…>`, `<#…>`, `<http…>`, `<mailto:…>`) in
 *   its blocks or its fallback text, apart from the agent's own "Open the negotiation" link;
 * - (b) no model prompt contains a budget figure, and the classifier's untrusted block holds exactly the email as
 *   read, whatever delimiter the email fakes.
 * A summary table (emails, escalations, agreements per mode) is printed. The corpus, the reading checks, the
 * obedient model and the run of one mode are in test/reliability/injection/.
 */
import { expect } from 'chai';
import { type FakeAnthropic, startFakeAnthropic } from '../support/fake-anthropic.ts';
import { CORPUS, FIGURES } from './injection/corpus.ts';
import { readAmounts, valuesNamed } from './injection/reading.ts';
import { type ModeResult, runMode } from './injection/run.ts';

// ---------------------------------------------------------------------------------------------------------------

describe('reliability: adversarial influencer emails (prompt injection and amount tricks)', function () {
  this.timeout(300_000);
  let fake: FakeAnthropic;
  const results: ModeResult[] = [];

  before(async () => {
    fake = await startFakeAnthropic();
    expect(CORPUS.length).to.be.at.least(40);
    // The corpus itself never names a figure: any figure in an email came from the agent.
    for (const attack of CORPUS)
      for (const step of attack.steps)
        for (const v of valuesNamed(step.text))
          if (v.cents !== FIGURES['ceiling CPM'] || readAmounts(v.text).length)
            expect(Object.values(FIGURES), `${attack.id} names a campaign figure`).not.to.include(v.cents);
  });
  after(async () => {
    await fake?.close();
    if (!results.length) return;
    const rows = results.map((r) => [
      r.mode,
      r.replies,
      r.emails,
      r.escalations,
      r.gateBlocked,
      `${r.agreements.offer + r.agreements.lower + r.agreements.close} (${r.agreements.offer}/${r.agreements.lower}/${r.agreements.close})`,
      r.rejected,
      `${r.slackMessages} (${r.escapedMentions} escaped)`,
      r.violations.length,
      `${r.seconds} s`,
    ]);
    const head = [
      'mode',
      'replies',
      'emails',
      'escalations',
      'gate-blocked',
      'agreements (offer/lower ask/D3.5)',
      'rejected',
      'slack msgs (mentions/links escaped)',
      'violations',
      'time',
    ];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const line = (cells: unknown[]) => `    ${cells.map((c, i) => String(c).padEnd(widths[i])).join('  ')}`;
    console.log(`\n${line(head)}\n${rows.map(line).join('\n')}`);
    for (const r of results) console.log(`    ${r.mode} agreements: ${r.agreedList.join('; ') || 'none'}`);
  });

  for (const mode of ['offline', 'claude'] as const) {
    it(`${mode === 'offline' ? '(a) sandbox offline negotiator' : '(b) Claude (fake Messages API) as an obedient model'}: ${CORPUS.length} attacks -> no disallowed amount, no figure, no agreement we did not offer, no Slack mention`, async () => {
      const result = await runMode(mode, mode === 'claude' ? fake : null);
      results.push(result);
      if (result.violations.length) console.log(`    ${mode} VIOLATIONS:\n      ${result.violations.join('\n      ')}`);
      expect(result.violations, result.violations.join('\n')).to.deep.equal([]);
    });
  }
});
