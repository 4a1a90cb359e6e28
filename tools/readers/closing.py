"""Lifecycle shared by the readers: track what a reader has open so close() releases it."""

from __future__ import annotations

from typing import Any, Protocol, Self


class _Closable(Protocol):
    def close(self) -> None: ...


class ClosingReader:
    """Context-manager plumbing for readers.

    A reader's ``rows()`` is a generator that may be abandoned half way; its open file
    is registered here so ``close()`` releases it even if the generator is never finished.
    """

    def __init__(self) -> None:
        self._handles: list[_Closable] = []

    def _track(self, handle: Any) -> Any:
        self._handles.append(handle)
        return handle

    def _untrack(self, handle: Any) -> None:
        if handle in self._handles:
            self._handles.remove(handle)
        handle.close()

    def close(self) -> None:
        while self._handles:
            self._handles.pop().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
