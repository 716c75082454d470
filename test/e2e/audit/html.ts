import type { Probe, ProbeContext as Ctx } from '../../support/probes.ts';
const R1 = ["I'd do it for $2,300"];
const AG = 'The Partnerships Team &lt;deals@agency.example&gt;';
const inner = (c: Ctx) => /<body>([\s\S]*)<\/body>/.exec(c.last.html ?? '')?.[1] ?? c.last.html ?? '';
const head = (c: Ctx, id: string, ct = 'text/html; charset="utf-8"') => [
  `From: Maya Lopez <${c.email}>`,
  'To: deals@agency.example',
  'Subject: Re: Collaboration',
  `Message-ID: <${id}.${Date.now()}.${Math.random()}@x.com>`,
  `In-Reply-To: ${c.last.messageId}`,
  `References: ${c.sent.map((m) => m.messageId).join(' ')}`,
  'MIME-Version: 1.0',
  `Content-Type: ${ct}`,
  '',
];
const H = (name: string, html: (c: Ctx) => string, e: Probe['e']): Probe => ({
  name,
  before: R1,
  agreedAt: 2150,
  e,
  raw: (c) => [...head(c, name.split(' ')[0]), html(c), ''].join('\r\n'),
});
export const RAW2: Probe[] = [
  H(
    'h01 gmail html accept',
    (c) =>
      `<div dir="ltr">Sounds great, let's do it!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Tue, Dec 2, 2025 at 6:47 PM ${AG} wrote:<br></div><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">${inner(c)}</blockquote></div>`,
    'accept',
  ),
  H(
    'h02 apple html counter',
    (c) =>
      `<html><body><div>Could we do $2,290?</div><div><br><blockquote type="cite"><div>On Dec 2, 2025, at 18:47, ${AG} wrote:</div><br>${inner(c)}</blockquote></div></body></html>`,
    2290,
  ),
  H(
    'h03 gmail html bottom ask',
    (c) =>
      `<div dir="ltr">Love the brand!</div><div class="gmail_quote"><div class="gmail_attr">On Tue, Dec 2, 2025 at 6:47 PM ${AG} wrote:</div><blockquote class="gmail_quote">${inner(c)}</blockquote></div><div>My rate would need to be $2,800 though.</div>`,
    [2800, 'unclear'],
  ),
  H(
    'h04 outlook html DE accept',
    (c) =>
      `<html><body><p>Passt, machen wir so.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>Von:</b> ${AG}<br><b>Gesendet:</b> Dienstag, 2. Dezember 2025 18:47<br><b>An:</b> ${c.email}<br><b>Betreff:</b> RE: Collaboration</p></div>${inner(c)}</body></html>`,
    'accept',
  ),
  H(
    'h05 yahoo html ES counter',
    (c) =>
      `<html><body><div>Lo haría por 2.290 dólares.</div><div id="ydp123yahoo_quoted_456" class="yahoo_quoted"><div>El martes, 2 de diciembre de 2025, 18:47:02 CET, ${AG} escribió:</div><div><div id="ydp123yiv">${inner(c)}</div></div></div></body></html>`,
    2290,
  ),
  H(
    'h06 html sig rate',
    () => `<div>Deal!</div><div><br></div><div>Maya</div><div>Rates from $1,200 per Reel</div>`,
    'accept',
  ),
  H(
    'h08 proton html accept',
    (c) =>
      `<div>Perfect, let's move forward.</div><div class="protonmail_signature_block"><div>Sent with Proton Mail secure email.</div></div><div class="protonmail_quote">------- Original Message -------<br>On Tuesday, December 2nd, 2025 at 6:47 PM, ${AG} wrote:<br><blockquote class="protonmail_quote" type="cite">${inner(c)}</blockquote></div>`,
    'accept',
  ),
];
