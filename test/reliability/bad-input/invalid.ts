/**
 * Bad-input reliability suite: schema-invalid bodies per route, commands the negotiation's state forbids, and the
 * weights of the request categories.
 */
import type { Rng } from '../reliability-kit.ts';
import { AGENCY, MAYA, type Target, campaignBody } from './targets.ts';
import {
  ACTOR,
  APPROVE,
  CAMPAIGN,
  CLOCK,
  type Json,
  SANDBOX_MAIL,
  SLACK_ACTION,
  garbage,
  invalidBody,
} from './shapes.ts';
import { CONTROLS } from './attacks.ts';
import { CONTROL_BASE, pct } from './malformed.ts';

/** Picks the route-specific generator of schema-invalid bodies. */
export function schemaInvalid(t: Target, rng: Rng, unicode: boolean): { method: string; path: string; body: Json } {
  const id = rng.pick(t.all);
  const choice = rng.int(9);
  switch (choice) {
    case 0:
      return {
        method: 'POST',
        path: '/api/v1/campaigns',
        body: invalidBody(
          rng,
          CAMPAIGN,
          campaignBody(rng.chance(0.5) ? t.campaignId : `cmp-new-${rng.int(1e6)}`, [
            { name: 'Zed', email: 'zed@z.example' },
          ]),
          unicode,
        ),
      };
    case 1:
      return {
        method: 'POST',
        path: `/api/v1/negotiations/${id}/${rng.pick(CONTROLS)}`,
        body: invalidBody(rng, ACTOR, CONTROL_BASE(), unicode),
      };
    case 2:
      return {
        method: 'POST',
        path: `/api/v1/negotiations/${rng.chance(0.6) ? t.escalated : id}/approve`,
        body: invalidBody(rng, APPROVE, { rate: '2600.00', by: 'reliability' }, unicode),
      };
    case 3:
      return { method: 'POST', path: `/api/v1/negotiations/${id}/unpark`, body: invalidBody(rng, ACTOR, {}, unicode) };
    case 4:
      return {
        method: 'POST',
        path: `/api/v1/agencies/${encodeURIComponent(AGENCY)}/stop`,
        body: invalidBody(rng, ACTOR, CONTROL_BASE(), unicode),
      };
    case 5:
      return {
        method: 'POST',
        path: '/sandbox/mail',
        body: invalidBody(
          rng,
          SANDBOX_MAIL,
          { from: MAYA, threadId: rng.pick(t.threads), text: "Sounds great, let's do it!" },
          unicode,
        ),
      };
    case 6:
      return {
        method: 'POST',
        path: '/sandbox/slack/actions',
        body: invalidBody(
          rng,
          SLACK_ACTION,
          {
            action: rng.pick(['approve', 'walk_away', 'take_over']),
            negotiationId: t.escalated,
            user: 'U0FUZZ',
            rate: '2600',
          },
          unicode,
        ),
      };
    case 7:
      return { method: 'POST', path: '/sandbox/clock', body: invalidBody(rng, CLOCK, { advanceHours: 100 }, unicode) };
    default: {
      // A list query that breaks its schema (GET, so the query string carries the garbage).
      const bad = rng.pick([
        'foo=1',
        'state=bogus',
        'state=AGREED',
        'state=',
        'limit=0',
        'limit=1001',
        'limit=abc',
        'limit=-1',
        'limit=1.5',
        'limit=',
        'offset=-1',
        'offset=x',
        'offset=1e400',
        'campaign=-bad',
        `campaign=${'x'.repeat(129)}`,
        'campaign=a&campaign=b',
        'state=agreed&state=rejected',
        'campaign[]=x',
        'campaign=%FF%FE',
        `state=${pct(garbage(rng, 8))}x`,
        `${pct(garbage(rng, 8))}x=1`,
      ]);
      const good = rng.pick(['', 'limit=5&', `campaign=${t.campaignId}&`, 'state=escalated&']);
      return { method: 'GET', path: `/api/v1/negotiations?${good}${bad}`, body: undefined };
    }
  }
}

/** Commands that are well formed but that the negotiation's state (or its absence) forbids. */
export function stateInvalid(t: Target, rng: Rng): { method: string; path: string; body?: Json } {
  const options: (() => { method: string; path: string; body?: Json })[] = [
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.awaiting}/${rng.pick(['resume', 'release', 'walk-away'])}`,
      body: {},
    }),
    () => ({ method: 'POST', path: `/api/v1/negotiations/${rng.pick(t.all)}/unpark`, body: {} }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.escalated}/${rng.pick(['resume', 'release'])}`,
      body: {},
    }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.awaiting}/approve`,
      body: { rate: rng.pick(['2600', 2600, '2000.00']) },
    }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/${t.escalated}/approve`,
      body: { rate: rng.pick(['1999.99', '5', '0.01', 1000, '3200.01', '999999', 1e6, '1,000,000', '$1,999', '9k']) },
    }),
    () => ({
      method: 'POST',
      path: `/api/v1/negotiations/neg-${'0'.repeat(16)}/${rng.pick([...CONTROLS, 'unpark'])}`,
      body: {},
    }),
    () => ({ method: 'POST', path: `/api/v1/negotiations/neg-${'0'.repeat(16)}/approve`, body: { rate: '2600' } }),
    () => ({ method: 'GET', path: `/api/v1/negotiations/neg-${'f'.repeat(16)}` }),
    () => ({ method: 'GET', path: `/api/v1/campaigns/cmp-${'0'.repeat(8)}` }),
    () => ({
      method: 'POST',
      path: '/api/v1/campaigns',
      body: {
        ...campaignBody(t.campaignId, [{ name: 'Maya Lopez', email: MAYA, agency: AGENCY }]),
        budget: String(50001 + rng.int(1000)),
      },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/mail',
      body: { from: MAYA, threadId: `no-such-thread-${rng.int(1e6)}`, text: 'hello' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.awaiting, user: 'U0X', rate: '2600' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.escalated, user: 'U0X', rate: '1500' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'approve', negotiationId: t.escalated, user: 'U0X' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'resume', negotiationId: t.awaiting, user: 'U0X' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: { action: 'walk_away', negotiationId: t.awaiting, user: 'U0X' },
    }),
    () => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: {
        action: rng.pick(['approve', 'walk_away', 'take_over', 'resume']),
        negotiationId: 'neg-nope',
        user: 'U0X',
        rate: '2600',
      },
    }),
  ];
  if (t.terminal.length) {
    options.push(() => ({
      method: 'POST',
      path: `/api/v1/negotiations/${rng.pick(t.terminal)}/${rng.pick([...CONTROLS, 'approve'])}`,
      body: rng.chance(0.5) ? {} : { rate: '2600' },
    }));
    options.push(() => ({
      method: 'POST',
      path: '/sandbox/slack/actions',
      body: {
        action: rng.pick(['take_over', 'walk_away', 'resume']),
        negotiationId: rng.pick(t.terminal),
        user: 'U0X',
      },
    }));
  }
  const pick = rng.pick(options)();
  // The actor body of a control must stay valid here: `{}` would still be fine, a rate is not.
  if (
    /\/(pause|resume|stop|claim|release|walk-away|unpark)$/.test(pick.path) &&
    pick.body &&
    'rate' in (pick.body as object)
  ) {
    pick.body = {};
  }
  return pick;
}

export const CATEGORIES: [string, number][] = [
  ['auth', 12],
  ['method', 8],
  ['exotic_method', 2],
  ['content_type', 6],
  ['bad_json', 10],
  ['schema', 22],
  ['unicode', 8],
  ['huge', 4],
  ['deep', 4],
  ['unknown_route', 6],
  ['bad_id', 5],
  ['state', 5],
  ['webhook_credentials', 6],
  ['webhook_malformed', 4],
  ['request_id', 2],
];
export const TOTAL_WEIGHT = CATEGORIES.reduce((s, [, w]) => s + w, 0);

export function pickCategory(rng: Rng): string {
  let x = rng.int(TOTAL_WEIGHT);
  for (const [cat, w] of CATEGORIES) {
    if (x < w) return cat;
    x -= w;
  }
  return 'schema';
}
