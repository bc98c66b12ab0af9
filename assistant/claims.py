"""Check a written answer claim by claim against the report sentences it cites.

A language model is given numbered sentences ([S1], [S2], …) and asked to cite their ids
after each claim. Here its answer is split into claims (sentences, list items), and a
claim is kept only when all of these hold:

1. it cites at least one sentence id ("uncited" otherwise);
2. every id it cites was given ("unknown id");
3. every number (digits: 48, 2,000, € 1 million, 2024–2025) and every capitalised name
   in it appears in its cited sentences or their heading, section and pages
   ("unsupported: 1,200"); a claim's first word is not taken for a name, the report's
   own subject (`subject`, from corpus/structure.toml: Torino, Turin, City) and a title or
   pronoun any sentence capitalises (Mayor, I) are always allowed, and so is the report's
   own year (`year`, the one it names most: `corpus.Report.year`) when the cited
   sentences name no year;
4. its meaning is close to its citations: embedding cosine similarity with a cited
   sentence (or with all of them together) at least `min_similarity` ("off its citations").
   A list's lead-in ("The twin cities in France are:") cites what its items cite and is
   checked for its numbers and names only: it restates the question, not a sentence.

    "Torino received 48 delegations [S2]."  with S2 = "In 2024 the City received 48 foreign delegations."
    -> kept
    "Torino received 52 delegations [S2]."  -> dropped: unsupported: 52

It is pure and fast: no model of its own (the embedding function is handed in), no I/O.
It does not talk to the language model nor build citations: see `llm_reader.py`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import AbstractSet, Callable, Mapping, Sequence

import numpy as np

# Fitted by `python -m assistant.claim_fit` on the dev split of evals/qa.jsonl with
# all-MiniLM-L6-v2: each answerable item's gold evidence, and a question-and-answer
# statement, against the report sentence holding that evidence (supported) and against
# another item's evidence sentence from another section (not supported). 0.392 maximised
# balanced accuracy: 0.955 on 154 + 154 pairs (94.8% of supported pairs kept, 94.8% of
# unsupported ones dropped). A neighbouring sentence of the right entry is mostly above it
# (27% dropped): there the number-and-name check does the work.
# The whole check on the same pairs (also printed by claim_fit): 84% of right-citation
# claims kept (the rest mostly name a thing of the question the sentence does not), 0% of
# wrong-citation claims kept, 2.5% of claims with an altered number kept. The 140 further dev
# questions of evals/dev_extra.jsonl, fitted alone, give the same threshold (0.389;
# balanced accuracy 0.930 on 222 + 222 pairs).
DEFAULT_MIN_SIMILARITY = 0.39

Embed = Callable[[Sequence[str]], np.ndarray]

CITE = re.compile(r"[\[(]\s*S\s*\d+(?:\s*[,;]\s*S?\s*\d+)*\s*[\])]", re.I)  # [S3], [S3, S5], (S3)
BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.)])\s+")
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“‘(]?[A-Z0-9€$£])")
ABBREVIATION = re.compile(r"(?:\b(?:e\.g|i\.e|St|Mr|Mrs|Ms|Dr|No|nos|vs|approx|ca|cf)\.|\b[A-Z]\.)$")
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(thousand|million|billion)\b)?", re.I
)
SCALE = {"thousand": 1000, "million": 10**6, "billion": 10**9}
UNITS = "one two three four five six seven eight nine".split()
TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORD = re.compile(
    rf"\b(?:({'|'.join(TENS)})(?:[- ]({'|'.join(UNITS)}))?|({'|'.join(TEENS + UNITS[1:])}))"
    r"(?:\s+(thousand|million|billion))?\b",
    re.I,
)
# A title and a pronoun a claim may capitalise whatever words its sentence uses (the
# report's own subject is allowed too: `subject`, passed in from the structure file).
ALWAYS_ALLOWED = frozenset({"mayor", "i"})
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True)
class Source:
    """A sentence the model was given: its text, and the place it sits (heading, section, pages)."""

    text: str
    heading: str = ""
    place: str = ""  # "§3.2 Foreign delegations, p. 34": names and numbers a claim may also use

    @property
    def embed_text(self) -> str:
        """What a claim is compared with: the sentence, led by its heading when it does not repeat it."""
        if self.heading and fold(self.heading) not in fold(self.text):
            return f"{self.heading}: {self.text}"
        return self.text


@dataclass(frozen=True)
class Claim:
    text: str  # the claim without its citation markers
    ids: tuple[int, ...]  # the sentence ids it cites, in order, without repeats
    new_line: bool = False  # it began a line, so it is shown on its own line
    item: bool = False  # the line was a list item ("- Lyon [S3]", "2. Lille [S4]")
    lead_in: bool = False  # "The twin cities are:" before list items: it cites what they cite


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    reason: str = ""  # empty when the claim is kept
    similarity: float | None = None

    @property
    def kept(self) -> bool:
        return not self.reason


@dataclass
class CheckResult:
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def kept(self) -> list[Claim]:
        return [v.claim for v in self.verdicts if v.kept]

    @property
    def dropped(self) -> int:
        return sum(not v.kept for v in self.verdicts)

    @property
    def cites_unknown_ids(self) -> bool:
        return any(v.reason.startswith("unknown id") for v in self.verdicts)


def fold(text: str) -> str:
    """Lower-case, accents off, dashes and quotes made plain: 'Córdoba' == 'cordoba'."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = text.translate(str.maketrans({"–": "-", "—": "-", "‑": "-", "’": "'", "‘": "'", "“": '"', "”": '"'}))
    return "".join(c for c in text if not unicodedata.combining(c))


def cited_ids(text: str) -> list[int]:
    """The sentence ids in citation markers, in order: 'x [S3, S5]. y [S3]' -> [3, 5, 3]."""
    return [int(n) for m in CITE.finditer(text) for n in re.findall(r"\d+", m.group(0))]


def strip_citations(text: str) -> str:
    """The text without its markers, and without a half-written marker at its end (a streamed draft)."""
    text = re.sub(r"\[\s*S?\s*[\d\s,;S]*$", "", CITE.sub("", text), flags=re.I)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()


def _sentences(line: str) -> list[str]:
    # A marker written after the full stop belongs to the sentence before it: "x. [S3] Y" -> "x [S3]. Y".
    line = re.sub(r"([.!?])((?:\s*" + CITE.pattern + r")+)", r"\2\1", line, flags=re.I)
    pieces: list[str] = []
    for piece in SENTENCE_END.split(line):
        if pieces and ABBREVIATION.search(pieces[-1]):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return pieces


def split_claims(answer: str) -> list[Claim]:
    """Claims in the order written: one per sentence, a list item being a sentence.

    'Lyon [S1]. Chambéry [S2][S1].' -> [Claim('Lyon.', (1,)), Claim('Chambéry.', (2, 1))]
    A line holding only markers cites for the claim before it; a line ending in ':' before
    list items cites what they cite.
    """
    claims: list[Claim] = []
    for line in answer.replace("\r", "").split("\n"):
        item = bool(BULLET.match(line))
        line = BULLET.sub("", line).strip()
        for i, piece in enumerate(_sentences(line) if line else []):
            ids = tuple(dict.fromkeys(cited_ids(piece)))
            text = strip_citations(piece)
            if not WORD.search(text):
                if claims and ids:
                    last = claims[-1]
                    claims[-1] = replace(last, ids=tuple(dict.fromkeys(last.ids + ids)))
                continue
            claims.append(Claim(text, ids, new_line=i == 0 and bool(claims), item=item and i == 0))
    return _lead_ins(claims)


def _lead_ins(claims: list[Claim]) -> list[Claim]:
    """An uncited claim ending in ':' followed by list items cites what the items cite."""
    out = list(claims)
    for at, claim in enumerate(claims):
        if claim.ids or not claim.text.endswith(":"):
            continue
        items = []
        for next_claim in claims[at + 1 :]:
            if not next_claim.item:
                break
            items.append(next_claim)
        ids = tuple(dict.fromkeys(i for item in items for i in item.ids))
        if ids:
            out[at] = replace(claim, ids=ids, lead_in=True)
    return out


def _number_value(digits: str, fraction: str | None, scale: str | None) -> str:
    try:
        value = Decimal(digits.replace(",", "") + (f".{fraction}" if fraction else ""))
    except InvalidOperation:
        return digits
    value *= SCALE.get((scale or "").lower(), 1)
    return format(value.normalize(), "f")


def numbers(text: str, words: bool = False) -> set[str]:
    """Numbers as values: '€ 1 million' and '1,000,000' -> {'1000000'}; '2024–2025' -> {'2024', '2025'}.

    With `words`, number words count too ('forty-eight' -> '48'), as the sources may spell them.
    """
    text = fold(text)
    found = {_number_value(*m.groups()) for m in NUMBER.finditer(text)}
    if words:
        for m in NUMBER_WORD.finditer(text):
            tens, unit, small, scale = m.groups()
            value = (
                (TENS.index(tens) + 2) * 10 + (UNITS.index(unit) + 1 if unit else 0)
                if tens
                else (TEENS.index(small) + 10 if small in TEENS else UNITS.index(small) + 1)
            )
            found.add(_number_value(str(value), None, scale))
    return found


def names(text: str) -> set[str]:
    """Capitalised words past the first, folded: 'In 2024 Torino met the EU's Gwangju delegation'
    -> {'torino', 'eu', 'gwangju'}. Acronyms and words with capitals inside count ('COP29')."""
    found = set()
    for i, m in enumerate(WORD.finditer(text)):
        word = re.sub(r"['’]s$", "", m.group(0))
        if i and any(c.isupper() for c in word):
            found.add(fold(word))
    return found


def unsupported_facts(claim: str, sources: Sequence[Source], subject: AbstractSet[str] = frozenset(),
                      year: str = "") -> list[str]:
    """The numbers and names of `claim` that none of its sources holds, as written in the
    claim; `subject`: the report's own subject, folded ('torino'), which any claim may name;
    `year`: the report's own year (`Report.year`), which a claim may give a source naming
    no year (an annual report's sentence speaks of its year)."""
    claim = strip_citations(claim)
    support = " ".join(f"{s.text} {s.heading} {s.place}" for s in sources)
    have_numbers = numbers(support, words=True)
    if year and not any(YEAR.search(s.text) for s in sources):
        have_numbers.add(year)
    have_words = set(WORD.findall(fold(support))) | {re.sub(r"'s$", "", w) for w in WORD.findall(fold(support))}
    missing = [m.group(0).strip() for m in NUMBER.finditer(fold(claim)) if _number_value(*m.groups()) not in have_numbers]
    missing += sorted(n for n in names(claim) if n not in have_words and n not in ALWAYS_ALLOWED and n not in subject)
    return missing


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def similarities(claims: Sequence[Claim], sources: Mapping[int, Source], embed: Embed) -> list[float]:
    """Each claim's best cosine similarity with one of its cited sentences, or with all of them together.

    One call of `embed` for every claim and cited text.
    """
    texts: dict[str, int] = {}
    for claim in claims:
        cited = [sources[i].embed_text for i in claim.ids]
        for text in [claim.text, *cited, *([" ".join(cited)] if len(cited) > 1 else [])]:
            texts.setdefault(text, len(texts))
    if not texts:
        return []
    vectors = _unit_rows(embed(list(texts)))
    scores = []
    for claim in claims:
        cited = [sources[i].embed_text for i in claim.ids]
        targets = [*cited, *([" ".join(cited)] if len(cited) > 1 else [])]
        c = vectors[texts[claim.text]]
        scores.append(max(float(vectors[texts[t]] @ c) for t in targets))
    return scores


def check(
    claims: Sequence[Claim], sources: Mapping[int, Source], embed: Embed, min_similarity: float = DEFAULT_MIN_SIMILARITY,
    subject: AbstractSet[str] = frozenset(), year: str = "",
) -> CheckResult:
    """Keep the claims that hold against the sentences they cite.

    `sources` maps the sentence ids the model was given to their sentences.
    """
    verdicts: list[Verdict | None] = []
    to_compare: list[tuple[int, Claim]] = []
    for claim in claims:
        unknown = [i for i in claim.ids if i not in sources]
        if not claim.ids:
            verdicts.append(Verdict(claim, "uncited"))
        elif unknown:
            verdicts.append(Verdict(claim, "unknown id: " + ", ".join(f"S{i}" for i in unknown)))
        elif missing := unsupported_facts(claim.text, [sources[i] for i in claim.ids], subject, year):
            verdicts.append(Verdict(claim, "unsupported: " + ", ".join(missing)))
        elif claim.lead_in:  # it restates the question, not a sentence: its names and numbers are what can be wrong
            verdicts.append(Verdict(claim))
        else:
            to_compare.append((len(verdicts), claim))
            verdicts.append(None)
    scores = similarities([c for _, c in to_compare], sources, embed)
    for (at, claim), score in zip(to_compare, scores):
        verdicts[at] = Verdict(claim, "" if score >= min_similarity else f"off its citations ({score:.2f})", score)
    return CheckResult([v for v in verdicts if v is not None])


def check_claims(
    answer: str, sources: Mapping[int, Source], embed: Embed, min_similarity: float = DEFAULT_MIN_SIMILARITY,
    subject: AbstractSet[str] = frozenset(), year: str = "",
) -> CheckResult:
    """Split a written answer into claims and check each: `check(split_claims(answer), …)`."""
    return check(split_claims(answer), sources, embed, min_similarity, subject, year)


def balanced_accuracy(threshold: float, supported: Sequence[float], unsupported: Sequence[float]) -> float:
    """Mean of the share of supported pairs at or above `threshold` and unsupported ones below it."""
    hit = sum(s >= threshold for s in supported) / len(supported)
    reject = sum(s < threshold for s in unsupported) / len(unsupported)
    return (hit + reject) / 2


def fit_threshold(supported: Sequence[float], unsupported: Sequence[float]) -> tuple[float, float]:
    """The similarity threshold with the best balanced accuracy, and that accuracy.

    Candidates are midpoints between neighbouring observed scores; among equally good
    ones the middle is taken, so the threshold sits in the gap, not on its edge.
    [0.9, 0.8, 0.7] vs [0.2, 0.3] -> (0.5, 1.0)
    """
    if not supported or not unsupported:
        raise ValueError("need both supported and unsupported similarities to fit a threshold")
    scores = sorted(set(supported) | set(unsupported))
    candidates = [scores[0] - 1e-6] + [(a + b) / 2 for a, b in zip(scores, scores[1:])] + [scores[-1] + 1e-6]
    accuracy = [balanced_accuracy(t, supported, unsupported) for t in candidates]
    best = max(accuracy)
    tied = [t for t, a in zip(candidates, accuracy) if a >= best - 1e-12]
    return tied[len(tied) // 2], best
