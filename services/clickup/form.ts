// The campaign form (domain.md §5.2): the 45 field names, exactly as ClickUp shows them.

export const CLICKUP_FIELDS = {
  // Background
  clientName: 'Client Name',
  clientWebsite: 'Client Website',
  campaignManager: 'Campaign Manager',
  paymentMethods: 'Available Payment Methods for Influencers (select all that apply)',
  paymentTerms: 'Payment Terms for Influencers (select one)',
  // Goals
  primaryGoal: 'Campaign Type / Primary Goal',
  secondaryGoal: 'Secondary Goal',
  businessContext: 'Why do we have these goals? (Business context, etc)',
  optimizeFor: 'Optimize For',
  // CPM (the numerical field wins over the text one when both are answered)
  cpmTargetText: 'CPM Target',
  cpmTargetNumber: 'CPM Target - Numerical value ($20-$50)',
  cpmLeniency: 'CPM Leniency - Numerical value (0-100%)',
  // Distribution
  platformDistribution: 'Outline the target percentage distribution by platform',
  marketDistribution:
    'Outline the target percentage distribution by market (Give each market a percentage i.e. USA 100%)',
  influencerSizeDistribution: 'What is the percentage distribution by influencer size.',
  // Deliverables (note the double space before "Scenario 1")
  targetDeliverables: 'Target Deliverables per Influencer (select all that apply)',
  contentSyndication: 'Can content be syndicated across multiple platforms?',
  scenario1: 'Minimum Deliverables per Influencer -  Scenario 1 (Text field i.e. Instagram Reel and TikTok)',
  scenario2: 'Minimum Deliverables per Influencer - OR Scenario 2 (Text field i.e. Instagram Reel and UGC Video)',
  scenario3: 'Minimum Deliverables per Influencer - OR Scenario 3 (Text field i.e. Instagram Reel and IG Story)',
  // Usage rights
  targetPaidUsage: 'Target for Paid Usage Required (select one)',
  targetWhitelisting: 'Target for Whitelisting Required (select one)',
  targetOrganicOwned: 'Target for Organic and Owned Channels Required (select one)',
  minimumPaidUsage: 'Minimum for Paid Usage Required (select one)',
  minimumWhitelisting: 'Minimum for Whitelisting Required (select one)',
  minimumOrganicOwned: 'Minimum for Organic and Owned Channels Required (select one)',
  // Budget
  budget: 'Campaign Budget',
  targetInfluencerCount: 'Target Number of Influencers',
  targetCostRange: 'Target Cost per Influencer (Range)',
  minCostPerInfluencer: 'Minimum Cost per Influencer (Do not make an offer lower than this)',
  maxCostWithoutApproval: 'Maximum Cost per Influencer without Human Approval',
  // Product
  productAvailable: 'Can product be used as a lever for negotiation?',
  productDescription: 'What is the product or upgrade that can be offered?',
  productMonetaryValue: 'What is the monetary value of the product or upgrade offered?',
  // Requirements
  exclusivityRequired: 'Category Exclusivity Required',
  exclusivityTerm: 'Category Exclusivity Term Requirement',
  exclusivityDescription: 'Category exclusivity description',
  contentPostedOrganically: "Is content required to be posted organically on the influencer's profile?",
  contentApprovalRequired: 'Is content approval required by the campaign manager prior to posting?',
  revisionRounds: 'How many rounds of content revisions must the influencer agree to?',
  rawFootageRequired: 'Is the influencer required to deliver their raw footage in addition to final deliverables?',
  contentDeliveryDate: 'When is the content expected to be delivered for approval?',
  contentPublishDate: 'When is the content expected to be published?',
  // Sheet routing
  sheetTab: 'Influencer Sheet Tab Name',
  sheetId: 'Influencer Sheet ID',
} as const;
