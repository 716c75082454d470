import { expect } from 'chai';
import { DEFAULT_FORBIDDEN_PHRASES, type GateInput, SOW_PLACEHOLDER, validateEmail } from '../../services/gate.ts';
import { insertSow, sowBlock } from '../../services/sow.ts';

const GOOD =
  "Hi Maya,\n\nThanks for getting back to us! We'd like to propose $2,000 for a streamlined package.\n\n{{SOW}}\n\nLet me know your thoughts.";

function gate(prose: string, extra: Partial<GateInput> = {}) {
  return validateEmail({
    prose,
    allowedCents: [200000],
    requireSow: true,
    agreement: false,
    forbiddenPhrases: DEFAULT_FORBIDDEN_PHRASES,
    ...extra,
  });
}

const checks = (prose: string, extra: Partial<GateInput> = {}) => gate(prose, extra).failures.map((f) => f.check);

describe('validateEmail', () => {
  it('passes a clean email', () => {
    expect(gate(GOOD)).to.deep.equal({ passed: true, failures: [] });
  });

  it('compares amounts as cents: $2,000, $2,000.00, $2000 and 2k USD all equal 200000', () => {
    for (const amount of ['$2,000', '$2,000.00', '$2000', '2k USD', '2,000 dollars']) {
      expect(gate(GOOD.replace('$2,000', amount)).passed, amount).to.equal(true);
    }
  });

  it('S8: rejects "$1,800" when only $2,000.00 is allowed', () => {
    const result = gate(GOOD.replace('$2,000', '$1,800'));
    expect(result.passed).to.equal(false);
    expect(result.failures).to.have.length(1);
    expect(result.failures[0]).to.include({ check: 'monetary_value', severity: 'error' });
    expect(result.failures[0].detail).to.contain('$1,800');
  });

  it('S8: rejects "We can guarantee amazing results" as a commitment', () => {
    const result = gate(GOOD.replace('Let me know', 'We can guarantee amazing results. Let me know'));
    expect(result.passed).to.equal(false);
    expect(result.failures.map((f) => [f.check, f.severity])).to.deep.equal([['commitment', 'error']]);
  });

  it('catches amounts without a dollar sign, in words, in k and in other currencies', () => {
    for (const amount of ['two thousand five hundred dollars', '2.5k', '€2000', '2,500 USD', 'USD 2,500', '£2,000']) {
      const result = gate(GOOD.replace('$2,000', amount));
      expect(result.passed, amount).to.equal(false);
      expect(
        result.failures.map((f) => f.check),
        amount,
      ).to.deep.equal(['monetary_value']);
    }
  });

  it('reports every mismatching amount', () => {
    expect(checks(`${GOOD} Others got $2,500 and $3,000; we stay at $2,000.`)).to.deep.equal([
      'monetary_value',
      'monetary_value',
    ]);
  });

  it('allows extra amounts when given (product value, CPM target)', () => {
    const prose = GOOD.replace('package.', 'package, plus products worth $150 at a CPM of $25.');
    expect(gate(prose).passed).to.equal(false);
    expect(gate(prose, { allowedCents: [200000, 15000, 2500] }).passed).to.equal(true);
  });

  it('rejects each kind of commitment', () => {
    for (const phrase of [
      'This is an exclusive offer.',
      'We would need exclusivity.',
      'Results are guaranteed.',
      'We have future campaigns lined up.',
      'There could be future partnerships.',
      'Plenty of future brand deals too.',
      'We look forward to future collaborations.',
      'Usage rights are included.',
      'We can discuss a rights extension.',
    ]) {
      expect(checks(`${GOOD} ${phrase}`), phrase).to.deep.equal(['commitment']);
    }
  });

  it('rejects usage rights in prose in agreement mode too', () => {
    const prose = `${GOOD} Payment follows. Usage rights are as listed.`;
    expect(checks(prose, { agreement: true })).to.deep.equal(['commitment']);
  });

  it('does not mistake ordinary words for commitments', () => {
    expect(gate(`${GOOD} We value the rights of creators and have an upcoming campaign.`).passed).to.equal(true);
  });

  it('rejects forbidden phrases case-insensitively, including configured ones', () => {
    expect(checks(`${GOOD} This is our Budget Cap.`)).to.deep.equal(['forbidden_phrase']);
    expect(checks(`${GOOD} We are near the ceiling.`)).to.deep.equal(['forbidden_phrase']);
    expect(checks(`${GOOD} Totally on brand.`, { forbiddenPhrases: ['on brand'] })).to.deep.equal(['forbidden_phrase']);
    expect(gate(`${GOOD} This is our budget cap.`, { forbiddenPhrases: [] }).passed).to.equal(true);
  });

  it('rejects short emails (trimmed, default 50 characters)', () => {
    const short = `   Hi Maya, ${SOW_PLACEHOLDER} thanks!   `;
    expect(checks(short)).to.deep.equal(['too_short']);
    expect(checks(short, { minLength: 10 })).to.deep.equal([]);
  });

  it('requires the placeholder exactly once when a SOW is due, and never otherwise', () => {
    expect(checks(GOOD.replace(SOW_PLACEHOLDER, ''))).to.deep.equal(['sow_placeholder']);
    expect(checks(`${GOOD}\n${SOW_PLACEHOLDER}`)).to.deep.equal(['sow_placeholder']);
    expect(checks(GOOD, { requireSow: false })).to.deep.equal(['sow_placeholder']);
    expect(checks(GOOD.replace(SOW_PLACEHOLDER, ''), { requireSow: false })).to.deep.equal([]);
  });

  it('warns (without failing) when an agreement email does not mention payment', () => {
    const result = gate(GOOD, { agreement: true });
    expect(result.passed).to.equal(true);
    expect(result.failures).to.have.length(1);
    expect(result.failures[0]).to.include({ check: 'payment_terms', severity: 'warning' });
    expect(gate(`${GOOD} Payment will be processed within 30 days.`, { agreement: true }).failures).to.deep.equal([]);
    expect(gate(GOOD).failures).to.deep.equal([]);
  });

  it('collects every failure at once', () => {
    const result = gate('We guarantee $5,000 under our ceiling.', { agreement: true });
    expect(result.passed).to.equal(false);
    expect(result.failures.map((f) => f.check)).to.deep.equal([
      'monetary_value',
      'commitment',
      'forbidden_phrase',
      'too_short',
      'sow_placeholder',
      'payment_terms',
    ]);
  });
});

describe("the original's gate failures (llm-email.md §8.2.4), now passed", () => {
  it('"$2,000" in the prose matches an expected 2000.00, and an unquantised $500 minimum matches 50000 cents', () => {
    expect(gate(GOOD).passed).to.equal(true);
    expect(gate(GOOD.replace('$2,000', '$500.00'), { allowedCents: [50000] }).passed).to.equal(true);
  });

  it('a compliant counter (SOW with "Usage Rights:" and a struck-through ask) passes: only the prose is gated', () => {
    const block = sowBlock({
      deliverables: '1 Instagram Reel, 1 Instagram Story',
      usageRights: null,
      rateCents: 200000,
      theirAskCents: 220000,
    });
    expect(block).to.include('Usage Rights:').and.include('~~$2,200.00~~ $2,000.00');
    expect(gate(GOOD).passed).to.equal(true);
    expect(insertSow(GOOD, block)).to.include(block);
    // the same email gated as a whole, as the original did, fails on exactly those two lines
    const whole = gate(insertSow(GOOD, block).replace(SOW_PLACEHOLDER, ''), { requireSow: false });
    expect(whole.failures.map((f) => f.check).sort()).to.deep.equal(['commitment', 'monetary_value']);
  });

  it('the product value passes only when the product lever allows it', () => {
    const prose = GOOD.replace('package.', 'package, plus products worth $150.');
    expect(gate(prose, { allowedCents: [200000, 15000] }).passed).to.equal(true);
    expect(gate(prose).passed).to.equal(false);
  });

  it('reads large bare numbers and lookalike digits as amounts; audience sizes and years are not', () => {
    expect(checks(GOOD.replace('package.', 'package; we could stretch to 48700 if needed.'))).to.include(
      'monetary_value',
    );
    expect(checks(GOOD.replace('$2,000', '\uff04\uff14\uff18\uff0c\uff17\uff10\uff10'))).to.include('monetary_value');
    expect(gate(GOOD.replace('package.', 'package for your 80,000 views in 2026.')).passed).to.equal(true);
    expect(gate(GOOD.replace('$2,000', '2000 dollars')).passed).to.equal(true);
    expect(checks(GOOD.replace('package.', 'package; our budget is forty-eight thousand seven hundred.'))).to.include(
      'monetary_value',
    );
    expect(gate(GOOD.replace('package.', 'package for your eighty thousand followers.')).passed).to.equal(true);
  });
});

describe('the gate reads every spelling of an amount (D10)', () => {
  const counter = (extra: string) =>
    gate(
      `Hi Maya,\n\nThanks for getting back to us. We'd like to propose $2,100 for the package. ${extra}\n\n{{SOW}}\n\nBest,\nDeals Team`,
      {
        allowedCents: [210000],
      },
    );

  it('refuses the spellings that slipped through before: bare decimals, thousands and hundreds in words', () => {
    for (const extra of [
      'We can offer 9,000.00 if needed.',
      'We can offer 9000.5.',
      'Maybe 9 thousand?',
      'Maybe 24 hundred?',
      'Or 2 thousand 4 hundred.',
      'Even nine grand.',
      'Say $9K.',
      'That is 9.000,00 EUR.',
      'USD 9000 at most.',
      'Or 9 000 dollars.',
      "Or 9'000 dollars.",
      'Or 9\u00a0000 USD.',
      'Or ９，０００ dollars.',
      'Or ٩٠٠٠ dollars.',
      'Or ९००० USD.',
      'Or nueve mil dólares.',
      'Or 9000 złotych.',
      'Or twenty-four hundred.',
      'Or $2.100.', // $2.10 or $2,100: one reading is not allowed
      'Another option is 4,908.63 for the package.', // a figure with cents is no label ("option 2")
      'We could pay 95 for each Story.', // a small bare figure where a price stands
      'Our budget is 900.',
      'We can offer 9G.', // slang the readers do not do arithmetic on
      'We can stretch to 2k5.',
    ]) {
      const result = counter(extra);
      expect(
        result.failures.map((f) => f.check),
        extra,
      ).to.include('monetary_value');
    }
  });

  it('keeps counts, years, durations, dates and the allowed amount in other spellings', () => {
    for (const extra of [
      'Your 80,000 views and 2 Reels, 3 Stories, live within 30 days in 2026.',
      'We loved your 150 Reels last year; call us at +1 (555) 201-4477 on March 3 at 10:30.',
      'That is 2,100 USD, or twenty-one hundred dollars, or 2.1k.',
      'We would pay for 2 Reels and 3 Stories; the offer is for 30 days of usage.',
      'We can offer 2100 for the package, filmed on your 5G phone if you like.',
    ]) {
      expect(counter(extra).failures, extra).to.deep.equal([]);
    }
  });

  it('no email but the confirmation may claim or imply agreement (D16)', () => {
    for (const claim of [
      'We agree to your rate, so we have a deal!',
      "It's a deal.",
      'We accept your offer.',
      'Confirmed at that rate.',
      'Agreed!',
      'Your rate works for us.',
      "We'll go with your number.",
      'Happy to confirm the partnership.',
      "We're happy to accept that.",
      'Consider it done.',
      "We're all set at that rate!",
      'Glad we could agree on this.',
      "We're on board with your rate.",
      'Looking forward to working together at the agreed rate.',
      'We approve the rate.',
    ]) {
      expect(checks(`${GOOD} ${claim}`), claim).to.deep.equal(['agreement_claim']);
      expect(checks(`${GOOD} ${claim} Payment follows.`, { agreement: true }), claim).to.deep.equal([]);
    }
    for (const fine of [
      "We can't agree to a higher rate.",
      "We'd love to reach an agreement.",
      'Let us know if this works for you.',
      "We hope we can agree on this, and we're looking forward to working together.",
    ]) {
      expect(checks(`${GOOD} ${fine}`), fine).to.deep.equal([]);
    }
  });

  it('refuses widened promises: exclusivity and guarantees in other words', () => {
    for (const promise of [
      'We promise results.',
      'This is risk-free for you.',
      'We are looking at a long-term partnership.',
      'Exklusivität is part of it.',
    ]) {
      expect(checks(`${GOOD} ${promise}`), promise).to.deep.equal(['commitment']);
    }
  });
});
