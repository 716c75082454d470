// What the dry run says about a new campaign (each row: new, already negotiating, or skipped with the reason and
// the field at fault, and each opening offer), and what creating it did.
import { count, counted, h, usd } from '../dom.js';
import { store } from '../page.js';

const FIELD_NAMES = {
  name: 'Name',
  email: 'Email',
  platform: 'Platform',
  handle: 'Handle',
  averageViews: 'Average Views',
  engagementRate: 'Engagement Rate',
  minRate: 'Min Rate',
  maxRate: 'Max Rate',
  agency: 'Agency',
};

/** @param {import('../types').Preview} pv @param {'csv' | 'sheet'} source */
export function preview(pv, source) {
  const rows = pv.rows;
  const s = pv.summary;
  return [
    pv.warnings.length
      ? h(
          'ul',
          { class: 'warnings' },
          pv.warnings.map((w) => h('li', {}, w)),
        )
      : null,
    rows.length
      ? h(
          'p',
          { class: 'preview-summary', id: 'preview-summary' },
          `${counted(s.new, 'influencer')} will get an opening email${s.openingTotal ? ` (opening offers total ${usd(s.openingTotal)})` : ''}.`,
          s.existing ? ` ${s.existing} already negotiating.` : '',
          s.skipped
            ? h(
                'b',
                { class: 'bad-text' },
                ` ${counted(s.skipped, 'row')} will be skipped: nobody is emailed for them.`,
              )
            : '',
        )
      : source === 'sheet'
        ? h('p', { class: 'muted' }, 'The rows are read from the sheet when the campaign is created.')
        : null,
    rows.length
      ? h(
          'div',
          { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': 'Opening offers by influencer' },
          h(
            'table',
            { class: 'preview-table' },
            h('caption', { class: 'sr-only' }, 'Each row of the list and what would happen to it'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Row', 'Influencer', 'Platform', 'Average views', 'Opening offer', 'Status'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              rows.map((r) =>
                h(
                  'tr',
                  { class: `status-${r.status}`, dataset: { row: String(r.row), status: r.status } },
                  h('td', { 'data-label': 'Row' }, String(r.row)),
                  h(
                    'th',
                    { scope: 'row', 'data-label': 'Influencer' },
                    r.name ?? '(no name)',
                    h('span', { class: 'muted small block' }, r.email ?? '(no email)'),
                  ),
                  h('td', { 'data-label': 'Platform' }, r.platform ?? '—'),
                  h(
                    'td',
                    { 'data-label': 'Average views' },
                    typeof r.averageViews === 'number' ? count(r.averageViews) : String(r.averageViews ?? '—'),
                  ),
                  h(
                    'td',
                    { class: 'num', 'data-label': 'Opening offer' },
                    r.openingOffer ? `${usd(r.openingOffer)} (CPM ${usd(r.openingCpm)})` : '—',
                  ),
                  h(
                    'td',
                    { 'data-label': 'Status', class: 'row-status' },
                    r.status === 'new'
                      ? 'will be emailed'
                      : r.status === 'existing'
                        ? 'already negotiating'
                        : h(
                            'span',
                            { class: 'bad-text' },
                            `Row ${r.row}: ${r.reason}${r.field ? ` (${FIELD_NAMES[/** @type {keyof typeof FIELD_NAMES} */ (r.field)] ?? r.field})` : ''} — not emailed`,
                          ),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
  ];
}

/** @param {import('../types').Created} c @param {() => void} again */
export function created(c, again) {
  return h(
    'div',
    { class: 'created', id: 'create-result', role: 'status' },
    h('h3', {}, `Campaign ${c.id} started`),
    h('p', {}, `${counted(c.negotiations.length, 'negotiation')} started; their opening emails are on their way.`),
    c.skipped.length
      ? h(
          'ul',
          {},
          c.skipped.map((s) => h('li', { class: 'bad-text' }, `Not started: ${s.name} — ${s.reason}`)),
        )
      : null,
    h(
      'p',
      {},
      h(
        'a',
        { href: `#campaign=${encodeURIComponent(c.id)}`, class: 'button-link primary', id: 'open-created' },
        'Open the campaign',
      ),
      ' ',
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            store.trigger.createReset();
            again();
          },
        },
        'Create another',
      ),
    ),
  );
}
