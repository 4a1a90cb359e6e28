"""Administrative repair of runs: releasing a run whose resuming process died.

``resume_run`` claims a run by moving it from ``review`` to ``resuming``; if that
process is killed (not merely failing, which releases the claim itself) the run stays
``resuming`` and nobody can resume it. An admin releases it back to ``review`` with a
reason, recorded in the audit log, and the run can be resumed again.
"""

from __future__ import annotations

from sqlalchemy import update

from agent.audit import record_event
from agent.jobs.propose_job import REVIEW_STATUS
from agent.jobs.review_job import RESUMING_STATUS
from agent.settings import Settings
from agent.store import Run, open_session
from tools.errors import CrosswalkError


class ReleaseError(CrosswalkError):
    """The run cannot be released (unknown, or not stuck in ``resuming``)."""


def release_run(settings: Settings, run_id: str, reason: str) -> Run:
    """Move a run from ``resuming`` back to ``review`` as ``settings.actor()``, with the reason audited."""
    if not reason.strip():
        raise ReleaseError("releasing a run needs a reason")
    actor = settings.actor()
    with open_session(settings) as session:
        run = session.get(Run, run_id)
        if run is None:
            raise ReleaseError(f"no run {run_id}")
        # conditional update: a resume that finishes meanwhile must not be undone
        result = session.execute(update(Run).where(Run.id == run_id, Run.status == RESUMING_STATUS)  # type: ignore[arg-type]
                                 .values(status=REVIEW_STATUS))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            session.refresh(run)
            raise ReleaseError(f"run {run_id} is {run.status}, not {RESUMING_STATUS}; only a run stuck while resuming "
                               "can be released")
        session.commit()
        session.refresh(run)
        record_event(session, actor, "run_released", f"run:{run_id}", {"reason": reason, "from": RESUMING_STATUS},
                     {"status": REVIEW_STATUS}, run_id)
        return run
