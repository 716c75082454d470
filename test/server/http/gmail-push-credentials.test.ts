/**
 * Gmail credentials (server/http/gmail-push.ts): user token files and service account keys against the fake Google token
 * endpoint, and the problems named for bad files.
 */
import { generateKeyPairSync, verify as verifySignature, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gmail } from '@googleapis/gmail';
import { expect } from 'chai';
import { JWT, UserRefreshClient } from 'google-auth-library';
import {
  checkGmailAuth,
  createGmailAuth,
  GMAIL_SCOPES,
  GmailCredentialsError,
} from '../../../server/http/gmail-push.ts';
import { removeDir, tempDir } from '../../support/agent.ts';
import { type FakeGoogleAuth, JWT_BEARER_GRANT, signJwt, startFakeGoogleAuth } from '../../support/fake-google-auth.ts';

const AUDIENCE = 'https://agent.example.com/webhooks/gmail';
const PUSH_SA = 'gmail-push@agency-project.iam.gserviceaccount.com';

describe('Gmail credentials', () => {
  let google: FakeGoogleAuth;
  let dir: string;
  const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const SA_EMAIL = 'gmail-agent@agency-project.iam.gserviceaccount.com';
  const DELEGATED = 'deals@agency.example';

  before(async () => {
    google = await startFakeGoogleAuth();
  });
  after(() => google.close());
  beforeEach(() => {
    dir = tempDir('gmail-auth-');
  });
  afterEach(() => removeDir(dir));

  const writeJson = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };
  const userToken = (extra: Record<string, unknown> = {}) => ({
    type: 'authorized_user',
    client_id: 'client-123.apps.googleusercontent.com',
    client_secret: 'secret-456',
    refresh_token: '1//refresh-789',
    ...extra,
  });
  const serviceAccount = (extra: Record<string, unknown> = {}) => ({
    type: 'service_account',
    project_id: 'agency-project',
    private_key_id: 'key-id-1',
    private_key: serviceAccountKey.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: SA_EMAIL,
    client_id: '1234567890',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...extra,
  });
  const credentialsError = (fn: () => unknown, path: string, problem: RegExp) => {
    try {
      fn();
    } catch (error) {
      expect(error).to.be.instanceOf(GmailCredentialsError);
      const e = error as GmailCredentialsError;
      expect(e.path).to.equal(path);
      expect(e.message).to.contain(path).and.match(problem);
      return e;
    }
    expect.fail('should throw');
  };

  it('a user token file refreshes at the token endpoint', async () => {
    const path = writeJson('token.json', userToken());
    const auth = createGmailAuth({ tokenPath: path, tokenUrl: google.tokenUrl });
    expect(auth).to.be.instanceOf(UserRefreshClient);
    const { token } = await auth.getAccessToken();
    const call = google.tokenRequests.at(-1)!;
    expect(token).to.equal(call.accessToken);
    expect(call.grantType).to.equal('refresh_token');
    expect(call.params).to.include({
      refresh_token: '1//refresh-789',
      client_id: 'client-123.apps.googleusercontent.com',
      client_secret: 'secret-456',
    });
  });

  it("accepts Python google-auth's token.json (no type field)", async () => {
    const { type: _type, ...python } = userToken({ token: 'ya29.old', scopes: GMAIL_SCOPES });
    const auth = createGmailAuth({ tokenPath: writeJson('token.json', python), tokenUrl: google.tokenUrl });
    expect((await auth.getAccessToken()).token).to.match(/^ya29\.fake-/);
  });

  it('a service account key signs a jwt-bearer grant for the delegated user and Gmail scopes', async () => {
    const path = writeJson('sa.json', serviceAccount());
    const auth = createGmailAuth({ serviceAccountPath: path, delegatedUser: DELEGATED, tokenUrl: google.tokenUrl });
    expect(auth).to.be.instanceOf(JWT);
    const { token } = await auth.getAccessToken();
    const call = google.tokenRequests.at(-1)!;
    expect(token).to.equal(call.accessToken);
    expect(call.grantType).to.equal(JWT_BEARER_GRANT);
    expect(call.assertion?.claims).to.include({ iss: SA_EMAIL, sub: DELEGATED, scope: GMAIL_SCOPES.join(' ') });
    expect(call.assertion?.header).to.include({ alg: 'RS256' });
    const [header, claims, signature] = call.params.assertion.split('.');
    const signed = Buffer.from(`${header}.${claims}`);
    expect(
      verifySignature('sha256', signed, serviceAccountKey.publicKey, Buffer.from(signature, 'base64url')),
    ).to.equal(true);
  });

  it('the real Gmail client sends the fake token endpoint’s access token as Bearer', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const api = createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ emailAddress: DELEGATED, historyId: '4242', messagesTotal: 0, threadsTotal: 0 }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const rootUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
      for (const auth of [
        createGmailAuth({ tokenPath: writeJson('token.json', userToken()), tokenUrl: google.tokenUrl }),
        createGmailAuth({
          serviceAccountPath: writeJson('sa.json', serviceAccount()),
          delegatedUser: DELEGATED,
          tokenUrl: google.tokenUrl,
        }),
      ]) {
        const before = google.tokenRequests.length;
        const client = gmail({ version: 'v1', auth, rootUrl });
        const res = await client.users.getProfile({ userId: 'me' });
        expect(res.data.historyId).to.equal('4242');
        await client.users.getProfile({ userId: 'me' }); // the token is cached, not fetched again
        expect(google.tokenRequests.length - before).to.equal(1);
        const issued = google.tokenRequests.at(-1)!.accessToken;
        expect(seen.at(-1)?.authorization).to.equal(`Bearer ${issued}`);
        expect(seen.at(-2)?.authorization).to.equal(`Bearer ${issued}`);
      }
    } finally {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    }
  });

  it('names the file and the problem for bad files', () => {
    const missing = join(dir, 'nope.json');
    credentialsError(() => createGmailAuth({ tokenPath: missing }), missing, /user token file.*file not found/);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    credentialsError(() => createGmailAuth({ tokenPath: folder }), folder, /cannot read the file \(EISDIR\)/);
    if (process.getuid?.() !== 0) {
      const locked = writeJson('locked.json', userToken());
      chmodSync(locked, 0o000);
      credentialsError(() => createGmailAuth({ tokenPath: locked }), locked, /permission denied/);
    }
    const notJson = writeJson('bad.json', '{ "type": ');
    credentialsError(() => createGmailAuth({ tokenPath: notJson }), notJson, /not valid JSON/);
    const array = writeJson('array.json', '[]');
    credentialsError(() => createGmailAuth({ tokenPath: array }), array, /not a JSON object/);
    const sa = writeJson('sa.json', serviceAccount());
    credentialsError(
      () => createGmailAuth({ tokenPath: sa }),
      sa,
      /type is "service_account", expected "authorized_user"/,
    );
    const partial = writeJson('partial.json', userToken({ client_secret: undefined, refresh_token: '' }));
    credentialsError(() => createGmailAuth({ tokenPath: partial }), partial, /missing client_secret, refresh_token/);
  });

  it('names the service account file and the problem', () => {
    const user = writeJson('user.json', userToken());
    credentialsError(
      () => createGmailAuth({ serviceAccountPath: user, delegatedUser: DELEGATED }),
      user,
      /service account key file.*type is "authorized_user", expected "service_account"/,
    );
    const noKey = writeJson('nokey.json', serviceAccount({ private_key: undefined }));
    credentialsError(
      () => createGmailAuth({ serviceAccountPath: noKey, delegatedUser: DELEGATED }),
      noKey,
      /missing private_key/,
    );
    const badKey = writeJson('badkey.json', serviceAccount({ private_key: '-----BEGIN PRIVATE KEY-----\nxx\n' }));
    credentialsError(
      () => createGmailAuth({ serviceAccountPath: badKey, delegatedUser: DELEGATED }),
      badKey,
      /private_key is not a valid PEM private key/,
    );
    const good = writeJson('sa.json', serviceAccount());
    credentialsError(() => createGmailAuth({ serviceAccountPath: good }), good, /GMAIL_DELEGATED_USER/);
  });

  it('refuses no credentials or both', () => {
    expect(() => createGmailAuth({})).to.throw(/GMAIL_TOKEN_PATH or GMAIL_SERVICE_ACCOUNT_PATH/);
    expect(() => createGmailAuth({ tokenPath: 'a', serviceAccountPath: 'b' })).to.throw(/not both/);
  });

  it('checkGmailAuth turns a refused grant into a GmailCredentialsError naming the file', async () => {
    const path = writeJson('token.json', userToken());
    const auth = createGmailAuth({ tokenPath: path, tokenUrl: google.tokenUrl });
    google.failNextToken('invalid_grant', 'Token has been expired or revoked.');
    try {
      await checkGmailAuth(auth);
      expect.fail('should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(GmailCredentialsError);
      expect((error as Error).message)
        .to.contain(path)
        .and.contain('invalid_grant: Token has been expired or revoked.')
        .and.not.contain('1//refresh-789');
    }
    await checkGmailAuth(auth); // the next attempt succeeds
  });

  it('checkGmailAuth explains a missing domain-wide delegation', async () => {
    const path = writeJson('sa.json', serviceAccount());
    const auth = createGmailAuth({ serviceAccountPath: path, delegatedUser: DELEGATED, tokenUrl: google.tokenUrl });
    google.failNextToken('unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method.');
    const error = await checkGmailAuth(auth).then(
      () => expect.fail('should throw'),
      (e: Error) => e,
    );
    expect(error).to.be.instanceOf(GmailCredentialsError);
    expect(error.message).to.contain(path).and.contain('domain-wide delegation');
  });
});

describe('fake Google auth', () => {
  it('signs ID tokens with the key of the certificate it serves', async () => {
    const google = await startFakeGoogleAuth();
    try {
      const certs = (await (await fetch(google.certsUrl)).json()) as Record<string, string>;
      expect(certs[google.kid]).to.match(/^-----BEGIN CERTIFICATE-----/);
      const certificate = new X509Certificate(certs[google.kid]);
      expect(certificate.verify(certificate.publicKey)).to.equal(true); // self-signed
      const [header, claims, signature] = google.signIdToken({ aud: AUDIENCE, email: PUSH_SA }).split('.');
      expect(
        verifySignature(
          'sha256',
          Buffer.from(`${header}.${claims}`),
          certificate.publicKey,
          Buffer.from(signature, 'base64url'),
        ),
      ).to.equal(true);
      expect(signJwt({ alg: 'RS256' }, {}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey)).to.match(
        /^[\w-]+\.[\w-]+\.[\w-]+$/,
      );
    } finally {
      await google.close();
    }
  });
});
