"""The retrieval memory: approved field mappings and target field descriptions in chromadb.

One collection holds every approved (or auto-accepted) single-source field of every
approved mapping version, embedded by its source field's profile summary; the metadata
says where it was approved and what it became (target, transform, who, which version).
A second holds the target standard's field descriptions. ``recall`` answers "what did
we approve before for fields like this one?" with similarities in 0..1 (cosine).

Embedded by default (``PersistentClient`` in a folder); a team points ``url`` at a chroma
server (``HttpClient``). Telemetry is always off. Records are upserted under ids derived
from (schema, dataset, target, source), so approving the same version twice stores nothing new.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings

from tools.mapping import MappingDocument
from tools.memory.documents import field_summary, schema_key, target_summary
from tools.memory.embedding import HashingEmbeddingFunction
from tools.profile import FieldProfile, SourceProfile
from tools.target_schema import TargetSchema

MAPPINGS = "approved_mappings"
TARGETS = "target_fields"
REMEMBERED = ("approved", "auto_accepted")


@dataclass(frozen=True)
class PastMatch:
    """One approved mapping recalled for a source field, with how alike the two fields are."""

    target: str
    transform: dict[str, Any]
    similarity: float
    dataset: str
    approved_by: str
    system: str = ""
    source_field: str = ""
    mapping_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class RememberResult:
    """What one ``remember_mapping`` call stored and what it left out (and why)."""

    stored: list[str]  # target pointers
    skipped: dict[str, str]  # target pointer -> reason


def telemetry_off() -> ChromaSettings:
    """chromadb settings with anonymised telemetry disabled (nothing leaves the machine)."""
    return ChromaSettings(anonymized_telemetry=False)


def open_client(path: Path | None = None, url: str | None = None) -> ClientAPI:
    """A PersistentClient in ``path``, or an HttpClient when ``url`` (http[s]://host:port) is given."""
    if url:
        parsed = urlparse(url)
        if not parsed.hostname:
            raise ValueError(f"memory URL {url!r} has no host")
        ssl = parsed.scheme == "https"
        return chromadb.HttpClient(host=parsed.hostname, port=parsed.port or (443 if ssl else 8000), ssl=ssl,
                                   settings=telemetry_off())
    if path is None:
        raise ValueError("a memory needs a folder or a URL")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=telemetry_off())


def _record_id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class MappingMemory:
    """Approved mappings and target descriptions, recalled by similarity."""

    def __init__(self, client: ClientAPI, embedding: EmbeddingFunction[Documents] | None = None) -> None:
        self.client = client
        self.embedding = embedding or HashingEmbeddingFunction()
        self.mappings = self._collection(MAPPINGS)
        self.targets = self._collection(TARGETS)

    @classmethod
    def open(cls, path: Path | None = None, url: str | None = None,
             embedding: EmbeddingFunction[Documents] | None = None) -> "MappingMemory":
        return cls(open_client(path, url), embedding)

    def _collection(self, name: str) -> Collection:
        return self.client.get_or_create_collection(
            name, embedding_function=self.embedding,  # type: ignore[arg-type]
            configuration={"hnsw": {"space": "cosine"}},
        )

    def remember_mapping(self, doc: MappingDocument, profile: SourceProfile, dataset: str, system: str, approved_by: str,
                         *, mapping_version: str = "", now: dt.datetime | None = None) -> RememberResult:
        """Store every approved or auto-accepted single-source field of ``doc``, described by its source's profile."""
        when = (now or dt.datetime.now(dt.timezone.utc)).isoformat()
        schema = schema_key(doc)
        ids, texts, metas, stored = [], [], [], []
        skipped: dict[str, str] = {}
        for field in doc.fields:
            if field.status not in REMEMBERED:
                skipped[field.target] = f"status {field.status}"
                continue
            if len(field.sources) != 1:
                skipped[field.target] = "several source fields: a merge is not recalled field by field"
                continue
            found = profile.field(field.sources[0])
            if found is None:
                skipped[field.target] = f"source field {field.sources[0]!r} is not in the profile"
                continue
            ids.append(_record_id(schema, dataset, field.target, found.name))
            texts.append(field_summary(found))
            metas.append({"schema": schema, "dataset": dataset, "system": system, "source_field": found.name,
                          "target": field.target, "transform": json.dumps(field.transform.model_dump(mode="json"), sort_keys=True),
                          "approved_by": approved_by, "mapping_version": mapping_version, "time": when})
            stored.append(field.target)
        if ids:
            self.mappings.upsert(ids=ids, documents=texts, metadatas=metas)  # type: ignore[arg-type]
        return RememberResult(stored, skipped)

    def remember_targets(self, schema: TargetSchema) -> int:
        """Store the target standard's field descriptions (title, description, constraints)."""
        key = schema_key(schema=schema)
        fields = list(schema.fields)
        if fields:
            self.targets.upsert(ids=[_record_id(key, f.pointer) for f in fields], documents=[target_summary(f) for f in fields],
                                metadatas=[{"schema": key, "target": f.pointer} for f in fields])
        return len(fields)

    def recall(self, field_profile: FieldProfile, top_k: int = 5, *, schema: str | None = None) -> list[PastMatch]:
        """Past approvals of fields like this one, most similar first (empty memory: nothing)."""
        return self.recall_many([field_profile], top_k, schema=schema).get(field_profile.name, [])

    def recall_many(self, profiles: list[FieldProfile], top_k: int = 5, *,
                    schema: str | None = None) -> dict[str, list[PastMatch]]:
        """``recall`` for several fields in one query; fields with no match are left out."""
        count = self.mappings.count()
        if count == 0 or not profiles or top_k < 1:
            return {}
        where = {"schema": schema} if schema else None
        found = self.mappings.query(query_texts=[field_summary(p) for p in profiles], n_results=min(top_k, count),
                                    where=where, include=["metadatas", "distances"])  # type: ignore[arg-type]
        result: dict[str, list[PastMatch]] = {}
        for profile, metas, distances in zip(profiles, found["metadatas"] or [], found["distances"] or []):
            matches = [_past_match(meta, distance) for meta, distance in zip(metas, distances)]
            if matches:
                result[profile.name] = matches
        return result

    def recall_targets(self, field_profile: FieldProfile, top_k: int = 5, *, schema: str | None = None) -> list[tuple[str, float]]:
        """Target fields whose descriptions are most like a source field's summary: (pointer, similarity)."""
        count = self.targets.count()
        if count == 0 or top_k < 1:
            return []
        found = self.targets.query(query_texts=[field_summary(field_profile)], n_results=min(top_k, count),
                                   where={"schema": schema} if schema else None, include=["metadatas", "distances"])  # type: ignore[arg-type]
        metas, distances = (found["metadatas"] or [[]])[0], (found["distances"] or [[]])[0]
        return [(str(meta["target"]), round(max(0.0, min(1.0, 1.0 - float(d))), 4)) for meta, d in zip(metas, distances)]

    def stats(self) -> dict[str, Any]:
        """How much the memory holds: mappings, datasets, systems, target fields."""
        metas = self.mappings.get(include=["metadatas"])["metadatas"] or []
        return {"mappings": len(metas), "datasets": len({m.get("dataset") for m in metas}),
                "systems": sorted({str(m.get("system")) for m in metas if m.get("system")}),
                "approvers": sorted({str(m.get("approved_by")) for m in metas}),
                "target_fields": self.targets.count(), "embedding": self.embedding.name()}


def _past_match(meta: Any, distance: float) -> PastMatch:
    return PastMatch(target=str(meta["target"]), transform=json.loads(str(meta["transform"])),
                     similarity=round(max(0.0, min(1.0, 1.0 - float(distance))), 4), dataset=str(meta["dataset"]),
                     approved_by=str(meta["approved_by"]), system=str(meta.get("system", "")),
                     source_field=str(meta.get("source_field", "")), mapping_version=str(meta.get("mapping_version", "")))
