import type { Probe, ProbeContext as Ctx } from '../../support/probes.ts';
const R1 = ["I'd do it for $2,300"];
const flat = (c: Ctx) => c.last.text.replace(/~~/g, '');
const AG = 'The Partnerships Team [mailto:deals@agency.example]';
const P = (name: string, text: (c: Ctx) => string, e: Probe['e']): Probe => ({
  name,
  before: R1,
  text,
  e,
  agreedAt: 2150,
});
const sep = (lang: string, line: string, labels: string[], accept: string, date: string): Probe =>
  P(
    `o-${lang}`,
    (c) =>
      `${accept}\n\n${line}\n${labels[0]}: ${AG}\n${labels[1]}: ${date}\n${labels[2]}: ${c.email}\n${labels[3]}: RE: Collaboration\n\n${flat(c)}`,
    'accept',
  );
export const FORMATS3: Probe[] = [
  sep(
    'es',
    '-----Mensaje original-----',
    ['De', 'Enviado el', 'Para', 'Asunto'],
    'Perfecto, trato hecho.',
    'martes, 2 de diciembre de 2025 18:47',
  ),
  sep(
    'fr',
    "-----Message d'origine-----",
    ['De', 'Envoyé', 'À', 'Objet'],
    "C'est d'accord pour moi.",
    'mardi 2 décembre 2025 18:47',
  ),
  sep(
    'de',
    '-----Ursprüngliche Nachricht-----',
    ['Von', 'Gesendet', 'An', 'Betreff'],
    'Einverstanden, machen wir.',
    'Dienstag, 2. Dezember 2025 18:47',
  ),
  sep(
    'pt',
    '-----Mensagem original-----',
    ['De', 'Enviada em', 'Para', 'Assunto'],
    'Fechado, pode seguir.',
    'terça-feira, 2 de dezembro de 2025 18:47',
  ),
  sep(
    'it',
    '-----Messaggio originale-----',
    ['Da', 'Inviato', 'A', 'Oggetto'],
    "D'accordo, procediamo.",
    'martedì 2 dicembre 2025 18:47',
  ),
  sep(
    'nl',
    '-----Oorspronkelijk bericht-----',
    ['Van', 'Verzonden', 'Aan', 'Onderwerp'],
    'Akkoord, we gaan ervoor.',
    'dinsdag 2 december 2025 18:47',
  ),
  sep(
    'pl',
    '-----Wiadomość oryginalna-----',
    ['Od', 'Wysłano', 'Do', 'Temat'],
    'Zgoda, działamy.',
    'wtorek, 2 grudnia 2025 18:47',
  ),
  sep(
    'sv',
    '-----Ursprungligt meddelande-----',
    ['Från', 'Skickat', 'Till', 'Ämne'],
    'Toppen, vi kör!',
    'den 2 december 2025 18:47',
  ),
  sep(
    'da',
    '-----Oprindelig meddelelse-----',
    ['Fra', 'Sendt', 'Til', 'Emne'],
    'Det lyder godt, jeg er med.',
    '2. december 2025 18:47',
  ),
  sep('no', '-----Opprinnelig melding-----', ['Fra', 'Sendt', 'Til', 'Emne'], 'Avtale!', '2. desember 2025 18:47'),
  sep(
    'ru',
    '-----Исходное сообщение-----',
    ['От', 'Отправлено', 'Кому', 'Тема'],
    'Договорились!',
    'вторник, 2 декабря 2025 г. 18:47',
  ),
  sep('fr-mac', '', ['De', 'Date', 'À', 'Objet'], 'Parfait, on y va !', 'mardi 2 décembre 2025 à 18:47'),
  sep('it-mac', '', ['Da', 'Data', 'A', 'Oggetto'], 'Perfetto, ci sto.', 'martedì, 2 dicembre 2025 18:47'),
  sep('nl-mac', '', ['Van', 'Datum', 'Aan', 'Onderwerp'], 'Prima, doen we.', 'dinsdag 2 december 2025 18:47'),
  sep('pl-mac', '', ['Od', 'Data', 'Do', 'Temat'], 'Brzmi dobrze, wchodzę w to.', 'wtorek, 2 grudnia 2025 18:47'),
  sep('sv-mac', '', ['Från', 'Datum', 'Till', 'Ämne'], 'Låter bra, jag är med.', 'tisdag 2 december 2025 18:47'),
  sep('ru-mac', '', ['От', 'Дата', 'Кому', 'Тема'], 'Отлично, по рукам.', 'вторник, 2 декабря 2025 г., 18:47'),
  sep('pt-mac', '', ['De', 'Data', 'Para', 'Assunto'], 'Combinado!', 'terça-feira, 2 de dezembro de 2025 às 18:47'),
  sep('es-cc', '', ['De', 'Enviado', 'Para', 'CC'], 'Vale, adelante.', 'martes, 2 de diciembre de 2025 18:47'),
  sep('de-web', '', ['Von', 'Datum', 'An', 'Betreff'], 'Alles klar, bin dabei.', 'Di., 2. Dez. 2025 um 18:47'),
  sep('cs-unlisted', '', ['Od', 'Odesláno', 'Komu', 'Předmět'], 'Sounds great, deal.', 'úterý 2. prosince 2025 18:47'),
  sep(
    'fi-unlisted',
    '',
    ['Lähettäjä', 'Lähetetty', 'Vastaanottaja', 'Aihe'],
    'Sounds great, deal.',
    'tiistai 2. joulukuuta 2025 18.47',
  ),
  // counters in the language, same formats
  P(
    'oc-es',
    (c) =>
      `Lo haría por 2.290 dólares.\n\n-----Mensaje original-----\nDe: ${AG}\nEnviado el: martes, 2 de diciembre de 2025 18:47\nPara: ${c.email}\nAsunto: RE: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'oc-ru',
    (c) =>
      `Сделаю за 2290 долларов.\n\n-----Исходное сообщение-----\nОт: ${AG}\nОтправлено: 2 декабря 2025 г. 18:47\nКому: ${c.email}\nТема: RE: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'oc-pl',
    (c) =>
      `Zrobię to za 2 290 USD.\n\n-----Wiadomość oryginalna-----\nOd: ${AG}\nWysłano: wtorek, 2 grudnia 2025 18:47\nDo: ${c.email}\nTemat: RE: Collaboration\n\n${flat(c)}`,
    2290,
  ),
  P(
    'or-it',
    (c) =>
      `Grazie, ma non fa per me.\n\n-----Messaggio originale-----\nDa: ${AG}\nInviato: martedì 2 dicembre 2025 18:47\nA: ${c.email}\nOggetto: R: Collaboration\n\n${flat(c)}`,
    'reject',
  ),
];
