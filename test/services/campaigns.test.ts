/**
 * Campaign intake (api.md, decisions D3.1, D4, D12): the JSON body schema, the stored definition, the terms a
 * negotiation is bound by and the tolerant influencer-row check.
 */
import { expect } from 'chai';
import {
  type AcceptedInfluencer,
  acceptInfluencer,
  type CampaignBody,
  CampaignError,
  type CampaignDefinition,
  campaignSchema,
  definitionOf,
  type InfluencerRow,
  type Skipped,
  termsOf,
} from '../../services/campaigns.ts';
import type { Terms } from '../../services/domain.ts';

const BASE = {
  id: 'cmp_001',
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel, 2 Instagram Stories',
};
const SCENARIOS = ['1 Instagram Reel, 2 Instagram Stories', '1 Instagram Reel, 1 Instagram Story', '1 Instagram Reel'];

const parse = (extra: Record<string, unknown> = {}): CampaignBody => campaignSchema.parse({ ...BASE, ...extra });
const issues = (extra: Record<string, unknown>) => {
  const r = campaignSchema.safeParse({ ...BASE, ...extra });
  expect(r.success, JSON.stringify(extra)).to.equal(false);
  return r.error?.issues ?? [];
};
const defOf = (extra: Record<string, unknown> = {}): CampaignDefinition => definitionOf(parse(extra));
const termsFor = (extra: Record<string, unknown> = {}): Terms =>
  termsOf(defOf(extra), 'within 30 days of content going live');

const glow = () => termsFor({ cpmTarget: '25', cpmLeniency: '20' });
const MAYA: InfluencerRow = {
  name: 'Maya Lopez',
  email: 'maya@gmail.com',
  platform: 'instagram',
  averageViews: '80,000',
};

function accepted(r: AcceptedInfluencer | Skipped): AcceptedInfluencer {
  if (!('influencer' in r)) throw new Error(`expected the row to be accepted, got ${JSON.stringify(r)}`);
  return r;
}
function skipped(r: AcceptedInfluencer | Skipped): Skipped {
  if ('influencer' in r) throw new Error(`expected the row to be skipped, got ${JSON.stringify(r)}`);
  return r;
}
const row = (extra: Partial<InfluencerRow>, terms = glow()) => acceptInfluencer({ ...MAYA, ...extra }, terms);

describe('campaigns', () => {
  describe('campaignSchema', () => {
    it('accepts the minimal body', () => {
      expect(parse()).to.deep.equal(BASE);
    });

    it('rejects unknown fields at every level', () => {
      expect(issues({ cpmCeiling: 40 })[0].code).to.equal('unrecognized_keys');
      expect(issues({ influencers: [{ ...MAYA, followers: 10 }] })[0].code).to.equal('unrecognized_keys');
      const usage = { target: { paidUsage: 'days_30', tvRights: 'perpetual' }, minimum: {} };
      expect(issues({ usageRights: usage })[0].code).to.equal('unrecognized_keys');
    });

    it('requires id, client, platform and deliverables; platform must be known', () => {
      for (const key of ['id', 'client', 'platform', 'deliverables']) {
        const body: Record<string, unknown> = { ...BASE };
        delete body[key];
        expect(campaignSchema.safeParse(body).success, key).to.equal(false);
      }
      issues({ platform: 'snapchat' });
      issues({ client: '   ' });
      issues({ id: 'bad id with spaces' });
    });

    it('parses money given as numbers or strings to cents', () => {
      const body = parse({
        budget: '$1,000',
        minCostPerInfluencer: '50,000',
        maxCostWithoutApproval: 2300,
        productMonetaryValue: '150.50',
      });
      expect(body).to.include({
        budget: 100_000,
        minCostPerInfluencer: 5_000_000,
        maxCostWithoutApproval: 230_000,
        productMonetaryValue: 15_050,
      });
      expect(parse({ budget: '1.5k' }).budget).to.equal(150_000);
      expect(parse({ budget: '2000 USD' }).budget).to.equal(200_000);
      expect(parse({ budget: 1234.56 }).budget).to.equal(123_456);
      expect(parse({ budget: '$50,000.00' }).budget).to.equal(5_000_000);
    });

    it('rejects money that is not an amount or is negative', () => {
      for (const budget of ['abc', '', '-5', -5, '$', '1e5', Number.POSITIVE_INFINITY]) {
        const found = issues({ budget });
        expect(found.length, String(budget)).to.be.greaterThan(0);
        expect(found[0].path, String(budget)).to.deep.equal(['budget']);
      }
    });

    it('keeps CPM target and leniency as exact decimal text ("$25.50", "20%", numbers)', () => {
      expect(parse({ cpmTarget: '$25.50', cpmLeniency: '20%' })).to.include({ cpmTarget: '25.50', cpmLeniency: '20' });
      expect(parse({ cpmTarget: 25, cpmLeniency: 12.5 })).to.include({ cpmTarget: '25', cpmLeniency: '12.5' });
      issues({ cpmTarget: 'twenty' });
      issues({ cpmTarget: '-5' });
      issues({ cpmLeniency: 'lots' });
    });
  });

  describe('definitionOf', () => {
    it('stores money as wire strings and leaves out the influencers', () => {
      const def = defOf({
        budget: '$1,000',
        minCostPerInfluencer: 1000,
        influencers: [MAYA],
      });
      expect(def).to.include({
        budget: '1000.00',
        minCostPerInfluencer: '1000.00',
        maxCostWithoutApproval: null,
        productMonetaryValue: null,
      });
      expect(def).to.not.have.property('influencers');
    });

    it('refuses a campaign whose terms cannot work before anything is stored (D3.1)', () => {
      expect(() => defOf({ minCostPerInfluencer: 3000, maxCostWithoutApproval: 2000 })).to.throw(CampaignError);
      // a stored definition with a zero CPM target (from before the schema refused it) cannot make terms either
      expect(() => definitionOf({ ...parse(), cpmTarget: '0' })).to.throw(CampaignError, /cpmTarget must be greater/);
    });
  });

  describe('termsOf', () => {
    it('CPM target "25" + leniency "20" -> floor 2500 / ceiling 3000 cents', () => {
      const t = glow();
      expect(t).to.include({
        floorCpmCents: 2500,
        ceilingCpmCents: 3000,
        campaignId: 'cmp_001',
        client: 'Glow Skincare',
      });
      expect(t.levers.cpmTargetCents).to.equal(2500);
    });

    it('exact decimals: "25.555" + "10" -> 2556 / 2811; "33" + "15%" -> 3300 / 3795; no leniency -> ceiling = target', () => {
      const stored = { ...defOf({ cpmLeniency: '10' }), cpmTarget: '25.555' }; // stored before cents were required
      expect(termsOf(stored, 'net 30')).to.include({
        floorCpmCents: 2556,
        ceilingCpmCents: 2811,
      });
      expect(termsFor({ cpmTarget: '$33', cpmLeniency: '15%' })).to.include({
        floorCpmCents: 3300,
        ceilingCpmCents: 3795,
      });
      expect(termsFor({ cpmTarget: '25' })).to.include({ floorCpmCents: 2500, ceilingCpmCents: 2500 });
    });

    it('no CPM target -> the 20/30 defaults, leniency ignored, no CPM-share lever (D4)', () => {
      for (const extra of [{}, { cpmLeniency: '50' }]) {
        const t = termsFor(extra);
        expect(t, JSON.stringify(extra)).to.include({ floorCpmCents: 2000, ceilingCpmCents: 3000 });
        expect(t.levers.cpmTargetCents).to.equal(null);
      }
    });

    it('CPM target 0 -> CampaignError, never an opening at $0 (D3.1)', () => {
      const def = { ...defOf(), cpmTarget: '0' } as CampaignDefinition;
      expect(() => termsOf(def, 'x')).to.throw(CampaignError, /greater than 0/);
    });

    it('a usage-rights minimum longer than the target is an error naming the right', () => {
      const usage = (right: string) => ({
        target: { [right]: 'days_30' },
        minimum: { [right]: 'days_60' },
      });
      for (const right of ['paidUsage', 'whitelisting', 'organicOwned']) {
        expect(() => defOf({ usageRights: usage(right) }), right)
          .to.throw(CampaignError)
          .with.property('message')
          .that.includes(right);
      }
      // target left blank (not_required) but a minimum given: still longer than the target
      expect(() => defOf({ usageRights: { target: {}, minimum: { paidUsage: 'days_30' } } })).to.throw(
        CampaignError,
        /paidUsage/,
      );
      // equal is fine, and the sets are completed with not_required
      const t = termsFor({ usageRights: { target: { paidUsage: 'days_90' }, minimum: { paidUsage: 'days_90' } } });
      expect(t.levers.usageRights?.minimum).to.deep.equal({
        paidUsage: 'days_90',
        whitelisting: 'not_required',
        organicOwned: 'not_required',
      });
    });

    it('min cost above max cost is an error; equal is fine; max cost 0 is an error', () => {
      expect(() => termsFor({ minCostPerInfluencer: '$2,500', maxCostWithoutApproval: '$2,300' })).to.throw(
        CampaignError,
        /minCostPerInfluencer must not exceed maxCostWithoutApproval/,
      );
      const t = termsFor({ minCostPerInfluencer: 2300, maxCostWithoutApproval: '2,300' });
      expect(t.levers).to.include({ minCostCents: 230_000, maxCostCents: 230_000 });
      expect(() => termsOf({ ...defOf(), maxCostWithoutApproval: '0.00' }, 'x')).to.throw(
        CampaignError,
        /maxCostWithoutApproval/,
      );
    });

    it('deliverables = the first scenario when scenarios are given, else the target deliverables', () => {
      const t = termsFor({ deliverableScenarios: SCENARIOS.slice(1) });
      expect(t.deliverables).to.equal(SCENARIOS[1]);
      expect(t.levers.scenarios).to.deep.equal(SCENARIOS.slice(1));
      expect(termsFor().deliverables).to.equal(BASE.deliverables);
      expect(termsFor().levers.scenarios).to.deep.equal([]);
    });

    it('carries the lever data: product, syndication, min/max cost; payment terms default to the argument', () => {
      const t = termsFor({
        productAvailable: true,
        productDescription: 'Premium skincare set',
        productMonetaryValue: '$150',
        contentSyndication: true,
        minCostPerInfluencer: '1,000',
        maxCostWithoutApproval: '$2,300',
      });
      expect(t.levers).to.deep.include({
        product: { available: true, description: 'Premium skincare set', valueCents: 15_000 },
        contentSyndication: true,
        minCostCents: 100_000,
        maxCostCents: 230_000,
      });
      expect(t.paymentTerms).to.equal('within 30 days of content going live');
      expect(termsFor({ paymentTerms: 'Net 15' }).paymentTerms).to.equal('Net 15');
      expect(termsFor().levers).to.deep.include({ product: null, contentSyndication: false, usageRights: null });
    });
  });

  describe('acceptInfluencer', () => {
    it('accepts Maya: "80,000" views, opening at the floor rate $2,000.00, email lower-cased', () => {
      const r = accepted(row({ email: ' Maya@Gmail.COM ', averageViews: '80,000' }));
      expect(r.openingCents).to.equal(200_000);
      expect(r.influencer).to.deep.equal({
        name: 'Maya Lopez',
        email: 'maya@gmail.com',
        platform: 'instagram',
        handle: null,
        averageViews: 80_000,
        engagementRate: null,
        agency: null,
      });
    });

    it('parses views given as numbers or thousands-separated text ("50,000", 50000, "50000.0")', () => {
      for (const averageViews of ['50,000', 50_000, '50000.0', ' 50,000 ']) {
        expect(accepted(row({ averageViews })).influencer.averageViews, String(averageViews)).to.equal(50_000);
      }
    });

    it('parses engagement "2.5%" (and numbers) to percentage points; blank or junk engagement is null', () => {
      expect(accepted(row({ engagementRate: '2.5%' })).influencer.engagementRate).to.equal('2.5');
      expect(accepted(row({ engagementRate: 4.5 })).influencer.engagementRate).to.equal('4.5');
      expect(accepted(row({ engagementRate: ' 6.0 % ' })).influencer.engagementRate).to.equal('6.0');
      expect(accepted(row({ engagementRate: '' })).influencer.engagementRate).to.equal(null);
      expect(accepted(row({ engagementRate: 'n/a' })).influencer.engagementRate).to.equal(null);
    });

    it('skips blank, zero, negative, fractional or junk views with a clear reason', () => {
      for (const averageViews of [undefined, '', '0', 0, '-500', '0.5', 'lots', '1e6']) {
        const s = skipped(row({ averageViews }));
        expect(s.name, String(averageViews)).to.equal('Maya Lopez');
        expect(s.reason, String(averageViews)).to.match(/^no usable average views/);
      }
    });

    it('skips a missing or invalid email with a clear reason', () => {
      expect(skipped(row({ email: undefined }))).to.deep.equal({ name: 'Maya Lopez', reason: 'no email address' });
      expect(skipped(row({ email: '   ' }))).to.deep.equal({ name: 'Maya Lopez', reason: 'no email address' });
      for (const email of ['maya', 'maya@gmail', 'maya lopez@gmail.com', 'Maya <maya@gmail.com>', '@gmail.com']) {
        expect(skipped(row({ email })).reason, email).to.equal(`invalid email: ${email.toLowerCase()}`);
      }
    });

    it('skips an unknown platform, accepts known ones case-insensitively, defaults to the campaign platform', () => {
      expect(skipped(row({ platform: 'Snapchat' }))).to.deep.equal({
        name: 'Maya Lopez',
        reason: 'unknown platform: Snapchat',
      });
      expect(accepted(row({ platform: ' TikTok ' })).influencer.platform).to.equal('tiktok');
      expect(accepted(row({ platform: undefined })).influencer.platform).to.equal('instagram');
      const yt = termsFor({ platform: 'youtube' });
      expect(accepted(row({ platform: '' }, yt)).influencer.platform).to.equal('youtube');
    });

    it('skips a row without a name, labelled by its email', () => {
      expect(skipped(row({ name: '  ' }))).to.deep.equal({ name: 'maya@gmail.com', reason: 'no name' });
      expect(skipped(acceptInfluencer({}, glow()))).to.deep.equal({ name: '(unnamed row)', reason: 'no name' });
    });

    it('derives the agency from a known agency email domain, or takes it from the row', () => {
      expect(accepted(row({ email: 'sarah@UnitedTalent.com' })).influencer.agency).to.equal('United Talent Agency');
      expect(accepted(row({ email: 'jo@caa.com' })).influencer.agency).to.equal('Creative Artists Agency');
      expect(
        accepted(row({ email: 'sarah@unitedtalent.com', agency: ' Select Management ' })).influencer.agency,
      ).to.equal('Select Management');
      expect(accepted(row({ agency: '   ' })).influencer.agency).to.equal(null);
    });

    it('keeps the handle, trimmed', () => {
      expect(accepted(row({ handle: ' @mayalopez ' })).influencer.handle).to.equal('@mayalopez');
    });

    it('opens at the minimum cost per influencer when it is above the floor rate', () => {
      const t = termsFor({ cpmTarget: '25', minCostPerInfluencer: '$2,500' });
      expect(accepted(row({}, t)).openingCents).to.equal(250_000);
    });

    it('uses the 20/30 defaults when the campaign gives no CPM target: 50,000 views -> $1,000.00', () => {
      expect(accepted(row({ averageViews: '50,000' }, termsFor())).openingCents).to.equal(100_000);
    });

    it('never opens above the max cost without approval (api.md example campaign, D3.3)', () => {
      // api.md body: CPM target 25, leniency 20, min cost $1,000, max cost without approval $2,300.
      // 120,000 views -> floor rate $3,000: the outreach would offer $700 more than the campaign allows unapproved.
      const t = termsFor({
        cpmTarget: '25',
        cpmLeniency: '20',
        minCostPerInfluencer: '1000',
        maxCostWithoutApproval: '2300',
      });
      const r = row({ averageViews: '120,000' }, t);
      const opening = 'openingCents' in r ? r.openingCents : null;
      expect(opening == null || opening <= 230_000, `accepted with an opening of ${opening} cents > 230000`).to.equal(
        true,
      );
    });

    it('refuses a row whose opening would round to $0.00 (D3.1)', () => {
      const tiny = termsFor({ cpmTarget: '0.01' }); // floor 1 cent per 1,000 views
      expect(skipped(row({ averageViews: '400' }, tiny))).to.deep.equal({
        name: 'Maya Lopez',
        reason: 'the opening offer would be $0.00',
      });
      expect(accepted(row({ averageViews: '500' }, tiny)).openingCents).to.equal(1);
    });
  });
});

describe('money input (services/money.ts moneyInput through the campaign schema)', () => {
  const issueOf = (extra: Record<string, unknown>) =>
    issues(extra)
      .map((i) => `${i.path.join('.')}: ${i.message}`)
      .join('\n');

  for (const [field, value, expected] of [
    ['budget', '0', /budget: "0" must be more than 0/],
    ['budget', '-0', /budget: "-0" must be more than 0/],
    ['budget', 0, /budget: 0 must be more than 0/],
    ['budget', '-50000', /budget: "-50000" must not be negative/],
    ['budget', '50000.005', /budget: "50000.005" has more than two decimals/],
    ['budget', 50000.005, /budget: 50000.005 has more than two decimals/],
    ['budget', '1e5', /budget: "1e5" is not an amount/],
    ['budget', '100000000.01', /budget: "100000000.01" is more than \$100,000,000/],
    ['maxCostWithoutApproval', '0.00', /maxCostWithoutApproval: "0.00" must be more than 0/],
    ['maxCostWithoutApproval', '2300.001', /maxCostWithoutApproval: "2300.001" has more than two decimals/],
    ['minCostPerInfluencer', '-1', /minCostPerInfluencer: "-1" must not be negative/],
    ['productMonetaryValue', '19.999', /productMonetaryValue: "19.999" has more than two decimals/],
    ['cpmTarget', '0', /cpmTarget: "0" must be more than 0/],
    ['cpmTarget', '-0', /cpmTarget: "-0" must be more than 0/],
    ['cpmTarget', '-25', /cpmTarget: "-25" must not be negative/],
    ['cpmTarget', '25.555', /cpmTarget: "25.555" has more than two decimals/],
    ['cpmTarget', '10000.01', /cpmTarget: must be at most \$10,000/],
    ['cpmTarget', 'lots', /cpmTarget: "lots" is not a number/],
  ] as const) {
    it(`${field} ${JSON.stringify(value)} is refused, naming the field`, () => {
      expect(issueOf({ [field]: value })).to.match(expected);
    });
  }

  it('exact amounts in every usual spelling are taken as cents; a zero minimum or product value is allowed', () => {
    const body = parse({
      budget: '$50,000.50',
      maxCostWithoutApproval: 2300.1,
      minCostPerInfluencer: '0',
      productMonetaryValue: '0.00',
      cpmTarget: '$25.50',
    });
    expect(body).to.include({ budget: 5_000_050, maxCostWithoutApproval: 230_010, minCostPerInfluencer: 0 });
    expect(body).to.include({ productMonetaryValue: 0, cpmTarget: '25.50' });
    expect(parse({ budget: '1.5k', cpmTarget: '25.000' })).to.include({ budget: 150_000, cpmTarget: '25.000' });
  });
});
