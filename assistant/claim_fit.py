"""Fit the claim checker's similarity threshold on the dev split of the eval set.

    python -m assistant.claim_fit                      # evals/qa.jsonl; prints the pairs' figures and the threshold
    python -m assistant.claim_fit evals/qa.jsonl evals/dev_extra.jsonl   # any eval files: their dev split

For each answerable dev item whose gold `evidence` lies in one report sentence:
- supported pairs: the evidence itself, and a statement made of the question and its
  gold answer ("Who signed the foreword …: Stefano Lo Russo"), each against that sentence;
- unsupported pairs: the same two claims against the evidence sentence of another item
  from another section (a citation pointing at the wrong passage).
The threshold maximising balanced accuracy is `claims.DEFAULT_MIN_SIMILARITY`.
Only the dev split is read: the test split stays unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet, Sequence

from .claims import DEFAULT_MIN_SIMILARITY, Embed, Source, fit_threshold, fold
from .evaluation import QAItem
from .records import Chunk


@dataclass(frozen=True)
class Pairs:
    supported: list[tuple[str, Source]]
    unsupported: list[tuple[str, Source]]
    skipped: list[str]  # ids of items whose evidence lies in no single sentence


def _plain(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def evidence_source(evidence: str, chunks: Sequence[Chunk]) -> Source | None:
    """The report sentence holding the evidence, with its heading and place; None if none holds it."""
    wanted = _plain(evidence)
    if not wanted:
        return None
    for chunk in chunks:
        for unit in chunk.units:
            if wanted in _plain(unit.text):
                return Source(unit.text, chunk.heading, f"§{chunk.section_id} {chunk.section_title}, p. {chunk.pages}")
    return None


def statement(item: QAItem) -> str:
    """The question with its first gold answer: a claim as a model might word it, not copied from the report."""
    answers = ", ".join(group[0] for group in item.answers if group)
    return f"{item.question.rstrip('?').strip()}: {answers}."


def fitting_pairs(items: Sequence[QAItem], chunks: Sequence[Chunk]) -> Pairs:
    """Supported and unsupported (claim, sentence) pairs from answerable items with evidence."""
    found: list[tuple[QAItem, Source]] = []
    skipped = []
    for item in items:
        if not item.answerable or not item.evidence:
            continue
        source = evidence_source(item.evidence, chunks)
        if source is None:
            skipped.append(item.id)
        else:
            found.append((item, source))
    supported, unsupported = [], []
    for i, (item, source) in enumerate(found):
        # The next item (cyclically) citing another section stands for a wrong citation.
        other = next(
            (s for it, s in found[i + 1 :] + found[:i] if not set(it.sections) & set(item.sections) and s.text != source.text),
            None,
        )
        for claim in (item.evidence, statement(item)):
            supported.append((claim, source))
            if other is not None:
                unsupported.append((claim, other))
    return Pairs(supported, unsupported, skipped)


def pair_similarities(pairs: Sequence[tuple[str, Source]], embed: Embed) -> list[float]:
    import numpy as np

    claims = embed([c for c, _ in pairs])
    sources = embed([s.embed_text for _, s in pairs])
    claims = claims / np.linalg.norm(claims, axis=1, keepdims=True)
    sources = sources / np.linalg.norm(sources, axis=1, keepdims=True)
    return [float(x) for x in (claims * sources).sum(axis=1)]


def altered(claim: str) -> str | None:
    """The claim with its first number changed ('48 delegations' -> '49 delegations'); None without one."""
    m = re.search(r"\d+", claim)
    return None if m is None else f"{claim[: m.start()]}{int(m.group(0)) + 1}{claim[m.end():]}"


def check_rates(pairs: Pairs, embed: Embed, min_similarity: float, subject: AbstractSet[str] = frozenset()) -> dict[str, tuple[int, int]]:
    """The whole checker (numbers, names, meaning) on the pairs, as (claims, of which kept):
    right citations should be kept; wrong citations and altered numbers dropped. `subject`:
    the report's own subject, folded, which any claim may name."""
    from .claims import Claim, check

    def kept(cases: list[tuple[str, Source]]) -> tuple[int, int]:
        claims = [Claim(text, (i,)) for i, (text, _) in enumerate(cases)]
        result = check(claims, {i: source for i, (_, source) in enumerate(cases)}, embed, min_similarity, subject)
        return len(cases), len(result.kept)

    changed = [(a, s) for c, s in pairs.supported if (a := altered(c)) is not None]
    return {
        "right citation": kept(pairs.supported),
        "wrong citation": kept(pairs.unsupported),
        "altered number": kept(changed),
    }


def main(argv: Sequence[str] | None = None) -> None:
    import sys
    from pathlib import Path

    from sentence_transformers import SentenceTransformer

    from .chunking import chunk_report
    from .config import PROJECT_ROOT, Settings
    from .corpus import load_report
    from .evaluation import load_qa
    from .text import name_words

    settings = Settings()
    report = load_report(settings.corpus_path, settings.structure_path)
    chunks = chunk_report(report, settings.chunk_max_chars)
    paths = [Path(p) for p in (sys.argv[1:] if argv is None else argv)] or [PROJECT_ROOT / "evals" / "qa.jsonl"]
    items = [item for path in paths for item in load_qa(path, "dev")]
    print(f"dev items from {', '.join(str(p) for p in paths)}: {len(items)}")
    model = SentenceTransformer(settings.model_path, device="cpu")

    def embed(texts: Sequence[str]):
        return model.encode(list(texts), batch_size=64, convert_to_numpy=True)

    pairs = fitting_pairs(items, chunks)
    supported = pair_similarities(pairs.supported, embed)
    unsupported = pair_similarities(pairs.unsupported, embed)
    threshold, accuracy = fit_threshold(supported, unsupported)
    print(f"dev items with evidence in one sentence: {len(pairs.supported) // 2} (skipped {len(pairs.skipped)})")
    print(f"pairs: {len(supported)} supported, {len(unsupported)} unsupported")
    print(f"supported similarity:   min {min(supported):.3f}  mean {sum(supported) / len(supported):.3f}")
    print(f"unsupported similarity: max {max(unsupported):.3f}  mean {sum(unsupported) / len(unsupported):.3f}")
    print(f"threshold {threshold:.3f}  balanced accuracy {accuracy:.3f}")
    print(f"the whole check at the default {DEFAULT_MIN_SIMILARITY}:")
    for name, (total, kept) in check_rates(pairs, embed, DEFAULT_MIN_SIMILARITY, name_words(report.subject)).items():
        print(f"  {name:15} {kept}/{total} claims kept ({kept / total:.1%})")


if __name__ == "__main__":
    main()
