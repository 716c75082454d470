/**
 * The dashboard (a web page) and its live updates.
 *
 * - `GET /` redirects to `/dashboard`; `GET /dashboard` serves `web/index.html`; `GET /dashboard/assets/<file>` serves
 *   the other files of `web/` (flat directory, allowlisted extensions, no traversal). These routes are public: the
 *   page holds no data, everything it shows comes from the authenticated API (decisions D13).
 * - `GET /dashboard/vendor/<package>/<file>`: the page's libraries, served from the installed package (no build step,
 *   no CDN); the page's import map names them, and its hash is the only inline script the CSP allows.
 * - `GET /api/v1/events` (bearer-protected by the app because of its prefix): server-sent events, one
 *   `event: negotiation` per persisted transition, a heartbeat comment every 15 s.
 * - `GET /api/v1/machine` (bearer-protected): the negotiation machine's state tree, for the page's diagram.
 */
import { createHash } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router, { type RouterContext } from '@koa/router';
import type { AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { MACHINE_VERSION, negotiationMachine } from '../../../machines/negotiation.ts';
import { DOMAIN_STATES, type DomainState } from '../../../services/domain.ts';
import type { AppState } from '../app.ts';
import { HttpError } from '../errors.ts';

/** A persisted transition of one negotiation (the page refetches what it shows). */
export interface NegotiationChange {
  id: string;
  from: string;
  to: string;
  at: string;
}

export const HEARTBEAT_MS = 15_000;
/** A client that stops reading is dropped once this much is queued for it (no unbounded buffering). */
const MAX_QUEUED_BYTES = 1 << 20;

const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/', import.meta.url));

/** What `/dashboard/assets/*` may serve; anything else is a 404. */
const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
/** One flat file name: no separators, no leading dot, so no `..` and no hidden files. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;

/** Libraries the page imports, each a flat directory of browser-ready ES modules inside an installed package. */
const VENDOR: Record<string, string> = {
  'xstate-store': dirname(createRequire(import.meta.url).resolve('@xstate/store')),
};

/**
 * The page runs only its own scripts (and its import map, allowed by hash) and style, and talks only to this origin
 * (email bodies are untrusted).
 */
function pageHeaders(importMapHash: string | null) {
  return {
    'Content-Security-Policy':
      `default-src 'none'; script-src 'self'${importMapHash ? ` '${importMapHash}'` : ''}; style-src 'self'; ` +
      "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };
}

/** The CSP hash of the page's inline import map (the browser hashes the script's text exactly as written). */
function importMapHash(html: Buffer): string | null {
  const map = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html.toString('utf8'));
  return map ? `sha256-${createHash('sha256').update(map[1], 'utf8').digest('base64')}` : null;
}

// -----------------------------------------------------------------------------------------------------------------
// The machine's state tree (plain data: ids, keys, types, transitions by target id; no functions)
// -----------------------------------------------------------------------------------------------------------------

export interface MachineTransition {
  /** The event type; `always` for eventless transitions, `xstate.done.actor.<id>` for an effect's result. */
  event: string;
  /** Target state node ids (`neg.active.awaiting_reply`); empty for a transition that stays put. */
  targets: string[];
  /** The guard's name, when it has one. */
  guard?: string;
}

export interface MachineNode {
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** The api.md domain state this node stands for (null for structural and finer states). */
  domain: DomainState | null;
  initial?: string;
  history?: 'shallow' | 'deep';
  tags: string[];
  /** Effects run in this state (the host provides them). */
  invokes: string[];
  transitions: MachineTransition[];
  states: MachineNode[];
}

/** A change of domain state the machine can make (the diagram's arrows). */
export interface DomainEdge {
  /** The domain state, or the structural node (`active`) whose transition applies to every state inside it. */
  from: string;
  /** The domain state, or `history` for "back to the state it was in". */
  to: string;
  events: string[];
}

export interface MachineTree {
  id: string;
  version: number;
  domainStates: readonly DomainState[];
  root: MachineNode;
  edges: DomainEdge[];
}

const DOMAIN = new Set<string>(DOMAIN_STATES);

function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (guard && typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') {
    const g = guard as { type: string; guards?: unknown[]; params?: unknown };
    // Combinators (and/or/not) keep their inner guards' names; parameterised guards their string parameter.
    if (Array.isArray(g.guards)) return `${g.type.replace(/^xstate\./, '')}(${g.guards.map(guardName).join(', ')})`;
    return typeof g.params === 'string' ? `${g.type}:${g.params}` : g.type;
  }
  if (typeof guard === 'function') {
    // and()/or()/not() are functions named so, carrying their inner guards.
    const fn = guard as { guards?: unknown[]; name?: string };
    if (Array.isArray(fn.guards)) return `${fn.name || 'all'}(${fn.guards.map(guardName).join(', ')})`;
    return fn.name || 'inline';
  }
  return undefined;
}

function transitionsOf(node: AnyStateNode): MachineTransition[] {
  const all: AnyTransitionDefinition[] = [...node.transitions.values()].flat();
  if (node.always) all.push(...node.always);
  return all.map((t) => {
    const guard = guardName(t.guard);
    return {
      event: t.eventType === '' ? 'always' : String(t.eventType),
      targets: (t.target ?? []).map((s: AnyStateNode) => s.id),
      ...(guard ? { guard } : {}),
    };
  });
}

function treeOf(node: AnyStateNode, insideDomain: boolean): MachineNode {
  const domain = !insideDomain && DOMAIN.has(node.key) ? (node.key as DomainState) : null;
  const children = Object.values(node.states) as AnyStateNode[];
  const initial = node.type === 'compound' ? node.initial.target[0]?.key : undefined;
  return {
    id: node.id,
    key: node.key,
    type: node.type,
    domain,
    ...(initial ? { initial } : {}),
    ...(node.history ? { history: node.history } : {}),
    tags: [...node.tags],
    invokes: node.invoke.map((i) => (typeof i.src === 'string' ? i.src : i.id)),
    transitions: node.type === 'history' ? [] : transitionsOf(node),
    states: children.map((child) => treeOf(child, insideDomain || domain !== null)),
  };
}

/** The domain-level arrows: every transition inside a domain state that lands in another one. */
function edgesOf(root: MachineNode): DomainEdge[] {
  const owner = new Map<string, string>(); // node id -> domain state (or structural key) it belongs to
  const walk = (n: MachineNode, current: string | null) => {
    const label = n.domain ?? (n.type === 'history' ? 'history' : current);
    owner.set(n.id, label ?? n.key);
    for (const c of n.states) walk(c, n.domain ?? (n.type === 'history' ? null : current));
  };
  for (const top of root.states) walk(top, null);
  const edges = new Map<string, DomainEdge>();
  const visit = (n: MachineNode) => {
    const from = owner.get(n.id);
    if (from) {
      for (const t of n.transitions) {
        for (const target of t.targets) {
          const to = owner.get(target);
          if (!to || to === from) continue;
          const key = `${from}->${to}`;
          const edge = edges.get(key) ?? { from, to, events: [] };
          if (!edge.events.includes(t.event)) edge.events.push(t.event);
          edges.set(key, edge);
        }
      }
    }
    for (const c of n.states) visit(c);
  };
  visit(root);
  return [...edges.values()];
}

let machineTree: MachineTree | undefined;

/** The negotiation machine as plain JSON (computed once). */
export function machineTreeOf(): MachineTree {
  if (!machineTree) {
    const root = treeOf(negotiationMachine.root, false);
    machineTree = {
      id: negotiationMachine.id,
      version: MACHINE_VERSION,
      domainStates: DOMAIN_STATES,
      root,
      edges: edgesOf(root),
    };
  }
  return machineTree;
}

// -----------------------------------------------------------------------------------------------------------------
// The router
// -----------------------------------------------------------------------------------------------------------------

interface StaticFile {
  body: Buffer;
  etag: string;
  mtime: Date;
}

/** GET /dashboard/assets/domain.js (typed by web/domain.d.ts). */
const DOMAIN_MODULE: StaticFile = (() => {
  const body = Buffer.from(
    `// Generated by the server from services/domain.ts.
export const DOMAIN_STATES = Object.freeze(${JSON.stringify(DOMAIN_STATES)});
`,
  );
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, etag, mtime: new Date(Math.floor(Date.now() / 1000) * 1000) };
})();

export function dashboardRouter(deps: {
  changes: EventEmitter<{ negotiation: [NegotiationChange] }>;
  /** Where the page's files are (default: `<repo>/web`). */
  webDir?: string;
  /** Test seam: the heartbeat interval of the event stream (default 15 s). */
  heartbeatMs?: number;
}) {
  const router = new Router<AppState>({ sensitive: true });
  const webDir = deps.webDir ?? DEFAULT_WEB_DIR;
  const cache = new Map<string, StaticFile & { size: number; mtimeMs: number }>();

  /** Reads a file of `dir` (re-read when it changes), refusing anything that resolves outside it. */
  function load(name: string, dir = webDir): StaticFile | null {
    let real: string;
    let root: string;
    try {
      root = realpathSync(dir);
      real = realpathSync(join(root, name));
    } catch {
      return null;
    }
    if (!real.startsWith(root + sep)) return null; // a symlink out of the directory
    const stat = statSync(real, { throwIfNoEntry: false });
    if (!stat?.isFile()) return null;
    const cached = cache.get(real);
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached;
    const body = readFileSync(real);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const entry = { body, etag, mtime: stat.mtime, size: stat.size, mtimeMs: stat.mtimeMs };
    cache.set(real, entry);
    return entry;
  }

  function serve(ctx: RouterContext<AppState>, file: StaticFile, type: string) {
    ctx.status = 200;
    ctx.type = type;
    // No build step means no content hashes in the names: browsers keep a copy but revalidate it every time
    // (a 304 when unchanged), so a new version of the page is never mixed with an old script.
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('ETag', file.etag);
    ctx.set('Last-Modified', file.mtime.toUTCString());
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = file.body;
  }

  router.get('/', (ctx) => {
    ctx.redirect('/dashboard');
  });

  const page = (ctx: RouterContext<AppState>) => {
    const file = load('index.html');
    if (!file) throw new HttpError(404, 'not_found', 'The dashboard page is not installed');
    ctx.set(pageHeaders(importMapHash(file.body)));
    serve(ctx, file, 'text/html; charset=utf-8');
  };
  router.get('/dashboard', page);
  router.get('/dashboard/', page);

  const asset = (ctx: RouterContext<AppState>, name: string, dir?: string) => {
    const type = CONTENT_TYPES[extname(name).toLowerCase()];
    const file = ASSET_NAME.test(name) && type ? load(name, dir ? join(webDir, dir) : webDir) : null;
    if (!file || !type) throw new HttpError(404, 'not_found', `No dashboard asset ${name}`);
    serve(ctx, file, type);
  };
  // The domain's states as a module the page imports: written once, in services/domain.ts.
  router.get('/dashboard/assets/domain.js', (ctx) => serve(ctx, DOMAIN_MODULE, CONTENT_TYPES['.js']));
  router.get('/dashboard/assets/:name', (ctx) => asset(ctx, ctx.params.name ?? ''));
  // The page's modules are split by kind: `views/` is the one subdirectory (nothing else below web/ is served).
  router.get('/dashboard/assets/views/:name', (ctx) => asset(ctx, ctx.params.name ?? '', 'views'));

  router.get('/dashboard/vendor/:lib/:name', (ctx) => {
    const { lib = '', name = '' } = ctx.params;
    const dir = Object.hasOwn(VENDOR, lib) ? VENDOR[lib] : null;
    const file = dir && ASSET_NAME.test(name) && extname(name) === '.js' ? load(name, dir) : null;
    if (!file) throw new HttpError(404, 'not_found', `No dashboard library file ${lib}/${name}`);
    serve(ctx, file, CONTENT_TYPES['.js']);
  });

  router.get('/api/v1/machine', (ctx) => {
    ctx.body = machineTreeOf();
  });

  // Server-sent events, written straight to the socket (`respond = false`): Koa neither buffers them nor logs the
  // client's disconnect as an error. EventSource cannot send headers, so the page reads this with fetch().
  router.get('/api/v1/events', (ctx) => {
    const { req, res } = ctx;
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set({
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    if (ctx.method === 'HEAD') return; // the headers only; no stream to keep open
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    ctx.respond = false;
    res.flushHeaders();

    let open = true;
    const write = (chunk: string) => {
      if (!open) return;
      res.write(chunk);
      if (res.writableLength > MAX_QUEUED_BYTES) res.destroy(); // 'close' follows and cleans up
    };
    const onChange = (change: NegotiationChange) => {
      const { id, from, to, at } = change;
      write(`event: negotiation\ndata: ${JSON.stringify({ id, from, to, at })}\n\n`);
    };
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
    heartbeat.unref();
    function close() {
      if (!open) return;
      open = false;
      clearInterval(heartbeat);
      deps.changes.off('negotiation', onChange);
      if (!res.writableEnded) res.end();
    }
    deps.changes.on('negotiation', onChange);
    res.on('close', close);
    res.on('error', close);
    write('retry: 3000\n: connected\n\n');
  });

  return router;
}
