"""Profile a source file, keep the profile with its dataset, and log it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent.audit import record_event
from agent.jobs.source_access import ReadOptions, require_file
from agent.settings import Settings
from agent.store import close_run, open_run, open_session, register_dataset, save_profile
from tools.profile import SourceProfile, profile_source
from tools.readers import open_source


@dataclass(frozen=True)
class ProfileOutcome:
    run_id: str
    dataset_id: str
    profile: SourceProfile


def run_profile_job(
    settings: Settings, source_path: Path, *, sample_size: int | None = None, read_options: ReadOptions | None = None
) -> ProfileOutcome:
    """Read a sample of ``source_path``, profile it, store the profile and audit events."""
    require_file(source_path)
    options = read_options or ReadOptions()
    sample = sample_size if sample_size is not None else settings.sample_size
    actor = settings.actor()
    with open_source(source_path, **options.as_kwargs()) as reader:
        info = reader.info
        with open_session(settings) as session:
            dataset = register_dataset(
                session, source_path, sha256=info.sha256, format=info.format, size_bytes=info.size_bytes
            )
            run = open_run(session, "profile", actor=actor, dataset_id=dataset.id)
            record_event(session, actor, "run_started", f"run:{run.id}", {"kind": "profile"}, {}, run.id)
            record_event(
                session, actor, "dataset_read", f"dataset:{dataset.id}",
                {"path": str(source_path), "read_options": options.given()},
                {"sha256": info.sha256, "size_bytes": info.size_bytes, "format": info.format,
                 "encoding": info.encoding, "delimiter": info.delimiter, "sheet": info.sheet,
                 "fields": list(info.fields)},
                run.id,
            )
            try:
                profile = profile_source(reader, sample_size=sample)
            except Exception as exc:
                close_run(session, run, error=f"{type(exc).__name__}: {exc}")
                record_event(session, actor, "profile_failed", f"run:{run.id}", {}, {"error": str(exc)}, run.id)
                raise
            profile_json = profile.model_dump(mode="json")
            save_profile(session, dataset, profile_json)
            counts = {"fields": len(info.fields), "sample_size": sample}
            record_event(
                session, actor, "profile_computed", f"dataset:{dataset.id}",
                {"sample_size": sample}, counts, run.id,
            )
            close_run(session, run, summary=counts)
            return ProfileOutcome(run_id=run.id, dataset_id=dataset.id, profile=profile)
