"""RFC 6901 JSON Pointers: the names of target fields and of nested source fields."""

from __future__ import annotations

from typing import Any


def parse_pointer(pointer: str) -> list[str]:
    """'/a/b~1c' -> ['a', 'b/c']; '' -> [] (the whole document)."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"{pointer!r} is not a JSON Pointer (it must start with '/')")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def make_pointer(parts: list[str] | tuple[str, ...]) -> str:
    return "".join("/" + escape_token(str(p)) for p in parts)


def set_at(document: dict[str, Any], parts: list[str], value: Any) -> None:
    """Set ``value`` at ``parts``, creating objects on the way."""
    node = document
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def get_at(document: Any, parts: list[str]) -> Any:
    node = document
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
