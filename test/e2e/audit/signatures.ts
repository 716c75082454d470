import type { Probe } from '../../support/probes.ts';
const S = (name: string, text: string, e: Probe['e'] = 'accept'): Probe => ({ name, text, e });
export const SIGS: Probe[] = [
  S('s01 one-line sig', 'Sounds great!\nMaya Lopez | Creator | Reels $1,500'),
  S('s02 sig before iphone', "Yes let's do it\nMaya\nRates: $1,800/Reel\nSent from my iPhone"),
  S('s03 xo', 'Deal!\nxo Maya\nIG @maya · Story $400 · Reel $1,600'),
  S(
    's04 thanks name rates',
    'Happy to proceed.\n\nThanks,\nMaya\n\nMaya Lopez Media\nPartnership rates start at $3,000\nwww.mayalopez.com',
  ),
  S('s05 underscore rule', 'Works for me!\n______\nMaya Lopez\nBooking fee from $2,500'),
  S('s06 asterisks', 'Great, go ahead.\n\n***\nMaya | rates from USD 2,200'),
  S('s07 de sig', 'Klingt gut, ich bin dabei!\n\nLiebe Grüße\nMaya\nPreisliste: Reel 1.500 €'),
  S('s08 fr sig', "C'est parfait pour moi.\n\nBien à vous,\nMaya\nTarifs : Reel 1 500 €, Story 400 €"),
  S('s09 pt sig', 'Fechado!\n\nBeijos,\nMaya\nCachê a partir de R$ 5.000'),
  S('s10 it sig', 'Perfetto, ci sto!\n\nUn saluto,\nMaya\nTariffe da 1.800 €'),
  S('s11 nl sig', 'Akkoord!\n\nGroetjes,\nMaya\nTarieven vanaf €1.500'),
  S('s12 pl sig', 'Zgoda!\n\nPozdrawiam,\nMaya\nStawki od 6 000 zł'),
  S('s13 sv sig', 'Toppen, jag är med!\n\nMvh\nMaya\nPriser från 15 000 kr'),
  S('s14 ru sig', 'Договорились!\n\nС уважением,\nМайя\nСтоимость рекламы от 150 000 руб.'),
  S('s15 es sig', 'Trato hecho.\n\nSaludos,\nMaya\nTarifas desde 1.500 USD'),
  S('s16 counter + sig', "I'd need $2,450 for this one.\n\nBest,\nMaya\nRates from $1,200", 2450),
  S('s17 counter + sig es', 'Mi tarifa sería 2.450 dólares.\n\nSaludos,\nMaya\nTarifas desde 1.200 USD', 2450),
  S('s18 media kit link', 'Sounds good!\n\nMaya\nMedia kit: https://maya.example/kit?rate=2500'),
  S('s19 phone sig', 'Deal.\n\nMaya Lopez\n+1 (555) 201-4477\n$1,500 min per post'),
  S('s20 sig with name from header', "Let's go ahead!\n\nMaya L.\nCreator & Founder\nCollabs from $2,000"),
  S('s21 sent from outlook android', 'OK!\n\nGet Outlook for Android\n\nRates: $3k per Reel'),
  S('s22 sig in the middle', 'Sounds good!\n\nBest,\nMaya\n\nP.S. could we make it $2,300?', [2300, 'unclear']),
];
