// Pictures, drawn as inline SVG from the API's numbers (no library, no build step). Each chart is one `role="img"`
// with a sentence saying what it shows, for people who do not see it.
import { cents, count, h, svg, usdShort } from './dom.js';

const W = 320;

/** @param {number} value @param {number} max @param {number} width */
const scale = (value, max, width) => (max > 0 ? Math.max(0, Math.min(width, (value / max) * width)) : 0);

/** @param {string} text @param {SVGElement} body @param {number} height @param {string} [cls] */
function frame(text, body, height, cls = 'chart') {
  return svg('svg', { class: cls, viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': text }, body);
}

/**
 * The campaign funnel: everyone, contacted, replied, then how each ended (or where it stands).
 * @param {import('./types').CampaignStats['funnel']} f
 */
export function funnelChart(f) {
  const rows = [
    ['Influencers', f.negotiations, 'all'],
    ['Contacted', f.contacted, 'contacted'],
    ['Replied', f.replied, 'replied'],
    ['Agreed', f.agreed, 'agreed'],
    ['Needs a decision', f.escalated, 'escalated'],
    ['Negotiating', f.negotiating, 'negotiating'],
    ['No answer', f.stale, 'stale'],
    ['Rejected', f.rejected, 'rejected'],
    ['Paused', f.paused, 'paused'],
    ['Stopped', f.stopped, 'stopped'],
  ].filter(([, n], i) => i < 4 || Number(n) > 0);
  const max = Math.max(1, f.negotiations);
  const rowH = 22;
  const labelW = 112;
  const barW = W - labelW - 56;
  const g = svg('g');
  rows.forEach(([name, n, cls], i) => {
    const y = i * rowH;
    const width = scale(Number(n), max, barW);
    const pct = f.negotiations ? Math.round((Number(n) / f.negotiations) * 100) : 0;
    g.append(
      svg('text', { x: 0, y: y + 15, class: 'chart-label' }, String(name)),
      svg('rect', { x: labelW, y: y + 4, width: barW, height: 14, rx: 3, class: 'chart-track' }),
      svg('rect', {
        x: labelW,
        y: y + 4,
        width: Math.max(width, Number(n) > 0 ? 2 : 0),
        height: 14,
        rx: 3,
        class: `bar-${cls}`,
      }),
      svg(
        'text',
        { x: labelW + barW + 6, y: y + 15, class: 'chart-value' },
        `${count(Number(n))}${i > 0 ? ` ${pct}%` : ''}`,
      ),
    );
  });
  const text = rows.map(([name, n]) => `${name} ${count(Number(n))}`).join(', ');
  return frame(`Funnel: ${text}`, g, rows.length * rowH + 4);
}

/**
 * CPM achieved on a scale with the campaign's floor (its target) and ceiling.
 * @param {{ achieved: string | null, floor: string, ceiling: string }} cpm
 */
export function cpmChart(cpm) {
  const floor = cents(cpm.floor) ?? 0;
  const ceiling = cents(cpm.ceiling) ?? floor;
  const achieved = cents(cpm.achieved);
  const max = Math.max(ceiling * 1.25, (achieved ?? 0) * 1.1, 1);
  const x = (/** @type {number} */ v) => 8 + scale(v, max, W - 16);
  const g = svg(
    'g',
    {},
    svg('rect', { x: 8, y: 18, width: W - 16, height: 16, rx: 3, class: 'chart-track' }),
    svg('rect', { x: x(floor), y: 18, width: Math.max(2, x(ceiling) - x(floor)), height: 16, class: 'band-ok' }),
    svg('line', { x1: x(floor), x2: x(floor), y1: 12, y2: 40, class: 'tick-target' }),
    svg('line', { x1: x(ceiling), x2: x(ceiling), y1: 12, y2: 40, class: 'tick-ceiling' }),
    svg('text', { x: x(floor), y: 54, class: 'chart-label', 'text-anchor': 'middle' }, `target ${usdShort(cpm.floor)}`),
    svg(
      'text',
      { x: x(ceiling), y: 10, class: 'chart-label', 'text-anchor': 'middle' },
      `ceiling ${usdShort(cpm.ceiling)}`,
    ),
  );
  if (achieved !== null) {
    g.append(
      svg('rect', { x: x(achieved) - 4, y: 14, width: 8, height: 24, rx: 2, class: 'marker-achieved' }),
      svg(
        'text',
        { x: Math.min(W - 40, x(achieved) + 8), y: 54, class: 'chart-value' },
        `now ${usdShort(cpm.achieved)}`,
      ),
    );
  }
  const text = `CPM achieved ${achieved === null ? 'none yet' : usdShort(cpm.achieved)}; target ${usdShort(cpm.floor)}, ceiling ${usdShort(cpm.ceiling)}`;
  return frame(text, g, 60);
}

/** Budget committed (agreed deals) against the budget. @param {{ budget: string | null, committed: string }} b */
export function budgetChart(b) {
  const budget = cents(b.budget);
  const committed = cents(b.committed) ?? 0;
  const max = Math.max(budget ?? 0, committed, 1);
  const width = scale(committed, max, W - 16);
  const over = budget !== null && committed > budget;
  const pct = budget ? Math.round((committed / budget) * 100) : null;
  const g = svg(
    'g',
    {},
    svg('rect', { x: 8, y: 8, width: W - 16, height: 18, rx: 3, class: 'chart-track' }),
    svg('rect', {
      x: 8,
      y: 8,
      width: Math.max(width, committed > 0 ? 2 : 0),
      height: 18,
      rx: 3,
      class: over ? 'bar-over' : 'bar-budget',
    }),
    svg(
      'text',
      { x: 8, y: 44, class: 'chart-value' },
      `${usdShort(b.committed)} committed${budget === null ? ' (no budget set)' : ` of ${usdShort(b.budget)} (${pct}%)`}`,
    ),
  );
  return frame(
    `Budget: ${usdShort(b.committed)} committed${budget === null ? ', no budget set' : ` of ${usdShort(b.budget)}`}`,
    g,
    52,
  );
}

/**
 * Their ask against our offer, the suggested amount and the bounds, on one ruler (the "Needs you" cards).
 * @param {{ offer: string | null, ask: string | null, suggested?: string | null, bounds: import('./types').Bounds | null }} p
 */
export function boundsRuler(p) {
  const b = p.bounds;
  /** @type {[string, string | null | undefined, string][]} */
  const marks = [
    ['our offer', p.offer, 'offer'],
    ['their ask', p.ask, 'ask'],
    ['suggested', p.suggested, 'suggested'],
    ['max w/o approval', b?.maxWithoutApproval, 'max'],
  ];
  const values = [b?.floor, b?.ceiling, ...marks.map((m) => m[1])].map(cents).filter((v) => v !== null);
  if (!values.length) return null;
  const lo = Math.min(...values) * 0.9;
  const hi = Math.max(...values) * 1.05;
  const x = (/** @type {number} */ v) => 10 + scale(v - lo, hi - lo, W - 20);
  const g = svg('g', {}, svg('line', { x1: 10, x2: W - 10, y1: 30, y2: 30, class: 'chart-axis' }));
  g.setAttribute('transform', 'translate(0 -6)');
  const floor = cents(b?.floor);
  const ceiling = cents(b?.ceiling);
  if (floor !== null && ceiling !== null)
    g.append(
      svg('rect', { x: x(floor), y: 24, width: Math.max(2, x(ceiling) - x(floor)), height: 12, class: 'band-ok' }),
    );
  /** @type {HTMLElement[]} */
  const legend = [];
  for (const [name, value, cls] of marks) {
    const v = cents(value);
    if (v === null) continue;
    g.append(svg('line', { x1: x(v), x2: x(v), y1: 18, y2: 42, class: `tick-${cls}` }));
    legend.push(h('li', {}, h('span', { class: `swatch tick-${cls}` }), `${name} `, h('b', {}, usdShort(value))));
  }
  if (floor !== null) legend.push(h('li', {}, h('span', { class: 'swatch band-ok' }), 'campaign range'));
  const text = [
    ...marks.filter((m) => m[1]).map(([name, value]) => `${name} ${usdShort(value)}`),
    floor !== null ? `campaign range ${usdShort(b?.floor)} to ${usdShort(b?.ceiling)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return h(
    'div',
    { class: 'ruler-wrap' },
    frame(text, g, 48, 'chart ruler'),
    h('ul', { class: 'ruler-legend', 'aria-hidden': 'true' }, legend),
  );
}

/**
 * The offer/ask track of a negotiation: our offers and their asks, in order, with the campaign's range.
 * @param {{ at: string, who: 'us' | 'them' | 'team', amount: string }[]} points
 * @param {import('./types').Bounds | null} bounds
 */
export function trackChart(points, bounds) {
  if (!points.length) return h('p', { class: 'muted' }, 'No amounts yet.');
  const H = 140;
  const values = [...points.map((p) => cents(p.amount)), cents(bounds?.floor), cents(bounds?.ceiling)].filter(
    (v) => v !== null,
  );
  const lo = Math.min(...values) * 0.9;
  const hi = Math.max(...values) * 1.08;
  const x = (/** @type {number} */ i) =>
    54 + (points.length === 1 ? (W - 70) / 2 : (i / (points.length - 1)) * (W - 70));
  const y = (/** @type {number} */ v) => H - 18 - ((v - lo) / (hi - lo || 1)) * (H - 30);
  const g = svg('g');
  for (const [name, value, cls] of /** @type {[string, string | null | undefined, string][]} */ ([
    ['ceiling', bounds?.ceiling, 'tick-ceiling'],
    ['floor', bounds?.floor, 'tick-target'],
  ])) {
    const v = cents(value);
    if (v === null) continue;
    g.append(
      svg('line', { x1: 50, x2: W - 8, y1: y(v), y2: y(v), class: `${cls} dashed` }),
      svg('text', { x: 46, y: y(v) + 4, class: 'chart-label', 'text-anchor': 'end' }, `${name} ${usdShort(value)}`),
    );
  }
  for (const who of /** @type {const} */ (['us', 'them'])) {
    const series = points
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.who === who || (who === 'us' && p.who === 'team'));
    if (series.length > 1)
      g.append(
        svg('polyline', {
          points: series.map(({ p, i }) => `${x(i)},${y(cents(p.amount) ?? 0)}`).join(' '),
          class: `line-${who}`,
        }),
      );
  }
  points.forEach((p, i) => {
    const v = cents(p.amount) ?? 0;
    g.append(
      svg(
        'circle',
        { cx: x(i), cy: y(v), r: 4, class: `dot-${p.who}` },
        svg(
          'title',
          {},
          `${p.who === 'them' ? 'Their ask' : p.who === 'team' ? 'Approved' : 'Our offer'} ${usdShort(p.amount)}`,
        ),
      ),
      svg(
        'text',
        {
          x: x(i),
          y: y(v) + (p.who === 'them' ? -8 : 16),
          class: 'chart-value',
          'text-anchor': i === points.length - 1 && points.length > 1 ? 'end' : 'middle',
        },
        usdShort(p.amount),
      ),
    );
  });
  const text = points
    .map(
      (p) => `${p.who === 'them' ? 'they asked' : p.who === 'team' ? 'approved' : 'we offered'} ${usdShort(p.amount)}`,
    )
    .join(', then ');
  return frame(`Offers and asks: ${text}`, g, H, 'chart track');
}
