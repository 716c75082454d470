import { expect } from 'chai';
import { centsOf, findAmounts, mentions, normalizeText, styleEvidence } from '../../services/amounts.ts';

const cents = (text: string) => findAmounts(text).map((a) => a.cents);
const texts = (text: string) => findAmounts(text).map((a) => a.text);

describe('findAmounts', () => {
  it('reads dollar amounts in every usual form as the same cents', () => {
    expect(cents('$2,000 or $2,000.00 or $2000.')).to.deep.equal([200000, 200000, 200000]);
    expect(cents('$1,500.5 and $0.99')).to.deep.equal([150050, 99]);
  });

  it('reads k suffixes, with or without a dollar sign', () => {
    expect(cents('$2k, $2.5k, 2.5k and 2.5K')).to.deep.equal([200000, 250000, 250000, 250000]);
    expect(texts('I could do 2.5k for the package')).to.deep.equal(['2.5k']);
  });

  it('reads USD codes and dollar words on either side', () => {
    expect(cents('2,000 USD, USD 2,000, 2000 dollars, 2,000 bucks, 2500 US dollars, US$2000')).to.deep.equal([
      200000, 200000, 200000, 200000, 250000, 200000,
    ]);
    expect(cents('2k USD')).to.deep.equal([200000]);
    expect(cents('a 2,000-dollar fee')).to.deep.equal([200000]);
    expect(cents('2 grand')).to.deep.equal([200000]);
    expect(cents('$2 thousand')).to.deep.equal([200000]);
  });

  it('reports other currencies with null cents', () => {
    expect(findAmounts('€2000, £1,500, 2000 EUR, 1500 GBP, ¥300000, C$2000, 900 euros')).to.deep.equal([
      { text: '€2000', index: 0, cents: null },
      { text: '£1,500', index: 7, cents: null },
      { text: '2000 EUR', index: 15, cents: null },
      { text: '1500 GBP', index: 25, cents: null },
      { text: '¥300000', index: 35, cents: null },
      { text: 'C$2000', index: 44, cents: null },
      { text: '900 euros', index: 52, cents: null },
    ]);
    expect(cents('2000 Canadian dollars')).to.deep.equal([null]);
  });

  it('reads amounts written in words with a currency word', () => {
    expect(cents('two thousand dollars')).to.deep.equal([200000]);
    expect(cents('twenty-five hundred dollars')).to.deep.equal([250000]);
    expect(cents('two thousand five hundred bucks')).to.deep.equal([250000]);
    expect(cents('a thousand dollars')).to.deep.equal([100000]);
    expect(cents('two grand')).to.deep.equal([200000]);
    expect(cents('three thousand euros')).to.deep.equal([null]);
  });

  it('reports a vague amount in words as unreadable', () => {
    expect(findAmounts('a few thousand dollars')).to.deep.equal([{ text: 'thousand dollars', index: 6, cents: null }]);
  });

  it('reports each mention once, with its position', () => {
    expect(findAmounts('Around 2 thousand dollars, so $2,200?')).to.deep.equal([
      { text: '2 thousand dollars', index: 7, cents: 200000 },
      { text: '$2,200', index: 30, cents: 220000 },
    ]);
  });

  it('ignores plain numbers, percentages and audience sizes', () => {
    expect(
      findAmounts(
        '1 Reel and 2 Stories, live for 30 days, 80,000 views, 25% engagement, 80k views, 50k+ followers, 1.2M subscribers, 2kg',
      ),
    ).to.deep.equal([]);
    expect(findAmounts('I have one question about the two Stories')).to.deep.equal([]);
  });

  it('does not read a following dollar sign as a suffix of a plain number', () => {
    expect(findAmounts('Option 2 $3,000')).to.deep.equal([{ text: '$3,000', index: 9, cents: 300000 }]);
  });

  it('never reads a figure as a smaller one: space, apostrophe and zero-width thousands, lookalike digits', () => {
    expect(cents("I'd do it for $2 900.")).to.deep.equal([290000]);
    expect(cents('I can do 2\u202f900 $')).to.deep.equal([290000]);
    expect(cents('my fee: $2\u200b900')).to.deep.equal([290000]);
    expect(cents("CHF-free: $2'900")).to.deep.equal([290000]);
    expect(cents('\uff04\uff12\uff0c\uff10\uff10\uff10')).to.deep.equal([200000]);
    expect(cents('$900719925474099999.91 is too large to hold')).to.deep.equal([null]);
  });
});

describe('money mentions (services/amounts.ts on services/numerals.ts)', () => {
  const read = (text: string) => {
    const t = normalizeText(text);
    const all = mentions(t);
    const ev = styleEvidence(all);
    return all.map((m) => ({ text: m.text, role: m.role, cents: centsOf(m, ev) }));
  };

  it('reads every digit script and Unicode space as the figure it shows', () => {
    for (const text of [
      '$٢٬٥٠٠',
      '$२५००',
      '$২৫০০',
      '$๒๕๐๐',
      '$𝟐𝟓𝟎𝟎',
      '＄２，５００',
      '$2\u00a0500',
      '$2\u2009500',
      '$2\u202f500',
      "$2'500",
      '$2’500',
    ]) {
      expect(
        read(text).map((m) => m.cents),
        text,
      ).to.deep.equal([250000]);
    }
  });

  it('reads scale words and number words, mixed with digits', () => {
    const cases: [string, number][] = [
      ['twenty-five hundred dollars', 250000],
      ['2 thousand 4 hundred dollars', 240000],
      ['24 hundred dollars', 240000],
      ['nine grand', 900000],
      ['$9K', 900000],
      ['2,5k USD', 250000],
      ['two and a half thousand dollars', 250000],
      ['one thousand five hundred and fifty dollars', 155000],
    ];
    for (const [text, cents] of cases)
      expect(
        read(text).map((m) => m.cents),
        text,
      ).to.deep.equal([cents]);
  });

  it('never reads a mark that may be either as the smaller figure; evidence decides', () => {
    expect(read('$1.500').map((m) => m.cents)).to.deep.equal([null]);
    expect(read('$1.500 now, $2.500,00 later').map((m) => m.cents)).to.deep.equal([150000, 250000]);
    expect(read('2.500 dólares').map((m) => m.cents)).to.deep.equal([250000]);
    expect(read('2.500,00 USD').map((m) => m.cents)).to.deep.equal([250000]);
    expect(read('$2,500 and 1.500,00 USD').map((m) => m.cents)).to.deep.equal([null, 150000]);
  });

  it('tells counts, years, dates, times, phones and percentages from money', () => {
    const roles = read(
      '2 Reels, 80,000 views, in 2026, on 3/15 at 10:30, call +1 (555) 201-4477, 4.5% engagement, 2500 words',
    );
    expect(roles.filter((m) => m.role !== 'masked').map((m) => [m.text, m.role])).to.deep.equal([
      ['2', 'count'],
      ['80,000', 'count'],
      ['2026', 'year'],
      ['2500', 'count'],
    ]);
    expect(roles.some((m) => m.role === 'money')).to.equal(false);
  });
});
