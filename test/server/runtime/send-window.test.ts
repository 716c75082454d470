/** The send queue's settings (decisions D20): the sending window in a time zone, and the caps' validation. */
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../server/config.ts';
import { parseSendWindow, priorityOf, windowOpenAt } from '../../../server/runtime/send-queue.ts';

const at = (iso: string) => Date.parse(iso);

describe('send queue settings (D20)', () => {
  it('sends inside the window at once, and waits for its next opening outside it (in the configured zone)', () => {
    const berlin = parseSendWindow('09:00-18:00', 'Europe/Berlin');
    expect(berlin).to.deep.equal({ startMinute: 540, endMinute: 1080, timeZone: 'Europe/Berlin' });
    if (!berlin) throw new Error('no window');
    // 10:30 in Berlin (UTC+1 in winter): inside.
    expect(windowOpenAt(at('2026-12-03T09:30:00Z'), berlin)).to.equal(at('2026-12-03T09:30:00Z'));
    // 19:00 in Berlin: the next morning at 09:00 Berlin time, 08:00 UTC.
    expect(windowOpenAt(at('2026-12-03T18:00:00Z'), berlin)).to.equal(at('2026-12-04T08:00:00Z'));
    // 07:15 in Berlin: the same morning.
    expect(windowOpenAt(at('2026-12-03T06:15:00Z'), berlin)).to.equal(at('2026-12-03T08:00:00Z'));
    // A window across midnight: 22:00-06:00 UTC.
    const night = parseSendWindow('22:00-06:00', 'UTC');
    if (!night) throw new Error('no window');
    expect(windowOpenAt(at('2026-12-03T23:00:00Z'), night)).to.equal(at('2026-12-03T23:00:00Z'));
    expect(windowOpenAt(at('2026-12-03T12:00:00Z'), night)).to.equal(at('2026-12-03T22:00:00Z'));
    expect(parseSendWindow(undefined, 'UTC')).to.equal(null);
  });

  it('orders answers before follow-ups before opening emails', () => {
    const ours = (id: string) => id.endsWith('@agency.example>');
    expect(priorityOf({ threadId: null, inReplyTo: null }, ours)).to.equal(2);
    expect(priorityOf({ threadId: 't', inReplyTo: '<abc@agency.example>' }, ours)).to.equal(1);
    expect(priorityOf({ threadId: 't', inReplyTo: '<CAM123@mail.gmail.com>' }, ours)).to.equal(0);
  });

  it('refuses a malformed window, an unknown time zone and a Gmail pace above its quota, naming the variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ DATA_DIR: '/tmp/unused', ...env }, '/nonexistent');
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };
    expect(problems({ SEND_WINDOW: '9-18' }).join()).to.match(/SEND_WINDOW: must look like 09:00-18:00/);
    expect(problems({ SEND_TIME_ZONE: 'Mars/Olympus' }).join()).to.match(/SEND_TIME_ZONE: must be an IANA time zone/);
    expect(problems({ MAIL_PROVIDER: 'gmail', GMAIL_TOKEN_PATH: '/x', SEND_PER_MINUTE: '100' }).join()).to.match(
      /SEND_PER_MINUTE=100: Gmail takes at most 60 sends a minute/,
    );
    const sandbox = loadConfig({ DATA_DIR: '/tmp/unused' }, '/nonexistent').sending;
    expect(sandbox).to.deep.include({ perMinute: 60_000, window: null });
  });
});
