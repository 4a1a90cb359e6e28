"""Propose runs started from the web app: an uploaded source file, proposed offline in the background.

The upload is stored under ``<data_dir>/uploads/<upload id>/<sanitised name>``: the
directory is a fresh random id and the client's file name is reduced to a plain base
name, so no name (``../../etc/passwd``, ``C:\\x``, ``<script>``) can choose where bytes
land. The run itself is ``run_propose_job`` exactly as ``crosswalk propose --offline``
runs it, as the signed-in person. A file that cannot even be read still becomes a run
(``failed``, with the message), so the person who uploaded it sees why.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent.audit import record_event
from agent.jobs.propose_job import ProposeRequest, run_propose_job
from agent.settings import Settings
from agent.store import close_run, open_run, open_session
from agent.store.run_queries import run_of_dataset_path
from tools.standards import bundled_standard_path

UPLOADS_FOLDER = "uploads"
RESULT_FILE = "run.json"  # written when the background job ends: which run the upload became
PROPOSAL_FILE = "proposal.json"
MAX_NAME_LENGTH = 120
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._ -]+")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TargetChoice:
    key: str
    label: str
    path: Callable[[], Path]


# The only schemas a web user may propose onto: server paths are never taken from a form.
TARGET_CHOICES: dict[str, TargetChoice] = {
    "police_standard": TargetChoice("police_standard", "Police record standard (bundled)", bundled_standard_path),
}
DEFAULT_TARGET = "police_standard"


class UploadError(ValueError):
    """The upload request itself is unacceptable (unknown schema choice, bad upload id)."""


def safe_file_name(client_name: str | None) -> str:
    """A plain file name from whatever the browser sent: no directories, no control or markup characters.

    The extension survives (the reader sniffs the format from it); anything else
    unusual becomes ``_``.
    """
    name = unicodedata.normalize("NFKC", client_name or "")
    name = re.split(r"[\\/]", name)[-1]  # the last path component, for / and Windows \ alike
    name = _UNSAFE_CHARS.sub("_", name).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:MAX_NAME_LENGTH]
    return name if name.strip("_") else "upload"


def uploads_root(settings: Settings) -> Path:
    return Path(settings.data_dir) / UPLOADS_FOLDER


def new_upload_dir(settings: Settings) -> tuple[str, Path]:
    """A fresh directory for one upload, named by a random id."""
    upload_id = uuid.uuid4().hex
    folder = uploads_root(settings) / upload_id
    folder.mkdir(parents=True, exist_ok=False)
    return upload_id, folder


def source_path_in(folder: Path, client_name: str | None) -> Path:
    """Where an upload's bytes go: its sanitised name inside its own folder, never one of the job's files."""
    name = safe_file_name(client_name)
    if name in (RESULT_FILE, PROPOSAL_FILE):
        name = f"source-{name}"
    return folder / name


def upload_dir(settings: Settings, upload_id: str) -> Path:
    """The directory of an existing upload id (ids are checked: they come from URLs)."""
    if not _UPLOAD_ID.match(upload_id):
        raise UploadError(f"not an upload id: {upload_id!r}")
    return uploads_root(settings) / upload_id


def target_schema_path(choice: str | None) -> Path:
    """The schema file of a form's target choice; unknown choices are refused."""
    found = TARGET_CHOICES.get(choice or DEFAULT_TARGET)
    if found is None:
        raise UploadError(f"unknown target schema {choice!r}; choose one of {', '.join(TARGET_CHOICES)}")
    return found.path()


def run_of_upload(settings: Settings, upload_id: str) -> str | None:
    """The run an upload became: recorded when the job ended, else found (while it runs) by the file it read."""
    folder = upload_dir(settings, upload_id)
    result = folder / RESULT_FILE
    if result.is_file():
        return str(json.loads(result.read_text(encoding="utf-8"))["run_id"])
    sources = [p for p in folder.iterdir() if p.is_file() and p.name not in (RESULT_FILE, PROPOSAL_FILE)] if folder.is_dir() else []
    with open_session(settings) as session:
        for source in sources:
            run = run_of_dataset_path(session, source)
            if run is not None:
                return run.id
    return None


def propose_upload(settings: Settings, upload_id: str, source: Path, target_choice: str | None, *,
                   original_name: str | None = None) -> str:
    """Run the offline proposer on an uploaded file as ``settings.actor()``; returns the run id.

    Called in the background after the response went out, so a failure of the job must
    end in the database (a failed run with the message) rather than in a log nobody reads.
    The upload itself is audited with the run: the name the browser sent and where it was stored.
    """
    folder = upload_dir(settings, upload_id)
    try:
        request = ProposeRequest(out_path=folder / PROPOSAL_FILE, source_path=source,
                                 target_schema_path=target_schema_path(target_choice), offline=True)
        run_id = run_propose_job(settings, request).run_id
    except Exception as exc:  # noqa: BLE001 - reported on the run page instead
        log.info("propose run of upload %s failed: %s", upload_id, exc)
        run_id = _record_failure(settings, source, exc)
    with open_session(settings) as session:
        record_event(session, settings.actor(), "source_uploaded", f"upload:{upload_id}",
                     {"original_name": original_name, "size_bytes": source.stat().st_size if source.is_file() else None,
                      "target_schema": target_choice or DEFAULT_TARGET},
                     {"stored_as": f"{UPLOADS_FOLDER}/{upload_id}/{source.name}"}, run_id)
    (folder / RESULT_FILE).write_text(json.dumps({"run_id": run_id}), encoding="utf-8")
    return run_id


def _record_failure(settings: Settings, source: Path, exc: Exception) -> str:
    """The failed run for an upload: the job's own run when it got that far, else a new one."""
    message = exc.one_line() if hasattr(exc, "one_line") else f"{type(exc).__name__}: {exc}"
    # the job names the file by its full path; the person knows it by its name
    message = message.replace(str(source.resolve()), source.name).replace(str(source), source.name)
    actor = settings.actor()
    with open_session(settings) as session:
        run = run_of_dataset_path(session, source)
        if run is None:  # failed before the run was opened (unreadable file): open one to report it
            run = open_run(session, "propose", actor=actor)
            close_run(session, run, summary={"source_name": source.name}, error=message)
            record_event(session, actor, "propose_failed", f"run:{run.id}", {"source_name": source.name},
                         {"error": message, "resumable": False}, run.id)
        elif run.status == "running":  # the job opened the run but failed outside the graph
            close_run(session, run, summary=run.summary, error=message)
        return run.id

