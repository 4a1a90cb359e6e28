"""A dataset's approved mapping versions: numbered from the audit log, named as DATASET or DATASET@N."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.audit import record_event
from agent.audit.approved_versions import approved_versions, resolve_mapping_ref
from agent.settings import Settings
from agent.store import open_session, open_run, register_dataset
from tools.errors import StoreError

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


def _approve(settings: Settings, path: Path, version_id: str, approver: str) -> None:
    """What a fully reviewed propose run of ``path`` leaves in the log (the bits the numbering reads)."""
    with open_session(settings) as session:
        dataset = register_dataset(session, path, sha256=version_id[:8] * 8, format="csv", size_bytes=1)
        run = open_run(session, "propose", actor="alice", dataset_id=dataset.id)
        record_event(session, approver, "mapping_approved", f"mapping_version:{version_id}", {"run": run.id}, {}, run.id)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    found = Settings(data_dir=tmp_path / "cw")
    # two exports with the same file name from different folders count as one dataset's history
    _approve(found, tmp_path / "jan" / "custody.csv", "a" * 64, "carol")
    _approve(found, tmp_path / "other.csv", "b" * 64, "carol")
    _approve(found, tmp_path / "feb" / "custody.csv", "c" * 64, "dave")
    return found


def test_versions_are_numbered_per_dataset_name_in_log_order(settings: Settings) -> None:
    with open_session(settings) as session:
        custody = approved_versions(session, "custody.csv")
        other = approved_versions(session, "other.csv")
        assert approved_versions(session, "missing.csv") == []
    assert [(v.number, v.version_id[0], v.approved_by, v.dataset_name) for v in custody] == [
        (1, "a", "carol", "custody.csv"), (2, "c", "dave", "custody.csv")]
    assert [(v.number, v.version_id[0]) for v in other] == [(1, "b")]


def test_a_dataset_name_resolves_to_its_latest_or_numbered_version(settings: Settings) -> None:
    with open_session(settings) as session:
        assert resolve_mapping_ref(session, "custody.csv") == "c" * 64
        assert resolve_mapping_ref(session, "custody.csv@1") == "a" * 64
        assert resolve_mapping_ref(session, "other.csv@1") == "b" * 64
        with pytest.raises(StoreError, match="custody.csv has approved mapping versions 1 to 2; custody.csv@3"):
            resolve_mapping_ref(session, "custody.csv@3")
        with pytest.raises(StoreError, match="versions 1 to 2; custody.csv@x names none"):
            resolve_mapping_ref(session, "custody.csv@x")
        with pytest.raises(StoreError, match="no approved mapping version for a dataset named missing.csv"):
            resolve_mapping_ref(session, "missing.csv@1")
        with pytest.raises(StoreError, match="mapping version missing.csv is not stored"):
            resolve_mapping_ref(session, "missing.csv")
