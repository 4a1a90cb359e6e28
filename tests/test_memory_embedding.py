"""The memory's default embedding: deterministic, offline, normalised, and registered with chromadb."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from chromadb.utils.embedding_functions import config_to_embedding_function, known_embedding_functions

from tools.memory.embedding import DEFAULT_DIMENSIONS, HashingEmbeddingFunction, features, hashed_vector, make_embedding_function, words

CUSTODY = "name: CUSTODY_NO\ntype: string\nshapes: AA/9999/999999\nstats: nullsnone unique len14to14"
RENAMED = "name: CUST_REF\ntype: string\nshapes: AA/9999/999999\nstats: nullsnone unique len14to14"
SEX = "name: SEX\ntype: string\nshapes: A\nstats: nullsnone repeated len1to1\ncodes: M F U"


def test_words_split_case_styles_digits_and_symbols() -> None:
    assert words("lastUpdated_BY") == ["last", "updated", "by"]
    assert words("AA/9999/999999") == ["aa", "/", "9999", "/", "999999"]


def test_features_are_keyed_by_their_line_and_weighted() -> None:
    found = features("name: OIC\nshapes: 9999", {"name": 1.0, "shapes": 2.0})
    assert found["name=oic"] == 1.0 and found["name~^oi"] == 0.5
    assert found["shapes=9999"] == 2.0 and found["shapes~999"] == 2.0  # two trigrams '999' at half weight each
    assert "text=oic" not in found


def test_the_same_text_gives_the_same_unit_vector() -> None:
    first, second = hashed_vector(CUSTODY), hashed_vector(CUSTODY)
    assert first.shape == (DEFAULT_DIMENSIONS,)
    assert np.array_equal(first, second)
    assert float(np.linalg.norm(first)) == pytest.approx(1.0)


def test_a_text_without_words_embeds_as_zeros() -> None:
    assert not hashed_vector("   ").any()


def test_a_renamed_column_with_the_same_values_stays_close_and_another_field_does_not() -> None:
    custody, renamed, sex = hashed_vector(CUSTODY), hashed_vector(RENAMED), hashed_vector(SEX)
    assert float(custody @ renamed) > 0.85
    assert float(custody @ sex) < 0.4


def test_vectors_are_identical_in_another_process() -> None:
    # Python's hash() is salted per process; the embedding must not depend on it
    code = ("from tools.memory.embedding import hashed_vector; import hashlib; "
            f"print(hashlib.sha256(hashed_vector({CUSTODY!r}).tobytes()).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": ""}, cwd=Path(__file__).resolve().parents[1])
    assert other.stdout.strip() == hashlib.sha256(hashed_vector(CUSTODY).tobytes()).hexdigest()


def test_the_function_is_registered_and_rebuilt_from_its_config() -> None:
    function = HashingEmbeddingFunction(dimensions=64)
    assert known_embedding_functions["crosswalk_hashing"] is HashingEmbeddingFunction
    assert not function.is_legacy()
    rebuilt = config_to_embedding_function({"name": function.name(), "config": function.get_config()})
    assert isinstance(rebuilt, HashingEmbeddingFunction) and rebuilt.get_config() == function.get_config()
    assert np.array_equal(np.asarray(rebuilt([SEX])[0]), np.asarray(function([SEX])[0]))
    assert function.default_space() == "cosine"


def test_a_changed_configuration_is_refused_for_an_existing_collection() -> None:
    function = HashingEmbeddingFunction()
    with pytest.raises(ValueError, match="cannot change"):
        function.validate_config_update(function.get_config(), {"dimensions": 128})
    with pytest.raises(ValueError, match="dimensions"):
        HashingEmbeddingFunction.validate_config({"dimensions": 4})


def test_the_options_never_download_a_model() -> None:
    assert isinstance(make_embedding_function(), HashingEmbeddingFunction)
    with pytest.raises(ValueError, match="local model folder"):
        make_embedding_function("sentence-transformers", "all-MiniLM-L6-v2")
    with pytest.raises(ValueError, match="unknown memory embedding"):
        make_embedding_function("word2vec")
