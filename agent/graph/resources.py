"""What nodes read from disk: the source sample and the target schema, cached per process.

The checkpoint holds only plain data, so a resumed run (a new process) reads the
sample and the schema again from their paths; both are checked against the hashes
recorded when the run started, so a run never finishes on a file other than the one it
began with. Within one process each is read once: opening a source hashes the whole
file, which no node should repeat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from typing import Any, Mapping

from tools.errors import SchemaError, SourceError
from tools.readers import SourceInfo, SourceRow, open_source
from tools.target_schema import TargetSchema, load_target_schema


@dataclass
class Sample:
    """The first rows of a source: ``sample_size`` of them plus one, which tells whether there are more."""

    info: SourceInfo
    rows: list[SourceRow]
    sample_size: int

    @cached_property
    def values(self) -> list[dict[str, Any]]:
        """The sampled rows that read cleanly, as the profiler saw them."""
        return [row.values for row in self.rows[: self.sample_size] if row.error is None]

    def reader(self) -> "SampleReader":
        return SampleReader(self.info, self.rows)


@dataclass
class SampleReader:
    """A SourceReader over rows already in memory, so the profiler does not open the file again."""

    info: SourceInfo
    held: list[SourceRow]

    def rows(self) -> Iterator[SourceRow]:
        return iter(self.held)

    def close(self) -> None:
        return None

    def __enter__(self) -> "SampleReader":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def read_sample(path: str, options: Mapping[str, str], sample_size: int) -> Sample:
    """Open the source once and keep its first ``sample_size + 1`` rows; never reads further."""
    with open_source(path, **dict(options)) as reader:
        rows = reader.rows()
        try:
            head = list(islice(rows, sample_size + 1))
        finally:
            close = getattr(rows, "close", None)
            if callable(close):
                close()
        return Sample(info=reader.info, rows=head, sample_size=sample_size)


@dataclass
class SampleCache:
    """Samples by (path, read options, size); checked against the run's recorded file hash."""

    found: dict[tuple[str, tuple[tuple[str, str], ...], int], Sample] = field(default_factory=dict)

    def load(self, path: str, options: Mapping[str, str], sample_size: int) -> Sample:
        key = (path, tuple(sorted(options.items())), sample_size)
        sample = self.found.get(key)
        if sample is None:
            sample = self.found[key] = read_sample(path, options, sample_size)
        return sample

    def get(self, state: Mapping[str, Any]) -> Sample:
        """The sample of the run's source; a SourceError if the file changed since the run read it."""
        sample = self.load(state["source_path"], state.get("read_options") or {}, state["sample_size"])
        expected = (state.get("source_info") or {}).get("sha256")
        if expected and sample.info.sha256 != expected:
            raise SourceError(state["source_path"], f"changed since run {state.get('run_id')} read it "
                                                    f"(sha256 {expected[:16]}... then, {sample.info.sha256[:16]}... now); start a new run")
        return sample


@dataclass
class SchemaCache:
    """Loaded target schemas by path; checked against the run's recorded schema hash."""

    found: dict[str, TargetSchema] = field(default_factory=dict)

    def get(self, state: Mapping[str, Any]) -> TargetSchema:
        path = state["schema_path"]
        schema = self.found.get(path)
        if schema is None:
            schema = self.found[path] = load_target_schema(path)
        expected = state.get("schema_sha256")
        if expected and schema.sha256 != expected:
            raise SchemaError(path, f"changed since run {state.get('run_id')} started; start a new run")
        return schema
