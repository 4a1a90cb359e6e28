"""Clustering with person must/cannot-links, versioned clusters, undo, golden records."""

from __future__ import annotations

from tools.linkage import ClusterTable, connected_components, golden_record, singleton_id


def test_components_respect_cannot_links_and_report_held_back_edges() -> None:
    edges = [("a:1", "b:1", 0.9999), ("b:1", "c:1", 0.9995), ("c:1", "d:1", 0.9991)]
    plain = connected_components(edges)
    assert plain.components == [["a:1", "b:1", "c:1", "d:1"]]
    split = connected_components(edges, cannot=[("a:1", "d:1")])
    assert sorted(split.components) == [["a:1", "b:1", "c:1"]]
    assert split.held_back == [("c:1", "d:1", 0.9991)]  # the weakest edge is the one that would join them


def test_must_links_join_and_name_their_decider() -> None:
    result = connected_components([("a:1", "b:1", 0.9999)], must=[("b:1", "c:1", "sam")])
    assert result.components == [["a:1", "b:1", "c:1"]] and result.decided_by == ["sam"]


def test_versions_are_appended_and_undo_is_a_later_version() -> None:
    table = ClusterTable()
    v1, changed = table.apply(connected_components([("a:1", "b:1", 0.9999)]))
    assert v1 == 1 and {m.key for m in changed} == {"a:1", "b:1"}
    cluster = table.cluster_of("a:1")
    assert table.cluster_of("b:1") == cluster and table.cluster_of("c:1") == singleton_id("c:1")
    # a person merges c into the cluster: only c gets a row, the cluster keeps its id
    v2, changed = table.apply(connected_components([("a:1", "b:1", 0.9999)], must=[("a:1", "c:1", "sam")]),
                              scope={"a:1", "b:1", "c:1"}, actor="sam")
    assert v2 == 2 and [(m.key, m.cluster_id, m.decided_by) for m in changed] == [("c:1", cluster, "sam")]
    # undo: a later decision splits c out again; version 1 and 2 stay readable
    v3, changed = table.apply(connected_components([("a:1", "b:1", 0.9999)], cannot=[("a:1", "c:1")]),
                              scope={"a:1", "b:1", "c:1"}, actor="kim")
    assert v3 == 3 and [m.key for m in changed] == ["c:1"]
    assert table.cluster_of("c:1") == singleton_id("c:1")
    assert table.cluster_of("c:1", version=2) == cluster
    assert {k: m.cluster_id for k, m in table.at(1).items()} == {k: m.cluster_id for k, m in table.at(3).items()
                                                                 if m.cluster_id != singleton_id(k)}
    assert len(table.rows) == 4  # 2 + 1 + 1: nothing was overwritten


def test_no_change_writes_no_version() -> None:
    table = ClusterTable()
    table.apply(connected_components([("a:1", "b:1", 0.9999)]))
    assert table.apply(connected_components([("a:1", "b:1", 0.9999)])) == (1, [])


def test_golden_record_names_the_source_of_every_value() -> None:
    members = {
        "force_a:3": {"person": {"family_name": "SMITH", "given_names": "Jon", "date_of_birth": "1980-01-02"},
                      "record_date": "2020-01-01T00:00:00+00:00"},
        "force_b:7": {"person": {"family_name": "Smith", "given_names": "John", "date_of_birth": "1980-01-02",
                                 "address": {"postcode": "M1 1AE"}}, "record_date": "2023-05-01T00:00:00+00:00"},
        "force_c:1": {"person": {"family_name": "smith", "given_names": "John", "date_of_birth": "1980-02-01"},
                      "record_date": "2019-01-01T00:00:00+00:00"},
    }
    golden = golden_record(members)
    assert golden["family_name"].rule == "agreement"
    assert golden["given_names"].value == "John" and golden["given_names"].rule == "agreement"
    assert golden["given_names"].alternatives == ["Jon"]
    assert (golden["date_of_birth"].value, golden["date_of_birth"].rule) == ("1980-01-02", "agreement")
    assert (golden["address/postcode"].dataset, golden["address/postcode"].row, golden["address/postcode"].rule) == (
        "force_b", 7, "only")
    tie = golden_record({k: members[k] for k in ("force_a:3", "force_b:7")})
    assert (tie["given_names"].value, tie["given_names"].rule, tie["given_names"].dataset) == ("John", "most_recent", "force_b")
