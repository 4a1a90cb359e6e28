"""Typed errors that a user can act on. The CLI prints them as one line and exits non-zero."""

from __future__ import annotations


class CrosswalkError(Exception):
    """Base of every error crosswalk raises on purpose."""

    exit_code: int = 2

    def one_line(self) -> str:
        return " ".join(str(self).split())


class SourceError(CrosswalkError):
    """A source file cannot be read. Names the file, and the row and field where known."""

    def __init__(self, path: str, message: str, *, row: int | None = None, field: str | None = None) -> None:
        self.path = str(path)
        self.row = row
        self.field = field
        self.message = message
        where = self.path
        if row is not None:
            where += f", row {row}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


class SchemaError(CrosswalkError):
    """A target JSON Schema is invalid or uses something crosswalk refuses (such as a remote $ref)."""

    def __init__(self, path: str, message: str) -> None:
        self.path = str(path)
        self.message = message
        super().__init__(f"{path}: {message}")


class MappingError(CrosswalkError):
    """A mapping/proposal document is invalid or does not fit its source or schema."""

    def __init__(self, path: str, message: str, *, target: str | None = None) -> None:
        self.path = str(path)
        self.target = target
        self.message = message
        where = f"{path}" + (f", field {target}" if target else "")
        super().__init__(f"{where}: {message}")


class TransformValueError(ValueError):
    """One value could not be transformed. Carries the reason that goes into the quarantine."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class StoreError(CrosswalkError):
    """The application database or data directory cannot be used."""
