"""OpenLineage facets of the operators (the OpenLineage provider's own types)."""

from __future__ import annotations

from typing import Any

from airflow_provider_swift.operators import (
    SwiftCopyObjectOperator,
    SwiftCreateObjectOperator,
    SwiftDeleteObjectsOperator,
    SwiftExpireObjectOperator,
    SwiftMoveObjectOperator,
)


def names(datasets: list[Any]) -> list[tuple[str, str]]:
    return [(d.namespace, d.name) for d in datasets]


def test_copy_reads_the_source_and_writes_the_copy() -> None:
    op = SwiftCopyObjectOperator(
        task_id="c", source_container="a", source_name="x/1", dest_container="b", dest_name="y"
    )
    facets = op.get_openlineage_facets_on_start()
    assert names(facets.inputs) == [("swift://a", "x/1")]
    assert names(facets.outputs) == [("swift://b", "y")]
    assert not facets.outputs[0].facets


def test_move_marks_the_destination_renamed_from_the_source() -> None:
    op = SwiftMoveObjectOperator(
        task_id="m", source_container="a", source_name="x", dest_container="a", dest_name="z"
    )
    change = op.get_openlineage_facets_on_start().outputs[0].facets["lifecycleStateChange"]
    assert change.lifecycleStateChange.value == "RENAME"
    assert (change.previousIdentifier.namespace, change.previousIdentifier.name) == (
        "swift://a",
        "x",
    )


def test_delete_and_expire_mark_drop_and_create_writes() -> None:
    delete = SwiftDeleteObjectsOperator(task_id="d", container="c", names=["p", "q"])
    delete._names = ["p", "q"]
    dropped = delete.get_openlineage_facets_on_complete(None).outputs
    assert names(dropped) == [("swift://c", "p"), ("swift://c", "q")]
    assert {d.facets["lifecycleStateChange"].lifecycleStateChange.value for d in dropped} == {
        "DROP"
    }
    expire = SwiftExpireObjectOperator(task_id="e", container="c", name="p", delete_after=60)
    facet = expire.get_openlineage_facets_on_start().outputs[0].facets["lifecycleStateChange"]
    assert facet.lifecycleStateChange.value == "DROP"
    create = SwiftCreateObjectOperator(task_id="n", container="c", name="new", data="x")
    assert names(create.get_openlineage_facets_on_start().outputs) == [("swift://c", "new")]
