"""`assistant ask --jsonl` as a process: it streams (the first answer comes before the
second line is written), memory stays flat on a 200 MB file, a closed stdin is one line,
and the issue-9 fuzz batch (a 1,020-line sample of evals/tools/fuzz_jsonl.py) gives one
JSON object per line, valid UTF-8, a documented exit status and no traceback.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.cli import SOME_LINES_FAILED

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "evals" / "tools"))
QUESTION = "How many foreign delegations visited Torino during 2024?"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistant", "ask", *args]


def env(settings) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_HOME": str(settings.home), "PYTHONPATH": str(ROOT)}


def peak_rss_mb(proc: subprocess.Popen) -> float:
    """The most memory the process held, read from /proc while it runs (VmHWM)."""
    peak = 0.0
    while proc.poll() is None:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            break
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) / 1024)
        time.sleep(0.1)
    return peak


def test_first_answer_comes_before_the_second_line_is_written(assistant, settings) -> None:
    proc = subprocess.Popen(command("--jsonl", "-"), env=env(settings), cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    proc.stdin.write(json.dumps({"id": 1, "question": QUESTION}).encode() + b"\n")
    proc.stdin.flush()
    first = json.loads(lines.get(timeout=300))  # the input is still open: nothing more to read
    assert first["id"] == 1 and "48" in first["answer"]
    proc.stdin.write(b'{"id": 2, "turns": 5}\n')
    proc.stdin.close()
    assert proc.wait(timeout=120) == SOME_LINES_FAILED
    second = json.loads(lines.get(timeout=10))
    assert second["id"] == 2 and second["error"] == "line 2: turns must be a list of questions, not a number"


def test_memory_stays_flat_on_a_200_mb_file(assistant, settings, tmp_path: Path) -> None:
    small, big = tmp_path / "small.jsonl", tmp_path / "big.jsonl"
    small.write_text(json.dumps({"id": 0, "question": QUESTION}) + "\n")
    line = json.dumps({"id": "long", "question": "x" * 100_000}).encode() + b"\n"
    with big.open("wb") as handle:
        handle.write(small.read_bytes())
        for _ in range(200 * 1024 * 1024 // len(line)):
            handle.write(line)
        handle.write(b"y" * (3 << 20) + b"\n")  # one overlong line, skipped unread
    assert big.stat().st_size > 200 * 1024 * 1024
    peaks = {}
    for path in (small, big):
        proc = subprocess.Popen(command("--jsonl", str(path)), env=env(settings), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        reader = threading.Thread(target=lambda p=proc: setattr(p, "lines", p.stdout.read().count(b"\n")))
        reader.start()
        peaks[path.name] = peak_rss_mb(proc)
        reader.join()
        assert proc.returncode in (0, SOME_LINES_FAILED)
    assert proc.lines == 2 + 200 * 1024 * 1024 // len(line)
    assert peaks["big.jsonl"] < peaks["small.jsonl"] + 150, peaks


def test_closed_stdin_is_one_line(settings) -> None:
    proc = subprocess.run(["sh", "-c", 'exec "$0" -m assistant ask --jsonl - <&-', sys.executable],
                          env=env(settings), cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "Error: standard input is closed: pipe the JSONL into the command, or give a FILE"


@pytest.mark.slow
def test_fuzz_batch_gives_one_json_line_per_line(assistant, settings, tmp_path: Path) -> None:
    import fuzz_jsonl

    path = tmp_path / "fuzz.jsonl"
    count = fuzz_jsonl.write(path, hostile_lines=1000, valid_lines=20)
    proc = subprocess.run(command("--jsonl", str(path)), env=env(settings), cwd=ROOT, capture_output=True, timeout=1200)
    assert b"Traceback" not in proc.stderr
    assert proc.returncode == SOME_LINES_FAILED
    out = [json.loads(line) for line in proc.stdout.decode("utf-8").split("\n")[:-1]]
    assert len(out) == count
    assert all("error" in o or o["answer"] for o in out)
    assert sum(str(o.get("id")).startswith("valid-") and "answer" in o for o in out) == 20
    assert all("\n" not in o.get("error", "") for o in out)


@pytest.mark.parametrize("text", ["\u2028", "a\u2029b", "\x85", "é\u2028😀"])
def test_an_output_line_stays_one_line_for_any_reader(text: str) -> None:
    """Line and paragraph separators inside a value are escaped: `splitlines` and
    JavaScript readers would otherwise cut the object in two."""
    from assistant.batch import encode

    line = encode({"id": text, "question": text}).decode("utf-8")
    assert len(line.splitlines()) == 1 and line.endswith("\n")
    assert json.loads(line) == {"id": text, "question": text}
