"""Measure how fast and how big the assistant is, beside llama-index's default pipeline.

What `assistant bench` measures, in one run, in a bounded time:
- index build from nothing: a fresh process (`assistant build`) into an empty temp folder;
  the baseline (llama-index defaults: `HuggingFaceEmbedding`, `SentenceSplitter`, in-memory
  `VectorStoreIndex`) builds its index in a fresh process too;
- process start to first answer: fresh processes answering one question, ours and the
  baseline's alternating (ours, baseline, baseline, ours, …) so a change in the machine's
  load hits both alike; the median, and the time to exit;
- warm time per question, p50/p95/p99, over the test split, in this process;
- the page API (`assistant serve` on a free 127.0.0.1 port, no rate limit, called over
  Gradio's HTTP route as `curl` would): one client, then 8 concurrent clients; latencies
  and errors;
- peak memory (max RSS) of each command: `ask` and `build` from `os.wait4` in a small
  launcher process, `serve` from the kernel's VmHWM of the server process;
- a scale table: the report repeated 1×, 10× and 50× (`synthetic.py`), its build time,
  warm p50/p95 on the page API and the server's peak RSS. A scale whose build would not
  fit in the time left (projected from the previous one) is skipped, and says so.
The load average is recorded at the start and the end. Targets are reported, not asserted.
It does not score answers: see `evaluation.py`.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import PROJECT_ROOT
from .evaluation import AssistantSystem, LlamaIndexDefault, fmt, load_qa, percentile, timed_reply

if TYPE_CHECKING:
    from .config import Settings
    from .evaluation import QAItem, System

Echo = Callable[[str], None]
BUDGET_SECONDS = {"full": 15 * 60, "quick": 8 * 60}
SCALES = {"full": (1, 10, 50), "quick": (1, 10)}
CLIENTS = 8

# The llama-index default pipeline, in a fresh interpreter: builds its index in memory
# (with sentence-transformers on torch), then answers argv[1] if given.
BASELINE = """
import json, sys
from assistant.config import Settings
from assistant.corpus import load_report
from assistant.embedding import load_torch_model
from assistant.evaluation import LlamaIndexDefault, question_item
settings = Settings()
report = load_report(settings.corpus_path, settings.structure_path)
text = settings.corpus_path.read_text(encoding="utf-8")
baseline = LlamaIndexDefault(text, report.sections, load_torch_model(settings))
if len(sys.argv) > 1:
    print(json.dumps({"answer": baseline.reply(question_item(sys.argv[1])).answer}), flush=True)
"""

# Builds the index in ASSISTANT_HOME only when it is missing or stale.
BUILD_OURS = """
from assistant.config import Settings
from assistant.service import build_assistant
build_assistant(Settings())
"""

REPORT_MARK = "@measured "

# Runs argv[1:]; reports wall time to its first output, to its exit, and its peak RSS.
LAUNCHER = f"""
import json, os, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
first, out = None, b""
while True:
    chunk = os.read(proc.stdout.fileno(), 65536)
    if not chunk:
        break
    if first is None and chunk.strip():
        first = time.perf_counter() - started
    out += chunk
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - started
sys.stdout.buffer.write(out)
sys.stderr.write("\\n{REPORT_MARK}" + json.dumps({{"seconds": seconds, "first_output_seconds": first, "peak_rss_mb": usage.ru_maxrss / 1024}}) + "\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command to its end: wall seconds (to first output, to exit), peak RSS (MB), output.

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
        raise RuntimeError(f"{list(command)[:4]} exited with {proc.returncode}: {err.strip()[-2000:]}")
    report = json.loads(err.strip().splitlines()[-1].removeprefix(REPORT_MARK))
    return {**report, "stdout": proc.stdout.decode("utf-8", errors="replace")}


def child_env(settings: Settings, home: Path | None = None) -> dict[str, str]:
    """The environment of a measured process: these settings, the index folder `home`."""
    env = dict(os.environ)
    env.update(
        ASSISTANT_HOME=str(home or settings.home),
        ASSISTANT_CORPUS_PATH=str(settings.corpus_path),
        ASSISTANT_STRUCTURE_PATH=str(settings.structure_path),
        ASSISTANT_MODEL_PATH=str(settings.model_path),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH", "")])),
    )
    return env


def ours_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", *args]


def answer_text(stdout: str) -> str:
    """The "answer" of the JSON object a process printed (its raw output if there is none)."""
    text = stdout.strip()
    try:
        return str(json.loads(text[text.find("{") :])["answer"])
    except (ValueError, KeyError, TypeError):
        return text[-500:]


def summary(times: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(times),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "p99_ms": percentile(times, 99),
    }


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline, or None when either is missing or the baseline is zero."""
    if ours is None or not baseline:
        return None
    return ours / baseline


# --------------------------------------------------------------------------- measures


def measure_builds(settings: Settings, echo: Echo) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build each index from nothing in a fresh process and a fresh temp folder."""
    with tempfile.TemporaryDirectory(prefix="assistant-bench-") as tmp:
        home = Path(tmp) / "index"
        echo("Building our index from nothing…")
        ours = measure(ours_command("build"), child_env(settings, home))
        manifest = json.loads((home / "manifest.json").read_text())
        ours["embed_seconds"] = manifest.get("built_seconds")
        ours["export_seconds"] = (manifest.get("embedding") or {}).get("export_seconds")
        echo("Building the llama-index default pipeline's index from nothing…")
        base = measure([sys.executable, "-c", BASELINE], child_env(settings, home))
    for run in (ours, base):
        run.pop("stdout", None)
    return ours, base


def cold_starts(settings: Settings, question: str, repeats: int, echo: Echo) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fresh processes answering `question`, ours and the baseline's alternating (ABBA…)."""
    env = child_env(settings)
    commands = {
        "ours": ours_command("ask", "--json", question),
        "baseline": [sys.executable, "-c", BASELINE, question],
    }
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "baseline": []}
    for i in range(repeats):
        order = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
        for side in order:
            runs[side].append(measure(commands[side], env))
        echo(f"  run {i + 1}/{repeats}: ours {runs['ours'][-1]['first_output_seconds']:.2f} s, "
             f"baseline {runs['baseline'][-1]['first_output_seconds']:.2f} s")
    return first_answer(runs["ours"]), first_answer(runs["baseline"])


def first_answer(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median time to the answer and to exit, largest peak RSS, over fresh processes."""
    return {
        "seconds": statistics.median(r["first_output_seconds"] or r["seconds"] for r in runs),
        "exit_seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "runs": [round(r["first_output_seconds"] or r["seconds"], 2) for r in runs],
        "answer": answer_text(runs[-1]["stdout"]),
    }


def warm_times(system: System, items: Sequence[QAItem]) -> list[float]:
    """Milliseconds per answer, after one untimed answer."""
    system.reply(items[0])
    return [timed_reply(system, item)[1] for item in items]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`assistant serve` in a subprocess on a free local port, until closed."""

    def __init__(self, settings: Settings, log: Path, timeout: float) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self._log = open(log, "wb")
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            # No rate limit: every client here is 127.0.0.1, one key, and the bench times answers.
            ours_command("serve", "--host", "127.0.0.1", "--port", str(self.port), "--rate-limit", "0"),
            env=child_env(settings), cwd=PROJECT_ROOT, stdout=self._log, stderr=subprocess.STDOUT,
        )
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"assistant serve exited with {self.proc.returncode}: see {log}")
            try:
                with urllib.request.urlopen(self.url, timeout=2):
                    break
            except OSError:
                if time.perf_counter() - started > timeout:
                    self.close()
                    raise RuntimeError(f"assistant serve did not answer within {timeout:.0f} s: see {log}")
                time.sleep(0.25)
        self.start_seconds = time.perf_counter() - started

    def peak_rss_mb(self) -> float | None:
        """The server's peak resident memory so far (VmHWM), in MB."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def api_call(client: Any, url: str, question: str, turns: str = "") -> dict[str, Any]:
    """One call of the page's `/ask` API over Gradio's HTTP route (`/gradio_api/call/ask`,
    what `curl` users call): join the queue, then read the result's server-sent events.

    Not gradio_client: it polls its message queue with 50 ms sleeps, which added 50-60 ms
    to every call (a call refused at once took 79 ms through it, 4 ms over HTTP).
    """
    base = url.rstrip("/")
    joined = client.post(f"{base}/gradio_api/call/ask", json={"data": [question, turns]})
    joined.raise_for_status()
    event, data = "", ""
    with client.stream("GET", f"{base}/gradio_api/call/ask/{joined.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.partition(":")[2].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = line.partition(":")[2].strip()
                break
    if event != "complete":
        raise RuntimeError(f"/ask ended with {event or 'no event'}: {data[:200]}")
    out = json.loads(data)
    return out[0] if isinstance(out, list) and out else out


def api_times(url: str, questions: Sequence[str], clients: int = 1) -> dict[str, Any]:
    """Latencies (ms) of the page's `/ask` API, `clients` at a time, and the errors."""
    import httpx

    def one_client(share: Sequence[str]) -> tuple[list[float], list[str]]:
        with httpx.Client(timeout=120) as client:
            api_call(client, url, share[0])  # untimed: connects
            times, errors = [], []
            for q in share:
                started = time.perf_counter()
                try:
                    out = api_call(client, url, q)
                    if isinstance(out, dict) and out.get("error"):
                        errors.append(str(out["error"]))
                except Exception as e:  # noqa: BLE001 - every failure of a request counts as one
                    errors.append(f"{type(e).__name__}: {e}")
                times.append((time.perf_counter() - started) * 1000)
        return times, errors

    shares = [list(questions[i::clients]) for i in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one_client, [s for s in shares if s]))
    times = [t for r in results for t in r[0]]
    errors = [e for r in results for e in r[1]]
    return {**summary(times), "clients": clients, "errors": len(errors), "error_examples": errors[:3]}


def serve_measures(settings: Settings, questions: Sequence[str], log: Path, clients: int, timeout: float) -> dict[str, Any]:
    """Start the server, time one client over `questions`, then `clients` at once; its peak RSS."""
    with Server(settings, log, timeout) as server:
        single = api_times(server.url, questions, 1)
        many = api_times(server.url, list(questions) * 2, clients) if clients > 1 else None
        return {"start_seconds": server.start_seconds, "single": single, "concurrent": many,
                "peak_rss_mb": server.peak_rss_mb()}


def scale_row(settings: Settings, times: int, folder: Path, questions: Sequence[str], echo: Echo) -> dict[str, Any]:
    """Build the report repeated `times` times from nothing, then time the page API over it."""
    from .synthetic import synthetic_settings

    scaled = synthetic_settings(settings, times, folder)
    echo(f"  {times}×: building…")
    build = measure(ours_command("build"), child_env(scaled))
    manifest = json.loads((Path(scaled.home) / "manifest.json").read_text())
    echo(f"  {times}×: built in {build['seconds']:.1f} s; timing the page API…")
    served = serve_measures(scaled, questions, folder / "serve.log", 1, timeout=600)
    return {
        "times": times,
        "chunks": manifest.get("chunks"),
        "units": manifest.get("units"),
        "build_seconds": build["seconds"],
        "build_peak_rss_mb": build["peak_rss_mb"],
        "serve_start_seconds": served["start_seconds"],
        "p50_ms": served["single"]["p50_ms"],
        "p95_ms": served["single"]["p95_ms"],
        "errors": served["single"]["errors"],
        "serve_peak_rss_mb": served["peak_rss_mb"],
    }


def scale_table(settings: Settings, scales: Sequence[int], questions: Sequence[str], deadline: float, echo: Echo) -> list[dict[str, Any]]:
    """One row per scale; a scale whose projected build and serve would pass `deadline` is skipped."""
    rows: list[dict[str, Any]] = []
    per_copy: float | None = None
    with tempfile.TemporaryDirectory(prefix="assistant-scale-") as tmp:
        for times in scales:
            left = deadline - time.monotonic()
            projected = per_copy * times if per_copy is not None else None
            if projected is not None and projected > left:
                echo(f"  {times}×: skipped (projected {projected:.0f} s, {max(left, 0):.0f} s left in the budget)")
                rows.append({"times": times, "skipped": f"projected {projected:.0f} s > {max(left, 0):.0f} s left"})
                continue
            row = scale_row(settings, times, Path(tmp) / f"x{times}", questions, echo)
            per_copy = (row["build_seconds"] + row["serve_start_seconds"]) / times + 2 * len(questions) * (row["p50_ms"] or 0) / 1000 / times
            rows.append(row)
    return rows


# --------------------------------------------------------------------------- report


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's "done when" figures: measured value, target, met."""
    o, b = result["ours"], result["baseline"]
    start, base_start = o["first_answer"]["seconds"], b["first_answer"]["seconds"]
    page = result.get("page") or {}
    many = page.get("concurrent") or {}
    fifty = next((r for r in result["scale"] if r.get("times") == 50 and "skipped" not in r), None)
    rows = [
        ("start to first answer (s)", start, "<= 2.5", start <= 2.5),
        ("baseline start / ours", ratio(base_start, start), ">= 3", (ratio(base_start, start) or 0) >= 3),
        ("build from nothing (s)", o["build"]["seconds"], "<= 15", o["build"]["seconds"] <= 15),
        ("warm p50 (ms)", o["warm"]["p50_ms"], "<= 20", o["warm"]["p50_ms"] <= 20),
        ("warm p95 (ms)", o["warm"]["p95_ms"], "<= 50", o["warm"]["p95_ms"] <= 50),
        (f"{CLIENTS} clients, page API p95 (ms)", many.get("p95_ms"), "<= 250",
         many.get("p95_ms") is not None and many["p95_ms"] <= 250),
        (f"{CLIENTS} clients, errors", many.get("errors"), "0", many.get("errors") == 0),
        ("ask peak RSS (MB)", o["first_answer"]["peak_rss_mb"], "<= 400", o["first_answer"]["peak_rss_mb"] <= 400),
        ("50× warm p50 (ms)", fifty and fifty["p50_ms"], "<= 40", bool(fifty) and fifty["p50_ms"] <= 40),
        ("50× serve peak RSS (MB)", fifty and fifty["serve_peak_rss_mb"], "<= 1500",
         bool(fifty) and (fifty["serve_peak_rss_mb"] or 1e9) <= 1500),
    ]
    return [{"measure": m, "value": v, "target": t, "met": bool(ok) if v is not None else None} for m, v, t, ok in rows]


def measures_table(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per measure: ours, the baseline and their ratio."""
    o, b = result["ours"], result["baseline"]
    page = result.get("page") or {}
    single, many = page.get("single") or {}, page.get("concurrent") or {}
    rows = [
        ("index build from nothing (s, process wall time)", o["build"]["seconds"], b["build"]["seconds"]),
        ("  of which exporting, embedding and storing (s, from the manifest)", o["build"].get("embed_seconds"), None),
        ("  of which exporting the model to ONNX (s)", o["build"].get("export_seconds"), None),
        ("process start to first answer (s, median)", o["first_answer"]["seconds"], b["first_answer"]["seconds"]),
        ("process start to exit (s, median)", o["first_answer"]["exit_seconds"], b["first_answer"]["exit_seconds"]),
        ("warm time per question p50 (ms)", o["warm"]["p50_ms"], b["warm"]["p50_ms"]),
        ("warm time per question p95 (ms)", o["warm"]["p95_ms"], b["warm"]["p95_ms"]),
        ("warm time per question p99 (ms)", o["warm"]["p99_ms"], b["warm"]["p99_ms"]),
        ("page API, 1 client, p50 (ms)", single.get("p50_ms"), None),
        ("page API, 1 client, p95 (ms)", single.get("p95_ms"), None),
        (f"page API, {CLIENTS} clients, p50 (ms)", many.get("p50_ms"), None),
        (f"page API, {CLIENTS} clients, p95 (ms)", many.get("p95_ms"), None),
        (f"page API, {CLIENTS} clients, p99 (ms)", many.get("p99_ms"), None),
        (f"page API, {CLIENTS} clients, errors", many.get("errors"), None),
        ("peak RSS, index build (MB)", o["build"]["peak_rss_mb"], b["build"]["peak_rss_mb"]),
        ("peak RSS, ask / first answer (MB)", o["first_answer"]["peak_rss_mb"], b["first_answer"]["peak_rss_mb"]),
        ("peak RSS, serve (MB)", page.get("peak_rss_mb"), None),
    ]
    return [{"measure": m, "ours": x, "baseline": y, "ratio": ratio(x, y)} for m, x, y in rows]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def scale_cells(row: dict[str, Any]) -> list[str]:
    if "skipped" in row:
        return [f"{row['times']}×", "skipped: " + row["skipped"], "", "", "", "", ""]
    return [f"{row['times']}×", str(row["chunks"]), fmt(row["build_seconds"], 1), fmt(row["p50_ms"], 1),
            fmt(row["p95_ms"], 1), fmt(row["build_peak_rss_mb"], 0), fmt(row["serve_peak_rss_mb"], 0)]


SCALE_HEADER = ["corpus", "chunks", "build (s)", "page API p50 (ms)", "p95 (ms)", "build peak RSS (MB)", "serve peak RSS (MB)"]


def render_markdown(result: dict[str, Any]) -> str:
    """The human summary: measures against the baseline, the scale table, the targets."""
    load = result["load_average"]
    lines = [
        "# Benchmark",
        "",
        f"Run {result['created']} ({result['mode']}, {result['elapsed_seconds']:.0f} s) with `{result['python']}`; "
        f"{result['cpus']} CPUs; 1-minute load average {load['start']:.1f} at the start, {load['end']:.1f} at the end "
        "(other work on the machine slows every figure). Warm times over "
        f"{result['warm_items']} items of the test split; first answer to \"{result['question']}\" "
        f"({result['repeats']} fresh processes each, alternating).",
        "",
    ]
    lines += _table(["measure", "ours", "llama-index defaults", "ours / baseline"], [
        [r["measure"], fmt(r["ours"], 2), fmt(r["baseline"], 2), fmt(r["ratio"], 2)] for r in result["measures"]
    ])
    lines += ["", "## Scale: the report repeated", ""]
    lines += _table(SCALE_HEADER, [scale_cells(r) for r in result["scale"]])
    lines += ["", "## Targets", ""]
    lines += _table(["measure", "value", "target", "met"], [
        [t["measure"], fmt(t["value"], 2), t["target"], fmt(t["met"])] for t in result["targets"]
    ])
    lines += [
        "",
        "- Ours answers first through the CLI (`python -m assistant ask --json QUESTION`), with its",
        "  index built; the baseline keeps nothing on disk, so its first answer includes its build:",
        "  that is its default. Start to first answer is the time to the answer's first output; the",
        "  time to exit is also shown.",
        "- Page API: `assistant serve` on a free local port, `/ask` called over HTTP; the 8",
        "  clients ask the test questions twice over between them, all at once.",
        "- Peak RSS: `os.wait4` of each measured process from a small launcher (so the bench's own",
        "  memory does not leak into it); for `serve`, the kernel's VmHWM of the server process.",
        "",
    ]
    return "\n".join(lines)


def console_lines(result: dict[str, Any]) -> list[str]:
    """The measures, the scale table and the targets as aligned plain text."""
    def aligned(rows: list[list[str]]) -> list[str]:
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]

    out = aligned([["measure", "ours", "llama-index defaults", "ours/baseline"]] + [
        [r["measure"], fmt(r["ours"], 2), fmt(r["baseline"], 2), fmt(r["ratio"], 2)] for r in result["measures"]
    ])
    out += [""] + aligned([SCALE_HEADER] + [scale_cells(r) for r in result["scale"]])
    out += [""] + aligned([["target", "value", "wanted", "met"]] + [
        [t["measure"], fmt(t["value"], 2), t["target"], fmt(t["met"])] for t in result["targets"]
    ])
    return out


def run_bench(
    settings: Settings, qa_path: Path, out_dir: Path, echo: Echo = print, quick: bool = False
) -> dict[str, Any]:
    """Measure, print the tables, write bench.json and bench.md to `out_dir`."""
    from .service import build_assistant

    mode = "quick" if quick else "full"
    began = time.monotonic()
    deadline = began + BUDGET_SECONDS[mode]
    repeats = 3 if quick else 5
    items = load_qa(qa_path, "test")
    questions = [item.question for item in items if not item.is_conversation]
    question = next(item.question for item in items if item.answerable and not item.is_conversation)
    load_before = os.getloadavg()

    ours_build, base_build = measure_builds(settings, echo)
    echo(f"Making sure our index is built in {settings.home}…")
    measure([sys.executable, "-c", BUILD_OURS], child_env(settings))
    echo(f"Timing process start to first answer ({repeats} runs each, alternating)…")
    ours_first, base_first = cold_starts(settings, question, repeats, echo)

    echo(f"Timing warm answers over {len(items)} test items…")
    assistant = build_assistant(settings)
    baseline = LlamaIndexDefault(assistant.report.text, assistant.report.sections, assistant.embed_model)
    ours_warm = warm_times(AssistantSystem(assistant, "ours", "ours"), items)
    base_warm = warm_times(baseline, items)
    del assistant, baseline

    echo(f"Timing the page API: one client, then {CLIENTS} at once…")
    with tempfile.TemporaryDirectory(prefix="assistant-serve-") as tmp:
        page = serve_measures(settings, questions, Path(tmp) / "serve.log", CLIENTS, timeout=300)

    echo("Scale table (the report repeated)…")
    scale = scale_table(settings, SCALES[mode], questions, deadline, echo)

    result: dict[str, Any] = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": mode,
        "python": sys.executable,
        "cpus": os.cpu_count(),
        "load_average": {"start": load_before[0], "end": os.getloadavg()[0]},
        "question": question,
        "repeats": repeats,
        "warm_items": len(items),
        "ours": {"build": ours_build, "first_answer": ours_first, "warm": summary(ours_warm)},
        "baseline": {"build": base_build, "first_answer": base_first, "warm": summary(base_warm)},
        "page": page,
        "scale": scale,
    }
    result["elapsed_seconds"] = time.monotonic() - began
    result["measures"] = measures_table(result)
    result["targets"] = targets(result)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "bench.md").write_text(render_markdown(result), encoding="utf-8")
    echo("")
    for line in console_lines(result):
        echo(line)
    echo(f"Reports: {out_dir / 'bench.md'}, {out_dir / 'bench.json'}")
    return result

