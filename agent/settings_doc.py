"""Render ``docs/configuration.md`` from the ``Settings`` model, so the docs cannot drift.

Regenerate with ``.venv/bin/python -m agent.settings_doc > docs/configuration.md``;
``tests/test_settings.py`` fails when the checked-in file differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from agent.settings import DATABASE_FILE, Settings, env_var_name

HEADER = """# Configuration

crosswalk reads its settings from environment variables (prefix `CROSSWALK_`). The CLI's
global `--data-dir` option overrides `CROSSWALK_DATA_DIR`.

This file is generated from `agent/settings.py`
(`.venv/bin/python -m agent.settings_doc > docs/configuration.md`); a test fails when it
is out of date.

| environment variable | default | description |
|---|---|---|
"""


def _default_text(name: str, info: FieldInfo) -> str:
    default: Any = info.default
    if name == "database_url" and default is None:
        return f"`sqlite:///<data_dir>/{DATABASE_FILE}`"
    if name == "user" and default is None:
        return "OS user name"
    if isinstance(default, Path):
        return f"`{default.as_posix()}`"
    return f"`{default}`"


def _cell(text: str) -> str:
    # A pipe would end the Markdown table cell early.
    return " ".join(text.split()).replace("|", "\\|")


def render_configuration_markdown() -> str:
    """The whole of ``docs/configuration.md``."""
    rows = []
    for name, info in Settings.model_fields.items():
        rows.append(
            f"| `{env_var_name(name)}` | {_cell(_default_text(name, info))} | {_cell(info.description or '')} |"
        )
    return HEADER + "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render_configuration_markdown(), end="")
