"""The command line: `assistant ask`, `build`, `chat`, `serve`, `eval`, `bench`.

Thin on purpose: every command builds an `Assistant` through `service.build_assistant`
and formats what it returns. Errors a user can cause become one line on stderr
(`click.ClickException`), never a traceback. Heavy imports happen inside commands, so
`assistant --help` is instant.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, BinaryIO

import click

from .config import PROJECT_ROOT, Settings


# One --home for every command: the index folder, also read from ASSISTANT_HOME.
HOME = click.option("--home", envvar="ASSISTANT_HOME", help="Index folder (default: ./index).")


def _settings(home: str | None) -> Settings:
    return Settings(home=Path(home)) if home else Settings()


def _load(settings: Settings, progress: bool = True, rebuild: bool = False):
    from .embedding import ModelMissing
    from .service import UserError, build_assistant

    try:
        return build_assistant(settings, progress=progress, echo=lambda s: click.echo(s, err=True), rebuild=rebuild)
    except (UserError, ModelMissing) as e:
        raise click.ClickException(str(e)) from e


def format_answer(answer: Any) -> str:
    """An answer for a person: the text, then its numbered sources."""
    lines = []
    if answer.understood_as and answer.understood_as != answer.question:
        lines.append(f"(understood as: {answer.understood_as})")
    if answer.notice and answer.notice not in answer.answer:
        lines.append(f"({answer.notice})")
    lines.append(answer.answer)
    if answer.citations:
        lines.append("")
        lines.append("Sources:")
        for c in answer.citations:
            page = "p." if "–" not in c.pages else "pp."
            lines.append(f"  [{c.n}] §{c.section} {c.section_title} — {c.heading} ({page} {c.pages})")
            lines.append(f"      “{c.quote}”")
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="torino-report-assistant")
def main() -> None:
    """Ask the City of Torino's International Activities Annual Report 2024."""
    from .config import offline_environment

    offline_environment()


@main.command()
@HOME
def build(home: str | None) -> None:
    """Build (or rebuild) the index of the report."""
    from .index import read_manifest

    settings = _settings(home)
    assistant = _load(settings, rebuild=True)
    manifest = read_manifest(Path(settings.home)) or {}
    click.echo(
        f"Index ready in {settings.home}: {len(assistant.chunks)} passages, "
        f"{manifest.get('units', '?')} sentences, built in {manifest.get('built_seconds', '?')} s."
    )


SOME_LINES_FAILED = 3  # exit code of `ask --jsonl` when any line got an error object


def _open_jsonl(path: str) -> BinaryIO:
    """The JSONL input as bytes ('-' is stdin); a closed stdin or a missing file is one line."""
    if path != "-":
        try:
            return open(path, "rb")  # noqa: SIM115 - closed by the caller
        except OSError as e:
            raise click.ClickException(f"cannot read {path}: {e.strerror}") from e
    stdin = sys.stdin
    if stdin is None or getattr(stdin, "closed", False):
        raise click.ClickException("standard input is closed: pipe the JSONL into the command, or give a FILE")
    return stdin.buffer if hasattr(stdin, "buffer") else stdin  # type: ignore[return-value]


def _answer_jsonl(assistant: Any, source: BinaryIO) -> None:
    from .batch import answer_lines

    stdout = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else sys.stdout
    try:
        _, failed = answer_lines(
            lambda turns: assistant.ask_turns(turns).as_json(), source, stdout,
            warn=lambda line: click.echo(line, err=True),
        )
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        sys.exit(0)
    if failed:
        sys.exit(SOME_LINES_FAILED)


@main.command(epilog=(
    f"Exit status with --jsonl: 0 when every line was answered; {SOME_LINES_FAILED} when some "
    "lines failed (each such line still gets an object with an \"error\"); 1 for an error that "
    "stops the command."
))
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--jsonl", "jsonl", metavar="FILE", help="Answer each line of FILE ('-' for stdin), streaming: one JSON object out per line in.")
@HOME
def ask(question: str | None, as_json: bool, jsonl: str | None, home: str | None) -> None:
    """Answer QUESTION, with its sources; or every line of a JSONL file."""
    from .inputs import UserError, check_question

    if jsonl is None:
        if question is None:
            raise click.UsageError("give a QUESTION or --jsonl FILE")
        try:
            question = check_question(question)
        except UserError as e:
            raise click.ClickException(str(e)) from e
    elif question is not None:
        raise click.UsageError("give either a QUESTION or --jsonl FILE, not both")

    source = _open_jsonl(jsonl) if jsonl is not None else None
    assistant = _load(_settings(home), progress=False)
    if source is None:
        answer = assistant.ask(question or "")
        click.echo(json.dumps(answer.as_json(), ensure_ascii=False) if as_json else format_answer(answer))
        _FAST_EXIT.append(True)
        return
    _FAST_EXIT.append(True)
    with source:
        _answer_jsonl(assistant, source)


@main.command()
@HOME
def chat(home: str | None) -> None:
    """Ask questions in the terminal; follow-ups keep the conversation's subject."""
    from .service import UserError

    assistant = _load(_settings(home))
    click.echo("Ask about the Torino International Activities Report 2024 (empty line or Ctrl-D to quit).")
    turns: list[str] = []
    while True:
        try:
            question = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            break
        try:
            answer = assistant.ask_turns(turns + [question])
        except UserError as e:
            click.echo(f"Error: {e}", err=True)
            continue
        turns.append(question)
        click.echo(format_answer(answer) + "\n")


@main.command(epilog=(
    "For the public: --auth (or ASSISTANT_AUTH_FILE, one user:password a line) asks for a login; "
    "each client may call /ask --rate-limit times a minute; request bodies over "
    "ASSISTANT_MAX_BODY_BYTES are refused; at most --queue-size requests wait, more are told to "
    "try again; uploads are off. See the README, \"Deploying it for the public\"."
))
@click.option("--host", default=None, help="Address to serve on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option("--share", is_flag=True, help="Also open a public Gradio share link.")
@click.option("--auth", default=None, metavar="USER:PASSWORD", help="Require this login (ASSISTANT_AUTH; or ASSISTANT_AUTH_FILE).")
@click.option("--root-path", default=None, metavar="PATH", help="Path the page is served under behind a reverse proxy, e.g. /assistant.")
@click.option("--rate-limit", type=click.IntRange(min=0), default=None, help="Calls of /ask per client per minute (default 30; 0: off).")
@click.option("--queue-size", type=click.IntRange(min=1), default=None, help="Requests that may wait (default 64).")
@HOME
def serve(
    host: str | None, port: int | None, share: bool, auth: str | None, root_path: str | None,
    rate_limit: int | None, queue_size: int | None, home: str | None,
) -> None:
    """Open the chat page (builds the index first when missing or stale)."""
    from .app import serve as serve_app
    from .inputs import UserError
    from .serving import read_auth

    given = {"auth": auth, "root_path": root_path, "rate_limit": rate_limit, "queue_size": queue_size}
    settings = _settings(home).model_copy(update={k: v for k, v in given.items() if v is not None})
    try:
        read_auth(settings.auth, settings.auth_file)  # a bad login file is reported before the index loads
    except UserError as e:
        raise click.ClickException(str(e)) from e
    serve_app(settings, host, port, share, assistant=_load(settings))


QA_PATH = PROJECT_ROOT / "evals"
RESULTS = PROJECT_ROOT / "evals" / "results"


@main.command(name="eval")
@click.option("--qa", "qa_path", type=click.Path(exists=True, path_type=Path), default=QA_PATH,
              show_default=True, help="The known question/answer pairs.")
@click.option("--split", type=click.Choice(["dev", "test", "fresh", "fresh2", "fresh3", "all"]), default="test", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=RESULTS, show_default=True)
@HOME
@click.option("--reader", type=click.Choice(["extractive", "rules", "fitted", "llm"]), default=None,
              help="Which reader answers (default: the ASSISTANT_READER setting, else extractive).")
@click.option("--fit", is_flag=True, help="First refit the readers' weights on the dev split (cross-validated) and save them.")
def evaluate(qa_path: Path, split: str, out_dir: Path, home: str | None, reader: str | None, fit: bool) -> None:
    """Score the assistant and two baselines on the known Q&A pairs; write JSON, Markdown, plots."""
    from .evaluation import run_eval
    from .fitting import describe, refit

    settings = _settings(home)
    if reader:
        settings = settings.model_copy(update={"reader": reader})
    if fit:
        _guarded(lambda: refit(settings, qa_path, echo=click.echo))
    assistant = _load(settings)
    weights = getattr(getattr(assistant.reader, "judge", assistant.reader), "weights", None)
    if weights is not None:
        click.echo(describe(weights))
    _guarded(lambda: run_eval(settings, qa_path, split, out_dir, echo=click.echo, assistant=assistant))


@main.command()
@click.option("--qa", "qa_path", type=click.Path(exists=True, path_type=Path), default=QA_PATH,
              show_default=True, help="The known question/answer pairs (test split is timed).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=RESULTS, show_default=True)
@HOME
@click.option("--quick", is_flag=True, help="Fewer repetitions, scales 1× and 10× only (about half the time).")
def bench(qa_path: Path, out_dir: Path, home: str | None, quick: bool) -> None:
    """Time build, start to first answer, warm and concurrent answers, memory and scale, against llama-index defaults."""
    from .bench import run_bench

    _guarded(lambda: run_bench(_settings(home), qa_path, out_dir, echo=click.echo, quick=quick))


def _guarded(run: Any) -> None:
    """Run a long command; a mistake in its input becomes one line, not a traceback."""
    from .embedding import ModelMissing
    from .service import UserError

    try:
        run()
    except (ValueError, UserError, ModelMissing) as e:
        raise click.ClickException(str(e)) from e


_FAST_EXIT: list[bool] = []  # set by `ask` once its answers are out


def run() -> None:
    """The program's entry point: `main`, then, after `ask`, an exit without teardown.

    Tearing down the ~2,000 modules an answer loads takes 2–3 s on a busy machine; after
    `ask` everything it wrote is closed (the index and the stored parse are written whole
    and renamed before any answer), so only the standard streams need flushing.
    Tests call `main` (click's runner), which never ends the process.
    """
    import os

    try:
        main()
    except SystemExit as done:
        if not _FAST_EXIT:
            raise
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        if isinstance(done.code, str):
            sys.stderr.write(done.code + "\n")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
