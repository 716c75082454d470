/**
 * The layer check behind `npm run lint`: imports only run downward. The layers, top to bottom:
 *
 *   server/       the process. May import every layer below. Its rooms, top to bottom:
 *                   main.ts, live-*.ts, config*.ts  the wiring: reads the settings, connects, starts the rest;
 *                   http/, slack/                   the doors: Koa app, routes, presenters; the Bolt listeners;
 *                   runtime/                        the actor host, effects, timers, intakes, commands, send queue;
 *                   observability/                  logs, metrics, readiness, error reports, the inspector.
 *                 Every room may read the settings' TYPE (`import type … from '…/config.ts'`); nothing else runs up.
 *   persistence/  every SQL statement, and the actor store (it restores and persists the machine's snapshots,
 *                 so it knows the machine and the domain it stores; it never knows the server).
 *   machines/     the negotiation chart: imports only the domain and the ports in services/.
 *   services/     the domain and the outside systems' ports and adapters: imports no other layer.
 *
 * bench/, test/ and scripts/ may import anything; no product layer imports them. SQL is prepared only in
 * persistence/ and in the sandbox adapters' own sandbox.db (services/sandbox/, services/<system>/sandbox.ts: the
 * stand-in outside world, not the agent's data).
 * Usage: node scripts/check-layers.ts [root]  (exit 1 and one line per upward import)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const RANK: Record<string, number> = { server: 3, persistence: 2, machines: 1, services: 0 };
const TOOLS = new Set(['bench', 'test', 'scripts']);
const SOURCE = /\.(ts|js|mts|mjs)$/;
// `import … from '…'`, `export … from '…'`, `import '…'`, `import('…')`
const PREPARE = /\.prepare\s*(<[^>]*>)?\(/;
const SANDBOX = /^services\/(sandbox\/|[^/]+\/sandbox\.ts$)/;
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const layerOf = (root: string, path: string) => relative(root, path).split(sep)[0];
const ROOM_RANK: Record<string, number> = { http: 2, slack: 2, runtime: 1, observability: 0 };
const WIRING = 3;
/** The room of a file under server/ (wiring for the files at its top), or null outside server/. */
function roomOf(root: string, path: string): string | null {
  const parts = relative(root, path).split(sep);
  if (parts[0] !== 'server') return null;
  return parts.length > 2 && parts[1] in ROOM_RANK ? parts[1] : 'wiring';
}
const roomRank = (room: string) => ROOM_RANK[room] ?? WIRING;
const CONFIG_TYPE = /^import\s+type\b[^;]*from\s*['"][^'"]*\/config\.ts['"]/;

/** Every upward (or product-to-tool) import and every SQL statement outside persistence/ under root. */
export function upwardImports(root: string): string[] {
  const problems: string[] = [];
  for (const layer of Object.keys(RANK)) {
    let files: string[];
    try {
      files = [...sources(join(root, layer))];
    } catch {
      continue; // a tree without this layer
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const path = relative(root, file).split(sep).join('/');
      if (layer !== 'persistence' && !SANDBOX.test(path) && PREPARE.test(text)) {
        problems.push(`${path}: prepares SQL (every statement lives in persistence/)`);
      }
      const from = roomOf(root, file);
      for (const match of text.matchAll(SPECIFIER)) {
        const resolved = resolve(dirname(file), match[1]);
        const target = layerOf(root, resolved);
        const to = roomOf(root, resolved);
        const start = Math.max(text.lastIndexOf('import', match.index), text.lastIndexOf('export', match.index), 0);
        const statement = text.slice(start, match.index + match[0].length + 1);
        const roomUp = from && to && roomRank(to) > roomRank(from) && !(to === 'wiring' && CONFIG_TYPE.test(statement));
        const why = TOOLS.has(target)
          ? `${layer}/ may not import ${target}/`
          : target in RANK && RANK[target] > RANK[layer]
            ? `${layer}/ sits below ${target}/`
            : roomUp
              ? `server/${from === 'wiring' ? '' : `${from}/`} sits below server/${to === 'wiring' ? '' : `${to}/`}`
              : null;
        if (why) problems.push(`${relative(root, file)}: imports ${match[1]} (${why})`);
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  const root = resolve(process.argv[2] ?? '.');
  const problems = upwardImports(root);
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(
      `${problems.length} problem(s): imports run server → persistence → machines → services (in server/: wiring → http, slack → runtime → observability); SQL lives in persistence/.`,
    );
    process.exit(1);
  }
  console.log('layers: every import runs downward, every SQL statement is in persistence/');
}
