"""One streaming pass over a file: its SHA-256, its size and, for text, its encoding.

The encoding decision needs the whole file (a cp1252 byte may first appear in the last
row), and so does the hash, so both are done in the same pass.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from tools.errors import SourceError

CHUNK_BYTES = 1 << 20
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Bytes that cp1252 leaves undefined; a file holding any of them can only be latin-1.
CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


@dataclass(frozen=True, slots=True)
class FileScan:
    sha256: str
    size_bytes: int
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


def hash_file(path: Path) -> FileScan:
    """Hash and size only (for binary formats such as XLSX)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return FileScan(digest.hexdigest(), size)


def bom_length(encoding: str) -> int:
    """Bytes of byte-order mark that an encoding chosen here skips at the start of the file."""
    return len(UTF8_BOM) if encoding == "utf-8-sig" else 0


def canonical_encoding(path: Path, name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise SourceError(str(path), f"unknown encoding {name!r}") from None


def scan_text_file(path: Path, requested: str | None = None) -> FileScan:
    """Hash the file and decide its encoding.

    Valid UTF-8 is UTF-8 (BOM stripped when present); otherwise cp1252 when every byte is
    defined there, else latin-1, which decodes anything. A requested encoding is checked
    over the whole file so that decoding can never fail half way through the rows.
    """
    with path.open("rb") as fh:
        start = fh.read(4)
    if requested is not None:
        encoding = canonical_encoding(path, requested)
        if encoding == "utf-8" and start.startswith(UTF8_BOM):
            encoding = "utf-8-sig"  # the caller meant UTF-8; do not leak the BOM into a header
        return _scan_checked(path, encoding, f"encoding {encoding} (as requested)")
    if start.startswith(UTF8_BOM):
        return _scan_checked(path, "utf-8-sig", "encoding UTF-8 with a byte-order mark (BOM stripped)")
    if start.startswith(UTF16_BOMS):
        return _scan_checked(path, "utf-16", "encoding UTF-16 (byte-order mark found)")
    return _scan_guessing(path)


def _scan_checked(path: Path, encoding: str, note: str) -> FileScan:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)()
    size = 0
    newlines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise _undecodable(path, encoding, size + exc.start, newlines + chunk.count(b"\n", 0, exc.start)) from None
            size += len(chunk)
            newlines += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise _undecodable(path, encoding, size, newlines) from None
    return FileScan(digest.hexdigest(), size, encoding, [note])


def _undecodable(path: Path, encoding: str, offset: int, newlines: int) -> SourceError:
    return SourceError(
        str(path),
        f"cannot be decoded as {encoding} near byte {offset} (line {newlines + 1}); "
        "pass another encoding (for example cp1252)",
    )


def _scan_guessing(path: Path) -> FileScan:
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    cp1252_ok = True
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if cp1252_ok and not chunk.isascii():
                cp1252_ok = not any(byte in chunk for byte in CP1252_UNDEFINED)
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False  # the file ends inside a multi-byte sequence
    if utf8_ok:
        return FileScan(digest.hexdigest(), size, "utf-8", ["encoding UTF-8 (the whole file is valid UTF-8)"])
    if cp1252_ok:
        note = "encoding cp1252 (Windows-1252): the file is not valid UTF-8"
        return FileScan(digest.hexdigest(), size, "cp1252", [note])
    note = "encoding latin-1: the file is neither valid UTF-8 nor cp1252 (it holds bytes cp1252 leaves undefined)"
    return FileScan(digest.hexdigest(), size, "latin-1", [note])
