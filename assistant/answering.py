"""The rule reader: compose an answer from the report's own words, or say that the report does not say.

Kept as the default reader (behind a guard, `extractive.GuardedReader`) while the fitted
reader (`extractive.py`) is below it on the dev split; `reader = "fitted"` selects the other.

No language model: the answer is the sentence(s) or table rows that answer the question,
each with a numbered citation. The steps:

1. Read the question: its type (when -> a date, how many -> a number, who -> a name,
   which/list -> several rows), its content words, the names it depends on, and what it
   asks for ('how many visitors' -> visitors).
2. Candidates are the units of the retrieved passages, the unit just before and after
   each passage, and the units naming the question's names (through a prefix index, never
   a scan). Each is scored by meaning (cosine of precomputed vectors), by the share of
   the question's rarity-weighted words it holds and by the share of the question's word
   pairs it holds in the same order ('mayor of Alba'). A unit that can answer the type
   right after one that matches but cannot takes a share of its score (`carry`).
3. A name the report never mentions, or one the candidate's entry lacks, lowers its score
   by that name's share of the question's weight: a region named instead of its city
   costs little, a question that is mostly an unknown name ("…twin with Antananarivo?")
   falls below the abstention cut-off. A name some of whose words the report never writes
   ('the Royal Harbour Games' where it writes 'Harbour Games') binds by the part it
   writes; the other words cost what an unknown name costs. A year other than the report's own binds, and so
   does a month that dates the question ('…in March?', `month_binds`). Users type names
   in lower case: a question word the report writes only capitalised ('lviv') is a name
   too (`truecase`), and a word the report never uses costs `unknown_ratio` of its weight.
4. Keep the units that can answer the type ('how much money / funding…' takes a sum);
   abstain when the best one scores below the cut-off (`named_relief` of it for a
   sentence that itself names the question's names, or a table row sharing most of a list
   question's words), or does not name what is asked
   (in any form of the word: 'director' / 'directed'; a sum of money names 'cost' or
   'budget') and is not close enough in meaning to make up for it. 'How many X' over a
   table whose rows are the X: count them.
   'Who…' asks for a person: a sentence naming one (two or more capitalised words the
   report never writes in lower case) goes first when it comes close enough to the best,
   and one saying what the doer did ('Who won…' -> '…winning…') is preferred. 'Who is the
   X?' (not 'Who <did>…', whose doer may be a body) is not answered by a sentence naming
   nobody (`person_needed`); a question in the past ('…competed…') is not answered by a
   sentence announcing the event ('…will host…', `tense_needed`); 'What is the name of the
   X?' by a sentence that names nothing the question does not (`name_needed`); 'How many
   X?' by a sentence none of whose figures counts X (`count_binds`); 'Who won the X?' by
   a sentence whose entry does not name X ('…the doubles title' against '…winning the
   tournament', `object_needed`). A name the question takes as given (not part of what it
   asks for) is a false premise when the sentence gives another name after the same words
   and its entry never names the question's ('…the Forum in Bra?' / '…the Forum in Alba',
   `premise_binds`), and so is a name the report never mentions when the sentence holds
   another as close in meaning as a synonym ('Saluzzo' / 'Alba'), and an edition ('the
   Harbour Games 2024') the entry gives only with another year. An ordinal on a noun
   binds like a year: 'the third round' is not answered by an entry on the first and
   second (`ordinal_binds`). 'What is the name of the X?' prefers a sentence that gives
   the X a name ('…the festival "Harbour Games"…') when it comes close enough
   (`name_ratio`); what else the question says of the X may then be in its entry. 'How
   many X?' prefers a sentence with a figure of X to one whose figures count something
   else when it comes close enough (`count_ratio`). 'Why…?' is answered only by a sentence
   giving a purpose or a cause ('…to promote…', '…because…'), never by a table row
   (`reason_needed`). 'On what date in March…?' is not answered by 'In March…': a date
   question needs a date the question does not give (`date_new`). 'Which club won the
   X?' binds X as 'Who won the X?' does (`which_did`, with `object_needed`); the report's
   own subject ('Torino') is no X. 'What is the email / website / phone of…' takes a unit
   giving an address of that medium ('contact'). A word of the sentence close in meaning
   to an asked word it does not write names it ('students' for 'pupils', `synonym_at`).
   Words naming the report itself by its cover ('the annual report') are set aside: no
   sentence names it.
5. Answer with the best unit, one more that covers what it leaves out or gives another
   figure for the same thing (the report sometimes contradicts itself), or a list of
   table rows. A sentence that leaves out what its entry is about is quoted with the
   entry's heading. A two-part question is answered part by part (`split_parts`). 'Which
   French cities…' lists a table's rows naming the country (two or more), though no row
   writes 'cities'.

The cut-offs (`abstain_below`, `dense_enough`, `dense_weight`) are fitted on the dev split
by `fitting.fit_rules` (a grid, cross-validated), then `phrase_weight`, `carry`,
`person_ratio`, `asked_share`, `person_needed`, `tense_needed`, `truecase`,
`unknown_ratio`, `named_relief`, `month_binds`, `name_needed`, `count_binds`,
`object_needed`, `premise_binds`, `synonym_at`, `ordinal_binds`, `name_ratio`,
`count_ratio`, `reason_needed`, `date_new` and `which_did` with them fixed, and read from
`reader_weights.json`; the defaults here are the hand-set values they started from. It
does not retrieve: it receives hits from `retrieval.py`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import numpy as np

from .corpus import MONTHS
from .embedding import cosines
from .question import JOINERS, SPELLING_CUTOFF, contact_asked, did_what, done_to, medium_aside, question_type, which_done_to
from .reader import abstain, closest_sections, quoted_as
from .spans import SpanModel, counted, counts_asked
from .records import Answer, Chunk, Citation, Unit
from .text import (
    AUXILIARIES, AUXILIARY, CONTACT, DATE, NAME, NEW_PHRASE, YEAR, PREPOSITION, PREPOSITIONS, affirmed, fold, is_stop, name_words,
    person_names, same_word, stem, unclitic, weight_share, words,
)

if TYPE_CHECKING:
    from .retrieval import Hit

STOPWORDS = set(
    """a about above after again against all also am an and any are as at be been before being
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no
    nor not now of off on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was we
    were what when where which while who whom whose why will with would you your report tell
    know please did does give name list many much number year years held take took place
    happen happened""".split()
)
GENERIC_NAMES = {"i", "the", "what", "which", "who", "when", "where", "how", "and", "in", "on"}


@dataclass(frozen=True)
class Lexicon:
    """The words a reading sets aside: English function words (`stop`) and words that are no
    name (`generic`), each with the report's own subject ('subject' in corpus/structure.toml:
    its city, as questions name it), which names no particular entry."""

    stop: frozenset[str] = frozenset(STOPWORDS)
    generic: frozenset[str] = frozenset(GENERIC_NAMES)

    @classmethod
    def with_subject(cls, subject: Iterable[str]) -> Lexicon:
        own = set(name_words(subject))
        own |= {f"{w}'s" for w in own}
        return cls(frozenset(STOPWORDS | own), frozenset(GENERIC_NAMES | own))


PLAIN = Lexicon()
NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen"
)
HAS_NUMBER = re.compile(rf"\d|\b(?:{NUMBER_WORDS})\b", re.I)
NOT_A_COUNT = re.compile(r"\b(?:19|20)\d\d\b|\b\d+(?:st|nd|rd|th)\b")  # years and ordinals
MONTH_NAMED = re.compile(rf"(?:\b(?:in|on|of|since|until|by|during|from)\s+|\b\d{{1,2}}(?:st|nd|rd|th)?\s+)({MONTHS})\b"
                         rf"|\b({MONTHS})(?=\s+\d)", re.I)
ORDINAL_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
                 "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
# An ordinal a determiner or an owner puts on a noun ('the third round', 'its 30th birthday',
# 'the club's 40th season'), not an adverb ('first signed').
ORDINAL_NAMED = re.compile(rf"(?:\b(?:the|its|their)|['’]s)\s+({'|'.join(ORDINAL_WORDS)}|\d+(?:st|nd|rd|th))\b", re.I)
HAS_DATE = re.compile(rf"\b(?:{MONTHS})\b|\b(?:19|20)\d\d\b")
DATE_IN_HEADING = re.compile(rf"(\d{{1,2}}(?:\s*and\s*\d{{1,2}})?\s*(?:(?:{MONTHS})\s*)?(?:\d{{4}}\s*)?[–-]\s*)?\d{{0,2}}\s*(?:{MONTHS})(?:\s+\d{{4}})?(?:\s*[–-]\s*\d{{1,2}}\s+(?:{MONTHS})(?:\s+\d{{4}})?)?")
DEMONYMS = {
    "french": "France", "german": "Germany", "chinese": "China", "russian": "Russia", "brazilian": "Brazil",
    "american": "USA", "argentinian": "Argentina", "argentine": "Argentina", "japanese": "Japan",
    "spanish": "Spain", "korean": "Korea", "italian": "Italy", "palestinian": "Palestinian",
    "moroccan": "Morocco", "senegalese": "Senegal", "dutch": "Netherlands", "belgian": "Belgium",
    "british": "United Kingdom", "scottish": "Scotland", "ukrainian": "Ukraine", "cuban": "Cuba",
    "israeli": "Israel", "romanian": "Romania", "mexican": "Mexico", "swiss": "Switzerland",
}


def stems(text: str, lex: Lexicon = PLAIN) -> set[str]:
    return {stem(w) for w in words(text) if not is_stop(w, lex.stop)}


def pairs(text: str, lex: Lexicon = PLAIN) -> set[tuple[str, str]]:
    """Each two content words that follow each other, as stems: 'the Mayor of Alba' -> (mayor, alba)."""
    seq = [stem(w) for w in words(text) if not is_stop(w, lex.stop)]
    return set(zip(seq, seq[1:]))


@dataclass
class Question:
    text: str
    qtype: str
    terms: list[str]  # stems of content words
    names: list[list[str]] = field(default_factory=list)  # each name: alternative folded forms
    asked: set[str] = field(default_factory=set)  # stems of what it asks for (`asked_thing`)
    # A demonym is one term with its country ("Ukrainian" -> ukrain): its stem -> the term.
    same: dict[str, str] = field(default_factory=dict)
    media: set[str] = field(default_factory=set)  # what a contact question asks for: 'email', 'web', 'phone', 'fax'

    def term_of(self, word: str) -> str:
        """The question's term for a word of it: its stem, or the country a demonym names."""
        return self.same.get(stem(word), stem(word))

    def holds(self, term: str, have: set[str]) -> bool:
        """Does a text with stems `have` match `term` (the country or its demonym)?"""
        return term in have or any(alt in have for alt, t in self.same.items() if t == term)


def question_names(text: str, lex: Lexicon = PLAIN) -> list[list[str]]:
    """Names the question depends on: runs of capitalised words, demonyms as their country."""
    tokens = re.findall(r"[\w'’.&-]+", text)
    names: list[list[str]] = []
    run: list[str] = []

    def close() -> None:
        while run and fold(run[-1]) in JOINERS:  # 'Mayor of Torino': not 'Mayor of'
            run.pop()
        if run:
            name = " ".join(run).strip(".'’")
            if fold(name) not in lex.generic and len(name) > 1:
                names.append([fold(name)])
            run.clear()

    for i, token in enumerate(tokens):
        bare = token.strip(".'’").removesuffix("'s").removesuffix("’s")
        low = fold(bare)
        if low in DEMONYMS:
            close()
            names.append([low, fold(DEMONYMS[low])])
            continue
        capital = bare[:1].isupper() or (bare[:1].isdigit() and any(c.isalpha() for c in bare))
        # The first word is capitalised anyway: a name only if it looks like one (an acronym, '3D4ALL').
        looks_named = bare.isupper() or any(c.isupper() for c in bare[1:]) or any(c.isdigit() for c in bare)
        if capital and (i > 0 or looks_named) and low not in lex.generic and low not in lex.stop:
            run.append(bare)
        elif run and low in JOINERS:
            run.append(bare)
        else:
            close()
    close()
    return [n for n in names if not all(w in lex.stop for w in n[0].split())]


HEADCOUNT = {"people", "persons", "individuals"}  # count nouns any count of persons answers
DATE_WORDS = {stem(w) for w in ("date", "dates", "day", "days", "month", "year", "time")}
WH_WORDS = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "why", "how"})
ASKED_ENDS = PREPOSITIONS | NEW_PHRASE | {"during", "about"}  # words that end what a question asks for


def asked_thing(text: str, lex: Lexicon = PLAIN) -> set[str]:
    """Stems of what the question asks for, which the answering sentence must name.

    'How many visitors came…' -> {'visitor'}; 'What is the X's annual budget?' ->
    {'annual', 'budget'}; 'How much does X spend…' -> {'spend'}; 'Why did X end its
    twinning…' -> {'end', 'twin'}. Names are left out: they are checked apart.
    """
    q = fold(unclitic(text))
    counting = re.search(r"\bhow (?:many|much)\s+(.+)", q)
    # 'Why did Torino end its twinning…': what is to be explained must be named.
    why = re.search(rf"^(?:and\s+)?why\s+(?:{AUXILIARY})\s+(.+)", q)
    m = counting or why or re.search(r"^(?:and\s+)?(?:what|who)\s+(?:is|was|are|were)\s+(?:(?:the|a|an|its|his|her|their)\s+|\w+'s\s+)(.+)", q)
    if not counting:
        # 'What was <a name of several words>'s budget…': the thing owned is what is asked.
        # ('the email for the mayor's office' asks for the email: a preposition ends the owner.)
        owned = re.search(rf"^(?:and\s+)?(?:what|who)\s+(?:is|was|are|were)\s+(?:(?!(?:{PREPOSITION})\b)[\w-]+\s+){{1,5}}?[\w-]+'s\s+(.+)", q)
        m = owned or m
    if not m:
        return set()
    # A word the question itself writes in lower case is no name's ('how many European
    # cities belong to the European Coalition of Cities…' counts cities).
    lower = set(re.findall(r"\b[a-z][a-z0-9']*", text))
    named = {w for n in question_names(text, lex) for form in n for w in form.split()} - lower
    skip = named | lex.generic | lex.stop
    tokens = [t.removesuffix("'s") for t in re.findall(r"[a-z0-9']+", m.group(1)) if not (why and t.isdigit())]
    if tokens[:1] == ["name"] and tokens[1:2] in (["of"], ["for"]):
        tokens = tokens[2:]  # 'the name of the X' asks for an X: any sentence naming one names it
    if counting and tokens and tokens[0] in AUXILIARIES:
        # 'how much does Torino pay': what is counted is the verb after the subject.
        rest = [t for t in tokens[1:] if t not in skip]
        return {stem(rest[0])} if rest else set()
    wanted: list[str] = []
    for token in tokens:
        if token in ASKED_ENDS and wanted:
            break
        if token in skip or token in ASKED_ENDS or token in AUXILIARIES:
            if wanted and (token not in skip or token in named or token in lex.generic):
                break  # a verb, a preposition or a name ends what is asked
            continue
        wanted.append(token)
        if counting and (token.endswith("s") or len(wanted) == 2):
            break
    if counting and wanted:
        # 'foreign delegations' counts delegations; 'people attended' counts people, which
        # any count of persons answers (spectators, runners, visitors): nothing to name.
        wanted = [w for w in wanted if w.endswith("s")][:1] or wanted[:1]
        if wanted[0] in HEADCOUNT:
            return set()
    return {stem(w) for w in wanted[:3]}


def figure_of(text: str, q: Question) -> str:
    """The figure a sentence gives for what is asked: the date for 'when', the number just
    before the counted word for 'how many' ('222,000 visitors'), or when no word is asked the
    first count with what it counts; '' when there is none."""
    if q.qtype == "date":
        m = DATE_IN_HEADING.search(text)
        return re.sub(r"\s+", " ", m.group(0)).strip() if m else ""
    asked = q.asked
    if q.qtype != "number":
        return ""
    tokens = re.findall(r"\d[\d,.]*|[A-Za-zÀ-ÿ']+", text)
    if not asked:
        # 'How large was the fair's audience?': the first count and what it counts ('5,000 spectators').
        for i, token in enumerate(tokens[:-1]):
            if token[0].isdigit() and not NOT_A_COUNT.fullmatch(token) and tokens[i + 1][0].isalpha():
                return f"{token.rstrip(',.')} {stem(fold(tokens[i + 1]))}"
        return ""
    for i, token in enumerate(tokens):
        if stem(fold(token)) in asked:
            numbers = [t for t in tokens[max(0, i - 3) : i] if t[0].isdigit()]
            if numbers:
                return numbers[-1]
    return ""


def read_question(text: str, lex: Lexicon = PLAIN) -> Question:
    wanted = affirmed(text)
    # "French" asks about France: a demonym and its country are one term, matched by either
    # and weighed once.
    same = {stem(w): stem(fold(DEMONYMS[w])) for w in words(wanted) if w in DEMONYMS}
    terms = (stems(wanted, lex) - same.keys()) | set(same.values())
    qtype = question_type(text)
    asked = asked_thing(wanted, lex)
    # 'What were the (exact) dates…': any date names them; 'what is the email of…': any
    # email address. The words that qualify the type's word go with it.
    if qtype == "date" and asked & DATE_WORDS:
        asked = set()
    if qtype == "contact":
        terms, asked = medium_aside(wanted, terms, asked)
    return Question(text, qtype, sorted(terms), question_names(wanted, lex), asked, same, contact_asked(wanted))


@dataclass
class Candidate:
    chunk: Chunk
    k: int  # unit number in the chunk
    row: int  # row in the unit vector matrix
    score: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0

    @property
    def unit(self) -> Unit:
        return self.chunk.units[self.k]

    @property
    def context(self) -> str:
        return f"{self.chunk.text[: len(self.chunk.text) - len(self.chunk.body)]} {self.unit.text}"


class ExtractiveAnswerer:
    """Picks and cites the report's sentences that answer a question."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        unit_keys: list[tuple[str, int]],
        unit_vectors: np.ndarray,
        abstain_below: float = 0.42,
        dense_enough: float = 0.7,
        dense_weight: float = 0.55,
        person_ratio: float = 1.01,
        asked_share: float = 1.0,
        person_needed: float = 0.0,
        phrase_weight: float = 0.0,
        carry: float = 0.0,
        tense_needed: float = 0.0,
        unknown_ratio: float = 0.0,
        truecase: float = 0.0,
        named_relief: float = 0.8,
        month_binds: float = 0.0,
        name_needed: float = 0.0,
        count_binds: float = 0.0,
        object_needed: float = 0.0,
        premise_binds: float = 0.0,
        synonym_at: float = 1.01,
        ordinal_binds: float = 0.0,
        name_ratio: float = 1.01,
        count_ratio: float = 1.01,
        reason_needed: float = 0.0,
        date_new: float = 0.0,
        which_did: float = 0.0,
        embed_words: Callable[[Sequence[str]], np.ndarray] | None = None,
        cover: Iterable[str] = (),
        common: frozenset[str] = frozenset(),
        subject: Iterable[str] = (),
        year: str = "",
    ) -> None:
        self.chunks = {c.id: c for c in chunks}
        self.lex = Lexicon.with_subject(subject)
        self.own_stems = frozenset(stem(w) for w in self.lex.stop - STOPWORDS)  # the report's subject names no entry
        self.person_ratio = person_ratio
        self.asked_share = asked_share
        # Fitted with the cut-offs (see the module docstring and `fitting.RULE_RATIOS`).
        self.phrase_weight = phrase_weight  # what the question's word pairs, in order, add to a score
        self.carry = carry  # the share of the score before it a unit that can answer takes
        self.person_needed = person_needed  # 1: 'Who is the X?' needs a sentence naming a person
        self.tense_needed = tense_needed  # 1: a question in the past is not answered by an announcement
        self.unknown_ratio = unknown_ratio  # what a word the report never uses costs, as a share of its weight
        self.truecase = truecase  # 1: a question's lower-case word the report only writes capitalised is a name
        self.named_relief = named_relief  # the share of the cut-off a sentence naming the question's names needs
        self.month_binds = month_binds  # 1: a month the question names ('…in March?') binds like a year
        self.name_needed = name_needed  # 1: 'What is the name of the X?' needs a sentence naming something new
        self.count_binds = count_binds  # 1: 'How many X?' needs a sentence with a figure of X
        self.object_needed = object_needed  # the share of X 'Who won the X?' needs its sentence to name (0: none)
        self.premise_binds = premise_binds  # 1: a name the sentence gives another in place of ('in Alba' / 'in Bra') is a false premise
        # A word of the sentence this close in meaning (cosine of the embedding model's word
        # vectors) names an asked word it does not write ('students' for 'pupils'); 1.01: never.
        self.synonym_at = synonym_at
        self.ordinal_binds = ordinal_binds  # 1: an ordinal ('the third round') binds like a year
        self.name_ratio = name_ratio  # how close a sentence naming the asked X must come to go first (1.01: never)
        self.count_ratio = count_ratio  # how close a sentence counting the asked X must come to go first (1.01: never)
        self.reason_needed = reason_needed  # 1: 'Why…?' needs a sentence giving a purpose or a cause
        self.date_new = date_new  # 1: 'When…' needs a date the question does not give ('…in November?' / 'In November…')
        self.which_did = which_did  # 1: 'Which club won the X?' binds X like 'Who won the X?' (`object_needed`)
        self.embed_words = embed_words
        # 'the (international activities) report': the report itself, named by its cover's words.
        titled = "|".join(re.escape(w) for w in sorted(set(cover) - {"report"}, key=len, reverse=True))
        self.itself = re.compile(rf"\b(?:(?:the|this|its|your)\s+)?(?:(?:{titled})\s+){{0,5}}report\b" if titled else r"\breport\b", re.I)
        self.common = common  # the words the report writes in lower case: what a person's name is not made of
        self.row_of = {key: i for i, key in enumerate(unit_keys)}
        self.vectors = unit_vectors
        self.abstain_below = abstain_below
        self.dense_enough = dense_enough
        self.dense_weight = dense_weight
        self.all = [Candidate(self.chunks[cid], k, i) for i, (cid, k) in enumerate(unit_keys)]
        self.folded = [fold(c.context) for c in self.all]
        # Word prefixes (up to six letters) -> rows, so naming look-ups never scan the report.
        word_rows: dict[str, set[int]] = {}
        for row, text in enumerate(self.folded):
            for word in set(re.findall(r"[a-z0-9]+", text)):
                word_rows.setdefault(word, set()).add(row)
        self.prefix_rows: dict[str, set[int]] = {}
        for word, rows in word_rows.items():
            for n in range(1, min(6, len(word)) + 1):
                self.prefix_rows.setdefault(word[:n], set()).update(rows)
        entry_text: dict[str, str] = {}
        for c in self.all:
            entry_text[c.chunk.entry_id] = entry_text.get(c.chunk.entry_id, fold(c.chunk.heading)) + " " + fold(c.unit.text)
        self.entry_folded = [entry_text[c.chunk.entry_id] for c in self.all]
        self._entry_stem_sets: dict[str, set[str]] = {}
        # Words the report writes only capitalised, in no form in lower case (`common`):
        # 'Lviv', 'Nagoya' are names however a user types them.
        lower_stems = {stem(w) for w in common}
        self.proper = frozenset(
            fold(token) for text in {t for c in self.all for t in (c.unit.text, c.chunk.heading)}
            for token in re.findall(r"[\w'’-]+", text) if token[:1].isupper() and stem(fold(token)) not in lower_stems
        )
        # ... and the names of several words it writes, and their parts ('Future Mobility
        # Forum', 'Mobility Forum'), never beginning or ending with 'of', 'the'…
        phrases: set[str] = set()
        for text in {c.unit.text for c in self.all}:
            for m in NAME.finditer(text):
                ws = fold(m.group(0)).split()
                phrases.update(" ".join(ws[i:j]) for i in range(len(ws)) for j in range(i + 2, len(ws) + 1)
                               if ws[i] not in self.lex.stop and ws[j - 1] not in self.lex.stop)
        self.phrases = frozenset(phrases)
        self.context_stems = [stems(c.context, self.lex) for c in self.all]
        self.pairs = [pairs(c.unit.text, self.lex) for c in self.all]  # consecutive content words, for phrases
        # Units giving a way to reach someone, by medium: few, and a contact question may match none of their words.
        self.reachable = {m: {c.row for c in self.all if p.search(c.unit.text)} for m, p in CONTACT.items()}
        df = Counter(s for ss in self.context_stems for s in ss)
        n = len(self.all)
        self.idf = {s: math.log(1 + n / d) for s, d in df.items()}
        self.max_idf = max(self.idf.values(), default=1.0)
        self._dated_rows: dict[int, bool] = {}  # filled as questions need them
        self._counted_rows: dict[int, bool] = {}
        self.own_year = year  # the report's own year (`Report.year`): any other year in a question binds
        self.rows_by_group: dict[str, list[Candidate]] = {}
        for cand in self.all:
            if cand.chunk.kind == "row":
                self.rows_by_group.setdefault(cand.chunk.group, []).append(cand)

    # -- scoring -----------------------------------------------------------------------

    def _rows_mentioning(self, name: list[str]) -> list[int]:
        """Every row whose unit names `name`, as `_mentions` decides, through the prefix index."""
        rows: set[int] = set()
        for form in name:
            tokens = [t for t in re.findall(r"[a-z0-9]+", form) if t not in self.lex.stop or len(form.split()) == 1]
            if tokens:
                rows |= set.intersection(*(self.prefix_rows.get(t[:6], set()) for t in tokens))
        return sorted(rows)

    def _mentions(self, row: int, name: list[str], entry: bool = False) -> bool:
        """Does this unit (or, with `entry`, the entry it belongs to) name `name`?"""
        text = self.entry_folded[row] if entry else self.folded[row]
        for form in name:
            tokens = [t for t in re.findall(r"[a-z0-9]+", form) if t not in self.lex.stop or len(form.split()) == 1]
            if tokens and all(re.search(rf"\b{re.escape(t[:6])}", text) for t in tokens):
                return True
        return False

    def _known_part(self, name: list[str]) -> tuple[list[str], list[str]]:
        """A name of several words some of which the report never writes ('the Royal Harbour
        Games'): the part it does write, when that part is a name it mentions, and the words
        left out (they cost what unknown words cost); else the name as it is."""
        tokens = [t for t in re.findall(r"[a-z0-9]+", re.sub(r"['’]s\b", "", name[0])) if t not in self.lex.stop]
        known = [t for t in tokens if self.prefix_rows.get(t[:6])]
        if len(tokens) < 2 or not known or len(known) == len(tokens) or not self._rows_mentioning([" ".join(known)]):
            return name, []
        return [" ".join(known)], [t for t in tokens if t not in known]

    def _lower_names(self, question: str, names: list[list[str]]) -> list[list[str]]:
        """Names the question types in lower case, as the report writes them capitalised:
        its names of several words ('the future mobility forum'), then each word it writes
        only capitalised ('who is the mayor of alba' -> alba)."""
        have = {w for n in names for form in n for w in form.split()}
        tokens = [re.sub(r"['’]s$", "", t) for t in re.findall(r"[\w'’-]+", question)]
        lower = [t[:1].islower() and t not in have for t in tokens]
        plain = self.lex.generic | self.lex.stop
        found: list[list[str]] = []
        for size in range(6, 1, -1):
            for i in range(len(tokens) - size + 1):
                phrase = " ".join(tokens[i:i + size])
                if all(lower[i:i + size]) and phrase in self.phrases and not set(phrase.split()) <= plain:
                    found.append([phrase])
                    lower[i:i + size] = [False] * size
        for token, free in zip(tokens, lower):
            if free and token in self.proper and token not in plain:
                found.append([token])
                lower = [ok and t != token for t, ok in zip(tokens, lower)]
        return found

    def _fits(self, cand: Candidate, q: Question, asked_words: set[str], figures: list[str]) -> bool:
        """Can the unit answer the type? `asked_words` and `figures`: the question's words
        and numbers, read once per question."""
        text, qtype = cand.unit.text, q.qtype
        if self.reason_needed and qtype == "fact" and WHY_ASKED.search(fold(q.text)):
            # 'Why did X…?' is answered by a sentence giving a purpose or a cause ('…to promote…',
            # '…because…', '…with the goal of…'); a table row or a bare account gives none.
            return cand.chunk.kind != "row" and bool(REASON.search(text))
        if qtype == "date":
            # With `date_new`, 'On what date in November…' is not answered by 'In November…':
            # the sentence (or its heading) must give a date the question does not ('12 November').
            return self._dated(cand.row) and (not self.date_new or any(
                not set(words(m.group(0))) <= asked_words for t in (text, cand.chunk.heading) for m in DATE.finditer(t)))
        if qtype == "number":
            if not figures:
                # 'How long has X been…' is answered by a count ('20 years') or a date ('since 1992').
                return self._counted(cand.row) or ("long" in asked_words and self._dated(cand.row))
            # Years, ordinals ('42nd edition') and the question's own figures are not counts.
            text = NOT_A_COUNT.sub("", text)
            for figure in figures:
                text = re.sub(rf"(?<![\d,.]){re.escape(figure)}(?![\d,.])", "", text)
            return bool(HAS_NUMBER.search(text))
        if qtype in ("who", "where"):
            return any(w[:1].isupper() and fold(w) not in asked_words for w in re.findall(r"[\w'-]+", text)[1:])
        if qtype == "contact":
            return any(CONTACT[m].search(text) for m in q.media)
        return True

    def _names_person(self, cand: Candidate, asked_words: set[str]) -> bool:
        """Does the unit name a person the question does not (`text.person_names`)?"""
        return bool(person_names(cand.unit.text, self.common, asked_words))

    def _names_new(self, cand: Candidate, asked_words: set[str]) -> bool:
        """Does the unit name something the question does not: a person ('Mayor Marta
        Bruni'), or a run of capitalised words holding none of the question's words ('the
        Vice Mayor of Alba' is the question's Alba) and one the report never writes in
        lower case?"""
        if self._names_person(cand, asked_words):
            return True
        for m in NAME.finditer(cand.unit.text):
            found = [fold(w) for w in re.findall(r"[\w'’-]+", m.group(0))]
            if not any(w in asked_words for w in found) and any(
                w not in self.common and not is_stop(w, self.lex.stop) for w in found
            ):
                return True
        return False

    def _counts(self, question: str, q: Question, cand: Candidate) -> bool:
        """Does a figure of the unit count what 'How many X?' asks for, X in its words or in
        words close in meaning (`synonym_at`)?"""
        text = cand.unit.text
        return counts_asked(q, text) or bool(self._synonyms(question, q.asked, counted(text)))

    def _names_asked(self, cand: Candidate, asked: set[str], asked_words: set[str]) -> bool:
        """Does the unit give what is asked a name: a word of it right before or after a
        quoted or capitalised word the question does not hold, nor the report in lower case
        ('the festival "Harbour Games"', 'the Harbour Games festival')?"""
        tokens = re.findall(r"[\"“”]?[\w'’-]+", cand.unit.text)

        def new_name(token: str) -> bool:
            word = fold(token.lstrip('"“”'))
            return (token[:1] in '"“' or token[:1].isupper()) and word not in asked_words and word not in self.common

        for i, token in enumerate(tokens):
            if stem(fold(token.lstrip('"“”'))) in asked:
                after = [t for t in tokens[i + 1:i + 4] if fold(t) not in ("the", "called", "named", "entitled")][:1]
                if any(new_name(t) for t in after + tokens[max(0, i - 1):i]):
                    return True
        return False

    def _dated(self, row: int) -> bool:
        if row not in self._dated_rows:
            cand = self.all[row]
            self._dated_rows[row] = bool(HAS_DATE.search(cand.unit.text) or HAS_DATE.search(cand.chunk.heading))
        return self._dated_rows[row]

    def _counted(self, row: int) -> bool:
        """Does the unit give a count: a number that is not a year or an ordinal?"""
        if row not in self._counted_rows:
            self._counted_rows[row] = bool(HAS_NUMBER.search(NOT_A_COUNT.sub("", self.all[row].unit.text)))
        return self._counted_rows[row]

    def _score(self, q: Question, q_vec: np.ndarray, pool: list[int], hit_rank: dict[str, int]) -> list[Candidate]:
        weights = [self.idf.get(t, 1.0) for t in q.terms]
        total = sum(weights) or 1.0
        dense = self.vectors[pool] @ q_vec
        asked_pairs = pairs(affirmed(q.text), self.lex)
        scored = []
        for row, d in zip(pool, dense):
            have = self.context_stems[row]
            lexical = sum(w for t, w in zip(q.terms, weights) if q.holds(t, have)) / total
            cand = Candidate(self.all[row].chunk, self.all[row].k, row)
            rank = hit_rank.get(cand.chunk.id)
            bonus = 0.05 / (1 + rank) if rank is not None else 0.0
            # The question's words in the same order ('mayor of X' against 'the Mayor … in X').
            phrase = len(asked_pairs & self.pairs[row]) / len(asked_pairs) if asked_pairs else 0.0
            cand.dense, cand.lexical = float(d), lexical
            cand.score = self.dense_weight * float(d) + (1 - self.dense_weight) * lexical + bonus + self.phrase_weight * phrase
            scored.append(cand)
        return sorted(scored, key=lambda c: c.score, reverse=True)

    # -- answering ---------------------------------------------------------------------

    def without_report(self, question: str) -> str:
        """The question without the words that name the report itself ('Who printed the
        annual report?' -> 'Who printed?'): every sentence is the report's, none names it."""
        bare = re.sub(r"\s+(?=[?.!,])", "", re.sub(r"\s{2,}", " ", self.itself.sub(" ", question))).strip()
        return bare if len(words(bare)) >= 2 else question

    def answer_with(self, question: str, q_vec: Sequence[float], hits: Sequence[Hit]) -> Answer:
        q = read_question(question, self.lex)
        if self.truecase:
            q.names += self._lower_names(question, q.names)
        qv = np.asarray(q_vec, dtype=np.float32)
        qv /= np.linalg.norm(qv) + 1e-12
        hit_rank = {h.chunk.id: i for i, h in enumerate(hits)}
        pool = {self.row_of[(h.chunk.id, k)] for h in hits for k in range(len(h.chunk.units))}
        pool |= self._neighbours(hits)
        for medium in q.media if q.qtype == "contact" else ():
            pool |= self.reachable[medium]
        parts = [self._known_part(n) for n in q.names]
        partly = [n for n, (_, lacking) in zip(q.names, parts) if lacking]  # as the question gives them
        q.names = [n for n, _ in parts]
        mentioned = [self._rows_mentioning(n) for n in q.names]
        missing = [n for n, rows in zip(q.names, mentioned) if not rows]
        # A name the report never mentions lowers every score by its share of the
        # question's weight instead of vetoing an otherwise strong match. A lone adjective
        # of nationality or language ("Scottish", "English") is not a name of its own.
        unknown = self._weight_share(q, {
            q.term_of(w) for n in missing if " " in n[0] or not re.search(r"(ish|ese|ian|an)$", n[0])
            for w in words(n[0])
        } | {q.term_of(w) for _, lacking in parts for w in lacking})
        absent = [n[0].title() for n in partly + missing] if unknown else []
        # A word the report never uses may be a name typed in lower case or the user's own
        # word for one it uses: it costs `unknown_ratio` (fitted) of its share of the weight.
        if self.unknown_ratio:
            named = {q.term_of(w) for n in q.names for w in words(n[0])}
            strange = {t for t in q.terms if t not in self.idf and t not in named}
            unknown += self.unknown_ratio * self._weight_share(q, strange)
            absent = absent or [w for w in dict.fromkeys(words(question)) if stem(w) in strange]  # names first
        why = f"It does not mention {', '.join(absent)}." if absent else ""
        premises = [n for n in q.names if not self._in_asked_phrase(question, n)]  # names the question takes as given
        q.names = [n for n in q.names if n not in missing]
        for rows in mentioned:
            pool |= set(rows)
        table: set[int] = set()
        of_country: set[int] = set()
        if q.qtype == "list":
            # A list may be a table: the rows that share most of the question's words, or
            # a table's rows (two or more) that name the country the question names by its
            # people ('Which French cities…' over 'Lyon | France | …').
            need = max(2, len(q.terms) // 2)
            table = {
                c.row for c in self.all
                if c.chunk.kind == "row" and len(self.context_stems[c.row] & set(q.terms)) >= need
            }
            countries = set(q.same.values())
            for rows in self.rows_by_group.values() if countries else ():
                naming = {c.row for c in rows if countries <= self.context_stems[c.row]}
                if len(naming) >= 2:
                    of_country |= naming
            pool |= table | of_country
        ranked = self._score(q, qv, sorted(pool), hit_rank)
        penalty: dict[str, float] = {}  # per entry: what the question's names it lacks cost
        for cand in ranked:
            # The same for a name the report has but this entry lacks (a region for its city).
            entry = cand.chunk.entry_id
            if entry not in penalty:
                lacking = {q.term_of(w) for n in q.names if not self._mentions(cand.row, n, entry=True) for w in words(n[0])}
                penalty[entry] = 1 - min(1.0, unknown + self._weight_share(q, lacking))
            cand.score *= penalty[entry]
        # A year other than the report's own is as binding as a name: "…in 2023?"
        years = [[y] for y in re.findall(r"\b(?:19|20)\d\d\b", question) if y != self.own_year]
        if self.month_binds:  # ... and so may a month, when it dates something ('in March', '3 May')
            years += [[(a or b).lower()] for a, b in MONTH_NAMED.findall(question)]
        if self.ordinal_binds:  # ... and an ordinal: 'the third round' is not the second
            years += [ordinal_forms(o) for o in ORDINAL_NAMED.findall(question)]
        asked_words, figures = set(words(question)), re.findall(r"\d[\d,.]*\d|\d", question)
        fits = {c.row: self._fits(c, q, asked_words, figures) for c in ranked}  # can it answer the type?
        if self.carry:
            # The answer is often the sentence after the one that matches ('The match… .' /
            # 'It ended 3-1 before 9,000 spectators.'): a unit that can answer takes
            # `carry` of the score of the unit before it in its entry, when that one cannot.
            by_row = {c.row: c for c in ranked}
            for cand in ranked:
                before = by_row.get(cand.row - 1)
                if (
                    before is not None and before.chunk.entry_id == cand.chunk.entry_id
                    and before.score * self.carry > cand.score
                    and fits[cand.row]
                    and not fits[before.row]
                ):
                    cand.score = before.score * self.carry
        ranked.sort(key=lambda c: c.score, reverse=True)
        # 'How much money / funding…' is answered by a sum ('How many grants…' by a count).
        money = q.qtype == "number" and "many" not in asked_words and bool(MONEY & {stem(w) for w in asked_words})
        fitting = [
            c for c in ranked
            if fits[c.row] and c.score > 0 and all(self._mentions(c.row, y, entry=True) for y in years)
            and (not money or CURRENCY.search(c.unit.text))
        ]
        top = ranked[0] if ranked else None
        if (
            q.qtype == "number" and top is not None and top.chunk.kind == "row" and q.asked
            and covers(q.asked, stems(top.chunk.group, self.lex)) and top.score >= self.abstain_below
            and (not fitting or top.score > fitting[0].score)
        ):
            # 'How many X…' where X is what a table lists and no sentence beats its rows: count them.
            return self._list_answer(question, q, [top], count=True)
        # A sentence that itself names what the question names needs less support from
        # meaning and wording (a bare table row: "City | Country | Kind (year)").
        # So does a table row that shares most of a list question's words ('…twinned since 1958?').
        named = bool(fitting) and (bool(q.names) and all(self._mentions(fitting[0].row, n) for n in q.names)
                                   or fitting[0].row in table)
        if not fitting or fitting[0].score < self.abstain_below * (self.named_relief if named else 1.0):
            return self._abstain(question, q, hits, why, fitting[0].score if fitting else 0.0)
        # What is asked, or what the one asked for did ('Who won…' -> won): not required,
        # but the sentence that names it is preferred ("the EU contribution…", "…winning…").
        doer = did_what(question)
        wanted = q.asked or doer
        naming = [c for c in fitting if wanted and covers(wanted, self._named(c))]
        if naming and naming[0] is not fitting[0] and naming[0].score >= 0.6 * fitting[0].score:
            fitting.remove(naming[0])
            fitting.insert(0, naming[0])
        if q.qtype == "who" and not self._names_person(fitting[0], asked_words):
            # 'Who…' asks for a person: a sentence naming one, close enough, goes first.
            people = [c for c in fitting[1:8] if self._names_person(c, asked_words)]
            if people and people[0].score >= self.person_ratio * fitting[0].score:
                fitting.remove(people[0])
                fitting.insert(0, people[0])
        gives_name = False  # the best sentence gives the asked X a name: its entry may say what else X is
        name_asked = bool(NAME_ASKED.search(fold(question)))
        if name_asked and q.asked and not self._names_asked(fitting[0], q.asked, asked_words):
            # 'What is the name of the X?': a sentence that gives the X a name ('…the festival
            # "Harbour Games"…'), close enough, goes before one that only describes the X.
            naming = [c for c in fitting[1:8] if self._names_asked(c, q.asked, asked_words)]
            if naming and naming[0].score >= self.name_ratio * fitting[0].score:
                fitting.remove(naming[0])
                fitting.insert(0, naming[0])
                gives_name = True
        counts = self.count_binds and q.asked and not money and COUNT_ASKED.search(fold(question))
        if counts and not self._counts(question, q, fitting[0]):
            # 'How many X?': a sentence giving a figure of X, close enough, goes before one
            # whose figures count something else.
            counting = [c for c in fitting[1:8] if self._counts(question, q, c)]
            if counting and counting[0].score >= self.count_ratio * fitting[0].score:
                fitting.remove(counting[0])
                fitting.insert(0, counting[0])
        best = fitting[0]
        if self.tense_needed and PAST.search(fold(question)) and FUTURE.search(best.unit.text) and not PAST.search(best.unit.text):
            # 'How many competed at X?' against 'X will host…': the report announces what the question takes as done.
            return self._abstain(question, q, hits, "", best.score)
        if self.tense_needed and FUTURE.search(fold(question)) and self._only_done(best.unit.text):
            # 'When will X open?' against 'In May, the Mayor visited X': the report tells what was done, not what is to come.
            return self._abstain(question, q, hits, "", best.score)
        if self.person_needed and q.qtype == "who" and not doer and not self._names_person(best, asked_words):
            # 'Who is the X?', 'the name of the X who…' ask who a person is (a doer, 'Who
            # organised…', may be a body): a sentence naming nobody does not answer.
            return self._abstain(question, q, hits, "", best.score)
        if self.name_needed and name_asked and not self._names_new(best, asked_words):
            # 'What is the name of the X?' is not answered by a sentence that names nothing
            # the question does not ('…in the presence of the Mayor of Alba'): the report names no X.
            return self._abstain(question, q, hits, "", best.score)
        if counts and not self._counts(question, q, best):
            # 'How many students came?' is not answered by '…the two cities…' in a sentence on
            # the students: the report gives no figure of what is asked.
            return self._abstain(question, q, hits, "", best.score)
        if self.object_needed and self._unsupported(q, best, self._done_to(question, q), self.object_needed, entry=True):
            # 'Who won the doubles title?' is not answered by '…winning the tournament', a
            # sentence on another title: what the doer did it to must be named.
            return self._abstain(question, q, hits, "", best.score)
        if self._unsupported(q, best, entry=gives_name):
            return self._abstain(question, q, hits, "", best.score)
        if self.premise_binds and (any(self._replaced(question, n, best) for n in premises) or self._other_edition(question, best)):
            # 'What did the Mayor present at the Forum in Bra?' against '…the Forum in Alba':
            # the sentence gives another name where the question's stands.
            return self._abstain(question, q, hits, "", best.score)
        rows = [
            c for c in fitting
            if c.chunk.kind == "row" and (self._shares_terms(c, q) and (c.score >= 0.5 * best.score or c.row in table)
                                          or c.row in of_country)
        ]
        if q.qtype == "list" and rows:
            return self._list_answer(question, q, rows + [c for c in fitting if c not in rows])
        if q.qtype == "list" and q.names and not best.unit.text.endswith(":"):
            # (A best sentence that introduces a list, '…three principles:', brings its items: `_choose`.)
            entries = self._entries_naming(q, fitting)
            if len(entries) >= 3:
                return self._compose(question, q, entries, headed=True)
        answer = self._compose(question, q, self._choose(q, fitting))
        answer.support = best.score
        return answer

    def _named(self, cand: Candidate) -> set[str]:
        """The stems a unit names; a sum of money also names what money words ask for
        ('How much money…', '…the cost?')."""
        named = self.context_stems[cand.row]
        named = named | MONEY if CURRENCY.search(cand.unit.text) else named
        return named | SCORE if SCORED.search(cand.unit.text) else named

    def _neighbours(self, hits: Sequence[Hit]) -> set[int]:
        """The unit just before and just after each passage in its entry: the answer is
        often the sentence next to the one that matches."""
        rows: set[int] = set()
        for h in hits:
            first, last = self.row_of[(h.chunk.id, 0)], self.row_of[(h.chunk.id, len(h.chunk.units) - 1)]
            for row in (first - 1, last + 1):
                if 0 <= row < len(self.all) and self.all[row].chunk.entry_id == h.chunk.entry_id:
                    rows.add(row)
        return rows

    def _weight_share(self, q: Question, lacking: set[str]) -> float:
        return weight_share(q.terms, lacking, self.idf, self.max_idf)

    def _entries_naming(self, q: Question, fitting: list[Candidate]) -> list[Candidate]:
        """For 'Which events did <a network>…?': the best sentence of each entry of the best
        one's section that itself names the question's names, best first, at most eight."""
        best = fitting[0]
        seen: dict[str, Candidate] = {}
        for cand in fitting:
            if (
                cand.chunk.section_id == best.chunk.section_id
                and cand.chunk.kind != "row"
                and cand.score >= 0.4 * best.score
                and all(self._mentions(cand.row, n) for n in q.names)
            ):
                seen.setdefault(cand.chunk.entry_id, cand)
        return list(seen.values())[:8]

    def _shares_terms(self, cand: Candidate, q: Question) -> bool:
        """A row answers a list question only if it shares a word with it beyond the names."""
        return bool((set(q.terms) - _name_stems(q)) & self.context_stems[cand.row])

    def _entry_stems(self, row: int) -> set[str]:
        """The stems of the whole entry a unit belongs to, its heading too (cached per entry)."""
        entry = self.all[row].chunk.entry_id
        if entry not in self._entry_stem_sets:
            self._entry_stem_sets[entry] = stems(self.entry_folded[row], self.lex)
        return self._entry_stem_sets[entry]

    @staticmethod
    def _in_asked_phrase(question: str, name: list[str]) -> bool:
        """Is the name part of what the question asks for ('Which city of the Honam region
        did…', 'How many runners from Kenya…'), not of what it takes as given?"""
        tokens = [fold(t) for t in re.findall(r"[\w'’-]+", question)]
        start = next((i for i, t in enumerate(tokens) if t in WH_WORDS), None)
        if start is None or tokens[start] in ("who", "whom", "when", "where", "why"):
            return False
        end = next((i for i in range(start + 1, len(tokens)) if tokens[i] in AUXILIARIES), len(tokens))
        asked = " ".join(tokens[start:min(end, start + 7)])
        return any(re.search(rf"\b{re.escape(form)}\b", asked) for form in name)

    def _replaced(self, question: str, name: list[str], best: Candidate) -> bool:
        """Does the best sentence give another name where the question gives `name`: the
        same words leading into it ('Forum in', 'beat'), then a capitalised word the question
        does not hold, while the sentence's entry never names `name`?"""
        if self._mentions(best.row, name, entry=True):
            return False
        if not self._rows_mentioning(name) and self._stands_in(question, name, best):
            return True
        tokens = re.findall(r"[\w'’-]+", question)
        folded = [fold(t) for t in tokens]
        first = re.findall(r"[a-z0-9]+", name[0])[:1]
        at = next((i for i, t in enumerate(folded) if first and t.startswith(first[0])), None)
        lead: list[str] = []
        i = (at or 0) - 1
        while at and i >= 0 and len(lead) < 2:  # a content word, and the preposition after it
            if folded[i] not in ("the", "a", "an"):
                lead.insert(0, folded[i])
                if not is_stop(folded[i], self.lex.stop):
                    break
            i -= 1
        if not lead or is_stop(lead[0], self.lex.stop):
            return False
        lead_stems = [stem(w) for w in lead]
        said = set(folded)
        sentence = re.findall(r"[\w'’-]+", best.unit.text)
        for k in range(len(sentence) - len(lead)):
            if [stem(fold(w)) for w in sentence[k:k + len(lead)]] == lead_stems:
                after = sentence[k + len(lead):k + len(lead) + 2]
                after = after[1:] if after and fold(after[0]) == "the" else after
                if after and after[0][:1].isupper() and fold(after[0]) not in said and not is_stop(fold(after[0]), self.lex.stop):
                    return True
        return False

    def _other_edition(self, question: str, best: Candidate) -> bool:
        """Does the question name an edition ('Harbour Games 2024') that the sentence's entry
        gives only with another year ('Harbour Games 2026')?"""
        text = self.entry_folded[best.row]
        for m in re.finditer(r"((?:[A-Z][\w'’-]*\s+){1,4})((?:19|20)\d\d)\b", question):
            name, year = fold(m.group(1).strip()), m.group(2)
            given = re.findall(rf"\b{re.escape(name)}\s+((?:19|20)\d\d)\b", text)
            if given and year not in given:
                return True
        return False

    def _stands_in(self, question: str, name: list[str], best: Candidate) -> bool:
        """For a name the report never mentions: does the sentence (or its heading) hold
        another name, not a spelling of it, as close in meaning as a synonym (`synonym_at`)?
        '…with Saluzzo?' against '…the City of Alba signed…': the answer is about another."""
        if self.synonym_at > 1 or self.embed_words is None:
            return False
        from rapidfuzz import fuzz

        said = {fold(t) for t in re.findall(r"[\w'’-]+", question)}
        others = [
            t for t in dict.fromkeys(re.findall(r"[\w'’-]+", f"{best.chunk.heading} {best.unit.text}"))
            if t[:1].isupper() and len(t) > 2 and fold(t) not in said and fold(t) not in self.common
            and all(fuzz.ratio(fold(t), form) < SPELLING_CUTOFF for form in name)
        ]
        if not others:
            return False
        return float(cosines(self.embed_words, [name[0]], others).max()) >= self.synonym_at

    def _only_done(self, text: str) -> bool:
        """Does a sentence tell only what was done: in the past, with no future tense and no
        year after the report's own ('…was chosen to host the 2027 games' looks ahead)?"""
        later = self.own_year.isdigit() and any(int(y) > int(self.own_year) for y in YEAR.findall(text))
        return bool(PAST.search(text)) and not FUTURE.search(text) and not later

    def _done_to(self, question: str, q: Question) -> set[str]:
        """What a 'who <did>' (or 'which X <did>') question's doer did it to, less its names
        (they bind on their own)."""
        done = done_to(question) or (which_done_to(question) if self.which_did else set())
        return done - _name_stems(q) - self.own_stems

    def _unsupported(self, q: Question, best: Candidate, asked: set[str] | None = None, share: float = 0.0,
                     entry: bool = False) -> bool:
        """Does the best sentence leave out what the question asks for?

        "How many spectators…" answered by a sentence with a number but no spectators, or
        "What is Torino's annual budget?" by one on a gender budget, answers a neighbouring
        question, unless the meaning is close enough to make up for the missing word.
        What is asked counts by rarity: the sentence must name `asked_share` of its weight
        (fitted; 1 means all of it), so 'new' missing from '…the new head coach' weighs
        less than 'coach' would. (A broader rule -- any rare question word
        missing -- cost more right answers than it saved on the dev split, so it is not used.)
        """
        asked = q.asked if asked is None else asked
        if best.dense >= self.dense_enough or not asked:
            return False
        have = self._named(best) | stems(best.chunk.heading, self.lex)
        if entry:  # named anywhere in the sentence's entry ('The race…' / 'It was won by…')
            have = have | self._entry_stems(best.row)
        named = {a for a in asked if covers({a}, have)}
        if weight_share(asked, named, self.idf, self.max_idf) >= (share or self.asked_share) - 1e-9:
            return False
        said = (w for w in words(best.unit.text) if not is_stop(w, self.lex.stop) and len(w) > 2 and not w.isdigit())
        named |= self._synonyms(q.text, asked - named, said)
        return weight_share(asked, named, self.idf, self.max_idf) < (share or self.asked_share) - 1e-9

    def _synonyms(self, question: str, asked: set[str], candidates: Iterable[str]) -> set[str]:
        """The asked stems one of the sentence's `candidates` names in other words: a word
        whose vector comes `synonym_at` close to the question's word ('pupils' / 'students')."""
        if self.synonym_at > 1 or self.embed_words is None or not asked:
            return set()
        said = [w for w in dict.fromkeys(words(question)) if stem(w) in asked]
        there = list(dict.fromkeys(candidates))
        if not said or not there:
            return set()
        close = cosines(self.embed_words, said, there).max(axis=1) >= self.synonym_at
        return {stem(w) for w, near in zip(said, close) if near}

    def _choose(self, q: Question, fitting: list[Candidate]) -> list[Candidate]:
        """The best sentence, then at most two more: one that covers what it leaves out, or
        one that gives another figure for the same named thing (the report's conflicts)."""
        best = fitting[0]
        chosen = [best]
        covered = self.context_stems[best.row]
        for cand in fitting[1:8]:
            if len(chosen) == 3 or cand.score < 0.7 * best.score:
                break
            if cand.unit.text == best.unit.text:
                continue
            new_terms = {t for t in q.terms if t not in covered and t in self.context_stems[cand.row]}
            figure = q.qtype in ("number", "date") and q.names and all(self._mentions(cand.row, n) for n in q.names)
            close = cand.score >= 0.9 * best.score
            if new_terms and cand.score >= 0.75 * best.score or figure or (close and len(chosen) == 1):
                chosen.append(cand)
                covered = covered | self.context_stems[cand.row]
        following = [Candidate(best.chunk, k, self.row_of[(best.chunk.id, k)]) for k in range(best.k + 1, len(best.chunk.units))]
        # A sentence that introduces a list ("…three principles:") brings its items along.
        if best.unit.text.endswith(":"):
            return [best] + [i for i in following if i.unit.kind == "item"][:10]
        # One that the next sentence goes on about ("This involves…") brings that sentence.
        after = self.all[best.row + 1] if best.row + 1 < len(self.all) else None
        if (
            after is not None
            and after.chunk.entry_id == best.chunk.entry_id
            and CONTINUES.match(after.unit.text)
            and after.row not in {c.row for c in chosen}
        ):
            chosen.insert(1, Candidate(after.chunk, after.k, after.row))
        return chosen[:3]

    def _rival(self, q: Question, chosen: list[Candidate]) -> int:
        """Which chosen sentence gives another figure for the best one's (0: none): two
        figures for the same measure, the numbers differing, what they count not. The second
        sentence needs an entry sharing a word of the best one's subject (its heading less its
        dates); for a date, a later one may rival too: another entry whose subject holds the
        best one's or is held by it, both dated by their entries alone (an event dated in the
        highlights and again in its chapter). A date holding the other ('28 November 2024',
        'November') agrees with it."""
        figures = [figure_of(self._dated_text(q, c), q) for c in chosen]
        subjects = [stems(re.sub(r"\d+", " ", DATE_IN_HEADING.sub(" ", c.chunk.heading)), self.lex) for c in chosen]
        for k in range(1, len(chosen) if q.qtype == "date" else min(2, len(chosen))):
            one, other = subjects[0], subjects[k]
            same = one & other if k == 1 else (
                bool(one and other) and (one <= other or other <= one) and chosen[k].chunk.entry_id != chosen[0].chunk.entry_id
                and not any(re.search(rf"\b(?:{MONTHS})\b", c.unit.text) for c in (chosen[0], chosen[k])))
            if not (same and figures[0] and figures[k]):
                continue
            if q.qtype == "date":
                # '28 November 2024' and 'November' agree: one date holds the other.
                a, b = set(figures[0].split()), set(figures[k].split())
                if not (a <= b or b <= a):
                    return k
            elif figures[k] != figures[0] and (
                    q.qtype != "number" or figures[0].partition(" ")[2] == figures[k].partition(" ")[2]):
                return k
        return 0

    def _dated_text(self, q: Question, cand: Candidate) -> str:
        """The unit as a date answer quotes it: led by its entry's date when it gives none itself."""
        text = cand.unit.text
        if q.qtype == "date" and cand.chunk.kind != "row" and not re.search(rf"\b(?:{MONTHS})\b", text):
            date = DATE_IN_HEADING.search(cand.chunk.heading)
            if date:
                return f"{date.group(0).strip()}: {text}"
        return text

    def _out_of_context(self, cand: Candidate) -> bool:
        """Does the sentence leave out what its entry is about ('The race drew eight crews'
        under 'Harbour Regatta, 3 May')? Then the answer names the entry."""
        heading = cand.chunk.heading
        if cand.chunk.kind == "row" or not heading or len(heading.split()) > 12:
            return False
        subject = stems(re.sub(r",\s*\d.*$", "", heading), self.lex)
        return bool(subject) and len(subject & stems(cand.unit.text, self.lex)) * 2 < len(subject)

    def _compose(self, question: str, q: Question, chosen: list[Candidate], headed: bool = False) -> Answer:
        """Cited sentences; with `headed`, each as a list line led by its entry's heading.
        Two accounts of one figure come first: the best and the one that contradicts it."""
        rival = self._rival(q, chosen)
        if rival > 1:
            chosen = [chosen[0], chosen[rival], *(c for k, c in enumerate(chosen[1:], 1) if k != rival)]
        parts, citations = [], []
        introduced: set[str] = set()  # entries whose heading the answer has given
        for n, cand in enumerate(chosen, 1):
            text = f"{cand.chunk.heading} — {cand.unit.text}" if headed else self._dated_text(q, cand)
            if not headed and q.qtype != "date" and self._out_of_context(cand) and cand.chunk.entry_id not in introduced:
                text = f"({cand.chunk.heading}) {text}"
            introduced.add(cand.chunk.entry_id)
            parts.append(f"{text} [{n}]")
            citations.append(self._cite(n, cand))
        lead = "The report gives two accounts: " if rival else ""
        joiner = "\n- " if headed or any(c.unit.kind == "item" for c in chosen[1:]) else " "
        if headed:
            parts[0] = "- " + parts[0]
        return Answer(question, lead + joiner.join(parts), False, citations, qtype=q.qtype)

    def _list_answer(self, question: str, q: Question, fitting: list[Candidate], count: bool = False) -> Answer:
        """The rows of the best candidate's table that the question picks out; with
        `count`, how many they are ('How many honorary consulates…' over a table)."""
        # Of the tables among the candidates, the one whose caption names most of the
        # question ('Consulates General', not 'Honorary Consulates'), then the best row's.
        firsts: dict[str, Candidate] = {}
        for cand in fitting:
            if cand.chunk.kind == "row":
                firsts.setdefault(cand.chunk.group, cand)
        best = max(firsts.values(), key=lambda c: self._weight_share(q, set(q.terms) & stems(c.chunk.group, self.lex))) if firsts else fitting[0]
        group = best.chunk.group
        rows = self.rows_by_group.get(group, [best])
        # Keep rows that match what sets them apart in the question (a country, a kind, a year).
        def selective(marks: list[list[str]]) -> list[list[str]]:
            return [m for m in marks if 0 < sum(self._mentions(r.row, m) for r in rows) < len(rows)]

        names, terms = selective(q.names), selective([[t] for t in q.terms])
        # "a twinning, agreement or letter of intent": any of the words will do.
        either = " or " in f" {fold(question)} "
        chosen = [
            r for r in rows
            if all(self._mentions(r.row, m) for m in names)
            and (not terms or (any if either else all)(self._mentions(r.row, m) for m in terms))
        ]
        chosen = chosen or [best]
        if count:
            citation = self._table_citation(best, group, chosen)
            short = f"{len(chosen)} ({group})"
            return Answer(question, f"{short}: {', '.join(c.unit.text.split(' | ')[0] for c in chosen)} [1]",
                          False, [citation], qtype=q.qtype, short_answer=short)
        if len(chosen) <= 8:
            parts = [f"{c.unit.text} [{n}]" for n, c in enumerate(chosen, 1)]
            citations = [self._cite(n, c) for n, c in enumerate(chosen, 1)]
            return Answer(question, "; ".join(parts), False, citations, qtype=q.qtype)
        names = ", ".join(c.unit.text.split(" | ")[0] for c in chosen)
        citation = self._table_citation(best, group, chosen)
        return Answer(question, f"{group} ({len(chosen)}): {names} [1]", False, [citation], qtype=q.qtype)

    @staticmethod
    def _table_citation(best: Candidate, group: str, chosen: list[Candidate]) -> Citation:
        """One citation for several rows of a table."""
        return Citation(
            1, best.chunk.section_id, best.chunk.section_title, group, best.chunk.pages,
            "; ".join(c.unit.text for c in chosen), chosen[0].unit.start, chosen[-1].unit.end,
            "\n".join(c.unit.text for c in chosen),
        )

    @staticmethod
    def _cite(n: int, cand: Candidate) -> Citation:
        c = cand.chunk
        return Citation(n, c.section_id, c.section_title, c.heading, c.pages, cand.unit.text,
                        cand.unit.start, cand.unit.end, c.body)

    @staticmethod
    def _abstain(question: str, q: Question, hits: Sequence[Hit], why: str, support: float = 0.0) -> Answer:
        return abstain(question, q.qtype, hits, support, why)


def item_label(item: str) -> str:
    """What a list item is called: the words before its dash or colon ('intentionality –
    acting with…' -> 'intentionality'), else its first six words."""
    label = re.split(r"\s+[–—-]\s+|:\s", item, maxsplit=1)[0].strip(" .;,")
    return label if len(label.split()) <= 6 else " ".join(item.split()[:6])


def ordinal_forms(ordinal: str) -> list[str]:
    """An ordinal in words and in figures ('third' -> 'third', '3rd'), as a name's forms."""
    word = ordinal.lower()
    if word in ORDINAL_WORDS:
        n = ORDINAL_WORDS.index(word) + 1
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th") if n not in (11, 12, 13) else "th"
        return [word, f"{n}{suffix}"]
    n = int(re.sub(r"\D", "", word))
    return [word, ORDINAL_WORDS[n - 1]] if 1 <= n <= len(ORDINAL_WORDS) else [word]


def covers(asked: set[str], have: set[str]) -> bool:
    """Does `have` name every asked stem, allowing another form of the same word
    ('director' / 'directed', 'consulate' / 'consular'): one stem of five letters or more
    begins the other."""
    return all(a in have or any(same_word(a, h) for h in have) for a in asked)


# English words that ask for a sum of money, as stems, and what a sum looks like.
MONEY = frozenset({"money", "cost", "budget", "fund", "price", "spend", "spent", "paid", "pay", "worth", "financ", "grant"})
CURRENCY = re.compile(r"[€$£]|\b(?:euros?|eur|dollars?|usd|pounds?)\b", re.I)
SCORE = frozenset({stem(w) for w in ("score", "result", "scoreline")})  # what a match's score ('6-4', '29-11') names
SCORED = re.compile(rf"(?<![\w.,–-])\d{{1,3}}[-–]\d{{1,3}}(?!\w|[.,]\d|[–-]|\s+(?:{MONTHS}))")

# A question in the past ('did', 'was', 'competed'; not 'are expected') and a sentence that
# announces the event ('will host'): the question's premise is not the report's.
PAST = re.compile(r"\b(?:did|was|were|had)\b|(?<!\bare )(?<!\bis )(?<!\bbe )\b[a-z]{3,}ed\b")
FUTURE = re.compile(r"\bwill\b|\bis (?:due|set|scheduled|expected) to\b", re.I)


def _name_stems(q: Question) -> set[str]:
    """The stems of every form of the question's names: words that bind as names, not as terms."""
    return {stem(w) for n in q.names for form in n for w in words(form)}


# 'What is the name of the X?', 'What was the festival called?': the answer is a name.
WHY_ASKED = re.compile(r"^(?:(?:and|but|so)\s+)?why\b")
# A purpose or a cause: the words English gives one with, or 'to' before a verb ('to promote', not 'to the', 'to hosting').
REASON = re.compile(
    r"\b(?:because|due to|owing to|thanks to|in order to|so as to|so that|aim(?:s|ed|ing)?|goals?|purposes?|objectives?"
    r"|intended|with a view to|in response to|reasons?)\b"
    r"|\bto\s+(?!(?:the|a|an|this|that|these|those|its|their|his|her|our|date)\b)[a-z]+\b(?<![a-z]{3}ing)"
)
NAME_ASKED = re.compile(r"\bname of\b|\bcalled\W*$")
COUNT_ASKED = re.compile(r"\bhow many\b")

CONTINUES = re.compile(r"^(?:This|These|It|They|The latter|Its|Their)\b")


class RuleReader:
    """The rule answerer behind the `Reader` seam, with the short answer in front."""

    name = "extractive"

    def __init__(self, answerer: ExtractiveAnswerer, embed: Callable[[str], Sequence[float]],
                 spans: SpanModel | None = None) -> None:
        self.answerer = answerer
        self.embed = embed
        self.spans = spans or SpanModel()  # what picks the short answer (`spans.py`)

    def answer(self, question: str, passages: Sequence[Hit], conversation: object = None) -> Answer:
        from .extractive import NOTICE_IT
        from .question import read_question as read

        q = read(question)
        if q.language != "en":
            return Answer(question, NOTICE_IT, True, [], qtype=q.qtype, notice=NOTICE_IT,
                          suggestions=closest_sections(passages))
        bare = self.answerer.without_report(question)
        answer = self.answerer.answer_with(bare, self.embed(affirmed(bare)), passages)
        answer.question = question
        if answer.abstained or not answer.citations or answer.short_answer:
            return answer  # a table's count comes with its own short answer
        first = answer.citations[0]
        if q.qtype == "list" or answer.answer.startswith("- "):
            # A list: the names the best sentence (or the one entry) lists, else its items
            # by name (each row's or entry's heading), once each.
            headings = list(dict.fromkeys(c.heading for c in answer.citations))
            quotes = [c.quote for c in answer.citations] if len(headings) == 1 else [first.quote]
            listed = self.spans.enumeration(q, quotes) or (
                # A sentence announcing a list ('…three principles:'): each item by its label.
                ", ".join(item_label(c.quote) for c in answer.citations[1:]) if first.quote.endswith(":") else "")
            if listed or len(answer.citations) > 1:
                answer.short_answer = listed or ", ".join(headings)
                return answer
        if answer.answer.startswith("The report gives two accounts") and len(answer.citations) > 1:
            spans = [(self.spans.short_of(q, c.quote, c.heading) or c.quote, c.section) for c in answer.citations[:2]]
            answer.short_answer = " or ".join(dict.fromkeys(f"{span} (§{section})" for span, section in spans))
            return answer
        shown = quoted_as(answer)  # each quote as the answer gives it (with its entry's heading or date)
        short = self.spans.short(q, [(c.quote, c.heading) for c in answer.citations[:3]])
        whole = next((k for k, c in enumerate(answer.citations[:len(shown)]) if short == c.quote), None)
        if whole is not None:
            short = shown[whole]  # a quoted sentence answers as a whole: the answer gives it already
        elif short and fold(short) not in fold(answer.answer[: len(short) + 40]):
            answer.answer = f"{short}: {answer.answer}"
        # No span: the first quote as the answer gives it.
        answer.short_answer = short or (shown[0] if shown else first.quote)
        return answer
