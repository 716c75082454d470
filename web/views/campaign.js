// One campaign: where it stands (funnel, CPM against target and ceiling, budget), the whole campaign paused,
// resumed or stopped, and its negotiations.
import { campaignAction } from '../actions.js';
import { budgetChart, cpmChart, funnelChart } from '../charts.js';
import { h, replace } from '../dom.js';
import { stateBar } from './home.js';
import { mountList } from './list.js';
import { problemLine } from './needs.js';

/** @typedef {import('../store.js').Ctx} Ctx */

/** @param {HTMLElement} main @param {string} id */
export function mountCampaign(main, id) {
  const head = h('div', { class: 'campaign-head' });
  const charts = h('div', { class: 'charts' });
  const list = mountList({ campaignFilter: false });
  replace(
    main,
    h('p', { class: 'crumbs' }, h('a', { href: '#' }, '← Needs you & campaigns')),
    head,
    charts,
    h(
      'section',
      { 'aria-labelledby': 'campaign-list-title' },
      h('h3', { id: 'campaign-list-title' }, 'Negotiations'),
      list.el,
    ),
  );
  return {
    /** @param {Ctx} c @param {Ctx | null} p */
    update(c, p) {
      const campaign = c.campaigns?.find((x) => x.id === id) ?? null;
      const stats = c.stats[id] ?? null;
      if (!p || c.campaigns !== p.campaigns || c.busy !== p.busy || c.problems !== p.problems) {
        if (!campaign) replace(head, h('h2', {}, c.campaigns ? `No campaign ${id}` : 'Loading…'));
        else {
          const busy = Boolean(c.busy);
          const stopped = campaign.status === 'stopped';
          replace(
            head,
            h(
              'div',
              { class: 'section-head' },
              h(
                'h2',
                { id: 'campaign-title' },
                campaign.client,
                h(
                  'span',
                  {
                    class: `tag status-${campaign.status}`,
                    id: 'campaign-status',
                    dataset: { status: campaign.status },
                  },
                  campaign.status,
                ),
              ),
              h(
                'div',
                { class: 'actions' },
                campaign.status === 'paused'
                  ? h(
                      'button',
                      {
                        type: 'button',
                        dataset: { action: 'campaign-resume' },
                        disabled: busy,
                        onclick: () => campaignAction(id, 'resume'),
                      },
                      'Resume campaign',
                    )
                  : h(
                      'button',
                      {
                        type: 'button',
                        dataset: { action: 'campaign-pause' },
                        disabled: busy || stopped,
                        onclick: () => campaignAction(id, 'pause'),
                      },
                      'Pause campaign',
                    ),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    dataset: { action: 'campaign-stop' },
                    disabled: busy || stopped,
                    onclick: () => {
                      if (
                        confirm(
                          `Stop campaign ${campaign.client} for good? Every open negotiation stops and nobody new is contacted.`,
                        )
                      )
                        campaignAction(id, 'stop');
                    },
                  },
                  'Stop campaign',
                ),
              ),
            ),
            h(
              'p',
              { class: 'muted' },
              `${campaign.id} · ${campaign.platform} · CPM target ${campaign.floorCpm}, ceiling ${campaign.ceilingCpm}`,
            ),
            stateBar(campaign),
            problemLine(c, `campaign:${id}`),
          );
        }
      }
      if (!p || c.stats !== p.stats) {
        replace(
          charts,
          stats
            ? [
                h(
                  'figure',
                  { class: 'chart-card', id: 'funnel' },
                  h('figcaption', {}, 'Funnel'),
                  funnelChart(stats.funnel),
                ),
                h(
                  'figure',
                  { class: 'chart-card', id: 'cpm' },
                  h('figcaption', {}, 'CPM achieved'),
                  cpmChart(stats.cpm),
                ),
                h(
                  'figure',
                  { class: 'chart-card', id: 'budget' },
                  h('figcaption', {}, 'Budget committed'),
                  budgetChart(stats.budget),
                ),
                ...(stats.queue ? [queueCard(stats.queue)] : []),
              ]
            : h('p', { class: 'muted' }, 'Loading…'),
        );
      }
      list.update(c, p);
    },
  };
}

/**
 * The campaign's emails waiting for their turn in the mailbox's send queue (D20).
 * @param {import('../types').CampaignQueue} q
 */
function queueCard(q) {
  const next = q.nextSendAt ? new Date(q.nextSendAt).toLocaleString() : '—';
  const why = q.queued && q.mailbox.waitingFor ? ` (waiting for the ${q.mailbox.waitingFor})` : '';
  return h(
    'figure',
    { class: 'chart-card', id: 'send-queue' },
    h('figcaption', {}, 'Send queue'),
    h(
      'dl',
      { class: 'queue-figures' },
      h('dt', {}, 'Queued'),
      h('dd', {}, q.queued.toLocaleString('en-US')),
      h('dt', {}, 'Sent in the last 24 h'),
      h('dd', {}, q.sentLast24h.toLocaleString('en-US')),
      h('dt', {}, 'Next send at'),
      h('dd', {}, `${next}${why}`),
    ),
  );
}
