"""The replay report: the replayed document against the run's recorded mapping version.

A replay "reproduced" the run when no field differs in sources, transform, status or
confidence, no source moved in or out of the unmapped list and the time zone is the
same (``tools.mapping_diff``). ``identical`` says more: the replayed document hashes to
the recorded version id itself (rationales, evidence and review records included).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.mapping import MappingDocument
from tools.mapping_diff import MappingDiff, diff_documents


class ReplayReport(BaseModel):
    """The outcome of ``crosswalk audit replay RUN_ID``."""

    run_id: str
    live: bool = False
    reproduced: bool
    identical: bool = Field(default=False, description="The replayed document hashes to the recorded version id")
    recorded_version: str | None = Field(description="The run's final mapping version: reviewed if reviewed, else the proposal")
    replayed_version: str = Field(description="Content hash of the document the replay produced")
    diff: MappingDiff = Field(default_factory=MappingDiff)
    llm_answers_replayed: int = 0
    llm_requests_missing: int = 0
    decisions_reapplied: int = 0
    notes: list[str] = Field(default_factory=list)

    def changed_targets(self) -> list[str]:
        return [change.target for change in self.diff.fields]

    def log_summary(self) -> dict[str, Any]:
        """What the ``run_replayed`` audit event keeps: the outcome and which parts of which fields differ."""
        return {
            "reproduced": self.reproduced, "identical": self.identical, "recorded_version": self.recorded_version,
            "replayed_version": self.replayed_version, "llm_answers_replayed": self.llm_answers_replayed,
            "llm_requests_missing": self.llm_requests_missing, "decisions_reapplied": self.decisions_reapplied,
            "changed": {c.target: [p.part for p in c.parts] or [c.kind] for c in self.diff.fields},
            "unmapped_added": self.diff.unmapped_added, "unmapped_removed": self.diff.unmapped_removed,
            "notes": self.notes,
        }


def compare(run_id: str, recorded: MappingDocument | None, recorded_version: str | None, replayed: MappingDocument, *,
            live: bool, llm_answers: int, llm_missing: int, decisions: int, notes: list[str]) -> ReplayReport:
    """The report for one replay; with no recorded version every replayed field counts as added."""
    before = recorded if recorded is not None else MappingDocument(fields=[])
    diff = diff_documents(before, replayed)
    replayed_version = replayed.content_hash()
    return ReplayReport(run_id=run_id, live=live, reproduced=recorded is not None and diff.identical,
                        identical=replayed_version == recorded_version, recorded_version=recorded_version,
                        replayed_version=replayed_version, diff=diff, llm_answers_replayed=llm_answers,
                        llm_requests_missing=llm_missing, decisions_reapplied=decisions, notes=notes)
