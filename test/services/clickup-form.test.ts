/**
 * ClickUp form -> campaign body (services/clickup/campaign.ts): the 45 form fields, exact money, the D12 fixes and the
 * problems that name a field. Fixtures: clickup-fixtures.ts.
 */
import { expect } from 'chai';
import { campaignSchema, definitionOf, termsOf } from '../../services/campaigns.ts';
import { platformFromDistribution } from '../../services/clickup/platform.ts';
import { campaignFormFields, cf, withField, withoutAnswer } from '../support/fake-clickup.ts';
import { DURATIONS, F, TASK_ID, YES_NO, campaignOf, change, problemsOf } from './clickup-fixtures.ts';

describe('ClickUp form -> campaign body', () => {
  it('knows the 45 form fields by their exact names', () => {
    const names = Object.values(F);
    expect(names).to.have.length(45);
    expect(new Set(names).size).to.equal(45);
    expect(F.scenario1).to.contain('-  Scenario 1'); // the double space is in the form
    const served = campaignFormFields().map((f) => f.name);
    for (const name of names) expect(served, name).to.include(name);
  });

  it('maps a realistic submission to a body the campaign schema accepts, with exact values', () => {
    const campaign = campaignOf();
    expect(campaign).to.deep.equal({
      id: `clickup-${TASK_ID}`,
      client: 'Glow Skincare',
      platform: 'tiktok',
      deliverables: 'TikTok Video, Instagram Reel',
      deliverableScenarios: [
        '1 TikTok Video and 1 Instagram Reel',
        '1 TikTok Video and 1 Instagram Story',
        '1 TikTok Video',
      ],
      budget: '50000.00',
      cpmTarget: '25',
      cpmLeniency: '20',
      minCostPerInfluencer: '1000.00',
      maxCostWithoutApproval: '2300.50',
      sheetTab: 'Glow Q2',
      paymentTerms: '50% upfront, 50% on delivery',
      contentSyndication: true,
      usageRights: {
        target: { paidUsage: 'days_90', whitelisting: 'days_30', organicOwned: 'year_1' },
        minimum: { paidUsage: 'days_30', whitelisting: 'not_required', organicOwned: 'months_6' },
      },
      productAvailable: true,
      productDescription: 'Full SPF serum kit',
      productMonetaryValue: '150.00',
      clientWebsite: 'https://glowskincare.example',
      campaignManager: 'Dana Whitfield',
      paymentMethods: ['PayPal', 'Bank Transfer (ACH)'],
      primaryGoal: 'Product Launch',
      secondaryGoal: 'Awareness',
      businessContext: 'New SPF serum launches in May; we need Gen Z reach before the summer push.',
      optimizeFor: 'cpm',
      targetInfluencerCount: 10,
      targetCostRange: '$2,000-$5,000',
      exclusivityRequired: false,
      contentPostedOrganically: true,
      contentApprovalRequired: true,
      revisionRounds: 2,
      rawFootageRequired: false,
      contentDeliveryDate: '2025-04-15T00:00:00.000Z',
      contentPublishDate: '2025-05-01T00:00:00.000Z',
      platformDistribution: '60% TikTok, 40% IG',
      marketDistribution: 'USA 80%, Canada 20%',
      influencerSizeDistribution: 'Micro 70%, Mid-tier 30%',
    });

    // What the intake does with it: parse (money to integer cents), store, derive the terms.
    const parsed = campaignSchema.parse(campaign);
    expect(parsed.budget).to.equal(5_000_000);
    expect(parsed.minCostPerInfluencer).to.equal(100_000);
    expect(parsed.maxCostWithoutApproval).to.equal(230_050);
    expect(parsed.productMonetaryValue).to.equal(15_000);
    const def = definitionOf(parsed);
    expect(def.budget).to.equal('50000.00');
    expect(def.maxCostWithoutApproval).to.equal('2300.50');
    const terms = termsOf(def, 'Net 30');
    expect(terms.floorCpmCents).to.equal(2500);
    expect(terms.ceilingCpmCents).to.equal(3000);
    expect(terms.platform).to.equal('tiktok');
    expect(terms.deliverables).to.equal('1 TikTok Video and 1 Instagram Reel');
    expect(terms.paymentTerms).to.equal('50% upfront, 50% on delivery');
    // The body is stable through JSON (it is what a caller would POST to /api/v1/campaigns).
    expect(campaignSchema.parse(JSON.parse(JSON.stringify(campaign)))).to.deep.equal(parsed);
  });

  it('reads money exactly, with currency signs and thousands separators (no float drift)', () => {
    const c = campaignOf(
      change(
        cf.text(F.budget, '$1,234,567.89'),
        cf.text(F.minCostPerInfluencer, '$1,000'),
        cf.number(F.maxCostWithoutApproval, 2300.1),
        cf.currency(F.productMonetaryValue, 0.29),
        cf.text(F.cpmLeniency, '2.5%'),
        cf.text(F.targetInfluencerCount, '1,000'),
      ),
    );
    expect(c.budget).to.equal('1234567.89');
    expect(c.minCostPerInfluencer).to.equal('1000.00');
    expect(c.maxCostWithoutApproval).to.equal('2300.10');
    expect(c.productMonetaryValue).to.equal('0.29');
    expect(c.cpmLeniency).to.equal('2.5');
    expect(c.targetInfluencerCount).to.equal(1000);
    const parsed = campaignSchema.parse(c);
    expect(parsed.budget).to.equal(123_456_789);
    expect(parsed.productMonetaryValue).to.equal(29);
    expect(termsOf(definitionOf(parsed), 'x').ceilingCpmCents).to.equal(2563); // 25 × 1.025 = 25.625 -> 25.63
  });

  it('uses the numerical CPM field over the text one, and the text one alone when it is a number', () => {
    expect(campaignOf().cpmTarget).to.equal('25');
    const textOnly = withField(
      withoutAnswer(campaignFormFields(), F.cpmTargetNumber),
      cf.text(F.cpmTargetText, '$22.50'),
    );
    expect(campaignOf(textOnly).cpmTarget).to.equal('22.50');
  });

  it('reads a date range and leaves unanswered optional fields out', () => {
    const c = campaignOf(
      change(cf.date(F.contentDeliveryDate, { start: Date.UTC(2025, 3, 1), end: Date.UTC(2025, 3, 15, 12, 30) })),
    );
    expect(c.contentDeliveryDate).to.equal('2025-04-01T00:00:00.000Z to 2025-04-15T12:30:00.000Z');
    expect(c).to.not.have.property('sheetId');
    expect(c).to.not.have.property('exclusivityTerm');
    expect(c).to.not.have.property('exclusivityDescription');
  });

  it('treats the 0 ClickUp sends for an empty text field as unanswered', () => {
    const fields = withField(campaignFormFields(), { ...cf.text(F.exclusivityDescription), value: 0 });
    expect(campaignOf(fields)).to.not.have.property('exclusivityDescription');
  });

  it('matches a field name up to spacing, case and curly apostrophes when the exact name is absent', () => {
    const fields = withoutAnswer(campaignFormFields(), F.contentPostedOrganically);
    const retyped = cf.dropDown(
      'Is content required to be posted organically on the influencer\u2019s profile?',
      YES_NO,
      'No',
    );
    expect(campaignOf([...fields, retyped]).contentPostedOrganically).to.equal(false);
  });

  describe('D12 fixes', () => {
    const platformFor = (distribution: string) =>
      campaignOf(change(cf.text(F.platformDistribution, distribution))).platform;

    it('platform = the largest requested share, not a fixed order', () => {
      expect(platformFor('60% Instagram, 40% TikTok')).to.equal('instagram'); // a fixed order said tiktok
      expect(platformFor('30% TikTok, 70% YouTube')).to.equal('youtube');
      expect(platformFor('Instagram 20 / TikTok 80')).to.equal('tiktok');
      expect(platformFor('100% IG')).to.equal('instagram');
      expect(platformFor('IG Reels 30%, IG Stories 30%, TikTok 40%')).to.equal('instagram'); // shares add up
      expect(platformFor('TikTok (ages 18-24) 35%, Instagram 65%')).to.equal('instagram');
      expect(platformFor('50% TikTok, 50% Instagram')).to.equal('tiktok'); // tie: the first named
      expect(platformFor('YouTube Shorts')).to.equal('youtube');
    });

    it('platform without a distribution: the one platform the deliverables name', () => {
      const fields = withoutAnswer(
        change(
          cf.labels(F.targetDeliverables, ['YouTube Short', 'YouTube Integration'], ['YouTube Integration']),
          cf.text(F.scenario1, '1 YouTube Integration'),
          cf.text(F.scenario2, '1 YouTube Short'),
          cf.text(F.scenario3, undefined),
        ),
        F.platformDistribution,
      );
      const c = campaignOf(fields);
      expect(c.platform).to.equal('youtube');
      expect(c.deliverableScenarios).to.deep.equal(['1 YouTube Integration', '1 YouTube Short']);
    });

    it('Yes/No select answers keep their meaning (No is false, not dropped or true)', () => {
      const yes = campaignOf(
        change(
          cf.dropDown(F.contentSyndication, YES_NO, 'Yes'),
          cf.dropDown(F.exclusivityRequired, YES_NO, 'Yes'),
          cf.dropDown(F.rawFootageRequired, ['yes', 'no'], 'yes'),
          cf.checkbox(F.contentApprovalRequired, true),
        ),
      );
      expect([
        yes.contentSyndication,
        yes.exclusivityRequired,
        yes.rawFootageRequired,
        yes.contentApprovalRequired,
      ]).to.deep.equal([true, true, true, true]);
      const no = campaignOf(
        change(
          cf.dropDown(F.contentSyndication, YES_NO, 'No'),
          cf.dropDown(F.productAvailable, ['Yes, a product kit', 'No, cash only'], 'No, cash only'),
          cf.dropDown(F.contentPostedOrganically, YES_NO, 'No'),
          cf.checkbox(F.contentApprovalRequired, false),
        ),
      );
      expect([
        no.contentSyndication,
        no.productAvailable,
        no.contentPostedOrganically,
        no.contentApprovalRequired,
      ]).to.deep.equal([false, false, false, false]);
    });

    it('duration labels are matched case-insensitively', () => {
      const labels = ['not required', '30 days', '60 DAYS', '90 days', '6 months', '12 Months', '1 year', 'PERPETUAL'];
      const expected = ['not_required', 'days_30', 'days_60', 'days_90', 'months_6', 'year_1', 'year_1', 'perpetual'];
      labels.forEach((label, i) => {
        const c = campaignOf(
          change(cf.dropDown(F.targetPaidUsage, labels, label), cf.dropDown(F.minimumPaidUsage, DURATIONS)),
        );
        expect(c.usageRights?.target?.paidUsage, label).to.equal(expected[i]);
      });
    });

    it('optimize-for labels map to their option (Content Volume & Usage Rights is not "balance")', () => {
      const opts = ['CPM', 'Content Volume & Usage Rights', 'Balance'];
      const of = (label: string) => campaignOf(change(cf.dropDown(F.optimizeFor, opts, label))).optimizeFor;
      expect(opts.map(of)).to.deep.equal(['cpm', 'content_volume_usage_rights', 'balance']);
    });
  });

  describe('problems, each naming the form field', () => {
    it('no CPM data', () => {
      const fields = withoutAnswer(withoutAnswer(campaignFormFields(), F.cpmTargetNumber), F.cpmTargetText);
      expect(problemsOf(fields)).to.deep.equal([
        `"${F.cpmTargetNumber}": no CPM data (neither it nor "${F.cpmTargetText}" is answered), so no offer can be priced`,
      ]);
    });

    it('a CPM that is a range, zero or not a number', () => {
      const textOnly = (v: string) =>
        withField(withoutAnswer(campaignFormFields(), F.cpmTargetNumber), cf.text(F.cpmTargetText, v));
      expect(problemsOf(textOnly('$20-$50'))).to.deep.equal([
        `"${F.cpmTargetText}": "$20-$50" is a range; give one number`,
      ]);
      expect(problemsOf(change(cf.number(F.cpmTargetNumber, '0')))[0]).to.match(
        /^"CPM Target - Numerical value \(\$20-\$50\)": the CPM target must be greater than 0/,
      );
      expect(problemsOf(change(cf.number(F.cpmTargetNumber, 'TBD')))).to.deep.equal([
        `"${F.cpmTargetNumber}": "TBD" is not a number`,
      ]);
    });

    it('an unknown platform, or none', () => {
      expect(problemsOf(change(cf.text(F.platformDistribution, '70% Snapchat, 30% TikTok')))).to.deep.equal([
        `"${F.platformDistribution}": the largest share (70%) is for "Snapchat", not a platform the agent negotiates on (instagram, tiktok, youtube)`,
      ]);
      expect(problemsOf(change(cf.text(F.platformDistribution, 'Pinterest only')))[0]).to.match(
        /names no platform the agent negotiates on/,
      );
      const mixed = withoutAnswer(campaignFormFields(), F.platformDistribution);
      expect(problemsOf(mixed)).to.deep.equal([
        `"${F.platformDistribution}": missing, and the deliverables name tiktok and instagram; say which platform the campaign is for`,
      ]);
    });

    it('no deliverables', () => {
      let fields = withoutAnswer(campaignFormFields(), F.targetDeliverables);
      for (const s of [F.scenario1, F.scenario2, F.scenario3]) fields = withoutAnswer(fields, s);
      expect(problemsOf(fields)).to.deep.equal([
        `"${F.targetDeliverables}": no deliverables (neither it nor "${F.scenario1}" is answered)`,
      ]);
    });

    it('no client name', () => {
      expect(problemsOf(withoutAnswer(campaignFormFields(), F.clientName))).to.deep.equal([
        `"${F.clientName}": missing (it is the client named in the outreach emails)`,
      ]);
    });

    it('an unknown duration, a minimum above its target, an unknown Yes/No answer', () => {
      expect(problemsOf(change(cf.dropDown(F.targetWhitelisting, ['2 weeks'], '2 weeks')))).to.deep.equal([
        `"${F.targetWhitelisting}": "2 weeks" is not a known duration (30 Days, 60 Days, 90 Days, 6 Months, 1 Year, Perpetual, Not required)`,
      ]);
      expect(problemsOf(change(cf.dropDown(F.minimumPaidUsage, DURATIONS, 'Perpetual')))).to.deep.equal([
        `"${F.minimumPaidUsage}": the minimum (perpetual) must not exceed "${F.targetPaidUsage}" (days_90)`,
      ]);
      expect(problemsOf(change(cf.dropDown(F.contentSyndication, ['Maybe'], 'Maybe')))).to.deep.equal([
        `"${F.contentSyndication}": "Maybe" is not a Yes/No answer`,
      ]);
    });

    it('money that is not an amount, and a minimum cost above the maximum', () => {
      expect(problemsOf(change(cf.text(F.budget, 'lots')))).to.deep.equal([`"${F.budget}": "lots" is not an amount`]);
      expect(problemsOf(change(cf.text(F.budget, '50%')))).to.deep.equal([
        `"${F.budget}": "50%" is a percentage, not an amount`,
      ]);
      expect(problemsOf(change(cf.currency(F.minCostPerInfluencer, '3000')))).to.deep.equal([
        `"${F.minCostPerInfluencer}": 3000.00 exceeds "${F.maxCostWithoutApproval}" (2300.50)`,
      ]);
      expect(problemsOf(change(cf.number(F.revisionRounds, '2.5')))).to.deep.equal([
        `"${F.revisionRounds}": "2.5" is not a whole number`,
      ]);
    });

    it('a drop-down answer that is not one of its options', () => {
      const broken = { ...cf.dropDown(F.paymentTerms, ['Net 30'], 'Net 30'), value: 7 };
      expect(problemsOf(change(broken))).to.deep.equal([
        `"${F.paymentTerms}": the answer 7 is not one of the field's options`,
      ]);
    });

    it('what the campaign schema refuses (e.g. too long) is reported by field', () => {
      expect(problemsOf(change(cf.text(F.businessContext, 'x'.repeat(2001))))).to.deep.equal([
        `"${F.businessContext}": Too big: expected string to have <=2000 characters`,
      ]);
      expect(problemsOf(change(cf.number(F.revisionRounds, '25')))[0]).to.match(
        /^"How many rounds of content revisions must the influencer agree to\?": Too big/,
      );
    });

    it('all problems of a task at once', () => {
      const fields = withoutAnswer(
        change(cf.text(F.budget, 'lots'), cf.dropDown(F.contentSyndication, ['Maybe'], 'Maybe')),
        F.clientName,
      );
      expect(problemsOf(fields)).to.have.length(3);
    });
  });

  it('platformFromDistribution on its own', () => {
    expect(platformFromDistribution('60% TikTok, 40% IG')).to.deep.equal({ platform: 'tiktok' });
    expect(platformFromDistribution('tiktok and instagram')).to.deep.equal({ platform: 'tiktok' });
    expect(platformFromDistribution('')).to.have.property('problem');
  });
});
