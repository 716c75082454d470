/**
 * The gate (D10) against generated emails: thousands of disallowed amounts, each written in a random spelling
 * (currency sign or none, codes and words in several languages, decimals, "k", "grand", "thousand", "hundred",
 * number words, European separators, spaces, no-break and thin spaces, apostrophes, full-width and other digit
 * scripts) inside an otherwise valid email must all be refused; the allowed amount in random spellings must pass.
 * Seeded, so a failure is reproducible.
 */
import { expect } from 'chai';
import { DEFAULT_FORBIDDEN_PHRASES, validateEmail } from '../../services/gate.ts';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONES = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
const TEENS = ['thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

function under100(n: number): string {
  if (n <= 12) return ONES[n];
  if (n < 20) return TEENS[n - 13];
  return TENS[Math.floor(n / 10)] + (n % 10 ? `-${ONES[n % 10]}` : '');
}
function under1000(n: number): string {
  const h = Math.floor(n / 100);
  const r = n % 100;
  return [h ? `${ONES[h]} hundred` : '', r ? under100(r) : ''].filter(Boolean).join(' ');
}
function inWords(n: number): string {
  const th = Math.floor(n / 1000);
  const r = n % 1000;
  return [th ? `${under1000(th)} thousand` : '', r ? under1000(r) : ''].filter(Boolean).join(' ');
}

const group = (n: number, sep: string) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
const SCRIPTS = [0xff10, 0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50, 0x1d7ce, 0x1d7ec];
const script = (s: string, base: number) => s.replace(/[0-9]/g, (d) => String.fromCodePoint(base + Number(d)));

/** Spellings of a whole-dollar amount (and cents when given): [text, usd?]. */
function spellings(dollars: number, cents: number): string[] {
  const dec = cents ? `.${String(cents).padStart(2, '0')}` : '.00';
  const euDec = cents ? `,${String(cents).padStart(2, '0')}` : ',00';
  const out = [
    `$${group(dollars, ',')}`,
    `$${group(dollars, ',')}${dec}`,
    `${group(dollars, ',')}${dec}`,
    `${dollars}${dec}`,
    `${dollars}`,
    `${group(dollars, ',')} USD`,
    `USD ${dollars}`,
    `US$${group(dollars, ',')}`,
    `${group(dollars, ',')} dollars`,
    `${group(dollars, ',')} bucks`,
    `${group(dollars, '.')}${euDec} EUR`,
    `${group(dollars, '.')}${euDec} USD`,
    `€${group(dollars, '.')}${euDec}`,
    `£${group(dollars, ',')}`,
    `${group(dollars, ',')} euros`,
    `${dollars} dólares`,
    `${group(dollars, ' ')} долларов`,
    `${dollars} złotych`,
    `${group(dollars, ' ')} kronor`,
    `R$ ${group(dollars, '.')}${euDec}`,
    `${dollars} CHF`,
    `₹${group(dollars, ',')}`,
    `¥${dollars}`,
    `${inWords(dollars)} dollars`,
  ];
  if (dollars >= 1000) {
    out.push(
      `${group(dollars, ' ')} dollars`,
      `$${group(dollars, '\u00a0')}`,
      `${group(dollars, '\u2009')} $`,
      `${group(dollars, '\u202f')} USD`,
      `${group(dollars, "'")} dollars`,
      `${group(dollars, ' ')}`,
      inWords(dollars),
    );
  }
  if (dollars % 100 === 0 && dollars >= 1000) {
    const k = dollars / 1000;
    const hundreds = dollars / 100;
    out.push(`${k}k`, `$${k}K`, `${k} thousand`, `${k} grand`, `${hundreds} hundred`);
    if (hundreds % 10 !== 0) out.push(`${Math.floor(k)} thousand ${(dollars % 1000) / 100} hundred`);
    if (hundreds < 100) out.push(`${under100(hundreds)} hundred`);
  }
  if (dollars % 1000 === 0 && dollars <= 12000)
    out.push(`${ONES[dollars / 1000]} grand`, `${ONES[dollars / 1000]} thousand`);
  return out;
}

const TEMPLATES = [
  (x: string, rate: string) =>
    `Hi Maya,\n\nThanks for getting back to us! We'd like to propose ${rate} for the package. We could also do ${x} if that helps.\n\n{{SOW}}\n\nLet me know your thoughts.\n\nBest,\nDeals Team`,
  (x: string, rate: string) =>
    `Hi Maya,\n\nOur offer is ${rate}. Honestly, ${x} is the most we could stretch to.\n\n{{SOW}}\n\nTalk soon!\n\nBest,\nDeals Team`,
  (x: string, rate: string) =>
    `Hi Maya,\n\nWe loved your 2 Reels and your 80,000 views in 2026. We propose ${rate} (about ${x} in other terms) for the scope below, live within 30 days.\n\n{{SOW}}\n\nBest,\nDeals Team`,
  (x: string, rate: string) =>
    `Hi Maya,\n\nHow about ${x}? Our standing offer of ${rate} is below.\n\n{{SOW}}\n\nWarmly,\nDeals Team`,
  (x: string, rate: string) =>
    `Hi Maya,\n\n${x} for the package would be possible; for now we propose ${rate}.\n\n{{SOW}}\n\nBest,\nDeals Team`,
];

const ALLOWED = 210_000;

function gate(prose: string) {
  return validateEmail({
    prose,
    allowedCents: [ALLOWED],
    requireSow: true,
    agreement: false,
    forbiddenPhrases: DEFAULT_FORBIDDEN_PHRASES,
  });
}

describe('the gate against generated emails (property test)', () => {
  it('refuses every disallowed amount in every spelling: 0 of thousands pass', () => {
    const random = rng(20261202);
    let tried = 0;
    const passed: string[] = [];
    for (let i = 0; i < 300; i++) {
      const magnitude = [100, 1000, 10_000, 100_000][Math.floor(random() * 4)];
      let dollars = Math.floor(magnitude + random() * magnitude * 9);
      if (random() < 0.4) dollars = Math.round(dollars / 100) * 100;
      const cents = random() < 0.3 ? Math.floor(random() * 100) : 0;
      if (dollars * 100 + cents === ALLOWED) continue;
      for (const spelled of spellings(dollars, cents)) {
        const base = random() < 0.3 ? SCRIPTS[Math.floor(random() * SCRIPTS.length)] : null;
        const x = base == null ? spelled : script(spelled, base);
        const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)];
        const prose = template(x, '$2,100');
        tried++;
        if (gate(prose).passed) passed.push(x);
      }
    }
    console.log(`      disallowed amounts written into valid emails: ${tried}, passed the gate: ${passed.length}`);
    expect(tried).to.be.at.least(5000);
    expect(passed).to.deep.equal([]);
  });

  it('lets the allowed amount through in its usual and unusual spellings', () => {
    const random = rng(7);
    const usd = [
      '$2,100',
      '$2,100.00',
      '2,100.00',
      '2100.00',
      '2100',
      '2,100 USD',
      'USD 2100',
      'US$2,100',
      '2,100 dollars',
      '2.100,00 USD',
      '2 100 dollars',
      '$2\u00a0100',
      '2\u2009100 $',
      "2'100 dollars",
      '2.1k',
      '$2.1K',
      '2.1 thousand',
      '21 hundred',
      'twenty-one hundred dollars',
      'two thousand one hundred dollars',
      '2 thousand 1 hundred',
      'two thousand one hundred',
    ];
    const refused: string[] = [];
    let tried = 0;
    for (const spelled of usd) {
      for (const base of [null, ...SCRIPTS]) {
        const x = base == null ? spelled : script(spelled, base);
        const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)];
        // the allowed amount stands in for the rate itself, so the email writes one style of separators
        const prose = template('our offer', x);
        tried++;
        const result = gate(prose);
        if (!result.passed) refused.push(`${x}: ${result.failures.map((f) => f.detail).join('; ')}`);
      }
    }
    console.log(`      the allowed amount in ${tried} spellings: ${tried - refused.length} passed`);
    expect(refused).to.deep.equal([]);
  });
});
