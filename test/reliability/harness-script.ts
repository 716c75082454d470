/**
 * The script of the reliability suites (harness.ts): campaigns, influencers and what each of them answers at each step.
 */
import { seededRandom } from '../../services/sandbox/faults.ts';

export const HOUR_MS = 3_600_000;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------------
// The script: campaigns, influencers and what each of them answers at each step.

/** Steps of every run. `reply:k` = each influencer's k-th scripted reply (if any); `clock:h` = sandbox clock at +h. */
export const STEPS = [
  'create',
  'reply:0',
  'reply:1',
  'reply:2',
  'clock:73',
  'reply:3',
  'clock:146',
  'reply:4',
] as const;
export type Step = (typeof STEPS)[number];
/** How much of the work (and so of the kills) each step has, roughly. */
export const STEP_WEIGHTS = [4, 5, 3, 2, 1, 2, 1, 1];

export const usd = (dollars: number) => `$${Math.round(dollars).toLocaleString('en-US')}`;
export type Line = string | null | ((openingDollars: number) => string);
export const ask =
  (factor: number, words = "I'd do it for") =>
  (o: number) =>
    `${words} ${usd(o * factor)}.`;

/**
 * Influencer behaviours (replies by `reply:k` step; null = silence). Amounts are relative to the opening offer O;
 * each campaign's max cost without approval is 1.15 O (below its CPM ceiling of 1.2 O).
 */
export const TEMPLATES: { name: string; replies: Line[]; expect: string }[] = [
  { name: 'accept', replies: ["Sounds great, let's do it!"], expect: 'agreed' },
  { name: 'counter_in_range_then_accept', replies: [ask(1.1), 'Sounds great, deal!'], expect: 'agreed' },
  {
    name: 'two_counters_then_close',
    replies: [ask(1.15, 'Could you do'), ask(1.14, 'How about'), ask(1.13, 'Final from me:')],
    expect: 'agreed',
  },
  { name: 'above_ceiling', replies: [ask(1.6, 'My rate for this package is')], expect: 'escalated' },
  { name: 'reject', replies: ["Thanks, but I'll pass on this one."], expect: 'rejected' },
  {
    name: 'question_then_accept',
    replies: ['When would the content need to go live?', 'Perfect, count me in.'],
    expect: 'agreed',
  },
  { name: 'silent', replies: [], expect: 'stale' },
  {
    name: 'silent_then_accept_after_follow_up',
    replies: [null, null, null, "Sorry for the slow reply, sounds good, let's do it."],
    expect: 'agreed',
  },
  { name: 'counter_then_silent', replies: [ask(1.1)], expect: 'stale' },
  { name: 'legal', replies: ['Before we go on, my lawyer needs to review the contract terms.'], expect: 'escalated' },
  {
    name: 'above_ceiling_then_nudge',
    replies: [ask(1.6, 'My rate is'), null, 'Any update on this?'],
    expect: 'escalated',
  },
  {
    name: 'stale_then_revive',
    replies: [null, null, null, null, "Sorry, I was travelling. Sounds great, let's do it!"],
    expect: 'agreed',
  },
  {
    name: 'agreed_then_thanks',
    replies: ["Sounds great, let's do it!", 'Thank you so much, talk soon.'],
    expect: 'agreed',
  },
  { name: 'hostile', replies: ['Is this a joke? That offer is ridiculous.'], expect: 'escalated' },
  { name: 'counter_then_reject', replies: [ask(1.1), "I'll have to pass, thanks."], expect: 'rejected' },
  {
    name: 'two_questions_then_accept',
    replies: [
      'What would the posting schedule look like?',
      'Can the Stories go up on a weekend?',
      'Sounds great, deal!',
    ],
    expect: 'agreed',
  },
];

export interface Persona {
  key: string; // campaign/email: stable across runs (negotiation ids are random per run)
  campaignId: string;
  name: string;
  email: string;
  openingDollars: number;
  template: (typeof TEMPLATES)[number];
}

export interface Script {
  campaigns: Record<string, unknown>[];
  personas: Persona[];
}

export const VIEWS = [60_000, 80_000, 100_000];

/** `count` negotiations in campaigns of `perCampaign`, behaviours dealt from a seeded shuffle. */
export function buildScript(count: number, perCampaign: number, seed: number): Script {
  const random = seededRandom(seed);
  const deck = Array.from({ length: count }, (_, i) => TEMPLATES[i % TEMPLATES.length]);
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  const campaigns: Record<string, unknown>[] = [];
  const personas: Persona[] = [];
  for (let c = 0; c * perCampaign < count; c++) {
    const views = VIEWS[c % VIEWS.length];
    const opening = (views * 25) / 1000; // $25 CPM target
    const id = `rel-${c + 1}`;
    const influencers = [];
    for (let i = c * perCampaign; i < Math.min(count, (c + 1) * perCampaign); i++) {
      const name = `Creator ${i + 1}`;
      const email = `creator${i + 1}@creators.test`;
      influencers.push({ name, email, platform: 'instagram', averageViews: views });
      personas.push({ key: `${id}/${email}`, campaignId: id, name, email, openingDollars: opening, template: deck[i] });
    }
    campaigns.push({
      id,
      client: 'Glow Skincare',
      platform: 'instagram',
      deliverables: '1 Instagram Reel, 2 Instagram Stories',
      budget: '10000000',
      cpmTarget: '25',
      cpmLeniency: '20',
      maxCostWithoutApproval: (opening * 1.15).toFixed(2), // dollars and cents: the intake refuses more decimals
      influencers,
    });
  }
  return { campaigns, personas };
}

export function replyText(p: Persona, k: number): string | null {
  const line = p.template.replies[k];
  if (line == null) return null;
  return typeof line === 'function' ? line(p.openingDollars) : line;
}
