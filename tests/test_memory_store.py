"""MappingMemory: approved fields in, similar fields' approvals out; persistent across processes."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.propose_data import write_csv
from tools.mapping import FieldMapping, MappingDocument, TargetDescription
from tools.memory.documents import field_summary, schema_key
from tools.memory.store import MappingMemory, PastMatch
from tools.profile import SourceProfile, profile_source
from tools.readers import open_source
from tools.target_schema import load_target_schema
from tools.transforms import Text

ROOT = Path(__file__).resolve().parents[1]
STANDARD = "https://crosswalk.invalid/custody.schema.json"


def profile_of(path: Path) -> SourceProfile:
    with open_source(path) as reader:
        return profile_source(reader, sample_size=500)


def custody_source(folder: Path, names: tuple[str, str, str] = ("CUSTODY_NO", "SEX", "NOTES")) -> Path:
    rows = [{names[0]: f"CU/2023/{4000 + i:06d}", names[1]: "MFU"[i % 3], names[2]: f"free text {i}"} for i in range(60)]
    return write_csv(folder / "source.csv", rows)


def approved(statuses: tuple[str, str, str] = ("approved", "auto_accepted", "needs_review")) -> MappingDocument:
    fields = [FieldMapping(target="/custody/reference", sources=["CUSTODY_NO"], transform=Text(), confidence=1.0, status=statuses[0]),
              FieldMapping(target="/detainee/sex", sources=["SEX"], transform=Text(), confidence=1.0, status=statuses[1]),
              FieldMapping(target="/custody/notes", sources=["NOTES"], transform=Text(), confidence=0.5, status=statuses[2])]
    return MappingDocument(fields=fields, target_schema=TargetDescription(id=STANDARD))


def test_an_empty_memory_recalls_nothing(tmp_path: Path) -> None:
    memory = MappingMemory.open(tmp_path / "memory")
    profile = profile_of(custody_source(tmp_path))
    assert memory.recall(profile.fields[0], 5) == []
    assert memory.stats() == {"mappings": 0, "datasets": 0, "systems": [], "approvers": [], "target_fields": 0,
                              "embedding": "crosswalk_hashing"}


def test_telemetry_is_off(tmp_path: Path) -> None:
    memory = MappingMemory.open(tmp_path / "memory")
    assert memory.client.get_settings().anonymized_telemetry is False


def test_only_approved_and_auto_accepted_fields_are_remembered(tmp_path: Path) -> None:
    memory = MappingMemory.open(tmp_path / "memory")
    profile = profile_of(custody_source(tmp_path))
    result = memory.remember_mapping(approved(), profile, "force_a", "Niche", "alice", mapping_version="v1")
    assert result.stored == ["/custody/reference", "/detainee/sex"]
    assert result.skipped == {"/custody/notes": "status needs_review"}
    # the same approval twice is the same records, not new ones
    memory.remember_mapping(approved(), profile, "force_a", "Niche", "alice", mapping_version="v1")
    assert memory.stats()["mappings"] == 2


def test_a_renamed_field_recalls_the_approval_of_its_namesake(tmp_path: Path) -> None:
    memory = MappingMemory.open(tmp_path / "memory")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    memory.remember_mapping(approved(), profile_of(custody_source(tmp_path / "a")), "force_a", "Niche", "alice")
    renamed = profile_of(custody_source(tmp_path / "b", ("CUST_REF", "GNDR", "REMARKS")))
    best = memory.recall(renamed.field("CUST_REF"), 2, schema=STANDARD)  # type: ignore[arg-type]
    assert [m.target for m in best] == ["/custody/reference", "/detainee/sex"]
    assert best[0].similarity > 0.9 > best[1].similarity
    assert (best[0].dataset, best[0].approved_by, best[0].system, best[0].source_field) == ("force_a", "alice", "Niche", "CUSTODY_NO")
    assert best[0].transform == {"op": "text", "case": "keep", "collapse_spaces": True, "null_values": [], "trim": True}
    # another standard's pointers are not this one's
    assert memory.recall(renamed.field("CUST_REF"), 2, schema="https://other.invalid/schema.json") == []  # type: ignore[arg-type]


def test_target_descriptions_are_kept_and_recalled(tmp_path: Path) -> None:
    schema_path = tmp_path / "target.schema.json"
    schema_path.write_text(json.dumps({
        "$id": STANDARD, "type": "object",
        "properties": {"sex": {"type": "string", "title": "Sex", "enum": ["M", "F", "U"]},
                       "custody_reference": {"type": "string", "title": "Custody reference", "description": "Custody number"}},
    }), encoding="utf-8")
    memory = MappingMemory.open(tmp_path / "memory")
    profile = profile_of(custody_source(tmp_path))
    assert memory.recall_targets(profile.field("SEX"), 2) == []  # type: ignore[arg-type]
    assert memory.remember_targets(load_target_schema(schema_path)) == 2
    found = memory.recall_targets(profile.field("SEX"), 2, schema=STANDARD)  # type: ignore[arg-type]
    assert [target for target, _ in found] == ["/sex", "/custody_reference"]
    assert found[0][1] > found[1][1]
    assert memory.stats()["target_fields"] == 2


def test_summaries_hold_shapes_and_codes_but_no_free_text(tmp_path: Path) -> None:
    profile = profile_of(custody_source(tmp_path))
    sex = field_summary(profile.field("SEX"))  # type: ignore[arg-type]
    assert sex.splitlines()[0] == "name: SEX" and "codes: F M U" in sex  # equal counts: in value order
    notes = field_summary(profile.field("NOTES"))  # type: ignore[arg-type]
    assert "free text" not in notes and "codes:" not in notes
    assert schema_key(approved()) == STANDARD


WRITE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tests.test_memory_store import approved, custody_source, profile_of
    from tools.memory.store import MappingMemory
    folder = Path(sys.argv[1])
    memory = MappingMemory.open(folder / "memory")
    memory.remember_mapping(approved(), profile_of(custody_source(folder)), "force_a", "Niche", "alice", mapping_version="v1")
""")

READ = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import chromadb
    import tools.memory.embedding  # registers the embedding function, as importing the memory does
    from tests.test_memory_store import custody_source, profile_of
    from tools.memory.documents import field_summary
    from tools.memory.store import MappingMemory, telemetry_off
    folder = Path(sys.argv[1])
    # a fresh client that is not told the embedding function: chromadb rebuilds it from the collection's config
    raw = chromadb.PersistentClient(path=str(folder / "memory"), settings=telemetry_off()).get_collection("approved_mappings")
    probe = profile_of(custody_source(folder / "b", ("CUST_REF", "GNDR", "REMARKS")))
    queried = raw.query(query_texts=[field_summary(probe.field("GNDR"))], n_results=1)
    recalled = MappingMemory.open(folder / "memory").recall(probe.field("GNDR"), 1)
    print(json.dumps({"embedding": raw.configuration_json["embedding_function"]["name"],
                      "raw": [queried["metadatas"][0][0]["target"], 1 - queried["distances"][0][0]],
                      "recalled": [m.to_json() for m in recalled]}))
""")


def test_a_memory_written_in_one_process_is_read_in_another(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    subprocess.run([sys.executable, "-c", WRITE, str(tmp_path)], cwd=ROOT, check=True, capture_output=True, text=True)
    done = subprocess.run([sys.executable, "-c", READ, str(tmp_path)], cwd=ROOT, check=True, capture_output=True, text=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["embedding"] == "crosswalk_hashing"
    (recalled,) = [PastMatch(**m) for m in found["recalled"]]
    assert found["raw"][0] == recalled.target == "/detainee/sex"
    assert found["raw"][1] == pytest.approx(recalled.similarity, abs=1e-4)
    assert recalled.similarity > 0.9
    assert (recalled.dataset, recalled.approved_by, recalled.mapping_version) == ("force_a", "alice", "v1")
