// The page state: one @xstate/store store. Every change is a typed event (the handlers' JSDoc types are the event
// payloads, checked by `npm run typecheck`); views read snapshots and never write the state themselves.
import { createStore } from '@xstate/store';

/** @typedef {import('./types').Campaign} Campaign */
/** @typedef {import('./types').CampaignStats} CampaignStats */
/** @typedef {import('./types').Detail} Detail */
/** @typedef {import('./types').Info} Info */
/** @typedef {import('./types').Machine} Machine */
/** @typedef {import('./types').NeedsPage} NeedsPage */
/** @typedef {import('./types').Preview} Preview */
/** @typedef {import('./types').Created} Created */
/** @typedef {import('./types').Summary} Summary */

/**
 * Where the page is (kept in the URL's hash, so a reload, a bookmark or a Slack link lands on the same view).
 * @typedef {{ view: 'home' | 'campaign' | 'list' | 'negotiation' | 'new', id: string | null, campaign: string, state: string }} Route
 */

/**
 * One page of the negotiation list: `key` names the filter it belongs to, `cursors` the pages before it.
 * @typedef {{ key: string, items: Summary[], total: number | null, cursor: string | null, next: string | null, cursors: (string | null)[] }} ListPage
 */

/**
 * Campaign creation: what the form holds, the server's dry run of it, and what creating it did.
 * @typedef {{ fields: Record<string, string>, source: 'csv' | 'sheet', csv: string, csvName: string | null, preview: Preview | null, checking: boolean, submitting: boolean, created: Created | null }} CreateState
 */

/** @typedef {'connecting' | 'live' | 'reconnecting' | 'waiting for token'} Live */

/**
 * @typedef {object} Ctx
 * @property {string | null} token
 * @property {{ needed: boolean, message: string }} auth
 * @property {boolean} ready the first authenticated answer arrived (until then nothing but the login is shown)
 * @property {Info | null} info
 * @property {Route} route
 * @property {Live} live
 * @property {Campaign[] | null} campaigns
 * @property {Record<string, CampaignStats>} stats
 * @property {NeedsPage | null} needs
 * @property {ListPage | null} list
 * @property {Detail | null} detail
 * @property {Machine | null} machine
 * @property {string | null} busy the action in flight
 * @property {string | null} error
 * @property {Record<string, string>} problems an action's refusal, shown where it was asked (key: the place)
 * @property {string | null} notice
 * @property {Record<string, string>} drafts what the person typed (amounts, replies), kept across refreshes
 * @property {CreateState} create
 * @property {{ offsetHours: number, now: string } | null} clock
 */

export const EMPTY_CREATE = /** @type {CreateState} */ ({
  fields: { platform: 'instagram' },
  source: 'csv',
  csv: '',
  csvName: null,
  preview: null,
  checking: false,
  submitting: false,
  created: null,
});

/** @param {string | null} token @param {Route} route @returns {Ctx} */
export function initialContext(token, route) {
  return {
    token,
    auth: { needed: false, message: '' },
    ready: false,
    info: null,
    route,
    live: 'connecting',
    campaigns: null,
    stats: {},
    needs: null,
    list: null,
    detail: null,
    machine: null,
    busy: null,
    error: null,
    problems: {},
    notice: null,
    drafts: {},
    create: EMPTY_CREATE,
    clock: null,
  };
}

/** @param {Ctx} context */
export function createPageStore(context) {
  return createStore({
    context,
    on: {
      /** @param {Ctx} c @param {{ token: string }} e */
      tokenEntered: (c, e) => ({ ...c, token: e.token, auth: { needed: false, message: '' }, error: null }),
      /** A 401: the token that request used is dropped (unless another one replaced it meanwhile). */
      /** @param {Ctx} c @param {{ usedToken: string | null }} e */
      unauthorized: (c, e) =>
        c.token !== e.usedToken
          ? c
          : {
              ...c,
              token: null,
              ready: false,
              auth: {
                needed: true,
                message: e.usedToken
                  ? 'The agent refused that token. Enter the API token again.'
                  : 'This agent needs its API token.',
              },
            },
      /** @param {Ctx} c @param {{ message: string }} e */
      tokenRequested: (c, e) => ({ ...c, auth: { needed: true, message: e.message } }),
      /** @param {Ctx} c */
      tokenCancelled: (c) => (c.ready ? { ...c, auth: { needed: false, message: '' } } : c),
      /** @param {Ctx} c @param {{ info: Info }} e */
      infoLoaded: (c, e) => ({ ...c, info: e.info, ready: true }),
      /** @param {Ctx} c @param {{ route: Route }} e */
      routed: (c, e) => ({ ...c, route: e.route, detail: c.detail?.id === e.route.id ? c.detail : null }),
      /** @param {Ctx} c @param {{ live: Live }} e */
      liveChanged: (c, e) => ({ ...c, live: e.live }),
      /** @param {Ctx} c @param {{ campaigns: Campaign[] }} e */
      campaignsLoaded: (c, e) => ({ ...c, campaigns: e.campaigns }),
      /** @param {Ctx} c @param {{ stats: CampaignStats }} e */
      statsLoaded: (c, e) => ({ ...c, stats: { ...c.stats, [e.stats.id]: e.stats } }),
      /** @param {Ctx} c @param {{ needs: NeedsPage, more: boolean }} e */
      needsLoaded: (c, e) => ({
        ...c,
        needs:
          e.more && c.needs
            ? { ...e.needs, counts: c.needs.counts, items: [...c.needs.items, ...e.needs.items] }
            : e.needs,
      }),
      /** @param {Ctx} c @param {{ list: ListPage }} e */
      listLoaded: (c, e) => ({ ...c, list: e.list }),
      /** @param {Ctx} c @param {{ detail: Detail }} e */
      detailLoaded: (c, e) => (c.route.id === e.detail.id ? { ...c, detail: e.detail } : c),
      /** @param {Ctx} c */
      detailGone: (c) => ({ ...c, detail: null }),
      /** @param {Ctx} c @param {{ machine: Machine }} e */
      machineLoaded: (c, e) => ({ ...c, machine: e.machine }),
      /** @param {Ctx} c @param {{ key: string }} e */
      started: (c, e) => ({ ...c, busy: e.key, error: null, problems: withoutKey(c.problems, e.key) }),
      /** @param {Ctx} c */
      finished: (c) => ({ ...c, busy: null }),
      /** @param {Ctx} c @param {{ message: string, where?: string }} e */
      failed: (c, e) =>
        e.where ? { ...c, problems: { ...c.problems, [e.where]: e.message } } : { ...c, error: e.message },
      /** @param {Ctx} c */
      errorDismissed: (c) => ({ ...c, error: null }),
      /** @param {Ctx} c @param {{ text: string | null }} e */
      noticed: (c, e) => ({ ...c, notice: e.text }),
      /** @param {Ctx} c @param {{ key: string, value: string }} e */
      drafted: (c, e) => ({ ...c, drafts: { ...c.drafts, [e.key]: e.value } }),
      /** @param {Ctx} c @param {{ name: string, value: string }} e */
      fieldEdited: (c, e) => ({
        ...c,
        create: { ...c.create, fields: { ...c.create.fields, [e.name]: e.value }, created: null },
      }),
      /** @param {Ctx} c @param {{ source: 'csv' | 'sheet' }} e */
      sourceChosen: (c, e) => ({ ...c, create: { ...c.create, source: e.source, created: null } }),
      /** @param {Ctx} c @param {{ csv: string, name: string | null }} e */
      csvEdited: (c, e) => ({ ...c, create: { ...c.create, csv: e.csv, csvName: e.name, created: null } }),
      /** @param {Ctx} c */
      previewStarted: (c) => ({ ...c, create: { ...c.create, checking: true } }),
      /** @param {Ctx} c @param {{ preview: Preview | null }} e */
      previewLoaded: (c, e) => ({ ...c, create: { ...c.create, checking: false, preview: e.preview } }),
      /** @param {Ctx} c */
      createSubmitted: (c) => ({ ...c, create: { ...c.create, submitting: true } }),
      /** @param {Ctx} c @param {{ created: Created | null }} e */
      createFinished: (c, e) => ({ ...c, create: { ...c.create, submitting: false, created: e.created } }),
      /** @param {Ctx} c */
      createReset: (c) => ({ ...c, create: EMPTY_CREATE }),
      /** @param {Ctx} c @param {{ clock: { offsetHours: number, now: string } }} e */
      clockMoved: (c, e) => ({ ...c, clock: e.clock }),
    },
  });
}

/** @template T @param {Record<string, T>} record @param {string} key */
function withoutKey(record, key) {
  if (!(key in record)) return record;
  const { [key]: _, ...rest } = record;
  return rest;
}

/** @typedef {ReturnType<typeof createPageStore>} PageStore */
