/**
 * Opt-in live test against a real Gmail mailbox (`npm run test:live`); skipped without GMAIL_TOKEN_PATH or
 * GMAIL_SERVICE_ACCOUNT_PATH. It sends one message to the mailbox itself, finds it by its Message-ID (the
 * exactly-once check) and reads it back through the history cursor.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { connectGmail } from '../../server/live-gmail.ts';
import { createGmailMailbox } from '../../services/mail/gmail.ts';
import type { MailPort } from '../../services/mail/port.ts';

describe('live: Gmail', function () {
  this.timeout(120_000);
  const hasCredentials = Boolean(process.env.GMAIL_TOKEN_PATH || process.env.GMAIL_SERVICE_ACCOUNT_PATH);
  let mailbox: MailPort;
  let address: string;

  before(async function () {
    if (!hasCredentials) this.skip();
    const config = loadConfig({ ...process.env, AGENT_MODE: 'sandbox', MAIL_PROVIDER: 'gmail' });
    if (config.mail.provider !== 'gmail') this.skip();
    else {
      const { gmail, agentEmail } = await connectGmail(config.mail);
      mailbox = createGmailMailbox({ gmail });
      address = agentEmail;
    }
  });

  it('sends once, finds the send by Message-ID, and reads it back from the history', async () => {
    const start = await mailbox.fetchSince(null);
    const messageId = `<live-${randomBytes(8).toString('hex')}@${address.split('@')[1]}>`;
    const receipt = await mailbox.send({
      messageId,
      from: address,
      to: address,
      subject: `Live test ${messageId}`,
      text: 'A live test of the negotiation agent. Safe to delete.',
      html: '<p>A live test of the negotiation agent. Safe to delete.</p>',
      threadId: null,
      inReplyTo: null,
      references: [],
    });
    expect(receipt.threadId).to.be.a('string');
    // Gmail's search index can lag a few seconds behind a send.
    let found = null;
    for (let i = 0; i < 10 && !found; i++) {
      found = await mailbox.findSent(messageId);
      if (!found) await new Promise((r) => setTimeout(r, 2000));
    }
    expect(found?.threadId).to.equal(receipt.threadId);
    const page = await mailbox.fetchSince(start.cursor);
    expect(page.messages.map((m) => m.messageId)).to.include(messageId);
  });
});
