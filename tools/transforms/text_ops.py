"""Ops that pass or tidy text: copy, text and join."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from tools.transforms.source_values import as_text
from tools.transforms.spec import Copy, Join, Text

_SPACES = re.compile(r"\s+")
# A lone letter and an apostrophe starting a word: the O' of O'BRIEN, the D' of D'ARCY.
_LETTER_APOSTROPHE = re.compile(r"^([^\W\d_])(['\u2019])([^\W\d_])")


def copy_value(spec: Copy, value: Any) -> Any:
    """The value unchanged, except that dates and times become ISO 8601 text.

    XLSX readers hand over ``datetime`` objects, which JSON cannot hold.
    """
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


def clean_text(spec: Text, value: Any) -> str | None:
    """Trim, collapse white space and change case as the spec says."""
    text = as_text(value, "a text value")
    if spec.trim:
        text = text.strip()
    if spec.collapse_spaces:
        text = collapse_spaces(text, keep_ends=not spec.trim)
    text = change_case(text, spec.case)
    return text or None


def join_values(spec: Join, values: Sequence[Any]) -> str | None:
    """The non-blank inputs, each trimmed, joined with the separator."""
    parts = [as_text(v, "a text value").strip() for v in values if v is not None]
    parts = [p for p in parts if p]
    return spec.separator.join(parts) if parts else None


def collapse_spaces(text: str, keep_ends: bool = False) -> str:
    """Every run of white space becomes one space; the ends are stripped unless kept."""
    if keep_ends:
        return _SPACES.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def change_case(text: str, case: str) -> str:
    """Upper, lower, name-aware title case, or unchanged ('keep')."""
    if case == "upper":
        return text.upper()
    if case == "lower":
        return text.lower()
    if case == "title":
        return title_case(text)
    return text


def title_case(text: str) -> str:
    """Title case that suits names: 'o'brien-smith' -> "O'Brien-Smith", "john's" -> "John's".

    Words are split on spaces and hyphens and each gets an initial capital; a lone letter
    plus apostrophe at the start of a word (O', D') capitalises the next letter too.
    Python's ``str.title`` would give "John'S", hence the own rule.
    """
    words = []
    for word in text.lower().split(" "):
        pieces = [_title_piece(piece) for piece in word.split("-")]
        words.append("-".join(pieces))
    return " ".join(words)


def _title_piece(piece: str) -> str:
    if not piece:
        return piece
    match = _LETTER_APOSTROPHE.match(piece)
    if match:
        return match.group(1).upper() + match.group(2) + match.group(3).upper() + piece[3:]
    return piece[0].upper() + piece[1:]
