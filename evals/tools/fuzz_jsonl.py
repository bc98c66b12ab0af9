"""Write the adversarial JSONL batch of issue 9: 10,000 hostile lines and 200 valid ones,
shuffled, from a fixed seed, so `assistant ask --jsonl` can be checked against it.

    python evals/tools/fuzz_jsonl.py fuzz.jsonl            # write the file
    python evals/tools/fuzz_jsonl.py fuzz.jsonl --check    # also run `ask --jsonl` on it and report

The check passes when there is one JSON object out per non-blank line in, in order,
stdout is valid UTF-8, the exit status is 0 or 3 (some lines failed) and stderr has no
traceback. The hostile lines: invalid UTF-8, lone surrogates in a question, a turn or
an id, JSON nested 1,000+ deep, integers over 4,300 digits, wrong types (turns as a
number or bool, question as null, arrays, numbers), both question and turns, raw CR and
NUL inside a line, invisible-only questions, 100 KB questions, 500 turns, NaN,
duplicate keys, unknown keys, overlong lines.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def valid_questions() -> list[str]:
    items = [json.loads(line) for line in (ROOT / "evals" / "qa.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [item["question"] for item in items if isinstance(item.get("question"), str)]


def dump(obj: object) -> bytes:
    return json.dumps(obj).encode()


def hostile(rng: random.Random, questions: list[str]) -> bytes:
    """One adversarial line (no newline)."""
    q = rng.choice(questions)
    pick = rng.randrange(22)
    if pick == 0:  # invalid UTF-8 anywhere
        raw = bytearray(dump({"id": rng.randrange(10**6), "question": q}))
        raw[rng.randrange(len(raw))] = rng.choice([0xFF, 0xFE, 0xC3, 0x80, 0xED])
        return bytes(raw)
    if pick == 1:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 120))).replace(b"\n", b"")
    if pick == 2:  # lone surrogate in the question, a turn or the id
        s = "\\u" + format(rng.randrange(0xD800, 0xE000), "x")
        where = rng.choice(['{"id": 1, "question": "Q%sQ"}', '{"id": 2, "turns": ["Who won?", "%s"]}', '{"id": "%s", "question": "Who won?"}'])
        return (where % s).encode()
    if pick == 3:
        depth = rng.randrange(1000, 20000)
        return b'{"question": ' + b"[" * depth + b"]" * depth + b"}"
    if pick == 4:
        return b'{"id": ' + b"7" * rng.randrange(4301, 20000) + b', "question": "Who won?"}'
    if pick == 5:
        return dump({"id": "t", "turns": rng.choice([3, True, False, 0.5, None, "Who won?", {"a": 1}, [], [1, 2]])})
    if pick == 6:
        return dump({"id": "q", "question": rng.choice([None, 5, True, [], {}, ["Who?"], 1e300])})
    if pick == 7:
        return rng.choice([b"null", b"1", b"-0", b"[]", b"[1, 2]", b'"Who won?"', b"true", b"{}", b"[{}]"])
    if pick == 8:
        return dump({"id": "both", "question": q, "turns": [1, 2]})
    if pick == 9:  # raw CR or NUL inside the line
        raw = dump({"id": "cr", "question": q})
        at = rng.randrange(len(raw))
        return raw[:at] + rng.choice([b"\r", b"\x00", b"\r\r", b"\x00\r"]) + raw[at:]
    if pick == 10:
        return dump({"id": "inv", "question": "".join(rng.choice(["\u200b", "\ufeff", "\u200e", "\u2060", " "]) for _ in range(rng.randrange(1, 9)))})
    if pick == 11:
        return dump({"id": "long", "question": "x" * rng.randrange(100_000, 120_000)})
    if pick == 12:
        return dump({"id": "many", "turns": [q] * 500})
    if pick == 13:
        return rng.choice([b'{"id": NaN, "question": "Who?"}', b'{"id": Infinity, "question": "Who?"}', b'{"question": -Infinity}'])
    if pick == 14:
        return b'{"question": "a", "question": "Who won?"}'
    if pick == 15:
        return dump({"id": "extra", "question": q, "invalid": "boom", "x": [1, {"y": None}]})
    if pick == 16:
        return dump({"id": [1, 2], "question": q}) if rng.random() < 0.5 else dump({"id": {"a": 1}, "question": q})
    if pick == 17:
        return dump({"id": "ctl", "question": "".join(chr(rng.randrange(0, 32)) for _ in range(rng.randrange(1, 20)))}).replace(b"\\n", b"\\u000a")
    if pick == 18:
        return json.dumps({"id": "u", "question": q + "".join(chr(rng.randrange(0x80, 0x10FFFF)) for _ in range(5))}, ensure_ascii=False).encode("utf-8", errors="replace")
    if pick == 19:
        return b"{" + b'"a": 1, ' * rng.randrange(1, 50)
    if pick == 20:
        return dump({"id": "e", "turns": [q, "", "And who won it?"]})
    return dump({"question": q})[: rng.randrange(1, 40)]


def write(path: Path, hostile_lines: int = 10_000, valid_lines: int = 200, seed: int = 9) -> int:
    rng = random.Random(seed)
    questions = valid_questions()
    lines = [hostile(rng, questions) for _ in range(hostile_lines)]
    for n in range(valid_lines):
        q = questions[n % len(questions)]
        lines.append(dump({"id": f"valid-{n}", "question": q} if n % 4 else {"id": f"valid-{n}", "turns": [questions[(n + 1) % len(questions)], q]}))
    rng.shuffle(lines)
    lines = [line if line.strip() else b"null" for line in lines]  # every line counts
    path.write_bytes(b"\n".join(lines) + b"\n")
    return len(lines)


def check(path: Path, expected: int) -> dict[str, object]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "assistant", "ask", "--jsonl", str(path)], capture_output=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    text = proc.stdout.decode("utf-8")  # raises if stdout is not valid UTF-8
    out = [json.loads(line) for line in text.splitlines()]
    report = {
        "lines_in": expected,
        "lines_out": len(out),
        "answered": sum("error" not in o for o in out),
        "errors": sum("error" in o for o in out),
        "valid_answered": sum("error" not in o and str(o.get("id", "")).startswith("valid-") for o in out),
        "exit_status": proc.returncode,
        "traceback": b"Traceback" in proc.stderr,
        "multi_line_errors": sum("\n" in o.get("error", "") for o in out),
        "seconds": round(seconds, 1),
    }
    report["ok"] = (report["lines_out"] == expected and proc.returncode in (0, 3) and not report["traceback"]
                    and all(isinstance(o, dict) for o in out))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--check", action="store_true", help="run `assistant ask --jsonl` on it and report")
    args = parser.parse_args()
    count = write(args.path)
    print(f"wrote {count} lines to {args.path}")
    if args.check:
        report = check(args.path, count)
        print(json.dumps(report))
        sys.exit(0 if report["ok"] else 1)


if __name__ == "__main__":
    main()
