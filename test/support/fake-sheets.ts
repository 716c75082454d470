/**
 * A local fake of the Google Sheets API subset the agent uses, on 127.0.0.1 with a random port, for the REAL
 * @googleapis/sheets client (pointed at it with rootUrl):
 * - GET /v4/spreadsheets/{id}: the spreadsheet with its tabs' properties, `fields` masks like
 *   "sheets.properties.title" honoured (dotted paths, comma-separated);
 * - GET /v4/spreadsheets/{id}/values/{range}: A1 ranges as Google reads them ("'Tab Name'!A1:Z", "Tab!A:C",
 *   "'Tab'" for the whole tab, "A1:B2" on the first tab; quotes inside quoted names doubled). Like Google, the
 *   answer omits trailing empty cells and rows (and `values` altogether when nothing is left); FORMATTED_VALUE
 *   (the default) answers strings, UNFORMATTED_VALUE the scripted cells as they are.
 * Google-style errors: 404 unknown spreadsheet, 400 "Unable to parse range" for an unknown tab, 403 for a
 * spreadsheet not shared (deny), 401 without a Bearer token (any token is accepted), injected failures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SheetsRoute = 'spreadsheets.get' | 'values.get';
export type Cell = string | number | boolean | null;

export interface FakeSheetsRequest {
  route: SheetsRoute;
  spreadsheetId: string;
  range?: string;
  fields?: string;
  status: number;
  token: string | null;
}

interface Spreadsheet {
  title: string;
  tabs: { sheetId: number; title: string; rows: Cell[][] }[];
}

interface Failure {
  remaining: number;
  status: number;
  route?: SheetsRoute;
  spreadsheetId?: string;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startFakeSheets() {
  const spreadsheets = new Map<string, Spreadsheet>();
  const denied = new Set<string>();
  const failures: Failure[] = [];
  const requests: FakeSheetsRequest[] = [];
  let nextSheetId = 1;

  function book(id: string): Spreadsheet {
    if (denied.has(id)) throw new HttpError(403, 'The caller does not have permission');
    const found = spreadsheets.get(id);
    if (!found) throw new HttpError(404, 'Requested entity was not found.');
    return found;
  }

  function takeFailure(route: SheetsRoute, spreadsheetId: string): Failure | undefined {
    const i = failures.findIndex(
      (f) => (!f.route || f.route === route) && (!f.spreadsheetId || f.spreadsheetId === spreadsheetId),
    );
    if (i < 0) return undefined;
    const failure = failures[i];
    if (--failure.remaining <= 0) failures.splice(i, 1);
    return failure;
  }

  function getSpreadsheet(id: string, fields: string | null) {
    const sheet = book(id);
    const full = {
      spreadsheetId: id,
      properties: { title: sheet.title, locale: 'en_US', timeZone: 'Etc/GMT' },
      sheets: sheet.tabs.map((t, index) => ({
        properties: {
          sheetId: t.sheetId,
          title: t.title,
          index,
          sheetType: 'GRID',
          gridProperties: { rowCount: Math.max(1000, t.rows.length), columnCount: Math.max(26, width(t.rows)) },
        },
      })),
      spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${id}/edit`,
    };
    return fields ? mask(full, fields) : full;
  }

  function getValues(id: string, range: string, params: URLSearchParams) {
    const sheet = book(id);
    const parsed = parseRange(
      range,
      sheet.tabs.map((t) => t.title),
    );
    if (!parsed) throw new HttpError(400, `Unable to parse range: ${range}`);
    const tab = parsed.tab === null ? sheet.tabs[0] : sheet.tabs.find((t) => t.title === parsed.tab);
    if (!tab) throw new HttpError(400, `Unable to parse range: ${range}`);
    const { c0, r0, c1, r1 } = parsed.cells;
    const formatted = (params.get('valueRenderOption') ?? 'FORMATTED_VALUE') === 'FORMATTED_VALUE';
    const byColumns = params.get('majorDimension') === 'COLUMNS';
    const rows = tab.rows
      .slice(r0, r1 + 1)
      .map((row) => row.slice(c0, c1 + 1).map((cell) => (cell == null ? '' : formatted ? String(cell) : cell)));
    const grid = byColumns ? transpose(rows) : rows;
    const values = trimTrailing(grid);
    const lastRow = Number.isFinite(r1) ? r1 + 1 : Math.max(1000, tab.rows.length);
    const lastCol = Number.isFinite(c1) ? c1 : Math.max(25, width(tab.rows) - 1);
    return {
      range: `${quote(tab.title)}!${column(c0)}${r0 + 1}:${column(lastCol)}${lastRow}`,
      majorDimension: byColumns ? 'COLUMNS' : 'ROWS',
      ...(values.length ? { values } : {}),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Split the raw path first: a "/" inside a tab name arrives as %2F.
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const auth = /^Bearer (\S+)/.exec(req.headers.authorization ?? '');
    let route: SheetsRoute | null = null;
    const spreadsheetId = parts[2] ?? '';
    const range = parts[4];
    if (req.method === 'GET' && parts[0] === 'v4' && parts[1] === 'spreadsheets' && parts.length === 3) {
      route = 'spreadsheets.get';
    } else if (req.method === 'GET' && parts[0] === 'v4' && parts[1] === 'spreadsheets' && parts[3] === 'values') {
      if (parts.length === 5) route = 'values.get';
    }
    const reply = (status: number, body: unknown) => {
      if (route) {
        requests.push({
          route,
          spreadsheetId,
          ...(range !== undefined ? { range } : {}),
          ...(url.searchParams.has('fields') ? { fields: url.searchParams.get('fields') ?? '' } : {}),
          status,
          token: auth?.[1] ?? null,
        });
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, message: string) =>
      reply(status, {
        error: {
          code: status,
          message,
          errors: [{ message, domain: 'global', reason: 'fake' }],
          status: STATUS_NAMES[status] ?? 'UNKNOWN',
        },
      });
    if (!route) return fail(404, `no route for ${req.method} ${url.pathname}`);
    if (!auth) {
      return fail(
        401,
        'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      );
    }
    const failure = takeFailure(route, spreadsheetId);
    if (failure) return fail(failure.status, `injected ${failure.status}`);
    try {
      reply(
        200,
        route === 'spreadsheets.get'
          ? getSpreadsheet(spreadsheetId, url.searchParams.get('fields'))
          : getValues(spreadsheetId, range ?? '', url.searchParams),
      );
    } catch (error) {
      if (error instanceof HttpError) return fail(error.status, error.message);
      fail(500, String(error));
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const ensure = (id: string) => {
    let sheet = spreadsheets.get(id);
    if (!sheet) {
      sheet = { title: `Influencers ${id}`, tabs: [] };
      spreadsheets.set(id, sheet);
    }
    return sheet;
  };

  function setTab(spreadsheetId: string, title: string, rows: Cell[][]) {
    const sheet = ensure(spreadsheetId);
    const tab = sheet.tabs.find((t) => t.title === title);
    const copy = rows.map((r) => [...r]);
    if (tab) tab.rows = copy;
    else sheet.tabs.push({ sheetId: nextSheetId++, title, rows: copy });
  }

  return {
    rootUrl: `http://127.0.0.1:${port}/`,
    requests,
    /** Requests so far, of one route (and spreadsheet) if given. */
    count(route?: SheetsRoute, spreadsheetId?: string): number {
      return requests.filter(
        (r) => (!route || r.route === route) && (!spreadsheetId || r.spreadsheetId === spreadsheetId),
      ).length;
    },
    /** Creates the spreadsheet if needed; the tab's rows replace any previous ones (tab order is kept). */
    setTab,
    /** A whole spreadsheet at once: its tabs in order. */
    setSpreadsheet(spreadsheetId: string, tabs: Record<string, Cell[][]>, title?: string) {
      spreadsheets.delete(spreadsheetId);
      const sheet = ensure(spreadsheetId);
      if (title) sheet.title = title;
      for (const [name, rows] of Object.entries(tabs)) setTab(spreadsheetId, name, rows);
    },
    removeTab(spreadsheetId: string, title: string) {
      const sheet = ensure(spreadsheetId);
      sheet.tabs = sheet.tabs.filter((t) => t.title !== title);
    },
    renameTab(spreadsheetId: string, from: string, to: string) {
      const tab = ensure(spreadsheetId).tabs.find((t) => t.title === from);
      if (!tab) throw new Error(`no tab ${from} in ${spreadsheetId}`);
      tab.title = to;
    },
    removeSpreadsheet(spreadsheetId: string) {
      spreadsheets.delete(spreadsheetId);
    },
    /** Every request for this spreadsheet answers 403 (not shared with the caller) until allow(). */
    deny(spreadsheetId: string) {
      denied.add(spreadsheetId);
    },
    allow(spreadsheetId: string) {
      denied.delete(spreadsheetId);
    },
    /** The next n matching requests fail with status. */
    failNext(n: number, status: number, options: { route?: SheetsRoute; spreadsheetId?: string } = {}) {
      failures.push({ remaining: n, status, ...options });
    },
    close(): Promise<void> {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeSheets = Awaited<ReturnType<typeof startFakeSheets>>;

const width = (rows: Cell[][]) => rows.reduce((w, r) => Math.max(w, r.length), 0);

const quote = (title: string) => `'${title.replace(/'/g, "''")}'`;

function column(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    s = String.fromCharCode(65 + rem) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const columnIndex = (letters: string) =>
  [...letters.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;

interface Cells {
  c0: number;
  r0: number;
  c1: number;
  r1: number;
}

const CELLS = /^([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?$/;

/** "A1:Z", "A:C", "2:5", "B3" -> zero-based inclusive bounds (Infinity when open); null if not A1. */
function parseCells(text: string): Cells | null {
  const m = CELLS.exec(text);
  if (!m || text === '' || (!m[1] && !m[2])) return null;
  const [, startCol, startRow, endCol, endRow] = m;
  const hasEnd = text.includes(':');
  if (hasEnd && !endCol && !endRow) return null;
  const c0 = startCol ? columnIndex(startCol) : 0;
  const r0 = startRow ? Number(startRow) - 1 : 0;
  if (!hasEnd) return { c0, r0, c1: startCol ? c0 : Infinity, r1: startRow ? r0 : Infinity };
  return {
    c0,
    r0,
    c1: endCol ? columnIndex(endCol) : Infinity,
    r1: endRow ? Number(endRow) - 1 : Infinity,
  };
}

const ALL: Cells = { c0: 0, r0: 0, c1: Infinity, r1: Infinity };

/** An A1 range: tab (null: the first tab) and cells; null when it cannot be read. */
function parseRange(range: string, titles: string[]): { tab: string | null; cells: Cells } | null {
  let tab: string | null = null;
  let rest: string;
  if (range.startsWith("'")) {
    let i = 1;
    let name = '';
    for (;;) {
      if (i >= range.length) return null; // unterminated quote
      if (range[i] === "'") {
        if (range[i + 1] === "'") {
          name += "'";
          i += 2;
          continue;
        }
        break;
      }
      name += range[i++];
    }
    tab = name;
    rest = range.slice(i + 1);
    if (rest === '') return { tab, cells: ALL };
    if (!rest.startsWith('!')) return null;
    rest = rest.slice(1);
  } else if (range.includes('!')) {
    tab = range.slice(0, range.indexOf('!'));
    rest = range.slice(range.indexOf('!') + 1);
  } else {
    // A bare word is a tab's name when one has it, else cells on the first tab.
    if (titles.includes(range)) return { tab: range, cells: ALL };
    rest = range;
  }
  const cells = parseCells(rest);
  return cells ? { tab, cells } : null;
}

function transpose(rows: Cell[][]): Cell[][] {
  const out: Cell[][] = [];
  rows.forEach((row, r) => {
    row.forEach((cell, c) => {
      out[c] ??= [];
      out[c][r] = cell;
    });
  });
  return out.map((col) => Array.from(col, (v) => v ?? ''));
}

/** Google leaves out empty cells at the end of each row, and empty rows at the end. */
function trimTrailing(rows: Cell[][]): Cell[][] {
  const trimmed = rows.map((row) => {
    let end = row.length;
    while (end > 0 && (row[end - 1] === '' || row[end - 1] == null)) end--;
    return row.slice(0, end);
  });
  let last = trimmed.length;
  while (last > 0 && trimmed[last - 1].length === 0) last--;
  return trimmed.slice(0, last);
}

/** A partial response for a field mask of dotted paths ("sheets.properties.title,spreadsheetId"). */
function mask(value: unknown, fields: string): unknown {
  type Tree = Map<string, Tree>;
  const tree: Tree = new Map();
  for (const path of fields
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let node = tree;
    for (const key of path.split('.')) {
      if (!node.has(key)) node.set(key, new Map());
      node = node.get(key) as Tree;
    }
  }
  const apply = (v: unknown, t: Tree): unknown => {
    if (t.size === 0 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((item) => apply(item, t));
    const out: Record<string, unknown> = {};
    for (const [key, sub] of t) {
      if (key in v) out[key] = apply((v as Record<string, unknown>)[key], sub);
    }
    return out;
  };
  return apply(value, tree);
}
