import type { Probe, ProbeContext as Ctx } from '../../support/probes.ts';
const R1 = ["I'd do it for $2,300"];
const gt = (c: Ctx) =>
  c.last.text
    .split('\n')
    .map((l: string) => `> ${l}`)
    .join('\n');
const flat = (c: Ctx) => c.last.text.replace(/~~/g, '');
const AG = 'The Partnerships Team <deals@agency.example>';
const P = (name: string, text: (c: Ctx) => string, e: Probe['e'], extra: Partial<Probe> = {}): Probe => ({
  name,
  before: R1,
  text,
  e,
  agreedAt: 2150,
  ...extra,
});
export const FORMATS2: Probe[] = [
  P(
    'g01 outlook EN accept + ask below',
    (c) =>
      `Sounds great!\n\nFrom: ${AG}\nSent: Tuesday, December 2, 2025 6:47 PM\nTo: ${c.email}\nSubject: RE: Collaboration\n\n${flat(c)}\n\nActually my rate would need to be $2,800 for this.`,
    [2800, 'unclear'],
  ),
  P(
    'g02 apple FR accept-fr',
    (c) => `Parfait pour moi !\n\nEnvoyé de mon iPhone\n\n> Le 2 déc. 2025 à 18:47, ${AG} a écrit :\n> \n${gt(c)}`,
    'accept',
  ),
  P(
    'g03 apple DE counter-de',
    (c) =>
      `Ich bräuchte 2.290 USD.\n\nVon meinem iPhone gesendet\n\n> Am 02.12.2025 um 18:47 schrieb ${AG}:\n> \n${gt(c)}`,
    2290,
  ),
  P(
    'g04 outlook mac EN accept',
    (c) =>
      `Happy to proceed at that rate.\n\nFrom: ${AG}\nDate: Tuesday, 2 December 2025 at 18:47\nTo: Maya Lopez <${c.email}>\nSubject: Re: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g05 yahoo ES counter-es',
    (c) =>
      `Lo puedo hacer por 2.290 dólares.\n\nEnviado desde Yahoo Mail para iPhone\n\nEl martes, 2 de diciembre de 2025, 18:47:02 CET, ${AG} escribió:\n\n${flat(c)}`,
    2290,
  ),
  P(
    'g06 gmx DE accept-de',
    (c) =>
      `Ja, passt so.\n\nGesendet: Dienstag, 02. Dezember 2025 um 18:47 Uhr\nVon: "The Partnerships Team" <deals@agency.example>\nAn: ${c.email}\nBetreff: Re: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g07 onet PL reject-pl',
    (c) => `Dziękuję, ale nie jestem zainteresowana.\n\nDnia 2 grudnia 2025 18:47 ${AG} napisał(a):\n\n${gt(c)}`,
    'reject',
  ),
  P(
    'g08 mail.ru RU counter-ru',
    (c) => `Я готова за 2290 долларов.\n\n\nВторник, 2 декабря 2025, 18:47 +03:00 от ${AG}:\n\n${gt(c)}`,
    2290,
  ),
  P(
    'g09 libero IT accept-it',
    (c) =>
      `Va bene, procediamo pure.\n\n----Messaggio originale----\nDa: deals@agency.example\nData: 2-dic-2025 18:47\nA: <${c.email}>\nOggetto: Re: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g10 apple NL accept-nl',
    (c) => `Klinkt goed, ik doe mee!\n\n> Op 2 dec. 2025 om 18:47 heeft ${AG} het volgende geschreven:\n> \n${gt(c)}`,
    'accept',
  ),
  P(
    'g11 apple SV reject-sv',
    (c) => `Tack, men jag avstår den här gången.\n\n> 2 dec. 2025 kl. 18:47 skrev ${AG}:\n> \n${gt(c)}`,
    'reject',
  ),
  P(
    'g12 outlook DA counter-en',
    (c) =>
      `I could do it for $2,290.\n\nFra: ${AG}\nSendt: 2. december 2025 18:47\nTil: ${c.email}\nEmne: SV: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'g13 apple PT accept-pt',
    (c) =>
      `Combinado, vamos nessa!\n\nEnviado do meu iPhone\n\n> Em 2 de dez. de 2025, à(s) 18:47, ${AG} escreveu:\n> \n${gt(c)}`,
    'accept',
  ),
  P(
    'g14 apple ES counter-en',
    (c) =>
      `Can we meet at $2,290?\n\nEnviado desde mi iPhone\n\n> El 2 dic 2025, a las 18:47, ${AG} escribió:\n> \n${gt(c)}`,
    2290,
  ),
  P(
    'g15 sig cheers rate',
    () => `Sounds good to me.\n\nCheers,\nMaya\n📸 @maya | Rates: Reel $1,800 / Story $500`,
    'accept',
  ),
  P(
    'g16 sig contact block',
    () =>
      `Works for me!\n\nMaya Lopez\nContent Creator\nmaya@gmail.com | +1 555 201 4477\nMedia kit & rates: Reels start at $2,500`,
    'accept',
  ),
  P(
    'g17 sig es tarifa',
    () => `¡Me parece bien, adelante!\n\nUn saludo,\nMaya\nTarifa 2026: 1.800 $ por Reel`,
    'accept',
  ),
  P('g18 sig dash booking', () => `Great, let's do it.\n\n— Maya\nBooking: from $3,000 per campaign`, 'accept'),
  P(
    'g19 nested inline',
    (c) => `> ${c.last.text.split('\n')[2]}\n\nToo low for me, sorry.\n\n${gt(c)}\n>> I'd do it for $2,300`,
    ['reject', 'unclear', 'question'],
  ),
  P(
    'g20 begin forwarded',
    (c) =>
      `Looping my manager in — I'm happy to go ahead.\n\nBegin forwarded message:\n\nFrom: ${AG}\nSubject: Re: Collaboration\nDate: December 2, 2025 at 6:47:02 PM GMT\nTo: Maya Lopez <${c.email}>\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g21 samsung',
    (c) =>
      `Yes, agreed.\n\nSent from my Galaxy\n\n\n-------- Original message --------\nFrom: ${AG}\nDate: 12/2/25 18:47 (GMT+00:00)\nTo: ${c.email}\nSubject: Re: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g22 tb original header',
    (c) =>
      `Perfect, thank you!\n\n-------- Original Message --------\nSubject: Re: Collaboration\nDate: Tue, 2 Dec 2025 18:47:02 +0000\nFrom: ${AG}\nTo: ${c.email}\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g23 outlook FR struck in flat accept-en',
    (c) =>
      `OK for me, go ahead.\n\nDe : ${AG}\nEnvoyé : mardi 2 décembre 2025 18:47\nÀ : ${c.email}\nObjet : RE: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g24 outlook ES new ask below',
    (c) =>
      `¡Genial!\n\nDe: ${AG}\nEnviado: martes, 2 de diciembre de 2025 18:47\nPara: ${c.email}\nAsunto: RE: Collaboration\n\n${flat(c)}\n\nPD: mi tarifa sería 2.800 dólares.`,
    [2800, 'unclear'],
  ),
  P(
    'g25 gmail accept-en long thread',
    (c) =>
      `Okay, let's go with that!\n\nOn Tue, Dec 2, 2025 at 6:47 PM ${AG} wrote:\n${gt(c)}\n>\n> On Mon, Dec 1, 2025 at 9:00 AM Maya Lopez <${c.email}> wrote:\n>> I'd do it for $2,300\n>>\n>> On Sun, Nov 30, 2025 at 10:00 AM ${AG} wrote:\n${c.sent[0].text
        .split('\n')
        .map((l: string) => `>>> ${l}`)
        .join('\n')}`,
    'accept',
  ),
  P('g26 quote without attribution', (c) => `Yes, that's fine!\n\n${gt(c)}`, 'accept'),
  P('g27 sig ru', () => `Хорошо, договорились.\n\nС уважением,\nМария\nПрайс: Reels от $2 000`, 'accept'),
  P('g28 sig de', () => `Passt für mich!\n\nViele Grüße\nMaya\nPreise: Reel ab 1.900 USD`, 'accept'),
  P(
    'g29 protonmail FR',
    (c) =>
      `Ça me va, on y va.\n\nEnvoyé avec la messagerie sécurisée Proton Mail.\n\n------- Original Message -------\nLe mardi 2 décembre 2025 à 18:47, ${AG} a écrit :\n\n${gt(c)}`,
    'accept',
  ),
  P(
    'g30 zoho DE',
    (c) => `Einverstanden.\n\n---- Am Di, 02 Dez 2025 18:47:02 +0100 schrieb ${AG} ----\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g31 outlook IT counter-it',
    (c) =>
      `Per me servono 2.290 dollari.\n\nDa: ${AG}\nInviato: martedì 2 dicembre 2025 18:47\nA: ${c.email}\nOggetto: R: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'g32 outlook PL counter-pl',
    (c) =>
      `Moja stawka to 2290 USD.\n\nOd: ${AG}\nWysłano: wtorek, 2 grudnia 2025 18:47\nDo: ${c.email}\nTemat: RE: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'g33 outlook NL accept-nl',
    (c) =>
      `Prima, we gaan ervoor.\n\nVan: ${AG}\nVerzonden: dinsdag 2 december 2025 18:47\nAan: ${c.email}\nOnderwerp: RE: Collaboration\n\n${flat(c)}`,
    'accept',
  ),
  P(
    'g34 outlook RU counter-ru',
    (c) =>
      `Моя цена 2 290 долларов.\n\nОт: ${AG}\nОтправлено: 2 декабря 2025 г. 18:47\nКому: ${c.email}\nТема: RE: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'g35 outlook SV reject-sv',
    (c) =>
      `Nej tack, det passar inte mig.\n\nFrån: ${AG}\nSkickat: den 2 december 2025 18:47\nTill: ${c.email}\nÄmne: SV: Collaboration\n\n${flat(c)}`,
    'reject',
  ),
  P(
    'g36 outlook PT reject-pt',
    (c) =>
      `Obrigada, mas vou recusar.\n\nDe: ${AG}\nEnviado: terça-feira, 2 de dezembro de 2025 18:47\nPara: ${c.email}\nAssunto: RE: Collaboration\n\n${flat(c)}`,
    'reject',
  ),
  P(
    'g37 gmail FR accept + question exclusivité',
    (c) =>
      `D'accord ! Par contre, y a-t-il une clause d'exclusivité ?\n\nLe mar. 2 déc. 2025 à 18:47, ${AG} a écrit :\n${gt(c)}`,
    ['question', 'unclear'],
    { legal: true },
  ),
  P(
    'g38 gmail DE accept + Vertrag',
    (c) =>
      `Klingt gut. Schickt mir bitte den Vertrag, mein Anwalt schaut drüber.\n\nAm Di., 2. Dez. 2025 um 18:47 Uhr schrieb ${AG}:\n${gt(c)}`,
    ['question', 'unclear'],
    { legal: true },
  ),
  P(
    'g39 gmail ES exclusividad',
    (c) =>
      `Me parece bien, pero ¿hay exclusividad con otras marcas?\n\nEl mar, 2 dic 2025 a las 18:47, ${AG} escribió:\n${gt(c)}`,
    ['question', 'unclear'],
    { legal: true },
  ),
  P(
    'g40 it diritti',
    (c) =>
      `Va bene, ma per quanto tempo avete i diritti d'uso?\n\nIl giorno mar 2 dic 2025 alle ore 18:47 ${AG} ha scritto:\n${gt(c)}`,
    ['question', 'unclear'],
    { legal: true },
  ),
];
