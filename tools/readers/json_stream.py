"""Stream the elements of a top-level JSON array without loading the whole document.

The standard library parses complete values only, so the text is read in chunks and each
element is decoded with ``JSONDecoder.raw_decode`` once the buffer holds all of it.
"""

from __future__ import annotations

import json
import re
from typing import IO, Any, Iterator

from tools.errors import SourceError

CHUNK_CHARS = 1 << 20
# One element may not exceed this; beyond it the file is taken to be broken, not big.
MAX_ELEMENT_CHARS = 256 << 20
CUT_MARGIN = 16
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _Buffer:
    """Text read so far, from ``pos`` on; refilled from ``fh`` on demand."""

    def __init__(self, fh: IO[str]) -> None:
        self.fh = fh
        self.text = ""
        self.pos = 0
        self.eof = False
        self.consumed_lines = 0  # newlines in text already dropped, for error positions

    def fill(self, at_least: int = CHUNK_CHARS) -> None:
        dropped = self.text[: self.pos]
        self.consumed_lines += dropped.count("\n")
        self.text = self.text[self.pos :]
        self.pos = 0
        chunk = self.fh.read(max(at_least, CHUNK_CHARS))
        if chunk:
            self.text += chunk
        else:
            self.eof = True

    def skip_whitespace(self) -> str:
        """Skip whitespace; return the next character, or "" at the end of the file."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if self.eof:
                return ""
            self.fill()

    def line_at(self, pos: int) -> int:
        return self.consumed_lines + self.text.count("\n", 0, pos) + 1


def iter_array(fh: IO[str], path: str) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, element)`` for each element of the array that ``fh`` holds.

    Raises SourceError (naming the element) for anything that is not a well-formed array.
    """
    buf = _Buffer(fh)
    first = buf.skip_whitespace()
    if first != "[":
        what = "is empty" if not first else f"starts with {first!r}"
        raise SourceError(path, f"is not a JSON array (it {what}); a JSON source must be an array of objects")
    buf.pos += 1
    index = 0
    if buf.skip_whitespace() == "]":
        buf.pos += 1
    else:
        while True:
            yield index, _decode_element(buf, path, index)
            following = buf.skip_whitespace()
            if following == ",":
                buf.pos += 1
                index += 1
                continue
            if following == "]":
                buf.pos += 1
                break
            found = "the end of the file" if not following else repr(following)
            raise SourceError(
                path, f"invalid JSON after element {index}: expected ',' or ']' but found {found} (line {buf.line_at(buf.pos)})", row=index
            )
    if buf.skip_whitespace():
        raise SourceError(path, f"unexpected content after the end of the JSON array (line {buf.line_at(buf.pos)})")


def _decode_element(buf: _Buffer, path: str, index: int) -> Any:
    buf.skip_whitespace()
    while True:
        try:
            value, end = _DECODER.raw_decode(buf.text, buf.pos)
        except json.JSONDecodeError as exc:
            if buf.eof or not _may_be_cut(exc, len(buf.text)):
                raise SourceError(
                    path, f"invalid JSON in element {index}: {exc.msg} (line {buf.line_at(exc.pos)})", row=index
                ) from None
            _grow(buf, path, index)
            continue
        if end == len(buf.text) and not buf.eof:
            _grow(buf, path, index)  # a number at the buffer's edge may go on in the next chunk
            continue
        buf.pos = end
        return value


def _may_be_cut(exc: json.JSONDecodeError, buffered: int) -> bool:
    """Could more text fix this error? Only if the parser ran off the end of the buffer."""
    # An unterminated string is reported at its start, wherever the buffer ends; a cut
    # literal or escape ("tr", "\\u00") a few characters before the end.
    return exc.msg.startswith("Unterminated string") or exc.pos >= buffered - CUT_MARGIN


def _grow(buf: _Buffer, path: str, index: int) -> None:
    pending = len(buf.text) - buf.pos
    if pending > MAX_ELEMENT_CHARS:
        raise SourceError(path, f"element {index} is over {MAX_ELEMENT_CHARS} characters long or not closed", row=index)
    buf.fill(at_least=pending)  # double what is buffered, so long elements cost O(n log n)
