/**
 * The chart a non-author can open: the machine's config exported as the Stately inspector exports it (functions
 * become `{ type: name }`), then read as the editor/visualizer would: every guard named after one the machine
 * implements (none inline, none lost in a combinator), every guard shown somewhere, every action named, a
 * description on every state and on every transition taken on an outside event.
 */
import { expect } from 'chai';
import type { NegotiationEvent } from '../../machines/negotiation.ts';
import { negotiationMachine } from '../../machines/negotiation.ts';

/** What @statelyai/inspect sends as the machine's definition (its safeReplacer). */
const exported = JSON.parse(
  JSON.stringify(negotiationMachine.config, (_key, value) =>
    typeof value === 'function' ? { type: value.name } : value,
  ),
);

type Json = Record<string, unknown>;
interface Transition {
  where: string;
  event: string;
  config: Json;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every state config of the export with its path. */
function statesOf(node: Json, path = 'neg'): [string, Json][] {
  const children = isObject(node.states) ? Object.entries(node.states) : [];
  return [
    [path, node],
    ...children.flatMap(([key, child]) => (isObject(child) ? statesOf(child, `${path}.${key}`) : [])),
  ];
}

/** Every transition of the export: on events, eventless, and an effect finishing or failing. */
function transitionsOf(states: [string, Json][]): Transition[] {
  const out: Transition[] = [];
  const add = (where: string, event: string, config: unknown) => {
    for (const t of list(config)) out.push({ where, event, config: isObject(t) ? t : { target: t } });
  };
  for (const [where, node] of states) {
    for (const [event, config] of Object.entries(isObject(node.on) ? node.on : {})) add(where, event, config);
    add(where, 'always', node.always);
    if (isObject(node.onDone) || typeof node.onDone === 'string' || Array.isArray(node.onDone)) {
      add(where, 'done', node.onDone);
    }
    for (const invoke of list(node.invoke).filter(isObject)) {
      add(where, `done ${invoke.id}`, invoke.onDone);
      add(where, `error ${invoke.id}`, invoke.onError);
    }
  }
  return out;
}

const states = statesOf(exported);
const transitions = transitionsOf(states);
const guardNames = Object.keys(negotiationMachine.implementations.guards);
const actionNames = Object.keys(negotiationMachine.implementations.actions);
const OUTSIDE_EVENTS: NegotiationEvent['type'][] = [
  'REPLY',
  'TIMEOUT',
  'PAUSE',
  'RESUME',
  'STOP',
  'CLAIM',
  'RELEASE',
  'APPROVE',
  'WALK_AWAY',
];

const nameOf = (ref: unknown) => (typeof ref === 'string' ? ref : isObject(ref) ? ref.type : undefined);

describe('the exported chart (Stately editor / visualizer / inspector)', () => {
  it('reads the whole machine: every state and the guarded transitions of the email chain', () => {
    expect(states.length).to.be.at.least(40);
    expect(transitions.filter((t) => t.config.guard !== undefined).length).to.be.at.least(30);
  });

  it('names every guard after one the machine implements: none inline, none hidden in a combinator', () => {
    const unnamed = transitions
      .filter((t) => t.config.guard !== undefined && !guardNames.includes(String(nameOf(t.config.guard))))
      .map((t) => `${t.where} ${t.event}: ${JSON.stringify(t.config.guard)}`);
    expect(unnamed).to.deep.equal([]);
  });

  it('shows every guard the machine has', () => {
    const shown = new Set(transitions.map((t) => nameOf(t.config.guard)));
    expect(guardNames.filter((g) => !shown.has(g))).to.deep.equal([]);
  });

  it('names every action after one the machine implements', () => {
    const refs = [
      ...transitions.flatMap((t) => list(t.config.actions).map((a) => [`${t.where} ${t.event}`, a] as const)),
      ...states.flatMap(([where, s]) => [...list(s.entry), ...list(s.exit)].map((a) => [where, a] as const)),
    ];
    const unnamed = refs.filter(([, a]) => !actionNames.includes(String(nameOf(a)))).map(([w, a]) => `${w}: ${a}`);
    expect(refs.length).to.be.at.least(50);
    expect(unnamed).to.deep.equal([]);
  });

  it('describes every state', () => {
    const undescribed = states.filter(([, s]) => typeof s.description !== 'string' || !s.description);
    expect(undescribed.map(([where]) => where)).to.deep.equal([]);
  });

  it('describes every transition taken on an outside event', () => {
    const outside = transitions.filter((t) => (OUTSIDE_EVENTS as string[]).includes(t.event));
    expect(new Set(outside.map((t) => t.event))).to.deep.equal(new Set(OUTSIDE_EVENTS));
    const undescribed = outside.filter((t) => typeof t.config.description !== 'string');
    expect(undescribed.map((t) => `${t.where} ${t.event}`)).to.deep.equal([]);
  });
});
