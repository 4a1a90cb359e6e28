"""Versioned prompt templates (plain text files, one per LLM task) and their loader.

A template is ``<task>.v<N>.txt``; a changed prompt is a new version, so an audit event's
template name and sha256 say exactly what the model was asked. Placeholders are
``{name}`` and are filled by ``render`` with plain text substitution (no format spec,
no attribute access, no Jinja): a value can never reach into Python objects.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR = Path(__file__).parent
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


class PromptError(ValueError):
    """A template is missing, or rendering it was given the wrong placeholders."""


@dataclass(frozen=True)
class PromptTemplate:
    """One template file: its name (``rerank_fields.v1``), text and the sha256 of the text."""

    name: str
    text: str
    sha256: str

    def placeholders(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.text))

    def render(self, **values: str) -> str:
        """The text with every ``{name}`` replaced; missing or unknown names are an error."""
        wanted = self.placeholders()
        if set(values) != wanted:
            raise PromptError(f"{self.name}: placeholders {sorted(wanted)}, given {sorted(values)}")
        # one pass over the template: a value containing '{x}' is never substituted again
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.text)


def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
    """The template ``<name>.txt`` (e.g. ``rerank_fields.v1``) with its hash."""
    if not re.fullmatch(r"[a-z0-9_]+\.v\d+", name):
        raise PromptError(f"not a versioned template name: {name!r}")
    path = directory / f"{name}.txt"
    if not path.is_file():
        raise PromptError(f"no prompt template {path}")
    text = path.read_text(encoding="utf-8")
    return PromptTemplate(name=name, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


__all__ = ["PROMPTS_DIR", "PromptError", "PromptTemplate", "load_prompt"]
