/**
 * Fixtures of the mail tests: our address, Maya, an outgoing email with a fresh Message-ID, a Gmail client for a
 * fake Gmail.
 */
import { OAuth2Client } from 'google-auth-library';
import { createGmailClient } from '../../services/mail/gmail.ts';
import { messageIdFor, type OutgoingEmail } from '../../services/mail/port.ts';
import type { FakeGmail } from '../support/fake-gmail.ts';

export const AGENT = 'deals@agency.example';
export const MAYA = 'Maya Lopez <maya@gmail.com>';

let seq = 0;
/** A number not used before in this run, for unique Message-IDs. */
export const nextSeq = () => ++seq;
export const outgoing = (extra: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  messageId: messageIdFor(`negotiation-1:outreach:${nextSeq()}:${Date.now()}`, AGENT),
  from: `Deals Team <${AGENT}>`,
  to: MAYA,
  subject: 'Partnership with Glow Labs',
  text: "Hi Maya,\n\nWe'd like to propose $2,000.00.\n\nBest,\nDeals Team",
  html: "<p>Hi Maya,</p>\n<p>We'd like to propose $2,000.00.</p>\n<p>Best,<br>\nDeals Team</p>",
  threadId: null,
  inReplyTo: null,
  references: [],
  ...extra,
});

export function gmailClient(fake: FakeGmail) {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: 'test' });
  return createGmailClient({ rootUrl: fake.rootUrl, auth });
}
