// The negotiation machine as nested boxes (GET /api/v1/machine), the current domain state marked: for people who
// want to see how the agent works (it sits behind the "Details" toggle).
import { h, label } from '../dom.js';

/** @typedef {import('../types').MachineNode} MachineNode */

/** @param {string[]} events */
function eventsLabel(events) {
  const names = new Set(
    events.map((e) => {
      const done = /^xstate\.done\.actor\.(.+)$/.exec(e);
      if (done) return `${done[1]} done`;
      const error = /^xstate\.error\.actor\.(.+)$/.exec(e);
      if (error) return `${error[1]} failed`;
      // Only email chains finish a state (machines/email-chain.ts): the state that holds one moves on once it is out.
      if (e.startsWith('xstate.done.state.')) return 'email sent';
      return e === 'always' ? 'automatic' : e;
    }),
  );
  return `(${[...names].join(', ')})`;
}

/** @param {import('../types').Machine | null} machine @param {string} current */
export function diagram(machine, current) {
  if (!machine?.root) return h('p', { class: 'muted' }, 'Loading the machine…');
  /** @type {Map<string, { to: string, events: string[] }[]>} */
  const outgoing = new Map();
  for (const edge of machine.edges ?? []) {
    if (!outgoing.has(edge.from)) outgoing.set(edge.from, []);
    outgoing.get(edge.from)?.push(edge);
  }
  /** @param {string} from */
  const edgeList = (from) => {
    const list = outgoing.get(from);
    if (!list?.length) return null;
    return h(
      'ul',
      { class: 'edges' },
      list.map((edge) =>
        h(
          'li',
          {},
          '→ ',
          edge.to === 'history' ? 'where it left off' : label(edge.to),
          h('span', { class: 'muted' }, ` ${eventsLabel(edge.events)}`),
        ),
      ),
    );
  };
  /** @param {MachineNode} node */
  const chip = (node) => {
    const inner = node.states.filter((c) => c.type !== 'history');
    return h(
      'span',
      { class: `fine-state type-${node.type}` },
      label(node.key),
      inner.length ? ` (${inner.map((c) => label(c.key)).join(', ')})` : '',
    );
  };
  /** @param {MachineNode} node @param {number} depth @returns {HTMLElement} */
  const box = (node, depth) => {
    const isCurrent = Boolean(node.domain) && node.domain === current;
    const classes = ['state-node', `type-${node.type}`];
    if (node.domain) classes.push('domain', `state-${node.domain}`);
    if (isCurrent) classes.push('current');
    const children = node.states.filter((c) => c.type !== 'history');
    const history = node.states.find((c) => c.type === 'history');
    return h(
      'div',
      {
        class: classes.join(' '),
        dataset: { stateId: node.id, ...(node.domain ? { domain: node.domain } : {}) },
        'aria-current': isCurrent ? 'true' : null,
      },
      h(
        'div',
        { class: 'node-title' },
        label(node.key),
        node.type === 'final' ? h('span', { class: 'muted small' }, ' (final)') : null,
        history ? h('span', { class: 'muted small' }, ` (remembers its ${history.history ?? ''} history)`) : null,
        isCurrent ? h('span', { class: 'here' }, ' ◀ now') : null,
      ),
      edgeList(node.domain ?? node.key),
      children.length
        ? h(
            'div',
            { class: node.domain ? 'children fine' : 'children' },
            children.map((c) => (node.domain || depth > 1 ? chip(c) : box(c, depth + 1))),
          )
        : null,
    );
  };
  return h(
    'div',
    { class: 'diagram', role: 'group', 'aria-label': `State machine, current state ${label(current)}` },
    machine.root.states.map((c) => box(c, 1)),
  );
}
