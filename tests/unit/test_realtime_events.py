"""Real-time: the event builders (pure: stream images in, events out) and the template's
WebSocket API and fan-out, as the contract with the local stack and AWS needs them."""

from __future__ import annotations

import json
from typing import Any

from shared.experience.models import MessageItem, Participant, ThreadItem
from shared.realtime.events import BUILDERS, Change, ThreadEvent, UserEvent, change_of, message_events, thread_events

from devstack.events import insert_record
from devstack.template import load_template, resources_of_type
from tests.support.realtime import fanout_filters

ROUTES = {"$connect", "$disconnect", "$default", "subscribe", "unsubscribe", "typing", "ping"}


def message(**fields: Any) -> MessageItem:
    base: dict[str, Any] = {
        "message_id": "m1",
        "thread_id": "t1",
        "seq": 1,
        "author_id": "u1",
        "author_name": "Alice",
        "content": "hi",
        "created_at": "2026-11-27T12:00:00.000Z",
    }
    return MessageItem("THREAD#t1", "M#m1", **{**base, **fields})


def modify(old: Any, new: Any) -> Change:
    return Change("e1", "MODIFY", new.__class__.__name__, new, old, "2026-11-27T12:00:01.000Z")


def test_each_message_change_is_one_event_of_its_kind() -> None:
    assert [e.type for e in message_events(Change("e1", "INSERT", "MESSAGE", message(), None, "t"))] == [
        "message.created"
    ]
    edited = message_events(modify(message(), message(content="hi!", version=2)))
    assert [e.type for e in edited] == ["message.updated"]
    reacted = message_events(modify(message(), message(reaction_counts={":tada:": 2, ":+1:": 0})))
    assert [(e.type, e.data) for e in reacted if isinstance(e, ThreadEvent)] == [
        ("reaction.updated", {"messageId": "m1", "reactions": [{"emoji": ":tada:", "count": 2}]})
    ]
    deleted = message_events(modify(message(), message(deleted=True, deleted_at="x", content=None, version=2)))
    assert [e.type for e in deleted] == ["message.deleted"]
    # a member's read mark or a claim changes nothing a subscriber sees
    assert message_events(modify(message(), message())) == []


def test_an_erased_authors_message_is_told_with_its_new_author() -> None:
    tombstone = {"deleted": True, "deleted_at": "x", "content": None}
    erased = message_events(modify(message(), message(author_name="Deleted user", **tombstone)))
    assert [(e.type, e.data) for e in erased if isinstance(e, ThreadEvent)] == [
        ("message.deleted", {"messageId": "m1", "deletedAt": "x", "author": {"id": "u1", "name": "Deleted user"}})
    ]
    # a message its author had deleted before: only the name changes
    renamed = message_events(modify(message(**tombstone), message(author_name="Deleted user", **tombstone)))
    assert [e.type for e in renamed] == ["message.updated"]
    assert isinstance(renamed[0], ThreadEvent)
    assert renamed[0].data["author"] == {"id": "u1", "name": "Deleted user"}
    assert renamed[0].data["deleted"] is True


def thread(*people: tuple[str, str], title: str = "Plan") -> ThreadItem:
    return ThreadItem(
        "THREAD#t1",
        "THREAD",
        thread_id="t1",
        title=title,
        owner_id="u1",
        participants=[Participant(user_id=uid, name=name, role="member") for uid, name in people],  # type: ignore[no-untyped-call]
        created_at="c",
        updated_at="u",
    )


def test_a_post_moving_the_thread_is_no_event_a_participant_change_is() -> None:
    alice, bob = ("u1", "Alice"), ("u2", "Bob")
    assert thread_events(modify(thread(alice, bob), thread(alice, bob))) == []
    (removed,) = thread_events(modify(thread(alice, bob), thread(alice)))
    assert isinstance(removed, ThreadEvent)
    assert (removed.type, removed.ends_for, removed.audience) == (
        "participant.removed",
        frozenset({"u2"}),
        frozenset({"u1", "u2"}),
    )
    (renamed,) = thread_events(modify(thread(alice), thread(alice, title="New")))
    assert renamed.type == "thread.updated"


def test_a_record_of_another_item_type_is_ignored() -> None:
    image = {"PK": {"S": "X"}, "SK": {"S": "Y"}, "type": {"S": "OUTBOX"}}
    assert change_of(insert_record(image, "arn", sequence_number="1", event_id="e", at=_at())) is None


def test_the_event_id_is_the_records() -> None:
    record = insert_record(message().serialize(), "arn", sequence_number="1", event_id="abc", at=_at())
    change = change_of(record)
    assert change is not None
    assert (change.event_id, change.at) == ("abc", "2026-11-27T12:00:00.000Z")


def _at() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 11, 27, 12, tzinfo=UTC)


def test_the_fanout_filter_lets_through_exactly_the_types_with_a_builder() -> None:
    typed: set[str] = set()
    for pattern in fanout_filters():
        for image in ("NewImage", "OldImage"):
            typed.update(((pattern.get("dynamodb") or {}).get(image) or {}).get("type", {}).get("S", []))
    assert typed == set(BUILDERS)


def test_order_events_go_to_the_buyer() -> None:
    from shared.commerce.orders.models import OrderItem
    from shared.realtime.events import order_events

    def order(status: str) -> OrderItem:
        fields = {"order_number": "ORD-1", "user_id": "u9", "total_amount": 4595, "currency": "usd"}
        return OrderItem("ORDER#o1", "ORDER", order_id="o1", status=status, **fields)

    assert order_events(modify(order("pending"), order("pending"))) == []
    (event,) = order_events(modify(order("confirmed"), order("shipped")))
    assert isinstance(event, UserEvent)
    assert (event.user_id, event.data["status"], event.data["previousStatus"]) == ("u9", "shipped", "confirmed")


# ---------------------------------------------------------------------------------- template


def test_the_websocket_api_routes_every_route_to_the_websocket_function() -> None:
    template = load_template()
    (api_id, api) = next(iter(resources_of_type("AWS::ApiGatewayV2::Api").items()))
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    assert api["Properties"]["RouteSelectionExpression"] == "$request.body.action"
    routes = resources_of_type("AWS::ApiGatewayV2::Route")
    assert {r["Properties"]["RouteKey"] for r in routes.values()} == ROUTES
    integrations = resources_of_type("AWS::ApiGatewayV2::Integration")
    for route in routes.values():
        target = route["Properties"]["Target"]["Fn::Sub"]
        assert target.startswith("integrations/${")
        assert target[len("integrations/${") : -1] in integrations
    for integration in integrations.values():
        assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
        assert "${WebSocketFunction.Arn}" in integration["Properties"]["IntegrationUri"]["Fn::Sub"]
    (deployment,) = resources_of_type("AWS::ApiGatewayV2::Deployment").values()
    assert set(deployment["DependsOn"]) == set(routes)
    (stage,) = resources_of_type("AWS::ApiGatewayV2::Stage").values()
    assert stage["Properties"]["ApiId"] == {"Ref": api_id}
    assert "WebSocketUrl" in template["Outputs"]


def test_only_the_functions_that_post_may_manage_connections_of_this_api() -> None:
    managing = set()
    for name, function in resources_of_type("AWS::Serverless::Function").items():
        text = json.dumps(function["Properties"].get("Policies") or [])
        if "execute-api:ManageConnections" in text:
            managing.add(name)
            assert "${WebSocketApi}/" in text
        env = (function["Properties"].get("Environment") or {}).get("Variables") or {}
        if "WEBSOCKET_MANAGEMENT_ENDPOINT" in env:
            assert name in managing
    # The jobs worker closes an erased account's connections (shared.realtime.lifecycle).
    assert managing == {"WebSocketFunction", "RealtimeFanoutFunction", "JobsWorkerFunction"}


def test_the_fanout_bisects_retries_and_parks_what_fails() -> None:
    (event,) = (
        e
        for e in resources_of_type("AWS::Serverless::Function")["RealtimeFanoutFunction"]["Properties"][
            "Events"
        ].values()
        if e["Type"] == "DynamoDB"
    )
    props = event["Properties"]
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 < props["MaximumRetryAttempts"] <= 10
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["RealtimeFanoutDLQ", "Arn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def artifact(**fields: Any) -> Any:
    from shared.experience.artifacts_models import ArtifactItem

    base: dict[str, Any] = {
        "artifact_id": "a1",
        "thread_id": "t1",
        "artifact_type": "report",
        "title": "Numbers",
        "version": 1,
        "content_version": 1,
        "created_by_id": "u1",
        "created_by_name": "Alice",
        "updated_by_id": "u1",
        "updated_by_name": "Alice",
        "created_at": "2026-11-27T12:00:00.000Z",
        "updated_at": "2026-11-27T12:00:00.000Z",
    }
    return ArtifactItem("THREAD#t1", "ART#a1", **{**base, **fields})


def test_an_artifact_created_or_given_a_new_version_is_an_event_without_its_content() -> None:
    from shared.realtime.events import artifact_events

    (created,) = artifact_events(Change("e1", "INSERT", "ARTIFACT", artifact(), None, "t"))
    assert isinstance(created, ThreadEvent)
    assert (created.type, created.thread_id, created.data["id"], created.data["version"]) == (
        "artifact.created",
        "t1",
        "a1",
        1,
    )
    assert "content" not in created.data
    (updated,) = artifact_events(modify(artifact(), artifact(version=2, title="Numbers 2")))
    assert (updated.type, updated.data["title"], updated.data["version"]) == ("artifact.updated", "Numbers 2", 2)
    assert artifact_events(modify(artifact(), artifact())) == []


def uploaded(**fields: Any) -> Any:
    from shared.experience.files.models import FileItem

    base: dict[str, Any] = {
        "file_id": "f1",
        "filename": "chart.png",
        "content_type": "image/png",
        "size": 48213,
        "status": "pending",
        "thread_id": "t1",
        "uploader_id": "u1",
        "uploader_name": "Alice",
        "created_at": "2026-11-27T12:00:00.000Z",
        "updated_at": "2026-11-27T12:00:00.000Z",
    }
    return FileItem("FILE#f1", "FILE", **{**base, **fields})


def test_a_thread_file_becoming_ready_is_one_event_without_urls() -> None:
    from shared.realtime.events import file_events

    (ready,) = file_events(modify(uploaded(), uploaded(status="ready", width=640, height=480)))
    assert isinstance(ready, ThreadEvent)
    assert (ready.type, ready.thread_id, ready.data["id"], ready.data["width"]) == ("file.ready", "t1", "f1", 640)
    assert not {"downloadUrl", "previewUrl"} & set(ready.data)
    assert file_events(modify(uploaded(status="ready"), uploaded(status="ready", filename="renamed.png"))) == []
    assert file_events(modify(uploaded(), uploaded(status="rejected", reason="not a png"))) == []
    assert file_events(modify(uploaded(thread_id=None), uploaded(thread_id=None, status="ready"))) == []
