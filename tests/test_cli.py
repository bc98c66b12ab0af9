"""The command-line contract of PRODUCT.md, with its error paths."""

from __future__ import annotations

import json

from click.testing import CliRunner

from assistant.cli import SOME_LINES_FAILED, main


def run(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(main, args, input=stdin)


def test_help_is_instant_and_lists_commands() -> None:
    result = run(["--help"])
    assert result.exit_code == 0
    for command in ("ask", "build", "chat"):
        assert command in result.output


def test_ask_for_a_person(assistant) -> None:
    result = run(["ask", "How many foreign delegations visited Torino during 2024?"])
    assert result.exit_code == 0, result.output
    assert "48 foreign delegations" in result.output
    assert "§3.2 Foreign delegations" in result.output


def test_ask_json(assistant) -> None:
    result = run(["ask", "--json", "Who won the Nitto ATP Finals?"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.stdout)
    assert obj["abstained"] is False and "Jannik Sinner" in obj["answer"]
    assert {"n", "section", "section_title", "heading", "pages", "quote"} <= set(obj["citations"][0])
    assert obj["citations"][0]["section"] == "8"


def test_ask_jsonl_from_stdin_keeps_order_and_reports_bad_lines(assistant) -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "q1", "question": "How many people watched the Tour de France finish in Torino?"}),
            "{not json",
            json.dumps({"id": "q3", "turns": ["When were the Nitto ATP Finals held?", "And who won it?"]}),
            json.dumps({"id": "q4", "question": ""}),
            json.dumps({"id": "q5"}),
        ]
    )
    result = run(["ask", "--jsonl", "-"], stdin=lines)
    assert result.exit_code == SOME_LINES_FAILED
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["q1", None, "q3", "q4", "q5"]
    assert out[0]["abstained"] is True
    assert "error" in out[1] and "line 2" in out[1]["error"]
    assert "Jannik Sinner" in out[2]["answer"] and "understood_as" in out[2]
    assert "error" in out[3] and "error" in out[4]


def test_ask_jsonl_file_all_good_exits_zero(assistant, tmp_path) -> None:
    path = tmp_path / "qs.jsonl"
    path.write_text(json.dumps({"id": 1, "question": "In which year did Torino become a member of ECCAR?"}) + "\n")
    result = run(["ask", "--jsonl", str(path)])
    assert result.exit_code == 0, result.output
    assert "2020" in json.loads(result.stdout)["answer"]


def test_user_mistakes_get_one_line_not_a_traceback(tmp_path) -> None:
    for args in (["ask", "   "], ["ask"], ["ask", "--jsonl", str(tmp_path / "missing.jsonl")]):
        result = run(args)
        assert result.exit_code != 0
        assert "Traceback" not in result.output
        assert "Error" in result.output


def test_missing_corpus_is_a_clear_error(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("ASSISTANT_CORPUS_PATH", str(tmp_path / "nope.txt"))
    result = run(["ask", "Who won?"])
    assert result.exit_code == 1
    assert "nope.txt" in result.output and "Traceback" not in result.output
