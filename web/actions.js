// What a person does from the page. Each action shows it is running, then what it did (a notice) or the API's
// refusal, in words, where it was asked (`where`); whatever it changed comes back through the live updates.
import { ApiError, describe, post, Unauthorized } from './api.js';
import { refresh, scheduleRefresh } from './load.js';
import { ctx, store } from './page.js';
import { go } from './router.js';
import { counted, stateWords, usd } from './dom.js';

/** @type {ReturnType<typeof setTimeout> | undefined} */
let noticeTimer;
/** @param {string} text */
export function notify(text) {
  store.trigger.noticed({ text });
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => store.trigger.noticed({ text: null }), 6000);
}

/**
 * Runs `work` as the page's action `key`; a refusal is shown at `where` (or at the top of the page).
 * @template T @param {string} key @param {string | undefined} where @param {() => Promise<T>} work
 * @returns {Promise<T | undefined>}
 */
async function run(key, where, work) {
  store.trigger.started({ key: where ?? key });
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof Unauthorized)) store.trigger.failed({ message: describe(error), where });
    return undefined;
  } finally {
    store.trigger.finished();
    scheduleRefresh(0);
  }
}

const NAMES = /** @type {Record<string, string>} */ ({
  pause: 'Paused',
  resume: 'Resumed',
  stop: 'Stopped',
  claim: 'Taken over',
  release: 'Handed back to the agent',
  'walk-away': 'Walked away',
  unpark: 'Unparked',
});

/**
 * pause, resume, stop, claim, release, walk-away, unpark.
 * @param {string} id @param {string} action @param {string} [where]
 */
export async function negotiationAction(id, action, where) {
  const result = await run(action, where, () => post(`/api/v1/negotiations/${encodeURIComponent(id)}/${action}`));
  if (result) notify(`${NAMES[action] ?? action}: now ${stateWords(result.state)}`);
}

/**
 * Approves an escalation at `rate` (dollars as typed: "2,600" or "2600.00"). The API refuses an amount above their
 * latest ask or below our last offer with a sentence naming it: that sentence is shown at `where`.
 * @param {string} id @param {string} rate @param {number | null} escalation @param {string} where
 */
export async function approve(id, rate, escalation, where) {
  const amount = rate.trim().replace(/[$,\s]/g, '');
  if (!amount) {
    store.trigger.failed({ message: 'Enter the amount to approve', where });
    return;
  }
  const body = escalation ? { rate: amount, escalation } : { rate: amount };
  const result = await run('approve', where, () =>
    post(`/api/v1/negotiations/${encodeURIComponent(id)}/approve`, body),
  );
  if (result) notify(`Approved ${usd(amount)}: the counter is on its way`);
}

/** @param {string} id @param {'pause' | 'resume' | 'stop'} action */
export async function campaignAction(id, action) {
  const result = await run(`campaign-${action}`, `campaign:${id}`, () =>
    post(`/api/v1/campaigns/${encodeURIComponent(id)}/${action}`),
  );
  if (result)
    notify(`Campaign ${result.status}: ${counted(result.changed, 'negotiation')} ${NAMES[action]?.toLowerCase()}`);
}

/** @param {string} agency */
export async function stopAgency(agency) {
  const result = await run('agency', 'agency', () => post(`/api/v1/agencies/${encodeURIComponent(agency)}/stop`));
  if (result) notify(`Agency ${result.agency}: ${counted(result.stopped, 'negotiation')} stopped`);
}

/** Sandbox: an email from the influencer, as their mail client would send it. @param {import('./types').Detail} n @param {string} text */
export async function replyAsInfluencer(n, text) {
  if (!n.threadId || !text.trim()) return false;
  const from = `${n.influencer.name} <${n.influencer.email}>`;
  const result = await run('sandbox-mail', 'sandbox-mail', () =>
    post('/sandbox/mail', { from, threadId: n.threadId, text }),
  );
  if (result) notify(`Sent as ${n.influencer.name}: the agent is reading it`);
  return Boolean(result);
}

/** Sandbox: moves the agent's clock (follow-ups after 72 h, stale after 72 h more). @param {number} hours */
export async function moveClock(hours) {
  const result = await run('clock', 'clock', () => post('/sandbox/clock', { advanceHours: hours }));
  if (result) {
    store.trigger.clockMoved({ clock: result });
    notify(`The agent's clock moved ${hours} h forward`);
  }
}

// ---- campaign creation ---------------------------------------------------------------------------------------------

/** The body of POST /api/v1/campaigns from the form (blank fields left out). @param {boolean} withCsv */
export function campaignBody(withCsv) {
  const { fields, source, csv } = ctx().create;
  /** @type {Record<string, unknown>} */
  const body = {};
  /** @type {Record<string, Record<string, string>>} */
  const usage = { target: {}, minimum: {} };
  for (const [name, raw] of Object.entries(fields)) {
    const value = raw.trim();
    if (!value) continue;
    const side = /^usage\.(target|minimum)\.(\w+)$/.exec(name);
    if (side) usage[side[1]][side[2]] = value;
    else if (name === 'deliverableScenarios' || name === 'paymentMethods')
      body[name] = value
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (value === 'yes' || value === 'no') body[name] = value === 'yes';
    else if (name === 'targetInfluencerCount' || name === 'revisionRounds')
      body[name] = /^\d+$/.test(value) ? Number(value) : value;
    else body[name] = value;
  }
  if (Object.keys(usage.target).length || Object.keys(usage.minimum).length) body.usageRights = usage;
  if (source === 'csv' && withCsv) body.csv = csv;
  return body;
}

let previewSeq = 0;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let previewTimer;

/** The server's dry run of the form, shortly after the last edit (only the latest answer is kept). */
export function schedulePreview(delay = 350) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(async () => {
    const seq = ++previewSeq;
    store.trigger.previewStarted();
    try {
      const preview = await post('/api/v1/campaigns/preview', campaignBody(true));
      if (seq === previewSeq) store.trigger.previewLoaded({ preview });
    } catch (error) {
      if (seq === previewSeq) store.trigger.previewLoaded({ preview: null });
      if (!(error instanceof Unauthorized)) store.trigger.failed({ message: describe(error), where: 'create' });
    }
  }, delay);
}

/** Creates the campaign: the rows the preview read are posted; skipped ones are skipped again, nobody emailed. */
export async function createCampaign() {
  const { preview, source } = ctx().create;
  if (!preview?.ok) return;
  const body = campaignBody(false);
  if (source === 'csv') body.influencers = preview.influencers;
  store.trigger.createSubmitted();
  store.trigger.started({ key: 'create' });
  try {
    const created = await post('/api/v1/campaigns', body);
    store.trigger.createFinished({ created });
    notify(`Campaign ${created.id}: ${counted(created.negotiations.length, 'negotiation')} started`);
    await refresh();
  } catch (error) {
    store.trigger.createFinished({ created: null });
    if (!(error instanceof Unauthorized))
      store.trigger.failed({ message: describe(error), where: error instanceof ApiError ? 'create' : undefined });
  } finally {
    store.trigger.finished();
  }
}

/** @param {string} id */
export const openCampaign = (id) => go({ view: 'campaign', id });
