/**
 * Which way a reply writes numbers, from its words (D16): every D16 language but English writes "2.500" for two
 * thousand five hundred, so a reply written in one of them settles a dot that could be read two ways.
 */

// Common words of languages that write "2.500" for two thousand five hundred: every D16 language but English
// (es, de, pt, it, nl, fr, pl, sv/da/no, ru all write a decimal comma).
const DOT_LANGUAGE =
  /(?<![\p{L}])(?:el|los|las|una|mi|es|sería|seria|tarifa|precio|por|para|con|pero|der|die|das|und|ich|für|mit|ist|nicht|mein|meine|preis|honorar|o|os|meu|minha|valor|não|é|com|il|di|che|per|mio|mia|sono|prezzo|compenso|het|een|ik|voor|mijn|niet|prijs|tarief|jeg|og|ikke|min|pris|er|på|está|bien|gracias|hola|sí|muy|gut|danke|bem|obrigad[oa]|grazie|bene|bedankt|goed|lo|haría|haria|puedo|hago|mache|würde|kann|wäre|consigo|fazer|faço|faria|posso|farei|farlo|posso|potrei|zou|kan|wil|doe|vragen|dit|pakket|det|gøre|gjøre|kr|hej|hei|vil|til|med|hoi|hallo|servus|olá|ciao|jag|för|gör|skulle|einverstanden|brauche|bräuchte|möchte|nehme|verlange|dafür|tager|tar|koster|tarif|mon|ma|pour|je|le|les|est|serait|ferais|peux|merci|moja|mój|stawka|cena|za|zrobię|mogę|jest|dzięki|dziękuję|moje|mitt|kostar|tack|takk|tak|моя|мой|цена|ставка|за|могу|сделаю|сделала|сделал|долларов|это|спасибо)(?![\p{L}])/giu;
// Words written with letters English does not use (bräuchte, ça, łączna, сделаю): another language's words.
const FOREIGN_LETTERS = /[\p{L}]*[äöüßåøæłąęśżźćńãõçàèìòùéêëîïôûñ\p{Script=Cyrillic}][\p{L}]*/giu;
// English words that are not also words of those languages ("to" is Polish and Russian, "is" Dutch).
const ENGLISH = /(?<![\p{L}])(?:the|and|i|my|for|it|we|you|this|that|with|rate|would|can|could)(?![\p{L}])/giu;

/** A reply written in a language that writes "2.500" for 2,500 is evidence for that reading (D16). */
export function writesDots(text: string): boolean {
  const foreign = [...(text.match(DOT_LANGUAGE) ?? []), ...(text.match(FOREIGN_LETTERS) ?? [])];
  const dot = new Set(foreign.map((w) => w.toLowerCase())).size;
  const en = new Set((text.match(ENGLISH) ?? []).map((w) => w.toLowerCase())).size;
  // Short replies ("Hola! Lo haría por $2.800") carry few words: two of that language and none of English will do.
  return (dot >= 3 && en <= 1) || (dot >= 2 && en === 0);
}
