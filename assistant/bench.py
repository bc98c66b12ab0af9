"""Measure how fast and how big the assistant is, beside llama-index's defaults.

What it measures, for ours and for baseline (a) of `evaluation.py` in the same run:
- index build from nothing: a fresh process that builds the index into an empty temp
  folder (ours: Chroma on disk; the baseline: its in-memory `VectorStoreIndex`), wall time
  from process start to exit;
- process start to first answer: a fresh process that answers one question and exits,
  our index being already built (ours through the CLI, `python -m assistant ask --json`).
  The baseline keeps nothing on disk, so its first answer includes building its index:
  that is its default;
- warm time per question, p50/p95, over the test split, in this process;
- peak memory (max RSS) of each measured process, read from the kernel with `os.wait4`.

Each measure is reported with the ratio ours / baseline. Nothing is asserted: the one
target (warm p50 ≤ 50 ms) is reported as met or missed.
It does not score answers: see `evaluation.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import PROJECT_ROOT
from .evaluation import AssistantSystem, LlamaIndexDefault, System, fmt, load_qa, percentile, timed_reply

if TYPE_CHECKING:
    from .config import Settings
    from .evaluation import QAItem

Echo = Callable[[str], None]
WARM_P50_TARGET_MS = 50.0

# Each script runs in a fresh interpreter, reading its Settings from ASSISTANT_* variables.
BUILD_OURS = """
from assistant.config import Settings
from assistant.service import build_assistant
build_assistant(Settings())
"""

BASELINE = """
import json, sys
from assistant.config import Settings
from assistant.corpus import load_report
from assistant.embedding import load_embed_model
from assistant.evaluation import LlamaIndexDefault, question_item
settings = Settings()
report = load_report(settings.corpus_path, settings.structure_path)
text = settings.corpus_path.read_text(encoding="utf-8")
baseline = LlamaIndexDefault(text, report.sections, load_embed_model(settings))
if len(sys.argv) > 1:
    print(json.dumps({"answer": baseline.reply(question_item(sys.argv[1])).answer}))
"""


REPORT_MARK = "@measured "

# Runs argv[1:] and reports its wall time and peak RSS as the last line of stderr.
LAUNCHER = f"""
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - started
sys.stderr.write("\\n{REPORT_MARK}" + json.dumps({{"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024}}) + "\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command to its end: wall seconds, peak RSS (MB) of that process, and its output.

    A tiny launcher process runs the command and reports its `os.wait4` rusage: on Linux a
    process's peak RSS starts from its parent's peak when it execs, so this (possibly big)
    process must not be the parent of what it measures.
    """
    with tempfile.TemporaryFile() as errors:
        launched = [sys.executable, "-c", LAUNCHER, *command]
        proc = subprocess.run(launched, stdout=subprocess.PIPE, stderr=errors, env=env, cwd=PROJECT_ROOT)
        errors.seek(0)
        err = errors.read().decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{list(command)[:3]} exited with {proc.returncode}: {err.strip()[-2000:]}")
    report = json.loads(err.strip().splitlines()[-1].removeprefix(REPORT_MARK))
    return {**report, "stdout": proc.stdout.decode("utf-8", errors="replace")}


def child_env(settings: Settings, home: Path) -> dict[str, str]:
    """The environment of a measured process: our settings, the index folder `home`."""
    env = dict(os.environ)
    env.update(
        ASSISTANT_HOME=str(home),
        ASSISTANT_CORPUS_PATH=str(settings.corpus_path),
        ASSISTANT_STRUCTURE_PATH=str(settings.structure_path),
        ASSISTANT_MODEL_PATH=str(settings.model_path),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def first_answer(command: list[str], env: dict[str, str], repeats: int) -> dict[str, Any]:
    """Median wall time and largest peak RSS over `repeats` fresh processes, with the answer."""
    runs = [measure(command, env) for _ in range(repeats)]
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "runs": [round(r["seconds"], 2) for r in runs],
        "answer": answer_text(runs[-1]["stdout"]),
    }


def answer_text(stdout: str) -> str:
    """The "answer" of the JSON object a process printed (its raw output if there is none)."""
    text = stdout.strip()
    try:
        return str(json.loads(text[text.find("{") :])["answer"])
    except (ValueError, KeyError, TypeError):
        return text[-500:]


def warm_times(system: System, items: Sequence[QAItem]) -> list[float]:
    """Milliseconds per answer, after one untimed answer."""
    system.reply(items[0])
    return [timed_reply(system, item)[1] for item in items]


def retrieval_times(system: System, items: Sequence[QAItem]) -> list[float]:
    """Milliseconds per retrieval of each last turn alone, after one untimed retrieval."""
    system.retrieve(items[0].question)
    times = []
    for item in items:
        started = time.perf_counter()
        system.retrieve(item.question)
        times.append((time.perf_counter() - started) * 1000)
    return times


def warm_summary(times: list[float]) -> dict[str, Any]:
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "times_ms": times}


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline, or None when either is missing or the baseline is zero."""
    if ours is None or not baseline:
        return None
    return ours / baseline


def measures_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measure: ours, the baseline and their ratio."""
    o, b = result["ours"], result["baseline"]
    rows = [
        ("index build from nothing (s, process wall time)", o["build"]["seconds"], b["build"]["seconds"]),
        ("  of which embedding and storing (s, from the manifest)", o["build"].get("embed_seconds"), None),
        ("process start to first answer (s, median)", o["first_answer"]["seconds"], b["first_answer"]["seconds"]),
        ("warm time per question p50 (ms)", o["warm"]["p50_ms"], b["warm"]["p50_ms"]),
        ("warm time per question p95 (ms)", o["warm"]["p95_ms"], b["warm"]["p95_ms"]),
        ("  of which retrieval alone, p50 (ms)", o["retrieval"]["p50_ms"], b["retrieval"]["p50_ms"]),
        ("peak RSS, index build (MB)", o["build"]["peak_rss_mb"], b["build"]["peak_rss_mb"]),
        ("peak RSS, first answer (MB)", o["first_answer"]["peak_rss_mb"], b["first_answer"]["peak_rss_mb"]),
    ]
    return [{"measure": m, "ours": x, "baseline": y, "ratio": ratio(x, y)} for m, x, y in rows]


def render_markdown(result: dict[str, Any]) -> str:
    """The human summary: one table of measures, the target, and what each number means."""
    lines = [
        "# Benchmark",
        "",
        f"Run {result['created']} with `{result['python']}`; warm times over {result['warm_items']} "
        f"items of the test split; first answer to: \"{result['question']}\" "
        f"({result['repeats']} fresh processes each). {result['cpus']} CPUs; 1-minute load average "
        f"{result['load_average']['start']:.1f} at the start, {result['load_average']['end']:.1f} at the end "
        "(other work on the machine slows every figure).",
        "",
        "| measure | ours | llama-index defaults | ours / baseline |",
        "|---|---|---|---|",
    ]
    for row in result["measures"]:
        cells = [row["measure"], fmt(row["ours"], 2), fmt(row["baseline"], 2), fmt(row["ratio"], 2)]
        lines.append("| " + " | ".join(cells) + " |")
    target = result["target"]
    lines += [
        "",
        f"Target: warm p50 {target['target']} ms — measured {fmt(target['value'])} ms: {fmt(target['met'])}.",
        "",
        "- Ours answers first through the CLI: `python -m assistant ask --json QUESTION`.",
        "- The baseline (one Document, `SentenceSplitter()`, in-memory `VectorStoreIndex`, best",
        "  sentence of the top chunk) keeps no index on disk: its first answer includes its build.",
        "  It embeds the top chunk's sentences at query time (as `SentenceEmbeddingOptimizer` does);",
        "  ours embedded every sentence when its index was built. \"Retrieval alone\" compares the",
        "  search step only (last turn of each item, no conversation handling).",
        "- Peak RSS is the kernel's max resident set size of each measured process (`os.wait4`,",
        "  from a small launcher process, so the bench's own memory does not leak into it).",
        "",
    ]
    return "\n".join(lines)


def console_lines(result: dict[str, Any]) -> list[str]:
    """The measures as aligned plain text."""
    rows = [["measure", "ours", "llama-index defaults", "ours/baseline"]]
    rows += [[r["measure"], fmt(r["ours"], 2), fmt(r["baseline"], 2), fmt(r["ratio"], 2)] for r in result["measures"]]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]


def measure_builds(settings: Settings, echo: Echo) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build each index from nothing in a fresh process and a fresh temp folder."""
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        home = Path(tmp) / "index"
        echo("Building our index from nothing…")
        ours = measure([sys.executable, "-c", BUILD_OURS], child_env(settings, home))
        manifest = json.loads((home / "manifest.json").read_text())
        ours["embed_seconds"] = manifest.get("built_seconds")
        echo("Building the baseline's index from nothing…")
        base = measure([sys.executable, "-c", BASELINE], child_env(settings, home))
    return ours, base


def run_bench(
    settings: Settings, qa_path: Path, out_dir: Path, echo: Echo = print, repeats: int = 3
) -> dict[str, Any]:
    """Measure both systems, print the table, write bench.json and bench.md to `out_dir`."""
    from .service import build_assistant

    items = load_qa(qa_path, "test")
    question = next(item.question for item in items if item.answerable and not item.is_conversation)
    load_before = os.getloadavg()
    ours_build, base_build = measure_builds(settings, echo)

    env = child_env(settings, Path(settings.home))
    echo(f"Making sure our index is built in {settings.home}…")
    measure([sys.executable, "-c", BUILD_OURS], env)
    echo(f"Timing process start to first answer ({repeats} runs each)…")
    ours_first = first_answer([sys.executable, "-m", "assistant", "ask", "--json", question], env, repeats)
    base_first = first_answer([sys.executable, "-c", BASELINE, question], env, repeats)

    echo(f"Timing warm answers over {len(items)} test items…")
    assistant = build_assistant(settings)
    baseline = LlamaIndexDefault(assistant.report.text, assistant.report.sections, assistant.embed_model)
    ours = AssistantSystem(assistant, "ours", "ours")
    ours_warm, base_warm = warm_times(ours, items), warm_times(baseline, items)
    ours_search, base_search = retrieval_times(ours, items), retrieval_times(baseline, items)

    result: dict[str, Any] = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.executable,
        "cpus": os.cpu_count(),
        "load_average": {"start": load_before[0], "end": os.getloadavg()[0]},
        "question": question,
        "repeats": repeats,
        "warm_items": len(items),
        "ours": {
            "build": ours_build,
            "first_answer": ours_first,
            "warm": warm_summary(ours_warm),
            "retrieval": warm_summary(ours_search),
        },
        "baseline": {
            "build": base_build,
            "first_answer": base_first,
            "warm": warm_summary(base_warm),
            "retrieval": warm_summary(base_search),
        },
    }
    for side in ("ours", "baseline"):
        result[side]["build"].pop("stdout", None)
    p50 = result["ours"]["warm"]["p50_ms"]
    result["target"] = {"target": f"<= {WARM_P50_TARGET_MS:g}", "value": p50, "met": p50 <= WARM_P50_TARGET_MS}
    result["measures"] = measures_table(result)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "bench.md").write_text(render_markdown(result), encoding="utf-8")
    echo("")
    for line in console_lines(result):
        echo(line)
    echo(f"Warm p50 target {result['target']['target']} ms: {fmt(result['target']['met'])}")
    echo(f"Reports: {out_dir / 'bench.md'}, {out_dir / 'bench.json'}")
    return result
