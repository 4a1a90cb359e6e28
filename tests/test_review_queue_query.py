"""The review queue query: filters, sorting, pagination and facet counts, all in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import insert
from sqlmodel import Session

from agent.settings import Settings
from agent.store import Dataset, Run, dispose_engines, get_engine, open_session
from agent.store.models import ReviewItem
from agent.store.review_queue import MAX_PER_PAGE, QueueFilter, queue_page, queue_rows

pytestmark = pytest.mark.usefixtures("clean_crosswalk_env")


def _field(sources: list[str], confidence: float | None) -> dict[str, object]:
    return {"field": {"target": "x", "sources": sources, "transform": {"op": "copy"}, "confidence": confidence}}


@pytest.fixture()
def session(tmp_path: Path) -> Iterator[Session]:
    """Two datasets (custody_2024.csv, stops_100%_final.csv), three runs, nine items in every state and kind."""
    settings = Settings(data_dir=tmp_path / "cw", user="tester")
    with open_session(settings) as s:
        custody = Dataset(id="d-custody", path="/exports/custody_2024.csv", sha256="a", format="csv", size_bytes=1)
        stops = Dataset(id="d-stops", path="/exports/stops_100%_final.csv", sha256="b", format="csv", size_bytes=1)
        s.add_all([custody, stops])
        s.add_all([Run(id="r1", kind="propose", actor="sam", dataset_id="d-custody", status="review"),
                   Run(id="r2", kind="propose", actor="sam", dataset_id="d-stops", status="review"),
                   Run(id="r3", kind="propose", actor="ann", dataset_id=None, status="review")])
        s.commit()
        rows = [  # (id, run, kind, target, sources, confidence, state, created)
            ("i1", "r1", "mapping_field", "/a", ["A"], 0.50, "open", "2026-01-01T00:00:01.000000Z"),
            ("i2", "r1", "field_merge", "/b", ["D", "T"], 0.80, "open", "2026-01-01T00:00:02.000000Z"),
            ("i3", "r1", "value_map", "/c", ["C"], 0.95, "edited", "2026-01-01T00:00:03.000000Z"),
            ("i4", "r1", "value_map", "/d", ["D"], 0.70, "approved", "2026-01-01T00:00:04.000000Z"),
            ("i5", "r2", "mapping_field", "/e", ["E"], 0.65, "rejected", "2026-01-01T00:00:05.000000Z"),
            ("i6", "r2", "mapping_field", "/f", ["F"], None, "open", "2026-01-01T00:00:06.000000Z"),
            ("i7", "r2", "value_map", "/g", ["G"], 0.99, "open", "2026-01-01T00:00:07.000000Z"),
            ("i8", "r3", "record_merge", "/h", ["H"], 0.40, "open", "2026-01-01T00:00:08.000000Z"),
            ("i9", "r3", "mapping_field", "/i", ["I"], 0.90, "approved", "2026-01-01T00:00:09.000000Z"),
        ]
        for item_id, run, kind, target, sources, confidence, state, created in rows:
            s.add(ReviewItem(id=item_id, run_id=run, kind=kind, target=target, proposal=_field(sources, confidence),
                             state=state, confidence=confidence, proposed_by="sam", created_at=created))
        s.commit()
        yield s
    dispose_engines()


def ids(session: Session, **given: object) -> list[str]:
    return [row.id for row in queue_page(session, QueueFilter(**given)).items]


def test_the_default_queue_is_every_undecided_item_lowest_confidence_first_unknown_first(session: Session) -> None:
    page = queue_page(session, QueueFilter())
    assert [r.id for r in page.items] == ["i6", "i8", "i1", "i2", "i3", "i7"]
    assert page.total == 6 and page.pages == 1 and (page.first_index, page.last_index) == (1, 6)
    merge = next(r for r in page.items if r.id == "i2")
    assert (merge.sources, merge.dataset_name, merge.dataset_id, merge.run_actor, merge.kind) == (
        ["D", "T"], "custody_2024.csv", "d-custody", "sam", "field_merge")
    assert next(r for r in page.items if r.id == "i8").dataset_name is None  # a run without a dataset still shows


@pytest.mark.parametrize(("state", "expected"), [
    ("open", {"i1", "i2", "i6", "i7", "i8"}), ("edited", {"i3"}), ("approved", {"i4", "i9"}), ("rejected", {"i5"}),
    ("all", {f"i{n}" for n in range(1, 10)}),
])
def test_state_filter(session: Session, state: str, expected: set[str]) -> None:
    assert set(ids(session, state=state)) == expected


def test_kind_run_and_dataset_filters_combine(session: Session) -> None:
    assert set(ids(session, kind="value_map")) == {"i3", "i7"}
    assert set(ids(session, kind="value_map", state="all")) == {"i3", "i4", "i7"}
    assert set(ids(session, run_id="r2", state="all")) == {"i5", "i6", "i7"}
    assert set(ids(session, dataset="d-custody")) == {"i1", "i2", "i3"}  # by id
    assert set(ids(session, dataset="custody_20")) == {"i1", "i2", "i3"}  # by part of the file name
    assert set(ids(session, dataset="mapping_field")) == set()


def test_a_dataset_substring_takes_like_wildcards_literally(session: Session) -> None:
    assert set(ids(session, dataset="100%_final")) == {"i6", "i7"}
    assert set(ids(session, dataset="%")) == {"i6", "i7"}  # only the file whose name has a real %
    assert ids(session, dataset="_2024_") == []  # "_" is not "any character"
    assert ids(session, dataset="'; DROP TABLE review_item; --") == []
    assert queue_page(session, QueueFilter(state="all")).total == 9  # the query is parameterised: nothing dropped


@pytest.mark.parametrize(("sort", "expected"), [
    ("confidence", ["i6", "i8", "i1", "i2", "i3", "i7"]),
    ("-confidence", ["i7", "i3", "i2", "i1", "i8", "i6"]),
    ("created", ["i1", "i2", "i3", "i6", "i7", "i8"]),
    ("-created", ["i8", "i7", "i6", "i3", "i2", "i1"]),
])
def test_sort_orders(session: Session, sort: str, expected: list[str]) -> None:
    assert ids(session, sort=sort) == expected


def test_pages_neither_overlap_nor_skip(session: Session) -> None:
    pages = [queue_page(session, QueueFilter(state="all", per_page=4, page=n)) for n in (1, 2, 3, 4)]
    seen = [r.id for p in pages for r in p.items]
    assert [len(p.items) for p in pages] == [4, 4, 1, 0]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 9
    assert all(p.total == 9 and p.pages == 3 for p in pages)
    assert (pages[2].first_index, pages[2].last_index) == (9, 9) and pages[3].first_index == 0


def test_facets_count_each_dimension_without_its_own_filter(session: Session) -> None:
    page = queue_page(session, QueueFilter(kind="value_map", state="open"))
    assert [r.id for r in page.items] == ["i7"]
    # kinds under state=open (any kind); states under kind=value_map (any state)
    assert page.kind_counts == {"mapping_field": 2, "field_merge": 1, "value_map": 1, "record_merge": 1}
    assert page.state_counts == {"edited": 1, "approved": 1, "open": 1}
    assert [(d.id, d.name, d.items) for d in page.datasets] == [("d-custody", "custody_2024.csv", 4), ("d-stops", "stops_100%_final.csv", 3)]


def test_filter_values_from_a_form(session: Session) -> None:
    blank = QueueFilter.model_validate({"dataset": "", "kind": "", "state": "", "sort": "", "page": "", "per_page": " "})
    assert blank == QueueFilter()
    assert QueueFilter.model_validate({"page": "2", "per_page": "10"}).query_args() == {"page": "2", "per_page": "10"}
    assert QueueFilter(kind="value_map", page=3).query_args(page=4) == {"kind": "value_map", "page": "4"}
    for bad in ({"kind": "bogus"}, {"state": "maybe"}, {"sort": "target"}, {"page": "0"}, {"per_page": str(MAX_PER_PAGE + 1)}):
        with pytest.raises(ValidationError):
            QueueFilter.model_validate(bad)


def test_queue_rows_yields_every_matching_row_in_order(session: Session) -> None:
    rows = list(queue_rows(session, QueueFilter(state="all", sort="created", per_page=2), batch=2))
    assert [r.id for r in rows] == [f"i{n}" for n in range(1, 10)]


def test_ten_thousand_items_page_in_sql_order(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "big", user="tester")
    with open_session(settings) as s:
        s.add(Dataset(id="d", path="/x/big.csv", sha256="c", format="csv", size_bytes=1))
        s.add(Run(id="r", kind="propose", actor="sam", dataset_id="d", status="review"))
        s.commit()
    engine = get_engine(settings)
    kinds = ("mapping_field", "field_merge", "value_map")
    with engine.begin() as conn:
        conn.execute(insert(ReviewItem.__table__), [  # type: ignore[attr-defined]
            {"id": f"item{n:05d}", "run_id": "r", "kind": kinds[n % 3], "target": f"/t/{n}", "state": "open" if n % 4 else "approved",
             "proposal": _field([f"S{n}"], (n % 997) / 997), "confidence": (n % 997) / 997, "proposed_by": "sam",
             "version": 1, "created_at": f"2026-01-01T00:00:00.{n:06d}Z"} for n in range(10_000)])
    with open_session(settings) as s:
        page = queue_page(s, QueueFilter(kind="value_map", sort="-confidence", page=20, per_page=50))
    dispose_engines()
    assert page.total == sum(1 for n in range(10_000) if n % 3 == 2 and n % 4) and len(page.items) == 50
    assert [r.confidence for r in page.items] == sorted((r.confidence for r in page.items), reverse=True)
    # Speed is shown by evals/bench_review_ui.py, not asserted here.
