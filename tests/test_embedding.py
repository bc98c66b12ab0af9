"""The ONNX query model gives sentence-transformers' vectors, builds embed each text once,
and answering a question loads no torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from assistant.config import PROJECT_ROOT
from assistant.embedding import OnnxEmbedding, embed_unique, load_torch_model, onnx_folder, onnx_ready


def eval_questions() -> list[str]:
    """Every question and turn of the known Q&A pairs."""
    texts = []
    for line in (PROJECT_ROOT / "evals" / "qa.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            texts += item.get("turns") or [item["question"]]
    return texts


def test_index_holds_the_onnx_model(assistant, settings):
    assert onnx_ready(settings.home)
    recorded = assistant.manifest["embedding"]
    assert recorded["file"] == "onnx/model.onnx" and recorded["pooling"] == "mean" and recorded["bytes"] > 10_000_000


def test_onnx_query_vectors_match_sentence_transformers(assistant, settings):
    questions = eval_questions()
    assert len(questions) > 100
    ours = np.asarray([assistant.embed_model.get_query_embedding(q) for q in questions])
    reference = np.asarray(load_torch_model(settings).get_text_embedding_batch(questions))
    cosines = (ours * reference).sum(axis=1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.999, questions[int(cosines.argmin())]
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


class CountingEmbedding(OnnxEmbedding):
    """The real ONNX model, counting what it is asked to encode."""

    def encode(self, texts):
        self.__dict__.setdefault("_seen", []).append(list(texts))
        return super().encode(texts)


@pytest.mark.parametrize("workers", [1, 2])
def test_build_embedding_encodes_each_text_once_in_token_order(assistant, settings, workers):
    texts = [c.text for c in assistant.chunks[:40]]
    doubled = texts + texts[::-1] + texts[:5]
    model = CountingEmbedding(folder=str(onnx_folder(settings.home)), threads=1)
    vectors = np.asarray(embed_unique(model, doubled, batch=8, workers=workers))
    batches = model.__dict__["_seen"]
    assert sorted(t for batch in batches for t in batch) == sorted(set(texts))
    # Each batch is a run of the texts sorted by token count (batches may finish in any order).
    counts = [model.token_counts(batch) for batch in batches]
    ordered = [n for c in sorted(counts, key=lambda c: (c[0], c[-1])) for n in c]
    assert ordered == sorted(ordered)
    one_by_one = np.asarray([model.encode([t])[0] for t in doubled])
    assert np.allclose(vectors, one_by_one, atol=1e-4)


HEAVY = ("torch", "transformers", "sentence_transformers", "gradio", "matplotlib")

# Runs `assistant ask` in this interpreter (without its fast exit), then lists heavy modules.
ASK_THEN_LIST = """
import json, sys
from assistant.cli import main
try:
    main(["ask", "--json", sys.argv[1]], standalone_mode=False)
finally:
    print("@modules " + json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""

# What `eval` and `serve` load before their own heavy part (matplotlib, gradio).
SERVICE_THEN_LIST = """
import json, sys
from assistant.config import Settings
from assistant.service import build_assistant
from assistant import evaluation, bench
assistant = build_assistant(Settings())
assistant.ask(sys.argv[1])
print("@modules " + json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def _env(settings) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_HOME": str(settings.home), "PYTHONPATH": str(PROJECT_ROOT)}


def _loaded(script: str, settings) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", script.format(heavy=repr(HEAVY)), "In what year did Torino and Glasgow twin?"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=_env(settings), timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("@modules "))
    return json.loads(line.removeprefix("@modules "))


@pytest.mark.usefixtures("assistant")  # the index is built and fresh
def test_ask_loads_no_torch_gradio_or_matplotlib(settings):
    assert _loaded(ASK_THEN_LIST, settings) == []


@pytest.mark.usefixtures("assistant")
def test_answering_for_eval_and_serve_loads_no_torch(settings):
    assert _loaded(SERVICE_THEN_LIST, settings) == []


def test_ask_exits_with_its_answer_printed(settings, assistant):
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "In what year did Torino and Glasgow twin?"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300, env=_env(settings),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout)["answer"] == assistant.ask("In what year did Torino and Glasgow twin?").answer
    empty = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", " "], capture_output=True, text=True, cwd=PROJECT_ROOT,
        timeout=300, env=_env(settings),
    )
    assert empty.returncode == 1 and "empty" in empty.stderr and "Traceback" not in empty.stderr

