"""Embedding functions for the retrieval memory: a deterministic offline default, two options.

chromadb stores a collection's embedding function by ``name()`` and ``get_config()`` and
rebuilds it in a new process from its registry (``build_from_config``), so the class is
registered with ``register_embedding_function`` when this module is imported: a
persistent collection reopened later embeds its queries exactly as it embedded its
documents, and nothing is downloaded (chromadb's own default would fetch an ONNX model).

``HashingEmbeddingFunction`` hashes features of the text into a fixed-size vector:
for every line ``key: value`` each word of the value becomes ``key=word`` and each
character trigram ``key~tri`` (lines without a key use ``text``). Keys are weighted
(value shapes and code lists say more about a column than its name, which is exactly
what another force renames). blake2b, not ``hash()``: Python salts ``hash`` per process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

DEFAULT_DIMENSIONS = 512
DEFAULT_WEIGHTS: dict[str, float] = {"name": 1.0, "type": 1.0, "shapes": 1.5, "codes": 1.5, "stats": 0.75, "text": 1.0}
TRIGRAM_SHARE = 0.5  # trigrams catch CUST / CUSTODY; whole words say more
_WORD = re.compile(r"[a-z]+|[0-9]+|[^a-z0-9\s]+")
_KEYED = re.compile(r"^\s*([a-z_]+)\s*:\s*(.*)$")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def words(text: str) -> list[str]:
    """Lower-case words of a text; camelCase and snake_case are split, digits and symbols kept apart."""
    return _WORD.findall(_CAMEL.sub(" ", text).replace("_", " ").lower())


def features(text: str, weights: Mapping[str, float]) -> dict[str, float]:
    """Weighted features of a text: keyed words and keyed character trigrams."""
    found: dict[str, float] = {}
    for line in text.splitlines() or [text]:
        keyed = _KEYED.match(line)
        key, value = (keyed.group(1), keyed.group(2)) if keyed else ("text", line)
        weight = weights.get(key, weights.get("text", 1.0))
        for word in words(value):
            found[f"{key}={word}"] = found.get(f"{key}={word}", 0.0) + weight
            padded = f"^{word}$"
            for i in range(len(padded) - 2):
                gram = f"{key}~{padded[i:i + 3]}"
                found[gram] = found.get(gram, 0.0) + weight * TRIGRAM_SHARE
    return found


def _slot(feature: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    # the sign bit halves collisions' bias: two features in one slot cancel as often as add
    return number % dimensions, 1.0 if (number >> 63) & 1 else -1.0


def hashed_vector(text: str, dimensions: int = DEFAULT_DIMENSIONS, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> np.ndarray:
    """The L2-normalised hashed feature vector of a text (all zeros for a text without words)."""
    vector = np.zeros(dimensions, dtype=np.float64)
    for feature, weight in sorted(features(text, weights).items()):
        index, sign = _slot(feature, dimensions)
        vector[index] += sign * weight
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


@register_embedding_function
class HashingEmbeddingFunction(EmbeddingFunction[Documents]):
    """Deterministic, offline embeddings of short field descriptions (crosswalk's default)."""

    def __init__(self, dimensions: int = DEFAULT_DIMENSIONS, weights: Mapping[str, float] | None = None) -> None:
        if dimensions < 16:
            raise ValueError("dimensions must be at least 16")
        self.dimensions = dimensions
        self.weights = dict(weights if weights is not None else DEFAULT_WEIGHTS)

    def __call__(self, input: Documents) -> Embeddings:
        return [hashed_vector(text, self.dimensions, self.weights).astype(np.float32) for text in input]

    @staticmethod
    def name() -> str:
        return "crosswalk_hashing"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "HashingEmbeddingFunction":
        HashingEmbeddingFunction.validate_config(config)
        return HashingEmbeddingFunction(int(config.get("dimensions", DEFAULT_DIMENSIONS)), config.get("weights"))

    def get_config(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions, "weights": dict(self.weights)}

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        dimensions = config.get("dimensions", DEFAULT_DIMENSIONS)
        if not isinstance(dimensions, int) or dimensions < 16:
            raise ValueError(f"crosswalk_hashing: dimensions must be an integer >= 16, not {dimensions!r}")

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        # other dimensions or weights would make stored vectors incomparable with new ones
        if old_config != new_config:
            raise ValueError("crosswalk_hashing: a collection's embedding configuration cannot change")


def make_embedding_function(kind: str = "hashing", model: str | None = None) -> EmbeddingFunction[Documents]:
    """The embedding function a memory uses: ``hashing`` (default, offline), ``sentence-transformers``
    (a model from a local folder; the package must be installed) or ``openai`` (key in ``OPENAI_API_KEY``).

    The options use chromadb's own registered classes, so reopened collections rebuild them too.
    """
    if kind == "hashing":
        return HashingEmbeddingFunction()
    if kind == "sentence-transformers":
        if not model or not Path(model).is_dir():
            # a model name rather than a folder would be downloaded: refused, nothing is fetched at run time
            raise ValueError("sentence-transformers embeddings need a local model folder (CROSSWALK_MEMORY_EMBEDDING_MODEL)")
        from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

        return SentenceTransformerEmbeddingFunction(model_name=model)  # type: ignore[return-value]
    if kind == "openai":
        from chromadb.utils.embedding_functions import OpenAIEmbeddingFunction

        return OpenAIEmbeddingFunction(model_name=model or "text-embedding-3-small")  # type: ignore[return-value]
    raise ValueError(f"unknown memory embedding {kind!r}: use hashing, sentence-transformers or openai")
