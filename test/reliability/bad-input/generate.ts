/**
 * Bad-input reliability suite: one generated bad request of a picked category.
 */
import { signedDelivery, taskCreatedBody } from '../../support/fake-clickup.ts';
import { signSlackRequest } from '../../support/fake-slack.ts';
import { CLICKUP_SECRET, type RawRequest, type Rng, SLACK_SECRET } from '../reliability-kit.ts';
import { AUTH, JSON_TYPE, TASK, type Target } from './targets.ts';
import { type Gen, type Json, badJson, deepJson, garbage, stringify } from './shapes.ts';
import {
  BAD_AUTH,
  CLICKUP_BAD_SIGNATURES,
  CONTROLS,
  ROUTES,
  SLACK_BAD_SIGNATURES,
  SLACK_SIGNED_GARBAGE,
  dangerous,
  isProtected,
  pathVariant,
  withAuth,
} from './attacks.ts';
import {
  CLICKUP_MALFORMED,
  EXOTIC_METHODS,
  PUSH_MALFORMED,
  UNKNOWN_PATHS,
  badSegment,
  json,
  pct,
} from './malformed.ts';
import { pickCategory, schemaInvalid, stateInvalid } from './invalid.ts';

export function generate(t: Target, rng: Rng, hugeBodies: Buffer[], badPushTokens: string[]): Gen {
  const cat = pickCategory(rng);
  const jsonReq = (method: string, path: string, body: Json, extra: Record<string, string> = {}): RawRequest => ({
    method,
    path,
    headers: withAuth(path, { ...JSON_TYPE, ...extra }),
    body: body === undefined ? undefined : json(body),
  });
  switch (cat) {
    case 'auth': {
      const d = dangerous(t, rng);
      const path = pathVariant(rng, d.path);
      const headers = { ...(d.body === undefined ? {} : JSON_TYPE), ...BAD_AUTH(rng) };
      // Path variants that do not start with a protected prefix any more (`//api/…`, `/%61pi/…`, `/x/../api/…`)
      // match no route: any 4xx, as long as no handler runs (the digest shows it).
      const stillProtected = isProtected(path);
      return {
        cat,
        req: { method: d.method, path, headers, body: d.body === undefined ? undefined : json(d.body) },
        expect: stillProtected ? [401] : undefined,
      };
    }
    case 'method': {
      const route = rng.pick(ROUTES);
      const path = route.path(t, rng);
      const wrong = rng.pick(
        ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].filter(
          (m) => !route.methods.includes(m) && !(m === 'HEAD' && route.methods.includes('GET')),
        ),
      );
      const body =
        ['POST', 'PUT', 'PATCH'].includes(wrong) && rng.chance(0.7)
          ? json(rng.pick([{}, { by: 'x' }, { rate: '2600' }]))
          : undefined;
      return { cat, req: { method: wrong, path, headers: withAuth(path, body ? JSON_TYPE : {}), body } };
    }
    case 'exotic_method': {
      const route = rng.pick(ROUTES);
      const path = route.path(t, rng);
      return { cat, req: { method: rng.pick(EXOTIC_METHODS), path, headers: withAuth(path) } };
    }
    case 'content_type': {
      const d = rng.chance(0.5) ? dangerous(t, rng) : schemaInvalid(t, rng, false);
      const method = d.method === 'GET' ? 'POST' : d.method;
      const body =
        d.body === undefined || (typeof d.body === 'object' && d.body !== null && !Object.keys(d.body).length)
          ? { by: 'x' }
          : d.body;
      const type = rng.pick([
        null,
        'text/plain',
        'text/plain; charset=utf-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'text/json',
        'application/jsonp',
        'application/json-patch+json',
        'application/vnd.api+json',
        'application/octet-stream',
        'image/png',
        ';;;',
        'application/',
        '*/*',
        'json',
        'application/json\u00ff',
      ]);
      const path = d.path.split('?')[0];
      const headers = withAuth(path, type === null ? {} : { 'content-type': type });
      return { cat, req: { method, path, headers, body: json(body) } };
    }
    case 'bad_json': {
      const d = rng.chance(0.5) ? dangerous(t, rng) : schemaInvalid(t, rng, false);
      const method = d.method === 'GET' ? 'POST' : d.method;
      const path = rng.chance(0.85)
        ? d.path.split('?')[0]
        : rng.pick(['/webhooks/gmail', '/webhooks/clickup', '/slack/events']);
      const valid = stringify(d.body ?? { by: 'x' });
      return {
        cat,
        req: {
          method,
          path,
          headers: withAuth(path, JSON_TYPE),
          body: Buffer.from(badJson(rng, valid)),
          chunked: rng.chance(0.2),
        },
      };
    }
    case 'schema':
    case 'unicode': {
      const d = schemaInvalid(t, rng, cat === 'unicode');
      if (cat === 'unicode' && rng.chance(0.25)) {
        // Raw invalid UTF-8 inside otherwise well-formed JSON, plus an unknown key so the body is always refused.
        const raw = Buffer.concat([
          Buffer.from('{"x\u00e9":"'),
          Buffer.from(Array.from({ length: 1 + rng.int(20) }, () => 0x80 + rng.int(0x80))),
          Buffer.from(`","by":"${'\\ud800'}"}`),
        ]);
        const path = d.method === 'GET' ? `/api/v1/negotiations/${rng.pick(t.all)}/pause` : d.path;
        return { cat, req: { method: 'POST', path, headers: withAuth(path, JSON_TYPE), body: raw } };
      }
      return { cat, req: jsonReq(d.method, d.path, d.body) };
    }
    case 'huge': {
      const d = rng.chance(0.7)
        ? dangerous(t, rng)
        : { method: 'POST', path: rng.pick(['/webhooks/gmail', '/webhooks/clickup', '/slack/events', '/nowhere']) };
      const method = d.method === 'GET' ? 'POST' : d.method;
      const path = d.path.split('?')[0];
      const body = rng.pick(hugeBodies);
      const headers = withAuth(path, {
        'content-type':
          path === '/slack/events' && t.has.slackHttp ? 'application/x-www-form-urlencoded' : 'application/json',
      });
      return { cat, req: { method, path, headers, body, chunked: rng.chance(0.4) }, expect: [413] };
    }
    case 'deep': {
      const depth = rng.pick([64, 512, 5_000, 10_000, 20_000, 30_000]);
      const d = rng.chance(0.5) ? dangerous(t, rng) : schemaInvalid(t, rng, false);
      const method = d.method === 'GET' ? 'POST' : d.method;
      const path = rng.chance(0.85)
        ? d.path.split('?')[0]
        : rng.pick(['/webhooks/gmail', '/webhooks/clickup', '/slack/events']);
      const deep = deepJson(rng, depth);
      const field = rng.pick(['by', 'rate', 'text', 'influencers', 'advanceHours', 'message', 'event', 'id', 'action']);
      const body = rng.chance(0.3) ? deep : `{"${field}":${deep}}`;
      return { cat, req: { method, path, headers: withAuth(path, JSON_TYPE), body: Buffer.from(body) } };
    }
    case 'unknown_route': {
      const path = rng.chance(0.7) ? rng.pick(UNKNOWN_PATHS) : `/${pct(garbage(rng, 30))}x/${badSegment(rng)}`;
      const method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']);
      const body = method === 'GET' || method === 'DELETE' ? undefined : json({ by: 'x' });
      // With the token (or without: an unknown path under /api or /sandbox is then 401).
      const headers = rng.chance(0.7) ? { ...AUTH, ...(body ? JSON_TYPE : {}) } : body ? JSON_TYPE : {};
      return { cat, req: { method, path, headers, body } };
    }
    case 'bad_id': {
      const seg = badSegment(rng);
      const options: RawRequest[] = [
        { method: 'GET', path: `/api/v1/negotiations/${seg}` },
        { method: 'GET', path: `/api/v1/campaigns/${seg}` },
        { method: 'POST', path: `/api/v1/negotiations/${seg}/${rng.pick([...CONTROLS, 'unpark'])}`, body: json({}) },
        { method: 'POST', path: `/api/v1/negotiations/${seg}/approve`, body: json({ rate: '2600' }) },
        {
          method: 'POST',
          path: `/api/v1/agencies/${rng.pick(['%20', '%20%20%20', '%09', 'a'.repeat(201), '%C3%A9'.repeat(201)])}/stop`,
          body: json({}),
        },
      ];
      const r = rng.pick(options);
      return { cat, req: { ...r, headers: withAuth(r.path, r.body ? JSON_TYPE : {}) } };
    }
    case 'state': {
      const d = stateInvalid(t, rng);
      return { cat, req: jsonReq(d.method, d.path, d.body) };
    }
    case 'webhook_credentials': {
      const which = rng.int(3);
      if (which === 0) {
        const body = json(rng.pick(t.pushBodies));
        const token = rng.pick(badPushTokens);
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/gmail',
            headers: { ...JSON_TYPE, ...(token ? { authorization: token } : {}) },
            body,
          },
          expect: t.has.gmailPush ? [401, 431] : [404, 431],
        };
      }
      if (which === 1) {
        const raw = stringify(
          rng.pick([
            taskCreatedBody(TASK),
            taskCreatedBody(TASK, '999', 'other-hook'),
            { ...taskCreatedBody(TASK), event: 'taskUpdated' },
          ]),
        );
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/clickup',
            headers: { ...JSON_TYPE, ...CLICKUP_BAD_SIGNATURES(raw, rng) },
            body: Buffer.from(raw),
          },
          expect: [401],
        };
      }
      const body = t.slackBodies.length ? rng.pick(t.slackBodies) : 'command=%2Fclaim&text=maya%40gmail.com&user_id=U1';
      return {
        cat,
        req: {
          method: 'POST',
          path: '/slack/events',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...SLACK_BAD_SIGNATURES(body, rng) },
          body: Buffer.from(body),
        },
        expect: t.has.slackHttp ? [401] : [415],
      };
    }
    case 'webhook_malformed': {
      const which = rng.int(3);
      if (which === 0) {
        const token = t.validPushTokens.length ? rng.pick(t.validPushTokens) : 'x';
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/gmail',
            headers: { ...JSON_TYPE, authorization: `Bearer ${token}` },
            body: json(rng.pick(PUSH_MALFORMED())),
          },
          expect: t.has.gmailPush ? [400] : [404],
        };
      }
      if (which === 1) {
        const raw = stringify(rng.pick(CLICKUP_MALFORMED));
        return {
          cat,
          req: {
            method: 'POST',
            path: '/webhooks/clickup',
            headers: { ...JSON_TYPE, 'x-signature': signedDelivery(raw, CLICKUP_SECRET).headers['X-Signature'] },
            body: Buffer.from(raw),
          },
          expect: [400],
        };
      }
      const [body, type] = rng.pick(SLACK_SIGNED_GARBAGE);
      return {
        cat,
        req: {
          method: 'POST',
          path: '/slack/events',
          headers: { ...(type ? { 'content-type': type } : {}), ...signSlackRequest(body, SLACK_SECRET) },
          body: Buffer.from(body),
        },
      };
    }
    default: {
      // request_id: a garbage X-Request-Id on an otherwise bad request; the answer carries a valid one.
      const d = schemaInvalid(t, rng, false);
      const id = rng.pick([
        '',
        ' ',
        'a'.repeat(129),
        'x y',
        '<script>',
        'id\u00ff',
        '../../',
        'ok-id.1:2_3',
        'a'.repeat(128),
      ]);
      const r = jsonReq(d.method, d.path, d.body, { 'x-request-id': id });
      return { cat, req: r };
    }
  }
}
