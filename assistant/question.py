"""Read a question: what kind of answer it wants, its content words, the names it
depends on, its typos (corrected against the report's own vocabulary) and its language.

- Type, from the question words of English: when -> date, how many/much -> number,
  who -> who, where/in which city -> where, which/what + plural -> list, else fact.
- Names: runs of capitalised words (not the first word unless it looks like a name),
  a nationality adjective as its country too.
- Typos: a word that is not in the report's vocabulary (nor its stem) is replaced by
  the closest report word when `rapidfuzz`'s similarity reaches `SPELLING_CUTOFF`; one
  slip away from an English function word ('teh', 'how manny'), by that word.
- Language: a question made mostly of Italian function words is flagged, so the
  reader can say the report is in English instead of guessing.

It does not retrieve or answer: see `retrieval.py` and `extractive.py`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from .text import AUXILIARIES, AUXILIARY, DEMONYMS, NAME, NEW_PHRASE, PREPOSITION, PREPOSITIONS, STOPWORDS, affirmed, fold, stem, unclitic, words

# rapidfuzz's normalised similarity (0-100) above which an unknown word is read as a
# report word: one edit in a five-letter word scores 80 ("mayer" -> "mayor").
SPELLING_CUTOFF = 80.0

# Function words of Italian, to tell an Italian question from an English one.
ITALIAN = frozenset(
    """il lo la i gli le un uno una di del dello della dei degli delle da dal dalla nel nella nei
    nelle con su sul sulla per tra fra che chi cosa quale quali quanti quante quanto quando dove
    come perche è e ha hanno sono stato stata stati anno anni citta ricevuto firmato""".split()
)


@dataclass
class Question:
    text: str  # as understood (typos corrected)
    qtype: str
    terms: list[str]  # stems of content words
    names: list[list[str]] = field(default_factory=list)  # each name: its folded forms
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> report word
    language: str = "en"
    asked: set[str] = field(default_factory=set)  # stems of what it asks for: 'how many visitors' -> {'visitor'}
    years: list[str] = field(default_factory=list)  # years it names


# A question led by a clause ('When the fair opened, how many stalls were there?') asks
# what its last clause asks.
_LAST_CLAUSE = re.compile(rf",\s*((?:and\s+)?(?:(?:{PREPOSITION})\s+)?(?:who|whom|whose|what|which|when|where|how)\b.*)$")

_LEAD = re.compile(r"^(?:(?:and|so|also|then|now|ok|okay)\s*,?\s+)?(?:(?:to|by|with|for|from)\s+)?(who|whom|whose|how many|how much)\b")
_SUBORDINATE = re.compile(rf"(?:when|where|if|while|after|before|since|once)\s+(?!(?:{AUXILIARY})\b)")


def question_type(text: str) -> str:
    q = fold(text).strip()
    last = _LAST_CLAUSE.search(q)
    if last and _SUBORDINATE.match(q):
        q = last.group(1)
    lead = _LEAD.match(q)
    if lead:  # 'Who conducted X when it played…?' asks who: a later 'when' opens a clause
        return "who" if lead.group(1).startswith("wh") else "number"
    # A 'when' after another question word opens a clause ('What was the score when…?').
    first_wh = re.search(r"\b(what|which|who|whom|whose|where|why|how|when)\b", q)
    if (first_wh and first_wh.group(1) == "when") or re.search(
            r"\b(what|which|on what|in what) (?:\w+ )?(date|day|month|year|dates)\b"
            r"|\bwhat (is|was|are|were) the (?:\w+ )?(dates?|days?|month|year)\b", q):
        return "date"
    if contact_asked(q):
        return "contact"
    if re.search(r"\bhow (many|much|long|big|large|often)\b|\b(number|amount|total|percentage|share|score) of\b|\bwhat (was|is|were|are) the (number|total|amount|score|budget|population|value|cost)\b", q):
        return "number"
    if re.search(r"^(who|whom|whose)\b|\bwho\b", q):
        return "who"
    if re.search(r"^where\b|\bwhere\b|\b(which|what) (\w+ )?(city|country|town|venue|place|region)\b", q):
        return "where"
    # 'Which cities…', 'What projects…'; not 'Which city was…' ('was' ends in s too).
    plural = r"(which|what) (?!is\b|was\b|does\b|did\b|has\b)(\w+ )?(?!(?:is|was|does|has)\b)\w+s\b"
    if re.search(rf"^(?:(?:with|in|from|to|for|of|at|on) )?{plural}|^(list|name)\b|\bwhat are\b|\bwhich are\b", q):
        return "list"
    return "fact"


# Words that ask for a way to reach someone, by the medium they name.
_MEDIUM = {
    "email": r"e-?mails?|mail address",
    "web": r"websites?|web ?sites?|web ?pages?|web address|url|homepage",
    "phone": r"(?:tele)?phones?|phone numbers?",
    "fax": r"fax(?: numbers?)?",
}
_CONTACT = re.compile(
    rf"\b(?:{'|'.join(_MEDIUM.values())})\b|\bcontact (?:details|address|info\w*)\b"
    r"|\bhow (?:can|could|do|does|should|would) (?:i|we|you|one|people|someone) (?:contact|reach|get in touch)\b"
)


def contact_asked(text: str) -> set[str]:
    """The media a question asks for ('email', 'web', 'phone', 'fax'); all of them for 'contact
    details' or 'how can I reach…'; empty when it asks for none."""
    q = fold(text)
    if not _CONTACT.search(q):
        return set()
    return {m for m, words in _MEDIUM.items() if re.search(rf"\b(?:{words})\b", q)} or set(_MEDIUM)


_MEDIUM_WORDS = frozenset("""email mail website site web page url homepage phone telephone fax contact address
details number reach info information""".split())


def contact_words(text: str) -> set[str]:
    """Stems of the words that ask for the medium ('email', 'website', 'contact details'):
    the type asks for them, so a sentence giving an address need not write them."""
    if not contact_asked(text):
        return set()
    said = [w for m in _CONTACT.finditer(fold(text)) for w in words(m.group(0))]  # 'e-mail' is 'e' and 'mail'
    return {stem(w) for w in said + [w for w in words(text) if w in _MEDIUM_WORDS]}


def medium_aside(text: str, terms: set[str], asked: set[str]) -> tuple[set[str], set[str]]:
    """A contact question's terms and asked thing without the medium ('what is the email
    of…'): any address of it names them, and the words qualifying it go with it."""
    medium = contact_words(text)
    return terms - medium, set() if asked & medium else asked


_NAME_TOKEN = re.compile(r"[\w'’.&-]+")
JOINERS = {"of", "de", "del", "di", "d'", "for", "&"}  # words inside a name: 'Museum of Art'
_QUESTION_WORDS = {"what", "which", "who", "when", "where", "how", "and", "in", "on", "did", "does", "is", "was", "i"}


def question_names(text: str) -> list[list[str]]:
    """Names the question depends on, each as its folded forms: 'French' -> ['french', 'france']."""
    tokens = _NAME_TOKEN.findall(text)
    names: list[list[str]] = []
    run: list[str] = []

    def close() -> None:
        while run and fold(run[-1]) in JOINERS:
            run.pop()
        if run:
            name = " ".join(run).strip(".'’")
            if len(name) > 1 and not all(w in STOPWORDS for w in words(name)):
                names.append([fold(name)])
            run.clear()

    for i, token in enumerate(tokens):
        bare = token.strip(".'’").removesuffix("'s").removesuffix("’s")
        low = fold(bare)
        if low in DEMONYMS:
            close()
            names.append([low, DEMONYMS[low]])
            continue
        capital = bare[:1].isupper() or (bare[:1].isdigit() and any(c.isalpha() for c in bare))
        looks_named = bare.isupper() or any(c.isupper() for c in bare[1:]) or any(c.isdigit() for c in bare)
        if capital and (i > 0 or looks_named) and low not in _QUESTION_WORDS and low not in STOPWORDS:
            run.append(bare)
        elif run and low in JOINERS:
            run.append(bare)
        else:
            close()
    close()
    return names


class Vocabulary:
    """The report's words and stems with their counts: what a question word is checked against.

    `english` is a list of known English words (the embedding model's own WordPiece
    vocabulary): a word found there is a word, not a typo, even if the report lacks it.
    """

    def __init__(self, texts: Iterable[str], english: Iterable[str] = ()) -> None:
        texts = list(texts)
        self.counts: Counter[str] = Counter(w for t in texts for w in words(t))
        self.stems = {stem(w) for w in self.counts}
        self.english = frozenset(english)
        # Words the report writes in lower case: a capitalised one of these is no name.
        self.lower = frozenset(fold(w) for t in texts for w in re.findall(r"(?<![\w'’-])[a-z][a-z'’-]+", t))
        # Names of two or more words the report writes ("Terra Madre Salone del Gusto"), folded.
        self.names = frozenset(fold(m.group(0)) for t in texts for m in NAME.finditer(t) if " " in m.group(0))
        self._choices = [w for w, n in self.counts.items() if len(w) >= 3 and not w.isdigit()]
        # Each two words that follow each other in the report ('mayor of'): the context
        # that tells an English word typed for a report word ('mayer of') from one meant.
        self.pairs = frozenset(pair for t in texts for seq in [words(t)] for pair in zip(seq, seq[1:]))

    def knows(self, word: str) -> bool:
        return word in self.counts or stem(word) in self.stems or word in self.english

    def reports(self, word: str) -> bool:
        """Does the report itself use the word (or a form of it)?"""
        return word in self.counts or stem(word) in self.stems

    def fits(self, word: str, before: str, after: str) -> bool:
        """Does the report write the word after `before` and before `after` (each '' when
        the question has no word there)?"""
        return (not before or (before, word) in self.pairs) and (not after or (word, after) in self.pairs)

    def closest(self, word: str) -> str | None:
        """The report word nearest to an unknown one, or None when nothing is close enough."""
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        # Close by ratio, or one edit away with a swap of two neighbouring letters as one
        # edit ('fiar' is 'fair', which the ratio counts as two).
        near = process.extract(word, self._choices, scorer=fuzz.ratio, score_cutoff=SPELLING_CUTOFF - 10, limit=10)
        best = [w for w, s, _ in near if s >= SPELLING_CUTOFF or OSA.distance(word, w) == 1]
        if not best:
            return None
        # The fewest edits for the length first ('wich' is 'which' before 'with'), then the
        # same first letter, then the word the report uses more ('fiar': 'fair' and 'far'
        # are one edit each; the report writes 'fair' more).
        return max(best, key=lambda w: (OSA.normalized_similarity(word, w), w[0] == word[0], self.counts[w]))


_FUNCTION_WORDS = sorted(w for w in STOPWORDS if len(w) >= 3)


def function_word(word: str, slips_only: bool = False) -> str | None:
    """The function word a word the report lacks was typed for ('teh' -> the, 'frm' ->
    from), when it is one edit away from that word alone (a swap of two neighbouring
    letters counts as one edit).

    A question's grammar is not the report's to check against: the report never writes
    'how many'. A word that is itself English ('manny', 'cost') is taken only for the two
    slips that keep its letters, two swapped or one doubled or undoubled ('manny' ->
    many); 'cost' is not read as 'most'.
    """
    from rapidfuzz.distance import OSA

    near = [w for w in _FUNCTION_WORDS if OSA.distance(word, w) == 1]
    if slips_only:
        near = [w for w in near if sorted(w) == sorted(word) or _undoubled(w) == _undoubled(word)]
    return near[0] if len(near) == 1 else None


def _undoubled(word: str) -> str:
    return re.sub(r"(.)\1", r"\1", word)


def correct(text: str, vocab: Vocabulary) -> tuple[str, dict[str, str]]:
    """The question with its unknown words replaced by the closest report words.

    An English word the report never uses ('mayer') is replaced only where the report
    writes the closest word between the same two neighbours ('the mayor of'), once the
    plainly unknown words are corrected: a word meant as typed keeps its place. A word
    with no report word close enough may be a slip for a function word (`function_word`)."""
    tokens = list(re.finditer(r"[A-Za-zÀ-ÿ]+", text))
    typed = [m.group(0) for m in tokens]
    fixed = list(typed)
    doubtful = []

    def grammar(i: int) -> bool:  # a capitalised word inside the question is a name ('Ben'), not a slip for 'been'
        return i == 0 or not typed[i][:1].isupper()

    for i, word in enumerate(typed):
        low = fold(word)
        if len(low) < 3 or low in STOPWORDS or low in DEMONYMS or any(c.isdigit() for c in low):
            continue
        if vocab.knows(low):
            if not vocab.reports(low):
                doubtful.append(i)
            continue
        fixed[i] = (vocab.closest(low) if len(low) >= 4 else None) or (grammar(i) and function_word(low)) or word
    for i in doubtful:
        low = fold(typed[i])
        better = vocab.closest(low) if len(low) >= 4 else None
        before = fold(fixed[i - 1]) if i else ""
        after = fold(fixed[i + 1]) if i + 1 < len(fixed) else ""
        if better and vocab.fits(better, before, after):
            fixed[i] = better
        elif grammar(i):
            fixed[i] = function_word(low, slips_only=True) or typed[i]
    fixes: dict[str, str] = {}
    out, at = [], 0
    for m, word, new in zip(tokens, typed, fixed):
        if new != word:
            fixes[word] = new
            new = new.capitalize() if word[:1].isupper() else new
        out += [text[at:m.start()], new]
        at = m.end()
    return "".join(out) + text[at:], fixes


_PREPOSITIONS = {*PREPOSITIONS, "during", "about", "did", "does", "do",
                 "is", "was", "are", "were", "has", "have", "had", "will", "can"}


def asked_thing(text: str) -> set[str]:
    """Stems of the noun phrase a question asks for ('how many X', 'what is the X of'),
    up to the first preposition or verb; names are left to `question_names`."""
    q = fold(unclitic(text))
    m = re.search(r"\bhow (?:many|much)\s+(.+)", q) or re.search(
        r"\b(?:what|who|which)\s+(?:is|was|are|were)\s+(?:the|a|an|its|his|her|their)\s+(.+)", q) or re.search(
        r"\b(?:number|amount|total)\s+of\s+(.+)", q)  # 'number of sports clubs in X?'
    if not m:
        return set()
    # 'the number of visitors', 'the total amount of funding': the counted thing follows 'of'.
    return _phrase(re.sub(r"^(?:(?:total|overall|exact)\s+)?(?:number|amount|total|count|share|percentage|sum)\s+of\s+", "",
                          m.group(1)))


def _phrase(text: str, most: int = 2) -> set[str]:
    """Stems of the (at most `most`) content words a noun phrase opens with, up to the first
    preposition or verb."""
    wanted: list[str] = []
    for token in re.findall(r"[a-z0-9]+", text):
        if token in _PREPOSITIONS or (token in NEW_PHRASE and wanted):
            break
        if token not in STOPWORDS and len(token) > 1 and not any(c.isdigit() for c in token):
            wanted.append(token)
        if len(wanted) == most:
            break
    return {stem(w) for w in wanted}


def done_to(text: str) -> set[str]:
    """Stems of what a 'who <did>' question's doer did it to: 'Who won the doubles title at
    X?' -> {'doubl', 'titl'}."""
    m = _who_did(text)
    return _phrase(m.group(2), most=4) if m else set()


def did_what(text: str) -> set[str]:
    """The stem of the verb a 'who' question asks the doer of: 'Who won the final?' and
    'Who has won the final?' -> {'win'}."""
    m = _who_did(text)
    return {stem(m.group(1))} if m else set()


# Past forms of common verbs that do not end in -ed ('Which club won…', 'Which band played…'
# ends in -ed): English, not the report's.
_IRREGULAR_PAST = frozenset({
    "won", "beat", "took", "gave", "made", "held", "led", "brought", "met", "spoke", "ran", "came", "went", "saw",
    "wrote", "sent", "got", "drew", "built", "began", "chose", "sang", "told", "left", "paid", "sold", "struck",
})


def which_done_to(text: str) -> set[str]:
    """'Which club won the Harbour Cup?' asks for a doer as 'Who won…' does: the stems of
    what it was done to ({'harbour', 'cup'}); empty when the question is not 'which/what
    <noun> <past verb>…'."""
    for nouns in (1, 2):  # 'Which club won…', 'Which Asian city joined…'
        m = re.search(rf"^(?:and\s+)?(?:which|what)\s+((?:[a-z'-]+\s+){{{nouns}}})([a-z]+)\b\s*(.*)", fold(text))
        if not m or any(w in AUXILIARIES or w in STOPWORDS for w in m.group(1).split()):
            return set()
        verb = m.group(2)
        if verb not in STOPWORDS and (verb.endswith("ed") or verb in _IRREGULAR_PAST):
            return _phrase(m.group(3), most=4)
    return set()


def _who_did(text: str) -> re.Match[str] | None:
    """'Who <verb> <the rest>' (not 'Who is…', 'Who did…'): the verb, then what follows it."""
    m = re.search(r"^(?:and\s+)?who\s+(?:(?:has|have|had)\s+)?([a-z]+)\b\s*(.*)", fold(text))
    return m if m and m.group(1) not in AUXILIARIES and m.group(1) not in STOPWORDS else None


def language(text: str) -> str:
    """'it' when Italian function words outnumber English ones (at least two), else 'en'."""
    ws = words(text)
    italian = sum(w in ITALIAN for w in ws)
    english = sum(w in STOPWORDS for w in ws)
    return "it" if italian >= 2 and italian > english else "en"


def read_question(text: str, vocab: Vocabulary | None = None) -> Question:
    lang = language(text)
    fixes: dict[str, str] = {}
    if vocab is not None and lang == "en":
        text, fixes = correct(text, vocab)
    wanted = affirmed(text)
    terms = {stem(w) for w in words(wanted) if w not in STOPWORDS}
    terms |= {stem(w) for w in words(" ".join(DEMONYMS[w] for w in words(wanted) if w in DEMONYMS))}
    years = re.findall(r"\b(?:19|20)\d\d\b", wanted)
    qtype, asked = question_type(text), asked_thing(wanted)
    if qtype == "contact":
        terms, asked = medium_aside(wanted, terms, asked)
    return Question(text, qtype, sorted(terms), question_names(wanted), fixes, lang, asked, years)


def english_words(model_path: str) -> list[str]:
    """Whole words of the embedding model's WordPiece vocabulary (its `vocab.txt`), if any."""
    from pathlib import Path

    try:
        lines = (Path(model_path) / "vocab.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [w for w in lines if w.isalpha() and w.islower() and len(w) >= 3]
