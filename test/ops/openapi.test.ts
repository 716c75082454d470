/**
 * GET /api/v1/openapi.json: a valid OpenAPI 3.1 document (Swagger Parser), the same routes as docs/api.md, request
 * schemas that accept the documented examples and refuse what the API refuses, and real responses of a sandbox
 * negotiation that match the documented status codes and shapes (Ajv, JSON Schema 2020-12). That every route in
 * it is exercised by some test is checked after a full run by test/support/api-coverage-hook.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'chai';
import { removeDir, startTestAgent, type TestAgent } from '../support/agent.ts';
import { MAYA, until } from '../support/e2e.ts';

const TOKEN = 'openapi-test-token-0123456789';
const DOCS = fileURLToPath(new URL('../../docs/api.md', import.meta.url));

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}
interface Operation {
  operationId: string;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** `METHOD /path/{param}` of every operation. */
const operations = (doc: OpenApi) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

describe('OpenAPI document (GET /api/v1/openapi.json)', function () {
  this.timeout(30_000);
  let t: TestAgent;
  let doc: OpenApi;
  let ajv: InstanceType<typeof Ajv2020>;
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async () => {
    t = await startTestAgent({ API_TOKEN: TOKEN, MAX_ROUNDS: '5' });
    expect((await t.call('GET', '/api/v1/openapi.json')).status, 'without the token').to.equal(401);
    const res = await t.call('GET', '/api/v1/openapi.json', undefined, auth);
    expect(res.status).to.equal(200);
    doc = res.body;
    ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  });
  after(async () => {
    await t?.stop();
    if (t) removeDir(t.dataDir);
  });

  /** The operation of a concrete request path (`/api/v1/negotiations/neg-1` -> `/api/v1/negotiations/{id}`). */
  function operationOf(method: string, path: string): Operation {
    const template = Object.keys(doc.paths).find((p) =>
      new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path.split('?')[0]),
    );
    const op = template ? doc.paths[template][method.toLowerCase()] : undefined;
    if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    return op;
  }

  /** Validates `value` against a schema of the document (refs resolve to its components). */
  function check(schema: unknown, value: unknown, what: string) {
    const validate = ajv.compile(rewrite(schema) as object);
    const ok = validate(value);
    expect(ok, `${what}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(value).slice(0, 400)}`).to.equal(true);
  }
  /** `#/components/...` refs point into the document added under the id openapi.json. */
  const rewrite = (schema: unknown) =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'));

  /** A request whose answer must be a documented status with the documented shape. */
  async function call(method: string, path: string, body?: unknown) {
    const res = await t.call(method, path, body, auth);
    const op = operationOf(method, path);
    const documented = op.responses[String(res.status)];
    expect(documented, `${method} ${path} answered ${res.status}, not documented: ${JSON.stringify(res.body)}`).to
      .exist;
    const schema = documented.content?.['application/json']?.schema;
    if (schema) check(schema, res.body, `${method} ${path} -> ${res.status}`);
    return res;
  }

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).to.match(/^3\.1\./);
    await SwaggerParser.validate(structuredClone(doc) as never);
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size, 'unique operationIds').to.equal(ids.length);
  });

  it('describes the same routes as docs/api.md, and the dashboard pages are not in it', () => {
    const documented = new Set(
      [...readFileSync(DOCS, 'utf8').matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^\s`?]*)/g)].map(
        (m) => `${m[1]} ${m[2].replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
      ),
    );
    const generated = new Set(operations(doc));
    const notInDocs = [...generated].filter((o) => !documented.has(o));
    const notServed = [...documented].filter((o) => !generated.has(o));
    expect(notInDocs, 'operations the agent serves that docs/api.md does not explain').to.deep.equal([]);
    expect(notServed, 'routes docs/api.md explains that the agent does not serve').to.deep.equal([]);
    expect([...generated].some((o) => o.includes('/dashboard'))).to.equal(false);
  });

  it('request schemas come from the routes’ zod schemas: the README example passes, unknown fields do not', () => {
    const campaign = operationOf('POST', '/api/v1/campaigns').requestBody?.content['application/json'].schema;
    const example = {
      id: 'cmp-1',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      budget: '50000',
      cpmTarget: '25',
      cpmLeniency: '20',
      maxCostWithoutApproval: '2300',
      influencers: [{ name: 'Maya Lopez', email: MAYA, averageViews: 80000 }],
    };
    check(campaign, example, 'the README campaign');
    const validate = ajv.compile(rewrite(campaign));
    expect(validate({ ...example, colour: 'blue' }), 'an unknown field').to.equal(false);
    expect(validate({ ...example, platform: 'myspace' }), 'an unknown platform').to.equal(false);
    const list = operationOf('GET', '/api/v1/negotiations') as Operation & { parameters: { name: string }[] };
    expect(list.parameters.map((p) => p.name)).to.include.members(['campaign', 'state', 'limit', 'offset']);
  });

  it('real responses of a negotiation match the documented statuses and shapes', async () => {
    expect((await call('GET', '/health')).status).to.equal(200);
    expect((await call('GET', '/ready')).status).to.equal(200);
    const created = await call('POST', '/api/v1/campaigns', {
      id: 'cmp-doc',
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel',
      cpmTarget: '25',
      maxCostWithoutApproval: '2300',
      influencers: [
        { name: 'Maya Lopez', email: MAYA, averageViews: 80000, agency: 'Bright Talent' },
        { name: 'No Views', email: 'noviews@gmail.com' },
      ],
    });
    expect(created.status).to.equal(201);
    expect((await call('POST', '/api/v1/campaigns', { id: 'cmp-doc', client: 'Other' })).status).to.equal(400);
    const id = created.body.negotiations[0].id as string;
    const sent = await until(async () => {
      const res = await call('GET', `/sandbox/mail?to=${MAYA}`);
      return res.body.length ? res.body : undefined;
    });
    const replied = await call('POST', '/sandbox/mail', {
      from: `Maya Lopez <${MAYA}>`,
      threadId: sent[0].threadId,
      text: 'My rate for this package is $3,200.',
    });
    expect(replied.status).to.equal(202);
    await until(async () => (await call('GET', `/api/v1/negotiations/${id}`)).body.state === 'escalated');
    await call('GET', '/sandbox/slack');
    await call('GET', '/api/v1/campaigns');
    await call('GET', '/api/v1/campaigns/cmp-doc');
    await call('GET', '/api/v1/negotiations?state=escalated&limit=10');
    expect((await call('GET', '/api/v1/negotiations?limit=0')).status).to.equal(400);
    expect((await call('GET', '/api/v1/negotiations/neg-nope')).status).to.equal(404);
    expect((await call('POST', `/api/v1/negotiations/${id}/approve`, { rate: '1500.00' })).status).to.equal(422);
    expect((await call('POST', `/api/v1/negotiations/${id}/approve`, { rate: '2600.00' })).status).to.equal(200);
    expect((await call('POST', `/api/v1/negotiations/${id}/pause`)).status).to.equal(200);
    expect((await call('POST', `/api/v1/negotiations/${id}/pause`)).status).to.equal(409);
    expect((await call('POST', `/api/v1/negotiations/${id}/resume`)).status).to.equal(200);
    expect((await call('POST', '/sandbox/clock', { advanceHours: 1 })).status).to.equal(200);
    expect((await call('POST', '/api/v1/agencies/Bright%20Talent/stop')).status).to.equal(200);
    expect((await call('POST', '/sandbox/mail', { from: MAYA, threadId: 'no-such', text: 'hi' })).status).to.equal(404);
  });
});
