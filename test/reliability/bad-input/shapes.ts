/**
 * Bad-input reliability suite: the values that break each field of a route's schema, and broken JSON.
 */
import type { RawRequest, Rng } from '../reliability-kit.ts';

// ---------------------------------------------------------------------------------------------------------------
// Generators of bad requests

export interface Gen {
  cat: string;
  req: RawRequest;
  /** Exact statuses allowed; any 4xx when absent. */
  expect?: number[];
}

export type Json = unknown;

export const NOT_STRING: Json[] = [5, -1, 0, 1.5, true, false, null, [], {}, ['x'], { a: 1 }];
export const NOT_MONEY: Json[] = [
  true,
  false,
  null,
  [],
  {},
  ['1'],
  { v: 1 },
  'abc',
  '-5',
  -5,
  -0.01,
  '1e5',
  '',
  ' ',
  '$',
  '12.3.4',
  'NaN',
  'Infinity',
  '1/2',
  '\u0661\u0660\u0660',
  '\uff15\uff10',
  'x'.repeat(41),
  '$-5',
  '--5',
  '5-',
  '0x10',
];
export const NOT_DECIMAL: Json[] = [
  true,
  null,
  [],
  {},
  'abc',
  '-1',
  -1,
  '1e3',
  '',
  '$',
  '%',
  'x'.repeat(41),
  '1..2',
  '\u0661',
];
export const NOT_BOOL: Json[] = ['yes', 'true', 1, 0, null, [], {}];
export const tooLong = (max: number) => 'x'.repeat(max + 1);
export const notText = (max: number): Json[] => ['', '   ', tooLong(max), ...NOT_STRING];

/** Field -> values its schema definitely refuses; `required` fields may also be dropped. */
export interface Shape {
  required: string[];
  fields: Record<string, Json[]>;
  /** Unknown keys are refused (zod strictObject). */
  strict: boolean;
}

export const CAMPAIGN: Shape = {
  strict: true,
  required: ['id', 'client', 'platform', 'deliverables'],
  fields: {
    id: ['', ' ', '-x', '.x', 'a'.repeat(129), 'a b', 'a/b', '\u00e9t\u00e9', 'x\u0000', 'a?b', ...NOT_STRING],
    client: notText(200),
    platform: ['Instagram', 'INSTAGRAM', 'facebook', '', 'insta gram', ...NOT_STRING],
    deliverables: notText(1000),
    budget: NOT_MONEY,
    cpmTarget: NOT_DECIMAL,
    cpmLeniency: NOT_DECIMAL,
    minCostPerInfluencer: NOT_MONEY,
    maxCostWithoutApproval: NOT_MONEY,
    productMonetaryValue: NOT_MONEY,
    deliverableScenarios: ['x', 5, null, {}, [''], [' '], [1], ['a', 'b', 'c', 'd'], [null]],
    sheetTab: notText(200),
    sheetId: notText(200),
    paymentTerms: notText(500),
    contentSyndication: NOT_BOOL,
    productAvailable: NOT_BOOL,
    exclusivityRequired: NOT_BOOL,
    rawFootageRequired: NOT_BOOL,
    usageRights: [
      'x',
      5,
      null,
      [],
      { foo: 1 },
      { target: 'x' },
      { target: { paidUsage: 'forever' } },
      { minimum: { whitelisting: 'days_31' } },
      { target: { x: 1 } },
    ],
    productDescription: notText(500),
    optimizeFor: ['CPM', 'x', '', 5, null],
    targetInfluencerCount: [-1, 1.5, 100001, '5', null, true],
    revisionRounds: [-1, 21, 0.5, '2', null],
    paymentMethods: ['PayPal', [''], [tooLong(100)], Array(21).fill('a'), [5], null],
    businessContext: notText(2000),
    influencers: [
      'x',
      5,
      null,
      {},
      [null],
      [5],
      ['x'],
      [{ unknownField: 1 }],
      [{ name: 5 }],
      [{ email: 'x'.repeat(321) }],
      [{ averageViews: true }],
      [{ averageViews: {} }],
      [{ averageViews: null }],
      [{ platform: tooLong(40) }],
      [{ agency: tooLong(200) }],
      [{ handle: [] }],
      [{ engagementRate: [] }],
      [{ minRate: tooLong(40) }],
    ],
  },
};

export const ACTOR: Shape = { strict: true, required: [], fields: { by: ['', '   ', tooLong(200), ...NOT_STRING] } };

export const APPROVE: Shape = {
  strict: true,
  required: ['rate'],
  fields: {
    // schema-invalid, then amounts the route refuses (not positive, not an amount)
    rate: [null, true, false, [], {}, tooLong(40), ['2600'], 'abc', '-5', -5, 0, '0', '0.00', '', '1e5', '0.001', '$'],
    by: [5, null, [], {}, tooLong(200)],
  },
};

export const SANDBOX_MAIL: Shape = {
  strict: true,
  required: ['from', 'threadId', 'text'],
  fields: {
    from: ['', 'x', 'no-at-sign', '<>', `${'x'.repeat(320)}@a.b`, ...NOT_STRING],
    threadId: ['', '   ', tooLong(200), ...NOT_STRING],
    text: ['', ...NOT_STRING],
    subject: [tooLong(1000), ...NOT_STRING],
    messageId: ['', '  ', tooLong(500), ...NOT_STRING],
  },
};

export const SLACK_ACTION: Shape = {
  strict: true,
  required: ['action', 'negotiationId', 'user'],
  fields: {
    action: ['APPROVE', 'approve ', 'delete', '', 'take-over', ...NOT_STRING],
    negotiationId: ['', tooLong(128), ...NOT_STRING],
    user: ['', '  ', tooLong(200), ...NOT_STRING],
    rate: [null, true, false, [], {}, tooLong(40)],
  },
};

export const CLOCK: Shape = {
  strict: true,
  required: ['advanceHours'],
  fields: { advanceHours: [0, -1, -0.5, 87601, 1e9, '5', '1', null, true, [], {}] },
};

export const NON_OBJECTS: Json[] = [[], [{}], 'str', '', 5, 0, -1, null, true, false];

/** Printable garbage, control characters, invalid surrogate halves, RTL and zero-width marks, emoji. No "@". */
export function garbage(rng: Rng, max = 40): string {
  const pools = [
    () => String.fromCharCode(0x20 + rng.int(0x5f)).replace('@', '#'),
    () => String.fromCharCode(rng.int(0x20)),
    () => String.fromCharCode(0xd800 + rng.int(0x800)), // a lone surrogate half
    () => rng.pick(['\u202e', '\u200b', '\u200d', '\ufeff', '\u2028', '\u0000', '\uffff', '\ufffd']),
    () =>
      rng.pick(['\u{1f4a9}', '\u{1f600}', '\u0915\u094d\u0937', '\u00e9', '\u0430', '\uff04', 'Z\u0351\u0352\u0353']),
    () => String.fromCodePoint(0x80 + rng.int(0x10ff7f - 0x80)).replace(/[\ud800-\udfff]/, '?'),
  ];
  let out = '';
  const n = 1 + rng.int(max);
  for (let i = 0; i < n; i++) out += rng.pick(pools)();
  return out;
}

/** A body that breaks `shape` in at least one definite way (plus maybe some noise), from a `base` body. */
export function invalidBody(rng: Rng, shape: Shape, base: Record<string, Json>, unicode = false): Json {
  const body: Record<string, Json> = { ...base };
  const definite = rng.int(shape.strict ? 4 : 3);
  const fieldNames = Object.keys(shape.fields);
  const badValue = (field: string) => {
    const candidates = shape.fields[field];
    if (!unicode || rng.chance(0.5)) return rng.pick(candidates);
    // Garbage that no field accepts: an object with a garbage key (strict or not a object field), or a string
    // longer than any string field allows (the sandbox mail text allows 100,000 characters: an object there).
    const longString = typeof candidates[0] === 'string' && field !== 'text' && rng.chance(0.5);
    return longString ? `${garbage(rng)}${tooLong(2000)}` : { [`${garbage(rng, 12)}\u0000`]: garbage(rng) };
  };
  if (definite === 0 && shape.required.length) delete body[rng.pick(shape.required)];
  else if (definite === 1 || (definite === 0 && !shape.required.length)) {
    const field = rng.pick(fieldNames);
    body[field] = badValue(field);
  } else if (definite === 2) {
    return rng.chance(0.3) ? [body] : rng.pick(NON_OBJECTS);
  } else {
    const key = unicode
      ? garbage(rng, 12) || 'x'
      : rng.pick(['__proto__', 'constructor', 'toString', 'extra', 'ID', 'Id', 'rate ', ' by', '', 'by\u0000', 'x.y']);
    if (key in shape.fields) body.unknownField = 1;
    else body[key] = unicode ? garbage(rng) : rng.pick([1, 'x', null, {}, []]);
  }
  // Noise: more wrong fields, sometimes.
  for (let i = rng.int(3); i > 0; i--) {
    const field = rng.pick(fieldNames);
    if (rng.chance(0.5)) body[field] = badValue(field);
  }
  return body;
}

/** JSON with the `__proto__` key written as an own property (JSON.stringify drops it from object literals). */
export function stringify(value: Json): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, '__proto__')) {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) out[k === '__proto__' ? '\u0000proto' : k] = v[k];
      return out;
    }
    return v;
  }).replaceAll('"\\u0000proto"', '"__proto__"');
}

export function deepJson(rng: Rng, depth: number): string {
  if (rng.chance(0.5)) return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Bodies that are not JSON (checked: none of them parses). */
export function badJson(rng: Rng, valid: string): string {
  const fixed = [
    '{',
    '}',
    '{"a":}',
    "{'a':1}",
    '{"a":1,}',
    '[1,2',
    '{"a":1}}',
    '{"a"::1}',
    'NaN',
    'undefined',
    '\ufeff{}',
    '{"a":"\\x"}',
    '0x10',
    '-',
    '"unterminated',
    'tru',
    '{a:1}',
    '{"a":01}',
    '{"a":.5}',
    '{"a":+1}',
    '{"a":1} {"b":2}',
    '/* c */ {}',
    '{"a":"\t"}',
    '\u0000',
    '\\',
    "{'rate':'2600'}",
    '{"rate":2600',
  ];
  for (let i = 0; i < 5; i++) {
    const candidate = rng.chance(0.6)
      ? rng.pick(fixed)
      : rng.chance(0.5)
        ? valid.slice(0, 1 + rng.int(Math.max(1, valid.length - 1)))
        : `${valid.slice(0, rng.int(valid.length))}${rng.pick(['"', '{', ',', ':', '\\', ']'])}${valid.slice(rng.int(valid.length))}`;
    try {
      JSON.parse(candidate);
    } catch {
      return candidate;
    }
  }
  return '{';
}
