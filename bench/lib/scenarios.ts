/**
 * What the bench says to the agent: campaign bodies and the influencer replies. The campaign is the api.md
 * example (CPM target $25, leniency 20%): at 80,000 average views the opening offer is $2,000 and the ceiling
 * $2,400, so every ask below stays within the ceiling and the agent counters (halfway, gap > 5%):
 *   $2,150 -> $2,075, $2,300 -> $2,188, $2,350 -> $2,269, $2,400 -> $2,335 (rounds 1-4 of MAX_ROUNDS=5).
 */

export const VIEWS = 80_000;

export const COUNTER_ASKS = [
  'Could you do $2,150? That is my usual rate for a Reel plus Stories.',
  'Thanks for moving! How about $2,300 for the package?',
  'We are getting closer. Could we say $2,350?',
  'Last try from my side: $2,400 and we have a deal?',
];

export function influencers(count: number, prefix: string, domain: string) {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix} ${i + 1}`,
    email: `${prefix.toLowerCase()}${i + 1}@${domain}`,
    platform: 'instagram',
    handle: `@${prefix.toLowerCase()}${i + 1}`,
    averageViews: VIEWS,
    engagementRate: 4.5,
  }));
}

export function campaignBody(id: string, infl: ReturnType<typeof influencers>) {
  return {
    id,
    client: 'Glow Skincare',
    platform: 'instagram',
    deliverables: '1 Instagram Reel, 2 Instagram Stories',
    budget: '5000000',
    cpmTarget: '25',
    cpmLeniency: '20',
    influencers: infl,
  };
}

export type Step = { reply: string } | { control: 'pause' | 'stop' | 'claim' };

/**
 * Template negotiations for the 10,000-negotiation database: each category is driven through the product to
 * its state, then cloned. `weight` is its share (percent) of the clones; 80% end non-terminal.
 */
export const TEMPLATES: { category: string; state: string; weight: number; steps: Step[] }[] = [
  { category: 'awaiting_reply', state: 'awaiting_reply', weight: 36, steps: [] },
  { category: 'counter_sent_r1', state: 'counter_sent', weight: 10, steps: [{ reply: COUNTER_ASKS[0] }] },
  {
    category: 'counter_sent_r2',
    state: 'counter_sent',
    weight: 8,
    steps: COUNTER_ASKS.slice(0, 2).map((reply) => ({ reply })),
  },
  {
    category: 'counter_sent_r3',
    state: 'counter_sent',
    weight: 6,
    steps: COUNTER_ASKS.slice(0, 3).map((reply) => ({ reply })),
  },
  { category: 'counter_sent_r4', state: 'counter_sent', weight: 4, steps: COUNTER_ASKS.map((reply) => ({ reply })) },
  {
    category: 'answered_question',
    state: 'counter_sent',
    weight: 3,
    steps: [{ reply: 'What would the posting schedule look like?' }],
  },
  {
    category: 'escalated_legal',
    state: 'escalated',
    weight: 4,
    steps: [{ reply: COUNTER_ASKS[0] }, { reply: 'Before we go on, my lawyer needs to review the contract terms.' }],
  },
  {
    category: 'escalated_hostile',
    state: 'escalated',
    weight: 3,
    steps: [{ reply: 'Is this a joke? That offer is ridiculous.' }],
  },
  { category: 'paused', state: 'paused', weight: 3, steps: [{ reply: COUNTER_ASKS[0] }, { control: 'pause' }] },
  {
    category: 'human_controlled',
    state: 'counter_sent',
    weight: 3,
    steps: [{ reply: COUNTER_ASKS[0] }, { control: 'claim' }],
  },
  {
    category: 'agreed_accept',
    state: 'agreed',
    weight: 7,
    steps: [{ reply: COUNTER_ASKS[0] }, { reply: "Sounds great, let's do it!" }],
  },
  {
    category: 'agreed_at_ask',
    state: 'agreed',
    weight: 5,
    steps: [{ reply: 'I could do it for $2,050 if that works.' }],
  },
  { category: 'rejected', state: 'rejected', weight: 5, steps: [{ reply: "Thanks, but I'm not interested." }] },
  { category: 'stopped', state: 'stopped', weight: 3, steps: [{ reply: COUNTER_ASKS[0] }, { control: 'stop' }] },
];
