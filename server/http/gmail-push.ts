/**
 * Gmail push and Gmail credentials (llm-email.md §7.3 [Port], decisions D9, D13, D15).
 * - createPushVerifier: the Pub/Sub push OIDC token must be signed by Google, for our audience, and issued to
 *   the configured push service account with a verified email. The token is never logged or echoed.
 * - parsePushBody: the Pub/Sub envelope → `{ emailAddress, historyId }`.
 * - createGmailAuth: a user refresh token or a domain-wide-delegated service account, validated at start-up.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { JWT, OAuth2Client, type TokenPayload, UserRefreshClient } from 'google-auth-library';
import { HttpError } from './errors.ts';

// ---------------------------------------------------------------------------------------------------------------
// Push token verification

export interface PushVerifier {
  /** Resolves when the Authorization header carries a valid push token; otherwise throws HttpError 401. */
  verify(authorizationHeader: string | undefined): Promise<void>;
}

export interface PushVerifierOptions {
  audience: string; // the subscription's pushConfig.oidcToken.audience
  serviceAccountEmail: string; // the subscription's pushConfig.oidcToken.serviceAccountEmail
  certsUrl?: string; // tests serve their own certs; default Google's v1 PEM endpoint
}

const rejectPush = (message: string) => new HttpError(401, 'bad_push_token', message);

/** Build once per process: the client caches Google's certs for as long as their max-age allows. */
export function createPushVerifier(opts: PushVerifierOptions): PushVerifier {
  if (!opts.audience) throw new Error('createPushVerifier: audience is required');
  if (!opts.serviceAccountEmail) throw new Error('createPushVerifier: serviceAccountEmail is required');
  const client = new OAuth2Client({
    // Google's ID-token issuers only (the library's default also admits its universe domain).
    issuers: ['https://accounts.google.com', 'accounts.google.com'],
    ...(opts.certsUrl ? { endpoints: { oauth2FederatedSignonPemCertsUrl: opts.certsUrl } } : {}),
  });
  return {
    async verify(authorizationHeader) {
      const payload = await verifiedPayload(client, bearerToken(authorizationHeader), opts.audience);
      // The signature is Google's at this point, so naming the token's email helps fix a misconfiguration.
      if (payload.email !== opts.serviceAccountEmail) {
        throw rejectPush(
          `Push token was issued to ${payload.email ?? 'no email'}, not the push service account ${opts.serviceAccountEmail}`,
        );
      }
      if (payload.email_verified !== true) throw rejectPush('Push token email is not verified (email_verified)');
    },
  };
}

function bearerToken(header: string | undefined): string {
  if (!header) throw rejectPush('Missing Authorization header (expected a Pub/Sub push OIDC token)');
  const match = /^Bearer +(\S+)$/i.exec(header.trim());
  if (!match) throw rejectPush('Authorization header is not a Bearer token');
  return match[1];
}

async function verifiedPayload(client: OAuth2Client, idToken: string, audience: string): Promise<TokenPayload> {
  let payload: TokenPayload | undefined;
  try {
    payload = (await client.verifyIdToken({ idToken, audience })).getPayload();
  } catch (error) {
    throw pushFailure(error);
  }
  if (!payload) throw rejectPush('Push token has no payload');
  return payload;
}

// The library's messages embed the whole token or its claims, so each is mapped to a fixed message instead.
const LIBRARY_FAILURES: [RegExp, string][] = [
  [/^Wrong number of segments|^Can't parse token/, 'Push token is not a well-formed JWT'],
  [/^No pem found/, "Push token is signed by an unknown key (its kid is not among Google's certificates)"],
  [/^Invalid token signature/, 'Push token signature is invalid'],
  [/^Token used too late/, 'Push token has expired'],
  [/^Token used too early/, 'Push token is not valid yet (iat in the future)'],
  [/^Expiration time too far in future/, 'Push token expiry is too far in the future'],
  [/^No issue time|^No expiration time|field using invalid format/, 'Push token lacks a valid iat or exp'],
  [/^Invalid issuer/, 'Push token issuer is not Google'],
  [/^Wrong recipient/, 'Push token audience does not match GMAIL_PUSH_AUDIENCE'],
];

function pushFailure(error: unknown): HttpError {
  const message = error instanceof Error ? error.message : '';
  // Google's certs could not be fetched: not the caller's fault; Pub/Sub redelivers on any non-2xx anyway.
  if (message.startsWith('Failed to retrieve verification certificates')) {
    return new HttpError(
      503,
      'push_verification_unavailable',
      "Could not fetch Google's certificates to verify the push token",
    );
  }
  const known = LIBRARY_FAILURES.find(([pattern]) => pattern.test(message));
  return rejectPush(known ? known[1] : 'Push token is invalid');
}

// ---------------------------------------------------------------------------------------------------------------
// Push body

export interface GmailPushNotification {
  emailAddress: string;
  historyId: string; // decimal; Gmail history ids are uint64, so never a JS number
}

const rejectBody = (message: string) => new HttpError(400, 'bad_push_body', message);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{ message: { data: base64(JSON {emailAddress, historyId}), messageId, publishTime }, subscription }`. */
export function parsePushBody(body: unknown): GmailPushNotification {
  if (!isObject(body) || !isObject(body.message)) throw rejectBody('Push body has no message object');
  const { data } = body.message;
  if (typeof data !== 'string' || data === '') throw rejectBody('Push body has no message.data');
  // Both base64 alphabets are accepted (llm-email.md §7.3); Buffer would silently skip other characters.
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(data)) throw rejectBody('Push message.data is not base64');
  const text = Buffer.from(data, 'base64').toString('utf8');
  let decoded: unknown;
  try {
    decoded = JSON.parse(text);
  } catch {
    throw rejectBody('Push message.data is not base64-encoded JSON');
  }
  if (!isObject(decoded)) throw rejectBody('Push message.data is not a JSON object');
  const { emailAddress } = decoded;
  if (typeof emailAddress !== 'string' || !emailAddress.includes('@')) {
    throw rejectBody('Push message.data has no emailAddress');
  }
  return { emailAddress, historyId: historyIdOf(decoded.historyId, text) };
}

function historyIdOf(value: unknown, json: string): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    if (Number.isSafeInteger(value)) return String(value);
    // Past 2^53 JSON.parse has rounded it: take the digits from the text.
    const digits = /"historyId"\s*:\s*(\d+)\s*[,}]/.exec(json)?.[1];
    if (digits) return digits;
  }
  throw rejectBody('Push message.data has no valid historyId (a non-negative integer)');
}

// ---------------------------------------------------------------------------------------------------------------
// Gmail credentials

export const GMAIL_SCOPES = [
  'https://www.googleapis.com/auth/gmail.send',
  'https://www.googleapis.com/auth/gmail.readonly',
];

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** A Gmail credential file is missing, unreadable or malformed, or Google refused it. */
export class GmailCredentialsError extends Error {
  readonly path: string;
  readonly problem: string;
  constructor(kind: string, path: string, problem: string, cause?: unknown) {
    super(`Gmail ${kind} ${path}: ${problem}`, { cause });
    this.name = 'GmailCredentialsError';
    this.path = path;
    this.problem = problem;
  }
}

export interface GmailAuthOptions {
  tokenPath?: string; // GMAIL_TOKEN_PATH: an "authorized_user" JSON file
  serviceAccountPath?: string; // GMAIL_SERVICE_ACCOUNT_PATH: a service-account key with domain-wide delegation
  delegatedUser?: string; // GMAIL_DELEGATED_USER: the mailbox the service account acts as
  tokenUrl?: string; // tests: a local token endpoint
}

const USER_TOKEN = 'user token file';
const SERVICE_ACCOUNT = 'service account key file';
const sources = new WeakMap<OAuth2Client, { kind: string; path: string }>();

/** An auth client for @googleapis/gmail; throws GmailCredentialsError naming the file and the problem. */
export function createGmailAuth(opts: GmailAuthOptions): OAuth2Client {
  if (opts.tokenPath && opts.serviceAccountPath) {
    throw new Error('Gmail credentials: set GMAIL_TOKEN_PATH or GMAIL_SERVICE_ACCOUNT_PATH, not both');
  }
  if (opts.tokenPath) return userAuth(opts.tokenPath, opts.tokenUrl);
  if (opts.serviceAccountPath) return serviceAccountAuth(opts.serviceAccountPath, opts.delegatedUser, opts.tokenUrl);
  throw new Error('Gmail credentials: set GMAIL_TOKEN_PATH or GMAIL_SERVICE_ACCOUNT_PATH');
}

function userAuth(path: string, tokenUrl: string | undefined): OAuth2Client {
  const json = readJsonFile(USER_TOKEN, path);
  // Python's google-auth writes token.json without "type"; the three fields below identify it just as well.
  if (json.type !== undefined && json.type !== 'authorized_user') {
    throw new GmailCredentialsError(
      USER_TOKEN,
      path,
      `type is ${JSON.stringify(json.type)}, expected "authorized_user"`,
    );
  }
  const [clientId, clientSecret, refreshToken] = requireStrings(USER_TOKEN, path, json, [
    'client_id',
    'client_secret',
    'refresh_token',
  ]);
  const client = new UserRefreshClient({
    clientId,
    clientSecret,
    refreshToken,
    ...(tokenUrl ? { endpoints: { oauth2TokenUrl: tokenUrl } } : {}),
  });
  sources.set(client, { kind: USER_TOKEN, path });
  return client;
}

function serviceAccountAuth(path: string, delegatedUser: string | undefined, tokenUrl: string | undefined): JWT {
  const json = readJsonFile(SERVICE_ACCOUNT, path);
  if (json.type !== 'service_account') {
    throw new GmailCredentialsError(
      SERVICE_ACCOUNT,
      path,
      `type is ${JSON.stringify(json.type)}, expected "service_account"`,
    );
  }
  const [email, key] = requireStrings(SERVICE_ACCOUNT, path, json, ['client_email', 'private_key']);
  try {
    createPrivateKey(key);
  } catch (error) {
    throw new GmailCredentialsError(SERVICE_ACCOUNT, path, 'private_key is not a valid PEM private key', error);
  }
  // Without a subject the service account would read its own (empty) mailbox, not the agent's.
  if (!delegatedUser) {
    throw new GmailCredentialsError(SERVICE_ACCOUNT, path, 'GMAIL_DELEGATED_USER (the mailbox to act as) is required');
  }
  const client = new JWT({
    email,
    key,
    keyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
    scopes: GMAIL_SCOPES,
    subject: delegatedUser,
  });
  if (tokenUrl) redirectTokenRequests(client, tokenUrl);
  sources.set(client, { kind: SERVICE_ACCOUNT, path });
  return client;
}

/** JWT's token request goes to a hard-coded Google URL (gtoken ignores `endpoints`), so it is rewritten here. */
function redirectTokenRequests(client: JWT, tokenUrl: string) {
  client.transporter.interceptors.request.add({
    resolved: async (options) => {
      if (options.url.href === GOOGLE_TOKEN_URL) options.url = new URL(tokenUrl);
      return options;
    },
  });
}

function readJsonFile(kind: string, path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code;
    throw new GmailCredentialsError(kind, path, `cannot read the file (${problem ?? 'unknown error'})`, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // No cause: JSON.parse's message quotes the file's text, which holds secrets.
    throw new GmailCredentialsError(kind, path, 'not valid JSON');
  }
  if (!isObject(json)) throw new GmailCredentialsError(kind, path, 'not a JSON object');
  return json;
}

function requireStrings(kind: string, path: string, json: Record<string, unknown>, fields: string[]): string[] {
  const missing = fields.filter((field) => typeof json[field] !== 'string' || json[field] === '');
  if (missing.length) throw new GmailCredentialsError(kind, path, `missing ${missing.join(', ')}`);
  return fields.map((field) => json[field] as string);
}

/**
 * Start-up check (D15): obtains an access token, so a revoked refresh token or a missing domain-wide
 * delegation stops the start with the file named instead of failing the first Gmail call.
 */
export async function checkGmailAuth(auth: OAuth2Client): Promise<void> {
  try {
    const { token } = await auth.getAccessToken();
    if (!token) throw new Error('no access token returned');
  } catch (error) {
    const source = sources.get(auth) ?? { kind: 'credentials', path: '(unknown file)' };
    // No cause: the gaxios error keeps the request body, and its redactor leaves refresh_token in it.
    throw new GmailCredentialsError(source.kind, source.path, `Google refused the credentials: ${oauthError(error)}`);
  }
}

const OAUTH_HINTS: Record<string, string> = {
  invalid_grant: ' (refresh token revoked or expired, service account key deleted, or no such delegated user)',
  unauthorized_client: ' (domain-wide delegation is not granted for the Gmail scopes)',
};

/** Google's `{ error, error_description }` when it answered, else the transport's message. */
function oauthError(error: unknown): string {
  const data = (error as { response?: { data?: { error?: unknown; error_description?: unknown } } }).response?.data;
  if (typeof data?.error !== 'string') return error instanceof Error ? error.message : String(error);
  const description =
    typeof data.error_description === 'string' && data.error_description ? `: ${data.error_description}` : '';
  return `${data.error}${description}${OAUTH_HINTS[data.error] ?? ''}`;
}
