"""Checking a source path and carrying the user's read options (shared by the jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.errors import SourceError


@dataclass(frozen=True)
class ReadOptions:
    """How to read a source when sniffing is not enough (all optional)."""

    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "encoding": self.encoding, "delimiter": self.delimiter}

    def given(self) -> dict[str, str]:
        """Only the options the user set, for the audit log."""
        return {k: v for k, v in self.as_kwargs().items() if v is not None}


def require_file(path: Path) -> None:
    """A one-line SourceError now, rather than a reader's traceback later."""
    if not path.exists():
        raise SourceError(str(path), "file not found")
    if not path.is_file():
        raise SourceError(str(path), "is not a file")
