"""The code must not know the evaluation: no eval question and no gold evidence phrase
may appear in `assistant/` or `tests/` (only the harness loads `evals/*.jsonl`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("\u2019", "'")).strip(" ?.!")


def _eval_phrases() -> set[str]:
    phrases: set[str] = set()
    for file in (ROOT / "evals").glob("*.jsonl"):
        for line in file.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            for text in [row.get("question", ""), *row.get("turns", [])]:
                if len(text) >= 20:
                    phrases.add(_fold(text))
            if len(row.get("evidence", "")) >= 30:
                phrases.add(_fold(row["evidence"]))
    return phrases


def test_no_eval_question_or_evidence_in_the_code() -> None:
    phrases = _eval_phrases()
    assert len(phrases) > 300
    leaks = []
    for folder in ("assistant", "tests"):
        for path in (ROOT / folder).rglob("*.py"):
            code = _fold(path.read_text(encoding="utf-8"))
            leaks += [f"{path.relative_to(ROOT)}: {p[:60]}" for p in phrases if p in code]
    assert not leaks, "eval text found in code:\n" + "\n".join(sorted(leaks))
