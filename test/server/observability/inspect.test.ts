/** The inspection redaction (server/observability/inspect.ts): addresses, display names, names, amounts and texts. */
import { expect } from 'chai';
import { redact } from '../../../server/observability/inspect.ts';

describe('inspection redaction', () => {
  it('redacts display names in From/To, "Name <address>" anywhere, name fields, amounts and texts', () => {
    const out = redact({
      type: 'mail.received',
      reply: { from: '"Lopez, Maya" <maya@gmail.com>', to: 'Deals Team <deals@agency.example>', text: 'hello' },
      replyTo: 'Maya Lopez <maya@gmail.com>',
      contacts: [{ name: 'Jordan Lee', email: 'jordan@talent.example', role: 'manager' }],
      influencerName: 'Maya Lopez',
      reason: 'Reply from Maya Lopez <maya@gmail.com> (cc =?UTF-8?Q?Jos=C3=A9?= <jose@x.example>) asks $3,200',
      note: 'old style: maya@gmail.com (Maya Lopez)',
      lastOfferCents: 200000,
      controlledBy: 'slack:U0ALICE',
      state: 'escalated',
    });
    const text = JSON.stringify(out);
    for (const secret of ['Maya', 'Lopez', 'Jordan', 'gmail.com', 'talent.example', 'Jos', '3,200', '200000', 'hello'])
      expect(text, secret).not.to.include(secret);
    expect(out.reply).to.deep.equal({ from: '[contact]', to: '[contact]', text: '[text]' });
    // a display name's start is a guess: words before it may go too (never fewer)
    expect(out.reason).to.match(/^(Reply from )?\[name\] <\[email\]> \((cc )?\[name\] <\[email\]>\) asks \[amount\]$/);
    expect(out.note).to.equal('old style: [email] ([name])');
    expect(out).to.include({ influencerName: '[name]', controlledBy: 'slack:U0ALICE', state: 'escalated' });
  });

  it('stays linear on long strings without addresses', () => {
    const long = `${'word '.repeat(200_000)}<no address here, but one@address.example`;
    const started = performance.now();
    expect(redact({ note: long }).note).to.equal(long.replace('one@address.example', '[email]'));
    expect(performance.now() - started).to.be.below(5_000); // a hang guard, not a benchmark
  });
});
