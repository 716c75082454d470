/**
 * The words of a reply that say what it means, in English and the D16 languages: acceptances (short and long),
 * refusals, hesitation and conditions, questions about terms, legal language, hostility, unusual asks, and text
 * that tries to instruct the agent. Used by the reply reader (services/reading.ts) only.
 */
import type { Classification, TriggerKind } from './model/port.ts';

/**
 * A case-insensitive Unicode pattern whose `\b` are word boundaries for every script: JavaScript's `\b` knows only
 * ASCII letters, so "ça marche", "zgadzam się" or "c'est validé" would never match at their non-ASCII edges.
 */
function words(source: string): RegExp {
  return new RegExp(
    source.replace(/\\b/g, String.raw`(?:(?<=[\p{L}\p{N}_])(?![\p{L}\p{N}_])|(?<![\p{L}\p{N}_])(?=[\p{L}\p{N}_]))`),
    'iu',
  );
}

/** Clear acceptances, anywhere in a reply (unless negated, conditioned or followed by "but"). */
export const ACCEPT = words(
  [
    String.raw`\bsounds?\s+(?:really\s+|very\s+|so\s+)?(?:good|great|perfect|fine|fair|amazing|awesome|lovely|wonderful|excellent|brilliant|fab)\b`,
    String.raw`\blet'?s\s+(?:do\s+(?:it|this|that)|go(?:\s+for\s+it|\s+ahead)?|move\s+forward|proceed|make\s+it\s+happen|lock\s+it\s+in|get\s+started|go\s+with\s+(?:it|that|your\s+offer))\b`,
    String.raw`\b(?:it'?s|that'?s|we\s+have|we'?ve\s+got|you'?ve\s+got|you\s+have|got\s+(?:a|your)self)\s+a\s+deal\b`,
    String.raw`(?:^|[.!?;:,–—\n]\s*|\b(?:ok(?:ay)?|yes|yep|sure|great|perfect|then|so)[,!]?\s+)deal\b(?!\s+(?:with|breaker|is\s+off|sounds|seems|looks|is\s+(?:close|almost|nearly)))|\bdone\s+deal\b`,
    String.raw`\b(?:agreed|i\s+agree|we\s+agree|(?:i|we)\s+accept(?=\s*(?:[!.,;:]|$)|\s+(?:it|this|that|your|the\s+(?:offer|proposal|deal|terms|rate)))|count\s+me\s+in(?!\s+for\s+(?:a|the)\s+(?:call|meeting|chat|zoom|event|intro))|(?:i'?m|we'?re|i\s+am|we\s+are|count\s+me)\s+on\s+board)\b`,
    // "I'm in!", "I'm down for it", "on board." — not "I'm in LA next week", "I'm down with a cold"
    String.raw`\b(?:i'?m\s+(?:so\s+|totally\s+|definitely\s+|100%\s+)?(?:in|down)|on\s+board)(?=\s*(?:[!.,;:)]|$|\p{Extended_Pictographic})|\s+(?:for\s+(?:it|this|that)|with\s+(?:it|this|that)|on\s+(?:it|this)))`,
    String.raw`\b(?:that|this|it)(?:'s|\s+is)\s+(?:totally\s+|absolutely\s+|perfectly\s+)?(?:fine|perfect|great|good|ok|okay|acceptable)(?:\s+(?:with|for|by)\s+(?:me|us))?\s*(?:[.!]|$)|\bworks?\s+(?:for|with)\s+(?:me|us)\b|\b(?:that|this|it|which)\s+(?:totally\s+|definitely\s+)?works\b`,
    String.raw`\b(?:i'?m|we'?re|i\s+am|we\s+are)\s+(?:happy|glad|good|fine|ok|okay|thrilled|delighted|excited)\s+(?:with|to\s+(?:do\s+(?:it|this)|proceed|move\s+forward|go\s+ahead|accept|confirm|join|take\s+(?:it|this)\s+on|work\s+with\s+you|partner|collaborate))\b`,
    String.raw`\bhappy\s+to\s+(?:do\s+(?:it|this)|proceed|move\s+forward|go\s+ahead|accept|confirm|join|take\s+(?:it|this)\s+on|work\s+with\s+you|partner|collaborate|be\s+(?:a\s+)?part)\b`,
    String.raw`\b(?:i'?ll|i\s+will)\s+take\s+it\b|\bgo\s+ahead\b|\blooks?\s+good\b|(?:^|[.!?,;]\s*|\b(?:that|this|it|everything|all|the\s+(?:offer|deal|proposal|package|terms|rate))\s+)looks?\s+(?:really\s+|very\s+|so\s+)?(?:great|perfect|fine|fair|amazing|awesome|lovely|wonderful|excellent)\b|\b(?:i\s+)?love\s+(?:it|this|that)(?=\s*(?:[!.,;:)]|$))|\ball\s+good\b|\bfine\s+(?:by|with)\s+me\b|\bgood\s+(?:for|with)\s+me\b`,
    String.raw`\bi\s+confirm\b(?!\s+(?:receipt|that\s+i\s+(?:got|received)))|\b(?:confirmed|approved|accepted)(?=\s*(?:[!.,;:]|$|\p{Extended_Pictographic})|\s+(?:from|on)\s+my\s+(?:side|end))|\byes,?\s+please\b|\bwhere\s+do\s+i\s+sign\b|\bcan'?t\s+wait\s+to\s+(?:start|get\s+started|work)\b`,
    // Spanish, French, German, Portuguese, Italian, Dutch, Polish, Swedish/Danish/Norwegian, Russian
    String.raw`\bde\s+acuerdo\b|\btrato\s+hecho\b|\bme\s+parece\s+(?:bien|perfecto|genial|estupendo)(?=\s*(?:[,.!;:…]|$|\s+(?:todo|así|la\s+propuesta|la\s+oferta|el\s+precio)\b))|\bacepto\b|\bcuenta\s+conmigo\b|(?<![\p{L}])¡?hecho(?![\p{L}])|\bme\s+apunto\b|\blo\s+hago\b|\bvamos\s+(?:con\s+ello|adelante)\b|\bme\s+encaja\b|\bme\s+vale\b|(?<![\p{L}])¡?adelante\s*(?:[!.]|$)|\blo\s+hacemos\b|\bhag[áa]moslo\b|\bme\s+sirve\b|(?:^|[.!?,]\s*)est[áa]\s+bien\b|\bclaro\s+que\s+s[íi]\b`,
    String.raw`\bça\s+(?:marche|me\s+va|me\s+convient)\b|\bmarché\s+conclu\b|\bj'accepte\b|\bc'est\s+(?:parfait|bon\s+pour\s+moi|validé|ok|d'accord|noté)\b|\b(?:ok|bon|parfait|d'accord)\s+pour\s+moi\b|\bje\s+valide\b|\bje\s+suis\s+partante?\b|\bje\s+suis\s+(?:d'accord|dedans|pour)\b|\bavec\s+plaisir\b|\bon\s+y\s+va\b|\bva\s+pour\b|\ballons-y\b|\bon\s+part\s+(?:là-dessus|sur\s+(?:ça|cette\s+base))\b|(?:^|[.!?]\s*)(?:entendu|très\s+bien)\b|\bje\s+signe\s*(?:[!.]|$)|\bça\s+roule\b`,
    String.raw`\beinverstanden\s+mit\s+(?:dem|ihrem|eurem|deinem|diesem)\s+angebot\b|\bpasst\s+(?:für\s+mich|mir|so)\b|\bgeht\s+klar\b|\bklingt\s+(?:gut|super|toll|prima|perfekt|klasse)\b|\bin\s+ordnung\b|\bmachen\s+wir\b|\bich\s+nehme\s+(?:es\s+|das\s+angebot\s+)?an\b|\bich\s+bin\s+dabei\b|\bich\s+sage\s+zu\b|\bich\s+mache\s+(?:es|das|mit)\b|\bbin\s+dabei\b`,
    String.raw`\baceito\b|\bpode\s+ser\b|\b(?:est)?[áa]\s+[óo]timo\b|\bpor\s+mim\s+tudo\s+bem\b|\b(?:vamos|bora)\s+(?:nessa|lá|fazer)\b|\btô\s+dentro\b|\bestou\s+dentro\b|\bconcordo\s+com\s+a\s+proposta\b|\b(?:vamos|bora)\s+em\s+frente\b|\bpode\s+seguir\b`,
    String.raw`\bva\s+bene\b|\bd'accordo\b|\baccetto\b|\baffare\s+fatto\b|\bci\s+sto\b|\bfacciamolo\b|\bsono\s+dentro\b|\bper\s+me\s+va\s+bene\b|\bva\s+benissimo\b|\bprocediamo\b|\bmi\s+sta\s+bene\b|\bandiamo\s+avanti\b|\bok\s+per\s+me\b`,
    String.raw`\bakkoord\s+met\s+(?:het|jullie|uw|je)\s+(?:voorstel|aanbod)\b|\bklinkt\s+(?:goed|top|prima|perfect)\b|\bik\s+doe\s+mee\b|\bik\s+ben\s+erbij\b|\bdoen\s+we\b|\blijkt\s+me\s+(?:goed|prima)\b|\bdat\s+is\s+(?:goed|prima|top|perfect)\b|\bhelemaal\s+goed\b|\bik\s+accepteer\b|\bwe\s+gaan\s+ervoor\b|\bik\s+ga\s+akkoord\b`,
    String.raw`\bumowa\s+stoi\b|\bakceptuj[ęe]\b|\bpasuje\s+mi\b|\bbrzmi\s+(?:dobrze|świetnie|super)\b|\bwchodz[ęe]\s+w\s+to\b|\bzgadzam\s+si[ęe]\b|\bjestem\s+za\b|\bdobrze,?\s+robimy\b|\brobimy\s+to\b|\bprzyjmuj[ęe]\b|\bdziałamy\b`,
    String.raw`\blåter\s+(?:bra|perfekt|toppen|jättebra|kanon)\b|\bjag\s+accepterar\b|\bdet\s+(?:funkar|fungerar)\b|\blyder\s+(?:godt|perfekt|fint|super)\b|\bdet\s+passer\b|\bjeg\s+accepterer\b|\bhøres\s+(?:bra|perfekt)\s+ut\b|\bjeg\s+aksepterer\b|\bvi\s+kör\b|\bvi\s+k[øo]rer\b|\bvi\s+kjører\b|\bjag\s+är\s+med\b|\bjeg\s+er\s+med\b|\bdet\s+gör\s+vi\b|\bvi\s+gör\s+det\b|\b(?:jag\s+tackar|jeg\s+takker)\s+ja\b|\blad\s+os\s+gøre\s+det\b|\bla\s+oss\s+gjøre\s+det\b|\bdet\s+passer\s+(?:fint|bra|godt)\b`,
    String.raw`(?:я\s+)?согласн(?:а|ы|ен)\s+(?:с|на)\s+(?:ваш|эт)\p{L}*\s+(?:предложени|услови)\p{L}*|(?:меня\s+)?(?:вс[её]\s+)?устраивает|мне\s+подходит|по\s+рукам|принимаю\s+(?:ваше|это)\s+предложение|давайте\s+(?:начн[её]м|работать|сделаем)|я\s+в\s+деле|отлично,?\s+(?:делаем|договорились)|(?:я|мы)\s+согласн(?:а|ы|ен)(?![\p{L}])`,
    // One word that is a yes only when it stands alone as a clause ("Fechado!", "Gerne, …", "Akkoord."), not in
    // "Gerne schicke ich Ihnen …", "Combinado com outra marca …", "Давайте созвонимся"
    String.raw`(?<![\p{L}'])(?:d'accord|banco|einverstanden|passt|abgemacht|alles\s+klar|sehr\s+gerne|gerne|fechado|combinado|perfeito|bora|topo|beleza|concordo|perfetto|volentieri|akkoord|afgesproken|prima|zgoda|greit|aftale|avtale|toppen|kör|kanon|договорились|согласн[аы]?|согласен|подходит|принимаю|идёт|идет|давайте|давай)(?=\s*(?:[,.!;:…)–—-]|$|\p{Extended_Pictographic}))`,
  ].join('|'),
);

/** Words a short acceptance may be made of ("ok", "Yes!", "Deal 👍", "Sounds good, thanks!", "Vale, perfecto"). */
const SHORT_ACCEPT = new Set(
  (
    'ok okay okey k kk oki okie yes yep yeah yup ya yea sure deal works work fine great perfect cool alright ' +
    'agreed done absolutely definitely certainly awesome amazing lovely wonderful excellent fab brilliant ' +
    'sí si vale claro perfecto genial adelante oui parfait entendu ja gerne einverstanden passt super abgemacht klar sim ' +
    'fechado combinado perfeito beleza certo sì perfetto akkoord prima top tak zgoda dobrze jasne świetnie ' +
    'pasuje okej toppen absolut fint greit да хорошо договорились согласна согласен отлично ок ладно ' +
    '👍 👌 ✅ 🤝 🙌 💯 ✔ ✔️ 🔥 😊 🙂 😀 😁 🎉 ❤️ ♥'
  ).split(/\s+/),
);
/** Words that may stand beside them without changing the meaning. */
const SHORT_FILLER = new Set(
  (
    'thanks thank you so much very sounds sound good that this it for me us with let lets let’s do go then thing ' +
    'i im i’m in count all set happy to of course and a totally really by from my side here we are on board ' +
    'gracias merci danke obrigado obrigada grazie dank dzięki tack takk tak спасибо de acuerdo ça marche ' +
    'bueno bien muy va bene è es está tá mir für mich gut klingt'
  ).split(/\s+/),
);

/** Refusals. */
export const REJECT = words(
  [
    String.raw`\bnot\s+interested\b|\bpass\s+on\s+(?:this|that|it)\b|\b(?:i'?ll|will|going\s+to|gonna|have\s+to|must|(?:i'?d|would)\s+(?:rather|like\s+to))\s+pass\b`,
    String.raw`\b(?:have\s+to|going\s+to|gonna|must|will|'ll)\s+say\s+no\b|\bhard\s+pass\b|\bno,?\s+thanks?\b|\bno,?\s+thank\s+you\b|\bdeclin(?:e|ing)\b|\bnot\s+(?:a|the\s+right|a\s+good|the\s+best)\s+fit\b|\b(?:not|isn'?t|is\s+not)\s+for\s+me\b|\b(?:isn'?t|is\s+not|not)\s+(?:a|the\s+right|a\s+good)\s+fit\b|\b(?:can'?t|cannot|unable\s+to)\s+take\s+(?:this|it|this\s+one)\s+on\b`,
    String.raw`\b(?:can'?t|cannot)\s+do\s+(?:it|this|that)\b(?!\s+(?:for|at)\b)|\b(?:won'?t|will\s+not)\s+be\s+able\s+to\s+(?:do\s+(?:it|this|that|this\s+one)|take\s+(?:it|this)\s+on|make\s+it\s+work|join|participate)\b(?!\s+(?:for|at)\b)|\bi'?m\s+out\b|\bnot\s+(?:at\s+)?this\s+time\b|\bnot\s+taking\s+(?:on\s+)?(?:any\s+)?(?:new\s+)?(?:deals|campaigns|partnerships|collaborations)\b`,
    String.raw`\bsit\s+(?:this|that)\s+one\s+out\b|\bsit\s+(?:this|it)\s+out\b|\bgoing\s+to\s+skip\b|\bi'?ll\s+skip\b|\bwe'?ll\s+pass\b|\bno\s+es\s+para\s+m[ií]\b|\bno\s+me\s+encaja\b|\bvoy\s+a\s+pasar\b|\bpaso\s+esta\s+vez\b|\bdeclino\b|\bvais\s+décliner\b|\bdécliner\b|\bje\s+décline\b|\bpasse\s+mon\s+tour\b|\bpas\s+pour\s+moi\b|\bce\s+sera\s+non\b|\bnon\s+fa\s+per\s+me\b|\bdevo\s+rinunciare\b|\brinuncio\b|\bpasso\s+(?:questa\s+volta|stavolta)\b|\bik\s+pas\b|\bik\s+sla\s+(?:deze|dit)\b|\bniet\s+voor\s+mij\b|\bich\s+passe\b|\babsagen\b|\bsage\s+ab\b|\bnicht\s+f[üu]r\s+mich\b|\bvou\s+recusar\b|\bvou\s+passar\b|\bn[ãa]o\s+(?:é|e)\s+(?:pra|para)\s+mim\b|\brecuso\b|\brezygnuj[ęe]\b|\bodpuszcz[ęe]\b|\bnie\s+dla\s+mnie\b|\bjag\s+avstår\b|\bjeg\s+(?:takker\s+nej|står\s+over|avstår|sier\s+nei)\b|откажусь|вынужден[а]?\s+отказаться|не\s+для\s+меня|\bno\s+gracias\b|\bno\s+me\s+interesa\b|\bnon\s+merci\b|\bpas\s+intéressée?\b|\bje\s+(?:vais\s+)?passer?\b|\bnein,?\s+danke\b|\bkein\s+interesse\b|\bnão,?\s+obrigad[oa]\b|\bnão\s+tenho\s+interesse\b|\bno,?\s+grazie\b|\bnon\s+mi\s+interessa\b|\bnee,?\s+bedankt\b|\bgeen\s+interesse\b|\bnie,?\s+dzi[ęe]kuj[ęe]\b|\bnie\s+jestem\s+zainteresowan\p{L}*|\bnej\s+tack\b|\bnei\s+takk\b|\bnej\s+tak\b|нет,?\s+спасибо|не\s+интересно|\brechaz(?:ar|o)\b|\bno\s+puedo\s+(?:aceptar|participar|hacerlo)\b|\bprefiero\s+no\s+participar\b|\brefuser\b|\bje\s+refuse\b|\bce\s+ne\s+sera\s+pas\s+possible\b|\bnichts\s+f[üu]r\s+mich\b|\bich\s+lehne\s+(?:\p{L}+\s+){0,3}ab\b|\bablehnen\b|\brecusar\b|\bn[ãa]o\s+posso\s+aceitar\b|\bdeclinare\b|\brifiut(?:are|o)\b|\bnon\s+posso\s+accettare\b|\bafzeggen\b|\bafslaan\b|\bodm[óo]wi[ćc]\b|\bodmawiam\b|\btacka\s+nej\b|\btackar\s+nej\b|\bavb[øo]je\b`,
  ].join('|'),
);
const SHORT_REJECT = /^(?:no|nope|nah|no way|pass|i'?ll pass|non|nein|não|nie|nej|nei|нет)$/iu;

/** Hesitation, deferral: not an acceptance yet. */
export const HESITATE = words(
  [
    String.raw`\blet\s+me\s+(?:check|think|see|get\s+back|confirm|discuss|talk|ask|consult|run|review|look|sleep)\b|\bget\s+back\s+to\s+you\b|\bcircle\s+back\b|\bthink\s+(?:about\s+it|it\s+over)\b|\bneed\s+(?:to\s+(?:check|think|discuss|talk|confirm|run|ask|review)|(?:some\s+)?time)\b|\b(?:will|i'?ll)\s+(?:let\s+you\s+know|check|confirm|get\s+back|think)\b|\brun\s+(?:it|this)\s+by\b|\bcheck\s+with\b|\bsleep\s+on\s+it\b|\bnot\s+sure\b|\bunsure\b|\bmaybe\b|\bperhaps\b|\bpossibly\b|\bprobably\b|\btentative(?:ly)?\b|\bin\s+principle\b|\bpending\b|\bdepends\b|\bconsidering\b|\bhmm+\b`,
    String.raw`\b(?:will|i'?ll|i\s+will|we'?ll|we\s+will|going\s+to|gonna)\s+(?:review|discuss|revert|reply|respond|come\s+back|look\s+(?:at|into|over)|take\s+a\s+look|consider|decide|talk|chat)\b|\bdiscuss(?:ing)?\s+(?:it|this|that)\s+with\b|\bforward(?:ing|ed)?\s+(?:it\s+|this\s+)?to\s+my\b|\bfor\s+(?:approval|sign-?off)\b|\bdecid(?:e|ing)\b|\bso\s+(?:i|we)\s+can\s+(?:test|try|check|see|review|think)\b|\b(?:need|needs|waiting\s+for|wait\s+for)\s+(?:my|our)\s+(?:manager|agent|team|partner|lawyer)\b|\bsign\s*-?\s*off\b|\b(?:manager|agent|team)\s+will\s+(?:confirm|review|decide|get\s+back|reply)\b`,
    // the same in the D16 languages: think it over, let you know, check with my agent/manager
    String.raw`\blo\s+(?:pienso|pensaré|consulto)\b|\bte\s+(?:aviso|confirmo)\b|\bconsultar(?:lo)?\s+con\b|\bhablarlo\s+con\b|\bje\s+(?:vais\s+)?(?:réfléchir|reviens\s+vers)\b|\bje\s+dois\s+(?:voir|vérifier|réfléchir|en\s+parler)\b|\bvoir\s+avec\s+mon\b|\bich\s+(?:melde\s+mich|überlege|muss\s+(?:noch\s+)?(?:überlegen|nachdenken|klären|prüfen))\b|\b(?:abstimmen|rücksprache)\b|\bvou\s+(?:pensar|ver\s+com|confirmar)\b|\bte\s+falo\b|\b(?:ci\s+penso|ti\s+(?:faccio\s+sapere|confermo)|devo\s+(?:pensarci|sentire|chiedere))\b|\bik\s+(?:laat\s+(?:het\s+)?(?:je|u)\s+weten|denk\s+erover\s+na|moet\s+(?:overleggen|nadenken))\b|\boverleggen\b|\b(?:muszę\s+(?:się\s+zastanowić|przemyśleć|skonsultować)|dam\s+(?:znać|ci\s+znać))\b|\bjag\s+(?:återkommer|måste\s+(?:fundera|kolla))\b|\bjeg\s+(?:vender\s+tilbage|kommer\s+tilbake|må\s+(?:tenke|sjekke)|skal\s+tænke)\b|подумаю|дам\s+знать|посоветуюсь|уточню`,
  ].join('|'),
);
/** A condition or a reservation attached to a yes. */
export const CONDITION =
  /\bif\b|\bas\s+long\s+as\b|\bprovided\b|\bon\s+(?:the\s+)?condition\b|\bassuming\b|\bunless\b|\bsubject\s+to\b|\bonly\s+if\b|\b(?:double|triple|make|add|throw|give|bump|raise|include|cover|pay|drop|remove|cut|up|increase|round|match)\b[^.!?\n]*\s+and\s+(?:(?:then\s+)?(?:we(?:'ve|\s+have)(?:\s+got)?|it'?s|you(?:'ve|\s+have)(?:\s+got)?)\s+(?:a\s+deal|yourself\s+a\s+deal)|i'?m\s+in|it'?s\s+yours|we'?re\s+(?:good|set|done))\b|(?<![\p{L}])(?:si|pero|mais|aber|mas|ma|maar|ale|men|но|sofern|falls|wenn|se|jeśli|om|если)(?![\p{L}])/iu;
/** Courtesy that only looks like a condition: "let me know if you need anything". */
export const COURTESY_IF =
  /\b(?:let\s+(?:me|us)\s+know|reach\s+out|feel\s+free\s+to\s+\w+|happy\s+to\s+\w+|just\s+shout|ping\s+me)\s+if\b|\bif\s+(?:you\s+(?:need|have|want|would\s+like|'d\s+like|like|prefer)|needed|necessary|anything|there(?:'s|\s+is)\s+anything|that\s+helps|it\s+helps|useful)\b/gi;
/** "but", "though", "however": a reservation only when what follows is about the money or the terms. */
export const BUT_ABOUT_TERMS =
  /\b(?:but|however|though|although|except)\b[^.!?\n]*?\b(?:rate|fee|price|pay|paid|payment|budget|money|cost|usage|rights|exclusiv\w*|contract|terms?|package|deliverables?|scope|cpm|amount|offer|low|higher|more|less|lower|enough|not|n't|cannot|unless|only\s+if|reels?|stor(?:y|ies)|videos?|tiktoks?|shorts?|posts|instead|first|sign|lawyer|agent|manager|team|check|confirm|think)\b/i;
/** A first sentence that is a clear yes on its own ("Yes!", "Ok.", "Deal!", "Sí.", "D'accord !"). */
export const FIRST_YES =
  /^(?:yes|yep|yeah|yup|sure|ok|okay|deal|agreed|absolutely|definitely|sí|si|vale|claro|oui|d'accord|ja|einverstanden|sim|fechado|combinado|sì|akkoord|tak|zgoda|да|договорились)(?:\s*,?\s*(?:yes|ok|okay|deal|sure|definitely|absolutely|please|thanks|thank\s+you|of\s+course))?\s*[!.]*$/iu;

/** A negation in the same clause before an acceptance phrase ("that no longer works for me"). */
export const NEGATION =
  /\b(?:not|no|never|cannot|can'?t|won'?t|don'?t|doesn'?t|isn'?t|wasn'?t|aren'?t|unable|hardly|no\s+longer|nicht|kein|pas|jamais|não|nunca|non|nie|inte|ikke)\b|n't\b|(?<!\p{L})не(?!\p{L})/iu;

/** Questions about terms, payment or a different package: an acceptance with one of these is not plain. */
export const TERMS =
  /\bpayment\s+terms?\b|\bpayments?\s+(?:via|by|through|in)\b|\bwhen\s+(?:do|will|would|can)\s+(?:i|we)\s+(?:get\s+)?(?:be\s+)?paid\b|\bpaid\s+(?:upfront|up\s+front|in\s+advance|before|after|on|within)\b|\bupfront\b|\bup\s+front\b|\bin\s+advance\b|\bdeposit\b|\binvoic\w*|\bnet\s*\d+\b|\bpayment\s+(?:schedule|timeline|date|method|plan)\b|\bhow\s+(?:do|will|would)\s+(?:you|i)\s+(?:pay|get\s+paid)\b|\bhalf\s+(?:now|upfront)\b|\binstead\s+of\b|\bswap\b|\bswitch\b|\breplace\b|\bchange\s+(?:the|it|to|one)\b|\bdrop\s+(?:the|one)\b|\bremove\s+(?:the|one)\b|\badd\s+(?:a|an|one|another)\b|\bextra\s+(?:reel|story|stories|post|video)s?\b|\bfewer\b|\bonly\s+(?:do|one|two|the)\b|\brevision\w*|\bkill\s+fee\b|\bcancell?ation\b|\bbonus\b|\bcommission\b|\baffiliate\b|\bperformance\b/i;

/** Words about what is delivered or paid: a question that names one is about the terms, not logistics. */
export const DEAL_WORDS =
  /\b(?:reels?|stor(?:y|ies)|posts?|videos?|tiktoks?|shorts?|deliverables?|rate|fee|price|pay|paid|payment|budget|money|cost|usage|rights|exclusiv\w*|contract|terms?|package|scope|cpm)\b/i;

/** Legal terms (D16): an acceptance that raises them is not a plain acceptance, and they escalate as legal. */
export const LEGAL_TERMS = words(
  [
    String.raw`\bexclusiv\w*|\bnon-?compete\b|\bcontract\w*|\b(?:agency|management|talent|representation|licen[cs]e|usage)\s+agreements?\b|\b(?:sign|review|send|draft)\s+(?:the\s+|an\s+|our\s+|your\s+)?agreement\b`,
    String.raw`\bnda\b|\bnon-?disclosure\b|\bconfidentiality\s+agreement\b`,
    String.raw`\bwhite-?list\w*|\ballow-?list\w*|\bspark\s+ads?\b|\bpartnership\s+ads?\b|\busage\s+(?:rights?|terms|period)\b|\bperpetu\w*|\bbuy-?outs?\b|\blicens\w*|\bintellectual\s+property\b|\bownership\s+of\b|\bindemn\w*|\bliabilit\w*|\bterms\s+and\s+conditions\b|\bt&cs?\b|\bclauses?\b|\bpaid\s+(?:usage|media|ads?)\b|\bboost(?:ing)?\s+rights\b`,
    String.raw`\bexclusivi\w*|\bexklusiv\w*|\besclusiv\w*|\bekskluzywn\w*|эксклюзив\p{L}*|\bcontrato\b|\bcontrat\b|\bvertr[aä]g\w*|\bcontratto\b|договор(?:а|у|ом|е|ы|ов)?(?!\p{L})|\babogad\w*|\bavocat\w*|\banw[aä]lt\w*|\badvogad\w*|\bavvocat\w*|\badvocaat\b|\bprawnik\w*|\badvokat\w*|юрист\p{L}*`,
    String.raw`\bderechos\s+de\s+(?:uso|imagen)\b|\bdroits?\s+d'(?:utilisation|usage|image)\b|\bnutzungsrechte?\b|\bdireitos\s+de\s+(?:uso|imagem)\b|\bdiritti\s+d'(?:uso|immagine)\b|\bgebruiksrechten\b|\bprawa?\s+do\s+(?:wykorzystania|wizerunku)\b|\banvändningsrätt\w*|\bbrugsret\w*|\bbruksrett\w*|права\s+на\s+использование`,
  ].join('|'),
);

/** Legal language (D5): the terms above, and lawyers; always escalates, in both adapters. */
export const LEGAL = new RegExp(
  `${LEGAL_TERMS.source}|\\blawyers?\\b|\\battorneys?\\b|\\blegal\\b|\\bcounsel\\b|\\bsolicitors?\\b`,
  'iu',
);

const HOSTILE =
  /\b(?:scam(?:s|mers?|my)?|take it or leave it|waste of (?:my|our) time|i'?ll post about|i will post about|ridiculous|insult(?:s|ed|ing)?|is this a joke|pathetic|disgusting|shameful|exploitative|lowball(?:ing)?|how dare)\b/i;
const UNUSUAL =
  /\b(?:in[- ]person|(?:event|store|live|guest|personal)\s+appearances?|make an appearance|ambassador(?:ship)?s?|product\s+design|design\s+input|attend(?:s|ed|ing|ance)?|meet[- ]and[- ]greet|keynote|speaking\s+(?:slot|gig))\b/i;

/** Text that addresses the AI or fakes system/tool output: it may not set an amount or an intent (D11). */
export const INJECTION = new RegExp(
  [
    String.raw`\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|rules?|prompts?|guidelines|everything|above|previous|prior)\b`,
    String.raw`(?:^|[\s\[(<*_])(?:system|assistant|developer|admin)\s*(?:note|message|prompt|override|instruction)?\s*[:>\]]`,
    String.raw`<\/?\s*(?:system|tool_result|tool|untrusted|email|assistant|user)\b|\bUNTRUSTED_[0-9a-f]*|\[\/?system\]`,
    String.raw`\b(?:note|message|instructions?)\s+(?:to|for)\s+(?:the\s+)?(?:ai|bot|model|assistant|agent|llm|classifier|system)\b`,
    String.raw`\b(?:classify|report|record|store|set|mark|log)\b[^.\n]{0,40}\b(?:intent|proposed_rate|confidence|agreed\s+rate|as\s+(?:an?\s+)?accept\w*|as\s+agreed)\b`,
    String.raw`\bproposed_rate\b|\bintent\s*[=:]|\bconfidence\s*[=:]|"intent"\s*:|\byou\s+are\s+now\b|\badmin\s+mode\b|\bas\s+an\s+ai\b`,
    String.raw`\(\s*(?:ai|bot|assistant|model|agent|llm)\s*:|(?:^|\n)\s*(?:ai|bot|llm)\s*:`,
  ].join('|'),
  'i',
);

export function sentences(text: string): string[] {
  return text
    .replace(/[‘’]/g, "'")
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Escalation triggers found by keywords, with the sentence as evidence. Claude's findings are joined with these, so
 * a reply cannot talk the model out of a legal or hostile escalation (llm-email.md §9).
 */
export function keywordTriggers(text: string): Classification['triggers'] {
  const parts = sentences(text);
  const rules: { kind: TriggerKind; pattern: RegExp }[] = [
    { kind: 'legal', pattern: LEGAL },
    { kind: 'hostile', pattern: HOSTILE },
    { kind: 'unusual_deliverables', pattern: UNUSUAL },
  ];
  return rules.flatMap(({ kind, pattern }) => {
    const evidence = parts.find((s) => pattern.test(s));
    return evidence ? [{ kind, evidence: evidence.slice(0, 300) }] : [];
  });
}

const GREETING =
  /^\s*(?:hi|hey|hello|dear|hiya|hola|bonjour|salut|hallo|olá|ola|ciao|hoi|cześć|hej|привет|здравствуйте)\b[^\n,!]{0,40}[,!]?\s*/iu;
const SIGN_OFF =
  /(?:^|\n|[.!]\s+)\s*(?:thanks|thank you|many thanks|cheers|best|best regards|kind regards|regards|warmly|xo|xx|x|talk soon|speak soon|ciao|un saludo|saludos|cordialement|merci|bises|viele grüße|lg|grüße|abraços|abraço|beijos|un abbraccio|saluti|groetjes|pozdrawiam|hälsningar|mvh|med vänlig hälsning|с уважением|спасибо)\b[\s\S]*$/iu;

/**
 * A whole reply that is only a yes: "ok", "Okay!", "Deal 👍", "Yes, sounds good, thanks!", "Vale, perfecto".
 * Greetings and sign-offs around it do not count.
 */
export function isShortAcceptance(text: string): boolean {
  const core = text.replace(GREETING, '').replace(SIGN_OFF, '').trim() || text.trim();
  if (core.length > 80 || /\?/.test(core)) return false;
  const words = core
    .toLowerCase()
    .replace(/[.,!¡;:()"*~-]+/g, ' ')
    .replace(/(\p{Extended_Pictographic})/gu, ' $1 ')
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/\ufe0f/g, ''));
  if (!words.length || words.length > 8) return false;
  return words.some((w) => SHORT_ACCEPT.has(w)) && words.every((w) => SHORT_ACCEPT.has(w) || SHORT_FILLER.has(w));
}

export function isShortRejection(text: string): boolean {
  const core = text.replace(GREETING, '').replace(SIGN_OFF, '').trim();
  return SHORT_REJECT.test(core.replace(/[.,!]+$/g, '').trim());
}

/** The clause (sentence part) an index falls in, for negation and condition checks. */
export function clauseAround(text: string, index: number, length: number): { before: string; after: string } {
  const start = Math.max(
    text.lastIndexOf('.', index - 1),
    text.lastIndexOf('!', index - 1),
    text.lastIndexOf('?', index - 1),
    text.lastIndexOf('\n', index - 1),
    text.lastIndexOf(',', index - 1),
    text.lastIndexOf(';', index - 1),
  );
  const tail = text.slice(index + length);
  const stop = tail.search(/[.!?\n]/);
  return { before: text.slice(start + 1, index), after: stop < 0 ? tail : tail.slice(0, stop + 1) };
}
