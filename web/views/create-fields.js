// The fields of POST /api/v1/campaigns as the creation form shows them, grouped; the common ones open, the rest of
// the ClickUp campaign form folded away. Names are the API's; the server checks every value (the dry run).

/**
 * @typedef {{ name: string, label: string, kind?: 'text' | 'textarea' | 'select' | 'yesno' | 'number', options?: [string, string][], hint?: string, required?: boolean, placeholder?: string }} Field
 * @typedef {{ title: string, open: boolean, fields: Field[] }} Group
 */

const DURATIONS = /** @type {[string, string][]} */ ([
  ['', '—'],
  ['not_required', 'Not required'],
  ['days_30', '30 days'],
  ['days_60', '60 days'],
  ['days_90', '90 days'],
  ['months_6', '6 months'],
  ['year_1', '1 year'],
  ['perpetual', 'Perpetual'],
]);

/** @param {'target' | 'minimum'} side @returns {Field[]} */
const usage = (side) =>
  [
    ['paidUsage', 'paid usage'],
    ['whitelisting', 'whitelisting'],
    ['organicOwned', 'organic (owned) use'],
  ].map(([right, words]) => ({
    name: `usage.${side}.${right}`,
    label: `${side === 'target' ? 'Wanted' : 'At least'}: ${words}`,
    kind: 'select',
    options: DURATIONS,
  }));

/** @type {Group[]} */
export const GROUPS = [
  {
    title: 'Campaign',
    open: true,
    fields: [
      { name: 'client', label: 'Client', required: true, placeholder: 'Glow Skincare' },
      {
        name: 'id',
        label: 'Campaign id',
        required: true,
        hint: 'Letters, digits, . _ : - (a short name you will recognise)',
        placeholder: 'glow-q1',
      },
      {
        name: 'platform',
        label: 'Platform',
        kind: 'select',
        required: true,
        options: [
          ['instagram', 'Instagram'],
          ['tiktok', 'TikTok'],
          ['youtube', 'YouTube'],
        ],
      },
      {
        name: 'deliverables',
        label: 'Deliverables',
        required: true,
        placeholder: '1 Instagram Reel, 2 Instagram Stories',
      },
      {
        name: 'deliverableScenarios',
        label: 'Fallback packages (one per line, up to 3)',
        kind: 'textarea',
        hint: 'Smaller packages the agent may offer instead of paying more',
      },
    ],
  },
  {
    title: 'Money',
    open: true,
    fields: [
      { name: 'budget', label: 'Budget ($)', placeholder: '50000' },
      {
        name: 'cpmTarget',
        label: 'CPM target ($ per 1,000 views)',
        placeholder: '25',
        hint: 'The opening offer is this CPM applied to the average views',
      },
      {
        name: 'cpmLeniency',
        label: 'Leniency (%)',
        placeholder: '20',
        hint: 'How far above the target the agent may go on its own',
      },
      { name: 'minCostPerInfluencer', label: 'Minimum per influencer ($)', placeholder: '1000' },
      {
        name: 'maxCostWithoutApproval',
        label: 'Max without approval ($)',
        placeholder: '2300',
        hint: 'Above this, a person decides',
      },
      { name: 'paymentTerms', label: 'Payment terms', placeholder: 'within 30 days of content going live' },
    ],
  },
  {
    title: 'Product, usage rights and syndication',
    open: false,
    fields: [
      { name: 'productAvailable', label: 'Product to offer', kind: 'yesno' },
      { name: 'productDescription', label: 'Product description' },
      { name: 'productMonetaryValue', label: 'Product value ($)' },
      { name: 'contentSyndication', label: 'Content syndication', kind: 'yesno' },
      ...usage('target'),
      ...usage('minimum'),
    ],
  },
  {
    title: 'Brief',
    open: false,
    fields: [
      { name: 'campaignManager', label: 'Campaign manager' },
      { name: 'clientWebsite', label: 'Client website' },
      { name: 'primaryGoal', label: 'Primary goal' },
      { name: 'secondaryGoal', label: 'Secondary goal' },
      { name: 'businessContext', label: 'Business context', kind: 'textarea' },
      {
        name: 'optimizeFor',
        label: 'Optimise for',
        kind: 'select',
        options: [
          ['', '—'],
          ['cpm', 'CPM'],
          ['content_volume_usage_rights', 'Content volume and usage rights'],
          ['balance', 'Balance'],
        ],
      },
      { name: 'targetInfluencerCount', label: 'Target number of influencers', kind: 'number' },
      { name: 'targetCostRange', label: 'Target cost range' },
      { name: 'paymentMethods', label: 'Payment methods (one per line)', kind: 'textarea' },
    ],
  },
  {
    title: 'Exclusivity and content',
    open: false,
    fields: [
      { name: 'exclusivityRequired', label: 'Exclusivity required', kind: 'yesno' },
      { name: 'exclusivityTerm', label: 'Exclusivity term' },
      { name: 'exclusivityDescription', label: 'Exclusivity description', kind: 'textarea' },
      { name: 'contentPostedOrganically', label: 'Posted organically', kind: 'yesno' },
      { name: 'contentApprovalRequired', label: 'Content approval required', kind: 'yesno' },
      { name: 'revisionRounds', label: 'Revision rounds', kind: 'number' },
      { name: 'rawFootageRequired', label: 'Raw footage required', kind: 'yesno' },
      { name: 'contentDeliveryDate', label: 'Content delivery date' },
      { name: 'contentPublishDate', label: 'Content publish date' },
      { name: 'platformDistribution', label: 'Platform distribution' },
      { name: 'marketDistribution', label: 'Market distribution' },
      { name: 'influencerSizeDistribution', label: 'Influencer size distribution' },
    ],
  },
];

/** The sheet's columns, for the help text and the example. */
export const SHEET_EXAMPLE = `Name,Email,Platform,Handle,Average Views,Engagement Rate
Maya Lopez,maya@gmail.com,instagram,@maya,"80,000",4.5%
Jordan Kim,jordan.kim@outlook.com,instagram,@jordankim,"50,000",3.2%`;
