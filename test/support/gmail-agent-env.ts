/**
 * An agent's Gmail settings against the fakes (fake-gmail.ts, fake-google-auth.ts): an OAuth token file written
 * into `dir`, and the API, token, certificate and push settings. Callers add the mode, the polling and the limits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeGmail } from './fake-gmail.ts';
import type { FakeGoogleAuth } from './fake-google-auth.ts';

/** Who signs Gmail's pushes, and for which audience (what a test signs its push tokens with). */
export interface PushIdentity {
  audience: string;
  account: string;
}

export function fakeGmailEnv(
  fakes: { gmail: FakeGmail; google: FakeGoogleAuth },
  dir: string,
  push: PushIdentity,
): Record<string, string> {
  const tokenPath = writeGmailToken(dir);
  return {
    MAIL_PROVIDER: 'gmail',
    GMAIL_TOKEN_PATH: tokenPath,
    GMAIL_API_URL: fakes.gmail.rootUrl,
    GOOGLE_TOKEN_URL: fakes.google.tokenUrl,
    GOOGLE_CERTS_URL: fakes.google.certsUrl,
    GMAIL_PUBSUB_TOPIC: 'projects/p/topics/gmail',
    GMAIL_PUSH_AUDIENCE: push.audience,
    GMAIL_PUSH_SERVICE_ACCOUNT: push.account,
  };
}

/** The OAuth token file an agent reads for Gmail (the fake Google accepts any refresh token); returns its path. */
export function writeGmailToken(dir: string): string {
  const tokenPath = join(dir, 'gmail-token.json');
  writeFileSync(
    tokenPath,
    JSON.stringify({ type: 'authorized_user', client_id: 'id', client_secret: 'secret', refresh_token: 'refresh' }),
  );
  return tokenPath;
}
