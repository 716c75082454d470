import type { Probe, ProbeContext as Ctx } from '../../support/probes.ts';
const R1 = ["I'd do it for $2,300"]; // our counter: ~~$2,300.00~~ $2,150.00
const gt = (c: Ctx) =>
  c.last.text
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
const gtNoSpace = (c: Ctx) =>
  c.last.text
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
// An HTML mail quoted as text by the client: the strike-through is lost
const flat = (c: Ctx) => c.last.text.replace(/~~/g, '');
const AG = 'The Partnerships Team <deals@agency.example>';
const outlook = (
  labels: [string, string, string, string],
  date: string,
  c: Ctx,
  rule = '________________________________',
) =>
  `${rule}\n${labels[0]}: ${AG}\n${labels[1]}: ${date}\n${labels[2]}: Maya Lopez <${c.email}>\n${labels[3]}: RE: Collaboration Opportunity - Glow Skincare\n\n${flat(c)}`;
const P = (name: string, text: (c: Ctx) => string, e: Probe['e'], extra: Partial<Probe> = {}): Probe => ({
  name,
  before: R1,
  text,
  e,
  agreedAt: 2150,
  ...extra,
});

export const FORMATS: Probe[] = [
  P(
    'f01 outlook FR accept-fr',
    (c) =>
      `Ça marche pour moi, on y va.\n\nMaya\n\n${outlook(['De', 'Envoyé', 'À', 'Objet'], 'mardi 2 décembre 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f02 outlook DE accept-de',
    (c) =>
      `Passt, machen wir so.\n\nLG Maya\n\n${outlook(['Von', 'Gesendet', 'An', 'Betreff'], 'Dienstag, 2. Dezember 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f03 outlook-web ES counter-es',
    (c) =>
      `Lo haría por 2.290 dólares, ¿les sirve?\n\n${outlook(['De', 'Enviado', 'Para', 'Asunto'], 'martes, 2 de diciembre de 2025 18:47', c)}`,
    2290,
  ),
  P(
    'f04 outlook PT accept-pt',
    (c) =>
      `Perfeito, pode seguir!\n\nAbraços,\nMaya\n\n${outlook(['De', 'Enviado', 'Para', 'Assunto'], 'terça-feira, 2 de dezembro de 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f05 outlook IT reject-it',
    (c) =>
      `Grazie, ma devo rinunciare a questa collaborazione.\n\n${outlook(['Da', 'Inviato', 'A', 'Oggetto'], 'martedì 2 dicembre 2025 18:47', c)}`,
    'reject',
  ),
  P(
    'f06 outlook NL counter-en',
    (c) =>
      `Could we do $2,290?\n\n${outlook(['Van', 'Verzonden', 'Aan', 'Onderwerp'], 'dinsdag 2 december 2025 18:47', c)}`,
    2290,
  ),
  P(
    'f07 outlook PL accept-pl',
    (c) => `Pasuje mi, działamy.\n\n${outlook(['Od', 'Wysłano', 'Do', 'Temat'], 'wtorek, 2 grudnia 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f08 outlook SV accept-en',
    (c) => `Great, let's go ahead.\n\n${outlook(['Från', 'Skickat', 'Till', 'Ämne'], 'den 2 december 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f09 outlook RU accept-ru',
    (c) => `Хорошо, договорились.\n\n${outlook(['От', 'Отправлено', 'Кому', 'Тема'], '2 декабря 2025 г. 18:47', c)}`,
    'accept',
  ),
  P(
    'f10 outlook DA accept-no',
    (c) => `Høres bra ut, vi kjører på!\n\n${outlook(['Fra', 'Sendt', 'Til', 'Emne'], '2. desember 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f11 outlook bold EN counter below',
    (c) =>
      `Love it!\n\n**From:** ${AG}\n**Sent:** Tuesday, December 2, 2025 6:47 PM\n**To:** ${c.email}\n**Subject:** RE: Collaboration\n\n${flat(c)}\n\nPS: thinking about it, with two Stories I'd need $2,700.`,
    [2700, 'unclear'],
  ),
  P(
    'f12 original message EN',
    (c) =>
      `Works for me.\n\n-----Original Message-----\nFrom: ${AG}\nSent: Tuesday, December 2, 2025 6:47 PM\nTo: ${c.email}\nSubject: RE: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'f13 gmail EN counter',
    (c) => `$2,290 and we're done.\n\nOn Tue, Dec 2, 2025 at 6:47 PM ${AG} wrote:\n\n${gt(c)}`,
    2290,
  ),
  P(
    'f14 gmail ES accept-es',
    (c) =>
      `¡Perfecto, adelante!\n\nEl mar, 2 dic 2025 a las 18:47, The Partnerships Team (<deals@agency.example>) escribió:\n\n${gt(c)}`,
    'accept',
  ),
  P(
    'f15 gmail FR counter-fr',
    (c) => `Je demanderais plutôt 2 290 $.\n\nLe mar. 2 déc. 2025 à 18:47, ${AG} a écrit :\n\n${gt(c)}`,
    2290,
  ),
  P(
    'f16 gmail DE reject-de',
    (c) =>
      `Vielen Dank, aber das passt für mich leider nicht. Ich sage ab.\n\nAm Di., 2. Dez. 2025 um 18:47 Uhr schrieb ${AG}:\n\n${gt(c)}`,
    'reject',
  ),
  P(
    'f17 apple EN accept + rate sig',
    (c) => `Deal!\n\nMaya\nRates: Reel $1,400 | Story $400\n\n> On Dec 2, 2025, at 18:47, ${AG} wrote:\n>\n${gt(c)}`,
    'accept',
  ),
  P(
    'f18 iOS accept',
    (c) => `Yes let's do it\n\nSent from my iPhone\n\n> On Dec 2, 2025, at 6:47 PM, ${AG} wrote:\n> \n${gt(c)}`,
    'accept',
  ),
  P(
    'f19 android accept',
    (c) =>
      `Sounds good to me!\n\nOn Tue, 2 Dec 2025, 18:47 The Partnerships Team, <deals@agency.example> wrote:\n\n${gt(c)}`,
    'accept',
  ),
  P(
    'f20 yahoo counter',
    (c) =>
      `Can we settle on $2,290?\n\n    On Tuesday, December 2, 2025, 06:47:02 PM GMT, ${AG} wrote:\n\n${flat(c)
        .split('\n')
        .map((l) => `    ${l}`)
        .join('\n')}`,
    2290,
  ),
  P(
    'f21 zoho accept',
    (c) =>
      `Agreed, go ahead and send the brief.\n\n---- On Tue, 02 Dec 2025 18:47:02 +0000 ${AG} wrote ----\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'f22 yandex accept-ru',
    (c) => `Да, меня всё устраивает.\n\n02.12.2025, 18:47, "The Partnerships Team" <deals@agency.example>:\n${gt(c)}`,
    'accept',
  ),
  P(
    'f23 proton accept',
    (c) =>
      `Perfect, let's move forward.\n\nSent with Proton Mail secure email.\n\n------- Original Message -------\nOn Tuesday, December 2nd, 2025 at 6:47 PM, ${AG} wrote:\n\n${gt(c)}`,
    'accept',
  ),
  P(
    'f24 thunderbird counter',
    (c) => `I'd be happy at $2,290.\n\nOn 12/2/25 18:47, The Partnerships Team wrote:\n${gt(c)}`,
    2290,
  ),
  P(
    'f25 thunderbird DE accept',
    (c) => `Klingt gut, ich bin dabei.\n\nAm 02.12.25 um 18:47 schrieb The Partnerships Team:\n${gtNoSpace(c)}`,
    'accept',
  ),
  P(
    'f26 inline answers',
    (c) =>
      `${c.last.text
        .split('\n')
        .slice(0, 4)
        .map((l) => `> ${l}`)
        .join('\n')}\n\nThat still feels low; $2,290 is where I can land.\n\n${c.last.text
        .split('\n')
        .slice(4)
        .map((l) => `> ${l}`)
        .join('\n')}`,
    2290,
  ),
  P(
    'f27 sig no delimiter',
    (c) =>
      `Sounds good!\n\nBest,\nMaya Lopez\nLifestyle creator | @maya\nReels from $1,500 · Stories from $400\n\nOn Tue, Dec 2, 2025 at 6:47 PM ${AG} wrote:\n${gt(c)}`,
    'accept',
  ),
  P('f28 sig em-dash rule', () => `Works for me.\n—\nMaya Lopez · Rate card 2026: $2,800/Reel`, 'accept'),
  P('f29 SOW pasted unquoted with strike', (c) => `Fine by me, let's go.\n\n${c.last.text}`, 'accept'),
  P(
    'f30 outlook mobile ES counter-es',
    (c) =>
      `Podría hacerlo por 2290 USD.\n\nObtener Outlook para iOS\n${outlook(['De', 'Enviado', 'Para', 'Asunto'], 'martes, diciembre 2, 2025 6:47 p. m.', c, '')}`,
    2290,
  ),
  P(
    'f31 gmail PT counter-pt',
    (c) => `Consigo fazer por US$ 2.290.\n\nEm ter., 2 de dez. de 2025 às 18:47, ${AG} escreveu:\n\n${gt(c)}`,
    2290,
  ),
  P(
    'f32 gmail IT accept-it',
    (c) => `Perfetto, ci sto!\n\nIl giorno mar 2 dic 2025 alle ore 18:47 ${AG} ha scritto:\n\n${gt(c)}`,
    'accept',
  ),
  P(
    'f33 gmail NL reject-nl',
    (c) => `Bedankt, maar ik pas deze keer.\n\nOp di 2 dec 2025 om 18:47 schreef ${AG}:\n\n${gt(c)}`,
    'reject',
  ),
  P(
    'f34 gmail PL counter-pl',
    (c) => `Mogę to zrobić za 2290 dolarów.\n\nwt., 2 gru 2025 o 18:47 ${AG} napisał(a):\n\n${gt(c)}`,
    2290,
  ),
  P(
    'f35 gmail SV counter-sv',
    (c) => `Jag kan göra det för 2 290 USD.\n\nDen tis 2 dec. 2025 kl 18:47 skrev ${AG}:\n\n${gt(c)}`,
    2290,
  ),
  P(
    'f36 gmail RU reject-ru',
    (c) => `Спасибо, но я откажусь.\n\nвт, 2 дек. 2025 г. в 18:47, ${AG}:\n\n${gt(c)}`,
    'reject',
  ),
  P(
    'f37 forwarded block',
    (c) =>
      `Forwarding what my manager said below; fine by me, we have a deal.\n\n---------- Forwarded message ---------\nFrom: Sam Ortiz <sam@gmail.com>\nDate: Tue, Dec 2, 2025 at 7:10 PM\nSubject: Glow\nTo: Maya Lopez <${c.email}>\n\nI'd have asked for $3,000 but your call.\n`,
    'accept',
  ),
  P(
    'f38 outlook FR accept-en',
    (c) =>
      `Sounds great, happy to go ahead!\n\n${outlook(['De', 'Envoyé', 'À', 'Objet'], 'mardi 2 décembre 2025 18:47', c)}`,
    'accept',
  ),
  P(
    'f39 outlook DE counter-de',
    (c) =>
      `Für 2.290 USD mache ich es.\n\n${outlook(['Von', 'Gesendet', 'An', 'Betreff'], 'Dienstag, 2. Dezember 2025 18:47', c)}`,
    2290,
  ),
  P(
    'f40 hotmail ES accept-en below',
    (c) => `Deal!\n\n${outlook(['De', 'Enviado', 'Para', 'Asunto'], 'martes, 2 de diciembre de 2025 18:47', c, '')}`,
    'accept',
  ),
  P(
    'f41 zoho FR accept-fr',
    (c) => `C'est parfait, je valide.\n\n---- Le mar., 02 déc. 2025 18:47:02 +0000 ${AG} a écrit ----\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'f42 android DE',
    (c) =>
      `Okay, passt!\n\nVon meinem Android-Smartphone gesendet\n\n-------- Ursprüngliche Nachricht --------\nVon: ${AG}\nDatum: 02.12.25 18:47 (GMT+01:00)\nAn: ${c.email}\nBetreff: Re: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
];
export const RAW: Probe[] = [
  {
    name: 'r01 raw multipart qp',
    before: R1,
    agreedAt: 2150,
    e: 'accept',
    raw: (c) =>
      [
        `From: Maya Lopez <${c.email}>`,
        `To: deals@agency.example`,
        `Subject: Re: Collaboration Opportunity - Glow Skincare`,
        `Date: Tue, 2 Dec 2025 19:00:00 +0000`,
        `Message-ID: <raw1.${Date.now()}@gmail.com>`,
        `In-Reply-To: ${c.last.messageId}`,
        `References: ${c.sent.map((m) => m.messageId).join(' ')}`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/alternative; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset="UTF-8"',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Sounds great, let=E2=80=99s do it!',
        '',
        `On Tue, Dec 2, 2025 at 6:47=E2=80=AFPM ${AG} wrote:`,
        '',
        ...c.last.text.split('\n').map((l) => `> ${l}`.replace(/=/g, '=3D')),
        '',
        '--b1',
        'Content-Type: text/html; charset="UTF-8"',
        '',
        `<div>Sounds great, let’s do it!</div><blockquote>${c.last.html ?? ''}</blockquote>`,
        '--b1--',
        '',
      ].join('\r\n'),
  },
  {
    name: 'r02 raw base64 FR counter',
    before: R1,
    e: 2290,
    raw: (c) =>
      [
        `From: =?UTF-8?Q?Ma=C3=AFa_L=C3=B3pez?= <${c.email}>`,
        `To: deals@agency.example`,
        `Subject: =?UTF-8?Q?R=C3=A9p=2E?=`,
        `Message-ID: <raw2.${Date.now()}@gmail.com>`,
        `In-Reply-To: ${c.last.messageId}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        ...Buffer.from(
          `Je le ferais pour 2 290 $.\r\n\r\nLe mar. 2 déc. 2025 à 18:47, ${AG} a écrit :\r\n${c.last.text
            .split('\n')
            .map((l) => `> ${l}`)
            .join('\r\n')}\r\n`,
        )
          .toString('base64')
          .match(/.{1,76}/g)!,
        '',
      ].join('\r\n'),
  },
  {
    name: 'r03 raw html only outlook',
    before: R1,
    agreedAt: 2150,
    e: 'accept',
    raw: (c) =>
      [
        `From: Maya Lopez <${c.email}>`,
        `To: deals@agency.example`,
        `Subject: RE: Collaboration`,
        `Message-ID: <raw3.${Date.now()}@outlook.com>`,
        `In-Reply-To: ${c.last.messageId}`,
        `References: ${c.last.messageId}`,
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset="utf-8"',
        '',
        `<html><body><div>Parfait, c'est d'accord pour moi.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>De :</b> ${AG.replace('<', '&lt;').replace('>', '&gt;')}<br><b>Envoyé :</b> mardi 2 décembre 2025 18:47<br><b>À :</b> ${c.email}<br><b>Objet :</b> RE: Collaboration</div><div>${c.last.html ?? ''}</div></body></html>`,
        '',
      ].join('\r\n'),
  },
];
