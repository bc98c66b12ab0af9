"""Text normalisation shared by every step that compares words: one place, one behaviour.

- `fold`: lower case, accents off ("Córdoba" == "cordoba"), typographic dashes and quotes
  made plain, the PDF's `\\$` made `$`;
- `words`, `stem`, `stems`: content words and their Snowball stems (PyStemmer), so
  "delegations" meets "delegation" and "won" meets "win";
- patterns for the answer types: numbers, dates, capitalised names.

It knows English, not this report: no word here names a report entity.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Collection, Iterable, Mapping

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be been before being
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no
    nor not now of off on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was we
    were what when where which while who whom whose why will with would you your tell know please
    give name list many much number""".split()
)

# English verbs whose past forms the stemmer cannot bring back to their root.
IRREGULAR = {
    "won": "win", "winner": "win", "winners": "win", "held": "hold", "met": "meet", "went": "go",
    "came": "come", "brought": "bring", "made": "make", "chose": "choose", "chosen": "choose",
    "took": "take", "gave": "give", "led": "lead", "spoke": "speak", "beaten": "beat",
    "began": "begin", "begun": "begin", "founded": "found", "signed": "sign", "became": "become",
    "visitors": "visit", "visitor": "visit", "visited": "visit",
}

# Adjectives of nationality -> their country, so "French cities" can meet "France".
DEMONYMS = {
    "french": "france", "german": "germany", "chinese": "china", "russian": "russia",
    "brazilian": "brazil", "american": "usa", "argentinian": "argentina", "argentine": "argentina",
    "japanese": "japan", "spanish": "spain", "korean": "korea", "italian": "italy",
    "palestinian": "palestine", "moroccan": "morocco", "senegalese": "senegal", "dutch": "netherlands",
    "belgian": "belgium", "british": "united kingdom", "scottish": "scotland", "ukrainian": "ukraine",
    "cuban": "cuba", "israeli": "israel", "romanian": "romania", "mexican": "mexico",
    "swiss": "switzerland", "polish": "poland", "austrian": "austria", "greek": "greece",
    "portuguese": "portugal", "turkish": "turkey", "indian": "india", "egyptian": "egypt",
    "tunisian": "tunisia", "albanian": "albania", "canadian": "canada", "chilean": "chile",
    "peruvian": "peru", "colombian": "colombia", "vietnamese": "vietnam", "lebanese": "lebanon",
    "irish": "ireland", "swedish": "sweden", "norwegian": "norway", "danish": "denmark",
    "finnish": "finland", "hungarian": "hungary", "czech": "czech republic", "croatian": "croatia",
    "serbian": "serbia", "bulgarian": "bulgaria", "european": "europe", "african": "africa",
}

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
NUMBER = re.compile(
    r"(?<![\w.])(?:[€$£]\s?)?\d(?:[\d,.]*\d)?(?:\s?(?:%|per cent|million|billion|thousand))?"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|dozen)\b",
    re.I,
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
DATE = re.compile(
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?(?:\s*(?:and|-|–)\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+)?\b(?:{MONTHS})\b"
    rf"(?:\s+\d{{1,2}}(?:st|nd|rd|th)?(?!\d))?(?:,?\s+(?:19|20)\d\d)?"
    rf"(?:\s*[-–]\s*\d{{1,2}}\s+(?:{MONTHS})\b(?:\s+(?:19|20)\d\d)?)?"
    rf"|\b(?:19|20)\d\d\b"
)
# Ways to reach someone, as a sentence gives them: an email address, a web address, a
# telephone number (international, or led by 'Tel.'), a fax number (led by 'Fax').
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
WEB = re.compile(r"(?:https?://|\bwww\.)[^\s;,]+[^\s;,.)]")
PHONE = re.compile(r"(?:\+|\b(?:tel|phone|telephone)\b\.?:?\s*)\d[\d ./-]{5,}\d", re.I)
FAX = re.compile(r"\bfax\b\.?:?\s*\+?\d[\d ./-]{5,}\d", re.I)  # a fax number is led by 'fax'
CONTACT = {"email": EMAIL, "web": WEB, "phone": PHONE, "fax": FAX}

# Small words a name may hold between its capitalised ones ('Museum of Cinema', 'Rome and Saragozza');
# of them, the particles of a surname ('Lo Russo', 'da Vinci') stay inside a person's name.
NAME_PARTICLES = ("de", "del", "di", "da")
NAME_JOINERS = ("of", *NAME_PARTICLES, "the", "and", "for", "&")
NAME = re.compile(rf"(?:[A-Z][\w'’.&-]*|\d+[A-Z][\w-]*)(?:\s+(?:(?:{'|'.join(NAME_JOINERS)})\s+)?(?:[A-Z][\w'’.&-]*|\d[\w-]*))*")
_BETWEEN_NAMES = re.compile(rf"\s+(?:{'|'.join(j for j in NAME_JOINERS if j not in NAME_PARTICLES)})\s+")


def person_names(text: str, common: frozenset[str], besides: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The names in `text` that look like a person's: two to five capitalised words (a name
    cut at 'and', 'of', 'for', 'the'), at least two of them words the report never writes in
    lower case (`common`) nor in `besides`. 'Jannik Sinner', not 'Italian Tennis' when the
    report writes 'tennis'; an organisation whose words the report always capitalises
    ('Padel Federation') passes too: a cue, not a proof."""
    found = []
    for m in NAME.finditer(text):
        for piece in _BETWEEN_NAMES.split(m.group(0)):
            ws = piece.split()
            if 2 <= len(ws) <= 5 and sum(fold(w) not in common and fold(w) not in besides for w in ws) >= 2:
                found.append(piece)
    return found


# Prepositions that lead a question's phrase ('from which city', 'in what year') or a place.
PREPOSITIONS = frozenset({"in", "on", "at", "from", "to", "for", "with", "by", "of"})
# Determiners that open a new noun phrase: what a question asks for ends before them
# ('who won the final this year', 'the mayor that visited').
NEW_PHRASE = frozenset({"this", "that", "these", "those", "last", "next", "every"})
PREPOSITION = "|".join(sorted(PREPOSITIONS))

# Auxiliary verbs: where a question's phrase ends and its clause begins ('how many X | did …').
AUXILIARIES = frozenset({"do", "does", "did", "is", "was", "are", "were", "has", "have", "had", "will", "would", "can", "could"})
AUXILIARY = "|".join(sorted(AUXILIARIES))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accents off, plain dashes and quotes: for comparing, never for display."""
    text = text.replace("\\$", "$").translate(_DASHES).translate(_QUOTES)
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


_stemmer = None


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        import Stemmer

        _stemmer = Stemmer.Stemmer("english")
    return _stemmer.stemWord(IRREGULAR.get(word, word))


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The folded words of some names: ['City of Torino'] -> {'city', 'of', 'torino'}."""
    return frozenset(w for name in names for w in words(name))


def is_stop(word: str, stop: Collection[str] = STOPWORDS) -> bool:
    """A function word, also with a clitic: 'what's', 'it's' are no content words; nor is
    a lone letter ('Alba v Bra', an initial)."""
    return word in stop or word.split("'")[0] in stop or (len(word) == 1 and word.isalpha())


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if not is_stop(w)]


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text)}


def same_word(a: str, b: str) -> bool:
    """Two stems of one word in another form ('director' / 'direct', 'consul' / 'consular'):
    equal, or one of five letters or more begins the other."""
    return a == b or (min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)))


def weight_share(terms: Iterable[str], part: set[str], idf: Mapping[str, float], unseen: float) -> float:
    """The rarity-weighted share of a question's stems (`terms`, with `part`) that `part`
    holds; a stem the corpus lacks weighs `unseen` (the rarest weight)."""
    if not part:
        return 0.0
    weights = {t: idf.get(t, unseen) for t in terms}
    weights.update({t: idf.get(t, unseen) for t in part if t not in weights})
    return sum(weights[t] for t in part) / sum(weights.values())


def squash(text: str) -> str:
    """Whitespace runs to one space."""
    return re.sub(r"\s+", " ", text).strip()


# What a question sets aside: '(not honorary)', 'other than Paris', 'excluding the fees'.
NEGATED = re.compile(
    r"\((?i:not|excluding|except)\b[^)]*\)"
    r"|\b(?i:excluding|except(?: for)?|other than|apart from|not counting)\s+(?:the\s+)?[\w'’-]+(?:\s+[A-Z][\w'’-]+)*"
)


_WH_IS = re.compile(r"\b(what|who|where|when|how|which)['’]s\b", re.I)


def unclitic(text: str) -> str:
    """'what's the budget' -> 'what is the budget': the question's grammar read in full."""
    return _WH_IS.sub(r"\1 is", text)


def affirmed(text: str) -> str:
    """The question without what it sets aside, so those words are not looked for."""
    return NEGATED.sub(" ", text)
