"""Does the agent learn? Force B's custody export proposed before and after force A's approval.

``python -m evals.learning_eval`` writes the two forces' cases (``evals.learning_case``),
proposes B offline with an empty memory, approves A's true mapping into the memory
(``agent.jobs.memory_job.remember_approved``, as ``crosswalk memory add`` does), proposes
B again and scores both proposals with the eval harness. Learning means more of B's
fields auto-accepted with auto-accept precision not lower; every field that changed is
printed with the evidence the memory added.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.jobs.memory_job import remember_approved
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.settings import Settings
from agent.store import get_engine
from evals.case_loader import load_case
from evals.harness import CaseResult, run_case
from evals.learning_case import write_forces
from tools.mapping import load_mapping

SYSTEM = "Niche RMS"
APPROVER = "supervisor.a"


@dataclass(frozen=True)
class LearningResult:
    """Force B's scores before and after force A's mapping was approved into the memory."""

    before: CaseResult
    after: CaseResult
    auto_before: list[str]
    auto_after: list[str]
    explanations: dict[str, str]  # target newly auto-accepted -> the past-approval evidence

    @property
    def learned(self) -> bool:
        return self.after.automation > self.before.automation and self.after.auto_precision >= self.before.auto_precision


def _auto(proposal: dict[str, Any]) -> list[str]:
    return [f["target"] for f in proposal["fields"] if f["status"] == "auto_accepted"]


def run_learning_eval(workdir: Path) -> LearningResult:
    """Run the before/after comparison in ``workdir`` (its own data dir: the user's memory is untouched)."""
    folder_a, folder_b = write_forces(workdir / "cases")
    settings = Settings(data_dir=workdir / "data", database_url=None, user="crosswalk-learning-eval")
    case_b = load_case(folder_b)
    proposals: list[dict[str, Any]] = []

    def propose_fn(source: Path, schema: Path) -> dict[str, Any]:
        out = workdir / "proposals" / f"b-{len(proposals) + 1}.json"
        run_propose_job(settings, ProposeRequest(out_path=out, source_path=source, target_schema_path=schema, offline=True))
        proposals.append(json.loads(out.read_text(encoding="utf-8")))
        return proposals[-1]

    try:
        before = run_case(case_b, propose_fn, workdir=workdir / "before")
        remember_approved(settings, load_mapping(folder_a / "truth.mapping.json"), folder_a / "source.csv", system=SYSTEM,
                          approved_by=APPROVER, dataset="force_a_custody", schema_path=folder_a / "target.schema.json")
        after = run_case(case_b, propose_fn, workdir=workdir / "after")
    finally:
        get_engine(settings).dispose()
    auto_before, auto_after = _auto(proposals[0]), _auto(proposals[1])
    evidence = proposals[1].get("evidence", {})
    explanations = {t: evidence.get(t, {}).get("past_explanation", "") for t in auto_after if t not in auto_before}
    return LearningResult(before, after, auto_before, auto_after, explanations)


def render(result: LearningResult) -> str:
    """The before/after table and the fields the memory moved."""
    rows = [("", "before (empty memory)", "after (A approved)"),
            ("auto-accepted fields", str(len(result.auto_before)), str(len(result.auto_after))),
            ("automation", f"{result.before.automation:.3f}", f"{result.after.automation:.3f}"),
            ("auto-accept precision", f"{result.before.auto_precision:.3f}", f"{result.after.auto_precision:.3f}"),
            ("field F1", f"{result.before.f1:.3f}", f"{result.after.f1:.3f}")]
    lines = ["learning eval: force B's custody export (renamed, reordered columns) before and after force A's approval", ""]
    lines += [f"{a:<24}{b:>24}{c:>22}" for a, b, c in rows]
    lines.append("")
    for target, why in sorted(result.explanations.items()):
        lines.append(f"newly auto-accepted {target}: {why}")
    lines.append("")
    lines.append("learned: more fields auto-accepted, precision not lower" if result.learned else "NOT LEARNED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run in a temporary folder (or the one given) and print the comparison; exit 1 if nothing was learned."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        result = run_learning_eval(Path(args[0]))
    else:
        with tempfile.TemporaryDirectory(prefix="crosswalk-learning-") as scratch:
            result = run_learning_eval(Path(scratch))
    print(render(result))
    return 0 if result.learned else 1


if __name__ == "__main__":
    raise SystemExit(main())
