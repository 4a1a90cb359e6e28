"""The retrieval memory from the application's side: open it, write approved mappings, count.

``remember_approved`` is what approving a mapping version does to the memory (the CLI's
``memory add`` now, the review UI's approve action next): the version is stored, its
source is profiled (the memory embeds profile summaries, never rows), every approved or
auto-accepted single-source field is written, and one audit event records what was
remembered and what was not. ``open_memory`` gives the propose job its memory, or None
while nothing was ever approved (no folder yet), so a fresh install never loads chromadb.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.audit import record_event
from agent.jobs.source_access import ReadOptions, require_file
from agent.settings import Settings
from agent.store import open_session, register_dataset, store_mapping_version
from tools.errors import CrosswalkError, SchemaError
from tools.mapping import MappingDocument
from tools.profile import profile_source
from tools.readers import open_source
from tools.target_schema import load_target_schema

if TYPE_CHECKING:  # importing tools.memory.store loads chromadb: only when a memory is opened
    from tools.memory.store import MappingMemory


class MemoryStoreError(CrosswalkError):
    """The memory cannot be opened or written (bad URL, unreachable server, bad embedding option)."""


@dataclass(frozen=True)
class MemoryAddOutcome:
    mapping_version_id: str
    dataset: str
    stored: list[str]
    skipped: dict[str, str]
    target_fields: int
    stats: dict[str, Any] = field(default_factory=dict)


def open_memory(settings: Settings, *, create: bool = False) -> "MappingMemory | None":
    """The configured memory; None when it is embedded and was never written (unless ``create``)."""
    if not settings.memory_url and not create and not settings.memory_dir().exists():
        return None
    from tools.memory.embedding import make_embedding_function
    from tools.memory.store import MappingMemory

    try:
        embedding = make_embedding_function(settings.memory_embedding, settings.memory_embedding_model)
        if settings.memory_url:
            return MappingMemory.open(url=settings.memory_url, embedding=embedding)
        return MappingMemory.open(settings.memory_dir(), embedding=embedding)
    except (ValueError, OSError) as exc:
        raise MemoryStoreError(f"retrieval memory: {exc}") from None


def remember_approved(settings: Settings, document: MappingDocument, source_path: Path, *, system: str, approved_by: str,
                      dataset: str | None = None, read_options: ReadOptions | None = None,
                      schema_path: Path | None = None) -> MemoryAddOutcome:
    """Store ``document`` as an approved mapping version and write its approved fields to the memory."""
    require_file(source_path)
    options = read_options or ReadOptions()
    actor = settings.actor()
    with open_source(source_path, **options.as_kwargs()) as reader:
        info = reader.info
        profile = profile_source(reader, sample_size=settings.sample_size)
    label = dataset or source_path.stem
    memory = open_memory(settings, create=True)
    assert memory is not None
    with open_session(settings) as session:
        registered = register_dataset(session, source_path, sha256=info.sha256, format=info.format, size_bytes=info.size_bytes)
        version = store_mapping_version(session, document, created_by=approved_by)
        result = memory.remember_mapping(document, profile, label, system, approved_by, mapping_version=version.id)
        targets = _remember_targets(memory, schema_path)
        record_event(session, actor, "memory_remembered", f"mapping_version:{version.id}",
                     {"dataset_id": registered.id, "dataset": label, "system": system, "approved_by": approved_by,
                      "memory": settings.memory_url or str(settings.memory_dir())},
                     {"stored": result.stored, "skipped": result.skipped, "target_fields": targets})
    return MemoryAddOutcome(version.id, label, result.stored, result.skipped, targets, memory.stats())


def _remember_targets(memory: "MappingMemory", schema_path: Path | None) -> int:
    """The target standard's field descriptions, when its schema file is at hand (0 otherwise)."""
    if schema_path is None or not schema_path.is_file():
        return 0
    try:
        return memory.remember_targets(load_target_schema(schema_path))
    except SchemaError:
        return 0


def memory_stats(settings: Settings) -> dict[str, Any]:
    """What the memory holds (an embedded memory never written holds nothing)."""
    memory = open_memory(settings)
    if memory is None:
        return {"mappings": 0, "datasets": 0, "systems": [], "approvers": [], "target_fields": 0,
                "embedding": settings.memory_embedding}
    return memory.stats()
