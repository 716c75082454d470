import { expect } from 'chai';
import { SOW_PLACEHOLDER } from '../../services/gate.ts';
import { deliverableItems, emailHtml, insertSow, sowBlock, sowHtml } from '../../services/sow.ts';

describe('sowBlock', () => {
  it('S1: outreach block with the default usage rights and no strikethrough', () => {
    expect(
      sowBlock({
        deliverables: '1 Instagram Reel, 2 Instagram Stories',
        usageRights: null,
        rateCents: 200000,
        theirAskCents: null,
      }),
    ).to.equal(
      'Scope of Work:\n- 1 Instagram Reel\n- 2 Instagram Stories\n- Usage Rights: per standard terms\n- Rate: $2,000.00',
    );
  });

  it('S2: counter block names their ask before our rate (plain text has no strike-through)', () => {
    expect(
      sowBlock({
        deliverables: '1 Instagram Reel, 1 Instagram Story',
        usageRights: null,
        rateCents: 200000,
        theirAskCents: 220000,
      }),
    ).to.equal(
      'Scope of Work:\n- 1 Instagram Reel\n- 1 Instagram Story\n- Usage Rights: per standard terms\n- Rate: ~~$2,200.00~~ $2,000.00',
    );
  });

  it('shows only our rate when the ask equals it, and the given usage rights', () => {
    const block = sowBlock({
      deliverables: '1 Reel',
      usageRights: '6 months organic',
      rateCents: 150050,
      theirAskCents: 150050,
    });
    expect(block).to.equal('Scope of Work:\n- 1 Reel\n- Usage Rights: 6 months organic\n- Rate: $1,500.50');
  });
});

describe('deliverableItems', () => {
  it('splits on newlines when there are any (commas then stay inside items)', () => {
    expect(deliverableItems('- 1 Reel, with music\n  - 2 Stories\n\n')).to.deep.equal([
      '1 Reel, with music',
      '2 Stories',
    ]);
  });

  it('splits on commas otherwise, keeps "+" items whole and drops empties', () => {
    expect(deliverableItems(' 1 Reel + 2 Stories , ,- 1 TikTok video')).to.deep.equal([
      '1 Reel + 2 Stories',
      '1 TikTok video',
    ]);
  });
});

describe('insertSow', () => {
  it('replaces the single placeholder with the block', () => {
    expect(insertSow(`Hi Maya,\n\n${SOW_PLACEHOLDER}\n\nBest`, 'Scope of Work:\n- 1 Reel')).to.equal(
      'Hi Maya,\n\nScope of Work:\n- 1 Reel\n\nBest',
    );
  });

  it('refuses prose without exactly one placeholder', () => {
    expect(() => insertSow('Hi Maya', 'block')).to.throw(/exactly one/);
    expect(() => insertSow(`${SOW_PLACEHOLDER}${SOW_PLACEHOLDER}`, 'block')).to.throw(/exactly one/);
  });

  it('does not interpret "$" patterns in the block', () => {
    expect(insertSow(`A ${SOW_PLACEHOLDER} B`, "- Rate: $&$' $2,000.00")).to.equal("A - Rate: $&$' $2,000.00 B");
  });
});

describe('the HTML part (D19)', () => {
  const counter = {
    deliverables: '1 Reel, 1 Story & <Extras>',
    usageRights: null,
    rateCents: 200000,
    theirAskCents: 220000,
  };

  it('sowHtml lists the block and strikes their ask with <s>', () => {
    expect(sowHtml(counter)).to.equal(
      '<p>Scope of Work:</p>\n<ul>\n<li>1 Reel</li>\n<li>1 Story &amp; &lt;Extras&gt;</li>\n<li>Usage Rights: per standard terms</li>\n<li>Rate: <s>$2,200.00</s> $2,000.00</li>\n</ul>',
    );
    expect(sowHtml({ ...counter, theirAskCents: null }))
      .to.include('<li>Rate: $2,000.00</li>')
      .and.not.include('<s>');
  });

  it('emailHtml renders the prose as escaped paragraphs around the block', () => {
    const prose = `Hi Maya,\r\n\r\nThanks <3 & see below:\n\n${SOW_PLACEHOLDER}\n\nBest,\nThe Team\n`;
    const html = emailHtml(prose, counter);
    expect(html).to.match(/^<!DOCTYPE html>\n<html>/);
    expect(html).to.include('<meta charset="utf-8">');
    expect(html).to.include(
      `<p>Hi Maya,</p>\n<p>Thanks &lt;3 &amp; see below:</p>\n${sowHtml(counter)}\n<p>Best,<br>\nThe Team</p>`,
    );
    expect(html).not.to.include(SOW_PLACEHOLDER);
  });

  it('without a block (exit emails) it is the prose alone; a block needs exactly one placeholder', () => {
    expect(emailHtml('Thanks, Maya.\n\nAll the best', null)).to.include('<p>Thanks, Maya.</p>\n<p>All the best</p>');
    expect(() => emailHtml('no placeholder', counter)).to.throw(/exactly one/);
  });
});
