/**
 * A local stand-in for Google's auth side, on 127.0.0.1 with a random port, for the REAL google-auth-library:
 * - GET /oauth2/v1/certs: `{ kid: "-----BEGIN CERTIFICATE-----..." }` like Google's v1 endpoint (the format
 *   OAuth2Client fetches in Node: PEM, not JWK), holding a self-signed X.509 certificate built here;
 * - signIdToken: RS256 ID tokens like the ones Pub/Sub push sends, signed by that certificate's key;
 * - POST /token: the OAuth token endpoint for refresh_token and jwt-bearer grants, recording every call.
 * node:crypto only.
 */
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface IdTokenClaims {
  aud: string;
  email: string;
  email_verified?: boolean;
  exp?: number; // seconds since the epoch; default one hour from now
  iat?: number; // default: an hour before exp
  iss?: string;
  sub?: string;
  kid?: string; // default: the served certificate's kid
  key?: KeyObject; // default: the served certificate's private key
}

export interface TokenRequest {
  grantType: string;
  params: Record<string, string>;
  /** The jwt-bearer assertion's header and claims, decoded (not verified). */
  assertion?: { header: Record<string, unknown>; claims: Record<string, unknown> };
  accessToken?: string;
}

export async function startFakeGoogleAuth() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(20).toString('hex');
  const certificatePem = selfSignedCertificate(privateKey, publicKey, 'fake-google-auth');
  const tokenRequests: TokenRequest[] = [];
  const failures: { error: string; description: string }[] = [];
  let certRequests = 0;
  let issued = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => json(res, 500, { error: 'internal', error_description: error.message }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && path === '/oauth2/v1/certs') {
      certRequests++;
      // Google sends max-age too; OAuth2Client caches the certs for that long.
      return json(res, 200, { [kid]: certificatePem }, { 'cache-control': 'public, max-age=3600' });
    }
    if (req.method === 'POST' && path === '/token') return token(res, new URLSearchParams(await readBody(req)));
    json(res, 404, { error: 'not_found' });
  }

  function token(res: ServerResponse, form: URLSearchParams) {
    const params = Object.fromEntries(form);
    const grantType = params.grant_type ?? '';
    const request: TokenRequest = { grantType, params };
    tokenRequests.push(request);
    const failure = failures.shift();
    if (failure) return json(res, 400, { error: failure.error, error_description: failure.description });
    if (grantType === 'refresh_token') {
      if (!params.refresh_token || !params.client_id) return json(res, 400, { error: 'invalid_request' });
    } else if (grantType === JWT_BEARER_GRANT) {
      const decoded = decodeJwt(params.assertion ?? '');
      if (!decoded) return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT' });
      request.assertion = decoded;
    } else {
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    request.accessToken = `ya29.fake-${++issued}-${randomBytes(6).toString('hex')}`;
    json(res, 200, { access_token: request.accessToken, expires_in: 3600, token_type: 'Bearer' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    certsUrl: `${url}/oauth2/v1/certs`,
    tokenUrl: `${url}/token`,
    kid,
    certificatePem,
    publicKey,
    tokenRequests,
    get certRequests() {
      return certRequests;
    },
    /** The next token request fails with a Google-style OAuth error body. */
    failNextToken(error: string, description = '') {
      failures.push({ error, description });
    },
    signIdToken(claims: IdTokenClaims): string {
      const now = Math.floor(Date.now() / 1000);
      const exp = claims.exp ?? now + 3600;
      const payload = {
        iss: claims.iss ?? 'https://accounts.google.com',
        aud: claims.aud,
        azp: claims.sub ?? '100000000000000000001',
        sub: claims.sub ?? '100000000000000000001',
        email: claims.email,
        email_verified: claims.email_verified ?? true,
        iat: claims.iat ?? exp - 3600,
        exp,
      };
      return signJwt({ alg: 'RS256', kid: claims.kid ?? kid, typ: 'JWT' }, payload, claims.key ?? privateKey);
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeGoogleAuth = Awaited<ReturnType<typeof startFakeGoogleAuth>>;

/** An RS256 JWT (compact serialization). */
export function signJwt(header: object, payload: object, key: KeyObject): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${part(header)}.${part(payload)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), key).toString('base64url')}`;
}

function decodeJwt(jwt: string): TokenRequest['assertion'] | null {
  const [header, claims, signature] = jwt.split('.');
  if (!header || !claims || !signature) return null;
  try {
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return { header: decode(header), claims: decode(claims) };
  } catch {
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

// A minimal DER encoder, just enough for one self-signed certificate (RFC 5280 §4.1).
function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let n = value >> 7; n > 0; n >>= 7) chunk.unshift(0x80 | (n & 0x7f));
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);

function utcTime(date: Date): Buffer {
  const text = `${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`; // YYMMDDHHMMSSZ
  return der(0x17, Buffer.from(text));
}

function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, commonName: string): string {
  const sha256WithRsa = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const name = sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName)))));
  const serial = randomBytes(8);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and without a leading zero byte
  const now = Date.now();
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    sha256WithRsa,
    name,
    sequence(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, sha256WithRsa, der(0x03, Buffer.from([0]), signature));
  const lines = certificate.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
