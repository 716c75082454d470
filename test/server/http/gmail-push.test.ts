/**
 * Gmail push (server/http/gmail-push.ts): the OIDC token of a push delivery and its body. Credentials:
 * gmail-push-credentials.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { HttpError } from '../../../server/http/errors.ts';
import { createPushVerifier, type PushVerifier, parsePushBody } from '../../../server/http/gmail-push.ts';
import { type FakeGoogleAuth, startFakeGoogleAuth } from '../../support/fake-google-auth.ts';

const AUDIENCE = 'https://agent.example.com/webhooks/gmail';
const PUSH_SA = 'gmail-push@agency-project.iam.gserviceaccount.com';
const now = () => Math.floor(Date.now() / 1000);

async function rejection(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(HttpError);
    return error as HttpError;
  }
  throw new Error('expected a rejection');
}

describe('Gmail push: OIDC token verification', () => {
  let google: FakeGoogleAuth;
  let verifier: PushVerifier;
  before(async () => {
    google = await startFakeGoogleAuth();
    verifier = createPushVerifier({ audience: AUDIENCE, serviceAccountEmail: PUSH_SA, certsUrl: google.certsUrl });
  });
  after(() => google.close());

  const bearer = (token: string) => `Bearer ${token}`;
  const expect401 = async (header: string | undefined, message: RegExp) => {
    const error = await rejection(verifier.verify(header));
    expect(error.status).to.equal(401);
    expect(error.code).to.equal('bad_push_token');
    expect(error.message).to.match(message);
    return error;
  };

  it('accepts a Google-signed token for our audience and push service account', async () => {
    await verifier.verify(bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA })));
    // The bearer scheme is case-insensitive (RFC 7235).
    await verifier.verify(`bearer ${google.signIdToken({ aud: AUDIENCE, email: PUSH_SA })}`);
  });

  it("caches Google's certificates for their max-age", async () => {
    const before = google.certRequests;
    for (let i = 0; i < 3; i++) await verifier.verify(bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA })));
    expect(google.certRequests - before).to.equal(0);
  });

  it('rejects a missing header', async () => {
    await expect401(undefined, /Missing Authorization header/);
    await expect401('', /Missing Authorization header/);
  });

  it('rejects a non-Bearer header', async () => {
    await expect401(`Basic ${Buffer.from('a:b').toString('base64')}`, /not a Bearer token/);
    await expect401('Bearer', /not a Bearer token/);
  });

  it('rejects a wrong audience', async () => {
    await expect401(bearer(google.signIdToken({ aud: 'https://elsewhere.example', email: PUSH_SA })), /audience/);
  });

  it('rejects another service account, naming it', async () => {
    const other = 'intruder@other-project.iam.gserviceaccount.com';
    await expect401(bearer(google.signIdToken({ aud: AUDIENCE, email: other })), new RegExp(`issued to ${other}`));
  });

  it('rejects an unverified email', async () => {
    await expect401(
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, email_verified: false })),
      /not verified/,
    );
  });

  it('rejects an expired token (beyond the 5-minute clock skew)', async () => {
    await expect401(bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, exp: now() - 400 })), /expired/);
  });

  it('rejects a token that is not yet valid', async () => {
    const iat = now() + 600;
    await expect401(
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, iat, exp: iat + 3600 })),
      /not valid yet/,
    );
  });

  it('rejects a non-Google issuer', async () => {
    await expect401(
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, iss: 'https://evil.example' })),
      /issuer is not Google/,
    );
  });

  it('rejects a token signed by an unknown key id', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect401(
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, kid: 'attacker-key', key: privateKey })),
      /unknown key/,
    );
  });

  it("rejects a token claiming Google's kid but signed by another key", async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expect401(
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, key: privateKey })),
      /signature is invalid/,
    );
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = google.signIdToken({ aud: AUDIENCE, email: 'x@y.z' }).split('.');
    const forged = Buffer.from(
      JSON.stringify({ iss: 'https://accounts.google.com', aud: AUDIENCE, email: PUSH_SA, email_verified: true }),
    ).toString('base64url');
    await expect401(bearer(`${header}.${forged}.${signature}`), /signature is invalid/);
  });

  it('rejects garbage without echoing the token', async () => {
    const error = await expect401(bearer('not-a-jwt'), /not a well-formed JWT/);
    expect(error.message).not.to.contain('not-a-jwt');
    await expect401(bearer('a.b.c'), /not a well-formed JWT/);
  });

  it('never echoes a signed token or its claims in the error', async () => {
    const token = google.signIdToken({ aud: 'https://elsewhere.example', email: PUSH_SA });
    const error = await expect401(bearer(token), /audience/);
    expect(error.message).not.to.contain(token.split('.')[1]);
    expect(error.message).not.to.contain('elsewhere');
  });

  it('gives each failure a distinct message', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const headers = [
      undefined,
      'Basic x',
      bearer(google.signIdToken({ aud: 'other', email: PUSH_SA })),
      bearer(google.signIdToken({ aud: AUDIENCE, email: 'x@example.com' })),
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, email_verified: false })),
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, exp: now() - 400 })),
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, kid: 'k', key: privateKey })),
      bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA, key: privateKey })),
      bearer('garbage'),
    ];
    const messages = await Promise.all(headers.map(async (h) => (await rejection(verifier.verify(h))).message));
    expect(new Set(messages).size).to.equal(headers.length);
  });

  it("answers 503, not 401, when Google's certificates cannot be fetched", async () => {
    const offline = createPushVerifier({
      audience: AUDIENCE,
      serviceAccountEmail: PUSH_SA,
      certsUrl: `${google.url}/missing-certs`,
    });
    const error = await rejection(offline.verify(bearer(google.signIdToken({ aud: AUDIENCE, email: PUSH_SA }))));
    expect(error.status).to.equal(503);
    expect(error.code).to.equal('push_verification_unavailable');
  });

  it('refuses to build without audience or service account', () => {
    expect(() => createPushVerifier({ audience: '', serviceAccountEmail: PUSH_SA })).to.throw(/audience/);
    expect(() => createPushVerifier({ audience: AUDIENCE, serviceAccountEmail: '' })).to.throw(/serviceAccountEmail/);
  });
});

describe('Gmail push: body', () => {
  const envelope = (data: unknown, encoding: BufferEncoding = 'base64') => ({
    message: {
      data: Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)).toString(encoding),
      messageId: '2070443601311540',
      publishTime: '2026-03-01T10:00:00.000Z',
    },
    subscription: 'projects/agency/subscriptions/gmail-push',
  });
  const expect400 = (body: unknown, message: RegExp) => {
    try {
      parsePushBody(body);
    } catch (error) {
      expect(error).to.be.instanceOf(HttpError);
      expect((error as HttpError).status).to.equal(400);
      expect((error as HttpError).code).to.equal('bad_push_body');
      expect((error as HttpError).message).to.match(message);
      return;
    }
    expect.fail('should throw');
  };

  it('decodes emailAddress and a numeric historyId as a decimal string', () => {
    expect(parsePushBody(envelope({ emailAddress: 'deals@agency.example', historyId: 9876543 }))).to.deep.equal({
      emailAddress: 'deals@agency.example',
      historyId: '9876543',
    });
  });

  it('accepts a string historyId and the URL-safe base64 alphabet', () => {
    // '?>' encodes to '/' and '+' in standard base64, '_' and '-' in URL-safe.
    const body = envelope('{"emailAddress":"deals@agency.example","historyId":"12345","n":"?>?>"}', 'base64url');
    expect((body.message.data as string).match(/[-_]/)).to.not.equal(null);
    expect(parsePushBody(body)).to.deep.equal({ emailAddress: 'deals@agency.example', historyId: '12345' });
  });

  it('keeps every digit of a historyId beyond 2^53', () => {
    const body = envelope('{"emailAddress":"deals@agency.example","historyId":18446744073709551615}');
    expect(parsePushBody(body).historyId).to.equal('18446744073709551615');
  });

  it('rejects malformed bodies with 400', () => {
    expect400(null, /no message object/);
    expect400({}, /no message object/);
    expect400({ message: 'x' }, /no message object/);
    expect400({ message: {} }, /no message.data/);
    expect400({ message: { data: 42 } }, /no message.data/);
    expect400({ message: { data: 'not base64!' } }, /not base64/);
    expect400(envelope('not json'), /not base64-encoded JSON/);
    expect400(envelope('[1,2]'), /not a JSON object/);
    expect400(envelope({ historyId: 1 }), /emailAddress/);
    expect400(envelope({ emailAddress: 'deals@agency.example' }), /historyId/);
    expect400(envelope({ emailAddress: 'deals@agency.example', historyId: -1 }), /historyId/);
    expect400(envelope({ emailAddress: 'deals@agency.example', historyId: 1.5 }), /historyId/);
    expect400(envelope({ emailAddress: 'deals@agency.example', historyId: '12a' }), /historyId/);
  });
});
