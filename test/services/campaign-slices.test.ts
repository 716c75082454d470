/**
 * A long influencer list is checked in slices (services/campaigns.ts parseCampaignInSlices), the event loop free in
 * between: the result and the issues, paths included, are those of one campaignSchema parse.
 */
import { expect } from 'chai';
import { campaignSchema, parseCampaignInSlices } from '../../services/campaigns.ts';

const rows = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `Creator ${i + 1}`,
    email: `c${i + 1}@example.com`,
    averageViews: 50_000,
  }));
const body = (influencers: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'cmp-1',
  client: 'Glow Skincare',
  platform: 'instagram',
  deliverables: '1 Instagram Reel',
  cpmTarget: '25',
  influencers,
  ...extra,
});

describe('campaign body checked in slices', () => {
  it('parses a long list as one parse would, yielding between slices', async () => {
    let turns = 0;
    const input = body(rows(1_800));
    const sliced = await parseCampaignInSlices(input, async () => {
      turns++;
    });
    expect(turns).to.equal(4); // 500 rows a slice
    expect(sliced).to.deep.equal(campaignSchema.safeParse(input));
  });

  it('reports the same issues, with the row numbers of the whole list', async () => {
    const list: unknown[] = rows(1_200);
    list[3] = { name: 'Bad', unknownField: 1 };
    list[1_104] = { email: 7 };
    for (const input of [body(list), body(list, { platform: 'myspace' })]) {
      const sliced = await parseCampaignInSlices(input, async () => {});
      const whole = campaignSchema.safeParse(input);
      expect(sliced.success).to.equal(false);
      expect(sliced.error?.issues).to.deep.equal(whole.error?.issues);
    }
  });

  it('leaves short lists and oversized ones to one parse', async () => {
    let turns = 0;
    const count = async () => {
      turns++;
    };
    expect((await parseCampaignInSlices(body(rows(500)), count)).success).to.equal(true);
    expect((await parseCampaignInSlices(body(rows(10_001)), count)).success).to.equal(false);
    expect(turns).to.equal(0);
  });
});
