/**
 * The OpenAPI 3.1 description of the HTTP API (GET /api/v1/openapi.json), generated, not written: the operations
 * are the routes the agent's routers really serve (a route added to a router appears by itself), and the request
 * bodies and queries are the zod schemas those routes validate with, converted by zod's own JSON Schema export.
 * What a router cannot say (a summary, the success shape, the documented errors) comes from OPERATIONS
 * (openapi-operations.ts); the response shapes (openapi-schemas.ts) are checked against real responses by
 * test/ops/openapi.test.ts.
 */
import Router from '@koa/router';
import { z } from 'zod';
import type { AppState } from './app.ts';
import { json, OPENAPI_PATH, OPERATIONS, type Operation, type Response } from './openapi-operations.ts';
import { SCHEMAS, type SchemaName } from './openapi-schemas.ts';

/** Routes that are pages, not API (the dashboard's HTML and assets). */
const NOT_API = [/^\/$/, /^\/dashboard(\/|$)/];
/** Served by middleware before the routers (no router layer to read them from). */
const MIDDLEWARE_ROUTES = ['POST /slack/events'];

export interface Route {
  method: string;
  path: string; // Koa template: /api/v1/negotiations/:id
}

/** The routes the routers serve (HEAD and OPTIONS are implied by HTTP, not operations). */
export function routesOf(routers: Router<AppState>[]): Route[] {
  const routes = routers.flatMap((router) =>
    router.stack.flatMap((layer) =>
      typeof layer.path === 'string'
        ? layer.methods
            .filter((m) => m !== 'HEAD' && m !== 'OPTIONS')
            .map((method) => ({ method, path: String(layer.path) }))
        : [],
    ),
  );
  const extra = MIDDLEWARE_ROUTES.map((r) => ({ method: r.split(' ')[0], path: r.split(' ')[1] }));
  return [...routes, ...extra].filter((r) => !NOT_API.some((re) => re.test(r.path)));
}

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function responseObject(r: Response) {
  if (!r.schema)
    return r.type ? { description: r.description, content: { [r.type]: {} } } : { description: r.description };
  const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
  const schema = Array.isArray(r.schema) ? { type: 'array', items: ref(r.schema[0]) } : ref(r.schema);
  return { description: r.description, content: { 'application/json': { schema } } };
}

function operationObject(route: Route, protectedPrefixes: string[]) {
  const doc: Operation = OPERATIONS[`${route.method} ${route.path}`] ?? {
    tag: 'Other',
    summary: `${route.method} ${route.path}`,
    responses: { 200: { description: 'OK' } },
  };
  const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = Object.entries(doc.query?.shape ?? {}).map(([name, field]) => ({
    name,
    in: 'query',
    required: !(field as z.ZodType).safeParse(undefined).success,
    schema: jsonSchema(field as z.ZodType, 'input'),
  }));
  const body = doc.body
    ? {
        required: !doc.body.safeParse(undefined).success && !doc.body.safeParse({}).success,
        content: { 'application/json': { schema: jsonSchema(doc.body, 'input') } },
      }
    : doc.bodyType
      ? { required: true, content: { [doc.bodyType]: {} } }
      : undefined;
  const secured = protectedPrefixes.some((p) => route.path.toLowerCase().startsWith(p));
  const responses = Object.fromEntries(Object.entries(doc.responses).map(([s, r]) => [s, responseObject(r)]));
  if (secured) responses[401] ??= responseObject(json('A valid bearer token is required (API_TOKEN)', 'Error'));
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c = '') => c.toUpperCase())}`,
    tags: [doc.tag],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(params.length || query.length ? { parameters: [...params, ...query] } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...(secured ? {} : { security: [] }),
  };
}

/** The OpenAPI 3.1 document of `routes`; paths under `protectedPrefixes` need the bearer token. */
export function buildOpenApi(routes: Route[], options: { protectedPrefixes: string[]; version?: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationObject(route, options.protectedPrefixes);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Influencer negotiation agent',
      version: options.version ?? '1',
      description:
        'JSON everywhere; money as decimal strings with two places ("2000.00"); times ISO-8601 UTC; errors ' +
        '`{ "error": { "code", "message" } }`; every response carries X-Request-Id. docs/api.md explains each route.',
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN (required once it is set)' },
      },
      schemas: Object.fromEntries(Object.entries(SCHEMAS).map(([name, s]) => [name, jsonSchema(s, 'output')])),
    },
  };
}

/** GET /api/v1/openapi.json, describing `routers` (itself included) as they are when first asked. */
export function openApiRouter(routers: Router<AppState>[], protectedPrefixes: string[]) {
  const router = new Router<AppState>({ sensitive: true });
  let document: ReturnType<typeof buildOpenApi> | undefined;
  router.get(OPENAPI_PATH, (ctx) => {
    document ??= buildOpenApi(routesOf([...new Set([...routers, router])]), { protectedPrefixes });
    ctx.body = document;
  });
  return router;
}
