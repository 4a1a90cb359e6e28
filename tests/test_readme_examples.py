"""Every ``$ crosswalk ...`` line in README.md's console blocks runs and succeeds.

The commands run in-process (Typer's CliRunner) in a temporary directory holding the
demo files at their repository paths, in README order, so later commands see what
earlier ones wrote. The first output line shown under a command must appear in the real
output; a shown line ending in '...' only has to start a real line.
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agent.cli import app
from agent.store import dispose_engines

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DEMO_FILES = ("evals/demo/custody_export.csv", "evals/demo/custody_export.mapping.json")
_CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)


_PIPED_INPUT = re.compile(r"^echo '([^']*)' \| (crosswalk .*)$")


@dataclass
class Example:
    command: str
    shown: list[str] = field(default_factory=list)
    stdin: str | None = None  # from `$ echo 'TEXT' | crosswalk ...` (e.g. --password-stdin)


def readme_examples(text: str) -> list[Example]:
    """Commands (lines starting '$ crosswalk') and the output lines shown under each."""
    examples: list[Example] = []
    for block in _CONSOLE_BLOCK.findall(text):
        current: Example | None = None
        for line in block.splitlines():
            if line.startswith("$ "):
                piped = _PIPED_INPUT.match(line[2:])
                if piped is not None:
                    current = Example(piped.group(2), stdin=piped.group(1) + "\n")
                else:
                    current = Example(line[2:]) if line.startswith("$ crosswalk") else None
                if current is not None:
                    examples.append(current)
            elif current is not None:
                current.shown.append(line.rstrip())
    return examples


def shown_line_matches(shown: str, output: str) -> bool:
    lines = [line.rstrip() for line in output.splitlines()]
    if shown.endswith("..."):
        return any(line.startswith(shown[:-3]) for line in lines)
    return shown in lines


def test_the_readme_has_examples_for_every_documented_command() -> None:
    commands = [e.command for e in readme_examples(README.read_text(encoding="utf-8"))]
    for name in ("profile", "apply", "schema fields", "audit verify", "users add", "users list"):
        assert any(c.startswith(f"crosswalk {name}") for c in commands), name


def test_example_extraction() -> None:
    text = ("```console\n$ crosswalk a b\nout 1\nout 2\n$ ls\nx\n$ echo 'pw x' | crosswalk users add\n```\n"
            "```sh\n$ crosswalk no\n```\n")
    assert readme_examples(text) == [Example("crosswalk a b", ["out 1", "out 2"]),
                                     Example("crosswalk users add", [], stdin="pw x\n")]
    assert shown_line_matches("audit chain intact: ...", "audit chain intact: 3 event(s)\n")
    assert not shown_line_matches("2 rows read", "2 rows read: 2 valid\n")


@pytest.fixture()
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in DEMO_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    for var in ("CROSSWALK_DATA_DIR", "CROSSWALK_DATABASE_URL", "CROSSWALK_ENGINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    dispose_engines()


def test_readme_examples_run(demo_dir: Path) -> None:
    examples = readme_examples(README.read_text(encoding="utf-8"))
    runner = CliRunner()
    for example in examples:
        args = shlex.split(example.command)[1:]
        result = runner.invoke(app, args, env={"COLUMNS": "200"}, input=example.stdin)
        assert result.exit_code == 0, f"{example.command}\n{result.output}"
        first = next((line for line in example.shown if line.strip() and line.strip() != "..."), None)
        if first is not None:
            assert shown_line_matches(first, result.stdout), f"{example.command}: {first!r} not in\n{result.stdout}"
    assert (demo_dir / ".crosswalk" / "crosswalk.db").is_file()
    assert (demo_dir / "out" / "records.jsonl").is_file()
