"""Read a follow-up in the light of the conversation: "Who did he beat?" -> "Who did Maria Rossi beat?".

A separate step behind the `Rewriter` protocol, so an LLM-based rewriter can replace it.
The rule-based one rewrites a question only when it holds a reference it cannot resolve
alone, and resolves it against the previous *answer* as well as the previous question:
- "What about Alba?" / "And with Bra?" -> the previous question with its name swapped
  (or the phrase added after its preposition); "How about the doubles?" -> its words
  closest in meaning swapped ('singles'), by the embedding model when one is injected;
- "he", "she", "his"… -> the person the previous answer named, or the one the previous
  question asked about ("Who is Maria Rossi?") or named;
- "it", "its", "there", "they"… -> the entity the previous answer gave when it answered
  "which/who/where", else the name in the previous question, else the entry it cited;
  when the previous answer listed several, it asks back which one;
- "the <word>" in a question with no name of its own, the word taken from the previous
  turn ("the final", "the agreement"), or "that/this <word>" whatever the word -> the
  previous subject added in brackets.
A question with a name of its own and no pronoun (a topic switch) is left as it is.
A question that names nothing and that the report cannot answer as it stands ('How many
boats took part?' after a regatta) gets a second reading with the previous subject
(`in_context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Protocol, Sequence

import numpy as np

from .embedding import cosines
from .question import question_names
from .reader import CLAUSE_START, Conversation, Turn
from .text import AUXILIARY, DATE, NAME, NAME_JOINERS, PREPOSITIONS, STOPWORDS, fold, stems, unclitic

PERSON = re.compile(r"\b(he|she|him|his|her|hers)\b", re.I)
# A bare 'this'/'that' ('Who paid for that?') points back; 'that' before a word is a
# relative or a determiner ('the mayor that visited', 'that trip': see `_refers_back`).
THING = re.compile(r"\b(it|its|they|them|their|there|this one|that one|(?:this|that)(?=\s*[?.!,]|\s*$))\b", re.I)
ELLIPSIS = re.compile(r"^(?:and\s+)?(?:what|how)\s+about\s+(.+?)\??$|^and\s+(.+?)\??$", re.I)
PHRASE_LEADS = PREPOSITIONS | {"during"}  # what may open 'And in which city?', 'And for the next round?'
# "And in which city?", "And when?": the previous question asked anew, its subject kept.
WH_PHRASE = re.compile(rf"^(?:(?:{'|'.join(sorted(PHRASE_LEADS))})\s+)?(?:(?:which|what)\s+[a-z]+|when|where)$", re.I)
_LEADS = {"what", "which", "who", "when", "where", "how", "and", "in", "on", "did", "does", "is", "was", "the", "a"}
QUESTION_START = re.compile(rf"^(?:who|whom|whose|what|which|when|where|why|how|{AUXILIARY})\b", re.I)


@dataclass
class Rewrite:
    question: str  # the question as understood
    choices: list[str] = field(default_factory=list)  # several candidates: ask which one


class Rewriter(Protocol):
    def rewrite(self, question: str, conversation: Conversation) -> Rewrite: ...


WHO_IS = re.compile(r"^(?:and\s+)?who\s+(?:is|was)\s+([^?]+?)\s*\??$", re.I)  # 'Who is Maria Rossi?' (`unclitic`: "Who's…")


def _names(text: str) -> list[str]:
    """The capitalised runs of a text, less a leading question or function word ('Which
    Harbour Games' -> 'Harbour Games'; 'The Mayor Maria Rossi' opening a sentence)."""
    found = []
    for m in NAME.finditer(text):
        tokens = m.group(0).split()
        while tokens and fold(tokens[0]) in _LEADS:
            tokens.pop(0)
        if tokens:
            found.append(" ".join(tokens))
    return found


def main_name(question: str, own: frozenset[str] = frozenset()) -> str:
    """The longest name in a question, as written; not the report's own subject (`own`,
    folded: 'torino'), which names no entry, while another name is there."""
    spans = [s for s in _names(question) if not DATE.fullmatch(s)]
    other = [s for s in spans if fold(s) not in own]
    return max(other or spans, key=len) if spans else ""


def _people(text: str, exclude: str, common: frozenset[str] = frozenset()) -> list[str]:
    """Names of two words or more that are not all words the report also writes in lower
    case: 'Maria Rossi', not 'Honorary Consulates'."""
    return [s for s in _names(text) if len(s.split()) >= 2 and s not in exclude
            and sum(fold(w) not in common for w in s.split() if fold(w) not in NAME_JOINERS) >= 2]


def _entities(turn: Turn, pronoun: str = "it") -> list[str]:
    """What the previous answer gave as its answer, when it answered with names."""
    a = turn.answer
    if a.abstained or not a.short_answer:
        return []
    if a.qtype == "who":
        return []  # people are what "he"/"she" point to, not "it" or "there"
    if re.match(r"^\s*where\b", turn.understood, re.I) and pronoun.lower() != "there":
        return []  # "Where was X given…?" answers with a place: "there" points to it, "it" to X
    if a.qtype in ("list", "where") or re.match(r"^\s*(which|what)\s+\w+", turn.understood, re.I):
        parts = [p.strip() for p in re.split(r",\s*|\s+and\s+", a.short_answer) if p.strip()]
        named = [p for p in parts if NAME.fullmatch(p) and len(p) <= 60]
        return named if named and len(named) == len(parts) else []
    return []


def _subject(turn: Turn, pronoun: str = "it", own: frozenset[str] = frozenset()) -> str:
    entities = _entities(turn, pronoun)
    if len(entities) == 1:
        return entities[0]
    cited = turn.answer.citations
    heading = re.split(r",\s*\d|:\s", cited[0].heading)[0] if cited else ""
    if heading and re.match(r"^\s*(?:which|what)\s+(?!(?:is|was|are|were)\b)\w+", turn.understood, re.I):
        return heading  # 'Which EU project…?' was answered by an entry: 'it' is that entry
    return main_name(turn.understood, own) or heading


def _with_subject(question: str, turn: Turn, own: frozenset[str] = frozenset()) -> str | None:
    """The question with the turn's subject added in brackets; None when the question names
    something of its own or already says the subject."""
    if question_names(question):
        return None
    subject = _subject(turn, own=own)
    return f"{question.rstrip('?')} ({subject})?" if subject and fold(subject) not in fold(question) else None


def _in_place_of(pronoun: str, subject: str) -> str:
    word = pronoun.lower()
    if word == "there":
        return f"in {subject}"
    if word in {"its", "their", "his", "her", "hers"}:
        return f"{subject}'s"
    return subject


class RuleRewriter:
    """Resolve references to the previous turn; leave standalone questions alone.

    `common`: the words the report writes in lower case, which tell a person's name from
    a capitalised title ('Honorary Consulates'); `subject`: the report's own subject
    ('Torino'), never the name a follow-up swaps or borrows while the question has another."""

    def __init__(self, common: frozenset[str] = frozenset(),
                 embed_words: Callable[[Sequence[str]], np.ndarray] | None = None, subject: Sequence[str] = ()) -> None:
        self.common = common
        self.own = frozenset(fold(s) for s in subject)  # the report's own subject ('Torino', 'Turin'): no entry's name
        # Texts -> vectors (the embedding model, injected): which words of the previous
        # question 'How about the doubles?' stands in for. None: its name is swapped.
        self.embed_words = embed_words

    def rewrite(self, question: str, conversation: Conversation) -> Rewrite:
        q = question.strip()
        last = conversation.last
        if last is None:
            return Rewrite(q)
        if last.answer.abstained and len(conversation.turns) > 1 and not _subject(last, own=self.own):
            last = conversation.turns[-2]  # a turn the report could not answer leaves the subject as it was
        previous = last.understood
        m = ELLIPSIS.match(q)
        if m and m.group(2) and QUESTION_START.match(m.group(2)) and not WH_PHRASE.match(m.group(2)):
            m = None  # 'And who took the jersey?' is a question of its own, not a phrase to put in the last one
        if m and len((m.group(1) or m.group(2)).split()) <= 6 and not (THING.search(q) or PERSON.search(q)):
            return Rewrite(self._swap(previous, (m.group(1) or m.group(2)).strip()))
        body = re.sub(r"^and\s+", "", q, flags=re.I)
        body = body[:1].upper() + body[1:]
        pronoun = PERSON.search(body)
        if pronoun:
            # 'Who is Maria Rossi?' asked about her: 'he/she' is her, not a name in her description.
            about = WHO_IS.match(unclitic(previous))
            named = about.group(1) if about and NAME.fullmatch(about.group(1)) else ""
            # Else the person the answer named who is new to the question; else the one the
            # question named ('What did Maria Rossi attend…?' -> 'What was she doing…?').
            people = _people(named, "", self.common) or (
                _people(last.answer.short_answer, previous, self.common) or _people(last.answer.answer, previous, self.common)
                or _people(previous, "", self.common))
            if people:
                return Rewrite(PERSON.sub(lambda p: _in_place_of(p.group(0), people[0]), body, count=1))
        thing = THING.search(body)
        if thing or pronoun:
            word = thing.group(0) if thing else "it"
            entities = _entities(last, word)
            if len(entities) > 1:
                return Rewrite(body, choices=entities[:8])
            subject = _subject(last, word, self.own)
            if subject and thing:
                return Rewrite(THING.sub(lambda p: _in_place_of(p.group(0), subject), body, count=1))
            if subject:
                return Rewrite(f"{body.rstrip('?')} ({subject})?")
        if self._refers_back(body, last) and (with_subject := _with_subject(body, last, self.own)):
            return Rewrite(with_subject)
        return Rewrite(body if body != q else q)

    def _closest_words(self, previous: str, new: str, name: str) -> str:
        """The run of one to three lower-case words of `previous` closest in meaning to
        `new`, when it comes closer than the question's name does; '' otherwise."""
        if self.embed_words is None:
            return ""
        tokens = re.findall(r"[\w'’-]+", previous)
        runs = list(dict.fromkeys(
            " ".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, min(i + 3, len(tokens)) + 1)
            if all(t[:1].islower() and not t.isdigit() for t in tokens[i:j])
            and tokens[i].lower() not in STOPWORDS and tokens[j - 1].lower() not in STOPWORDS
        ))
        if not runs:
            return ""
        close = cosines(self.embed_words, [new], [*runs, *([name] if name else [])])[0]
        best = int(close[:len(runs)].argmax())
        return runs[best] if not name or close[best] > close[-1] else ""

    def in_context(self, question: str, conversation: Conversation) -> str | None:
        """A second reading, for a question the report cannot answer as it stands: the
        previous subject added ('How many boats took part?' after a regatta -> '… (the regatta)?').
        None when there is no earlier turn, or the question names something of its own."""
        last = conversation.last
        return _with_subject(question, last, self.own) if last is not None else None

    @staticmethod
    def _refers_back(body: str, last: Turn) -> bool:
        """'the final', 'the agreement': a definite noun the previous turn spoke of; 'that
        trip', 'this project': a demonstrative points back whatever its noun."""
        if re.search(r"\b(?:that|this|these|those)\s+(?!is\b|was\b|are\b|were\b)[a-z]+", body.lower()):
            return True
        nouns = {w for w in re.findall(r"\b(?:the)\s+([a-z]+)", body.lower())}
        before = stems(f"{last.understood} {last.answer.short_answer}")
        return bool(nouns) and bool(stems(" ".join(nouns)) & before)

    def _swap(self, previous: str, new: str) -> str:
        """'What about Alba?' after '…twin with Bra?' -> '…twin with Alba?'; 'And in which
        city?' after 'When was X founded?' -> 'In which city was X founded?'; 'How about the
        doubles?' after 'Who won the singles at X?' -> 'Who won the doubles at X?'."""
        clause = CLAUSE_START.search(previous)
        if WH_PHRASE.match(new) and clause:
            return f"{new[:1].upper()}{new[1:]} {previous[clause.start():]}"
        first = new.split()[0].lower()
        if first in PHRASE_LEADS:
            words = previous.rstrip("?").split()
            if first not in [w.lower() for w in words]:
                return f"{previous.rstrip('?')} {new}?"
            at = len(words) - 1 - [w.lower() for w in words][::-1].index(first)
            return " ".join(words[:at] + new.split() + words[at + len(new.split()):]) + "?"
        old = main_name(previous, self.own)
        if not re.search(r"\b[A-Z]", new) and (closest := self._closest_words(previous, new, old)):
            # A common noun stands in for the words of the question closest in meaning.
            return re.sub(rf"\b{re.escape(closest)}\b", re.sub(r"^(?:the|a|an)\s+", "", new, flags=re.I), previous, count=1)
        if old:
            if re.search(rf"\bthe {re.escape(old)}", previous):
                new = re.sub(r"^the\s+", "", new, flags=re.I)
            return previous.replace(old, new, 1)
        return f"{previous.rstrip('?')} ({new})?"
