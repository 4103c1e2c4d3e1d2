"""An erased account's experience data (issue #18): the experience and real-time erasure steps run
on an account active everywhere in the layer, then what the others see through the API, the
exact counts, a second run that changes nothing, a run out of time that resumes, and the export.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from shared.data.table import Item
from shared.experience import lifecycle as experience_lifecycle
from shared.experience.models import search_pk, thread_pk
from shared.lifecycle import registry
from shared.lifecycle.registry import DELETED_NAME, ErasureContext
from shared.search import index

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import BUTTON_BLOCKS, MESSAGES, THREADS, messages_of, new_thread, post, thread_of
from tests.support.files import BUCKET, FILES, PDF_BYTES, configure_notifications, notifications, png_bytes, upload
from tests.support.jobs import Jobs
from tests.support.realtime import Realtime

ARTIFACTS = "/api/v1/artifacts"
TABLE = {"columns": ["name", "score"], "rows": [["a", 1]]}
SYSTEMS = ("experience.", "realtime.")


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Leaving")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Staying")


@pytest.fixture
def carol(api: Api) -> Account:
    return api.register(name="Carol Staying")


def our_steps() -> list[registry.ErasureStep]:
    return [step for step in registry.steps() if step.name.startswith(SYSTEMS)]


def erase(user_id: str, *, seconds: float = 60) -> tuple[list[bool], int]:
    """Every experience and real-time step once, in order: what each returned, items touched."""
    ctx = ErasureContext(user_id, "customer", deadline=time.monotonic() + seconds)
    done = [step.run(ctx) for step in our_steps()]
    return done, ctx.touched


def word_count(word: str) -> int:
    return index.word_counts(search_pk, [word])[word]


def objects(api: Api) -> set[str]:
    listed = api.aws.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {obj["Key"] for obj in listed}


def call(api: Api, account: Account, method: str, path: str, body: Any = None) -> Any:
    res = api.call(method, path, body, token=account.access_token)
    assert res.status in (200, 201), res.body
    return res.data


def search(api: Api, account: Account, q: str) -> list[str]:
    res = api.call("GET", f"{MESSAGES}/search", token=account.access_token, query={"q": q})
    assert res.status == 200, res.body
    return [m["id"] for m in res.data["items"]]


@pytest.fixture
def world(api: Api, alice: Account, bob: Account, carol: Account) -> dict[str, Any]:
    """Alice owns a thread with Bob (messages, files of both, an artifact), writes in Bob's thread
    (edited, claimed, searchable, with an attached image, the thread's last message), reacts, presses
    a button, creates an artifact there and edits Bob's; she also has a file in no thread."""
    configure_notifications(api)
    notifications(api)
    own = new_thread(api, alice, bob, title="Alice's plans")
    post(api, alice, own["id"], "zebra in my own thread")
    own_file = upload(api, bob, "bob.pdf", "application/pdf", PDF_BYTES, threadId=own["id"])
    call(api, alice, "POST", f"{THREADS}/{own['id']}/artifacts", {"type": "report", "title": "Mine", "content": TABLE})

    other = new_thread(api, bob, alice, carol, title="Bob's project")
    asked = post(api, bob, other["id"], "zebra question", blocks=BUTTON_BLOCKS)
    edited = post(api, alice, other["id"], "zebra answer draft", clientMessageId="a-1")
    call(api, alice, "PATCH", f"{MESSAGES}/{edited['id']}", {"content": "zebra quokka answer"})
    for account in (alice, carol):
        call(api, account, "POST", f"{MESSAGES}/{asked['id']}/reactions", {"emoji": ":tada:"})
    call(api, bob, "POST", f"{MESSAGES}/{edited['id']}/reactions", {"emoji": ":eyes:"})
    call(api, alice, "POST", f"{MESSAGES}/{asked['id']}/actions", {"actionId": "approve", "value": "ship it, Alice"})
    call(api, bob, "POST", f"{MESSAGES}/{asked['id']}/actions", {"actionId": "env", "value": "prod"})
    image = upload(api, alice, "alice.png", "image/png", png_bytes(), threadId=other["id"])
    loose = upload(api, alice, "alice.pdf", "application/pdf", PDF_BYTES)
    hers = call(
        api, alice, "POST", f"{THREADS}/{other['id']}/artifacts", {"type": "report", "title": "Hers", "content": TABLE}
    )
    bobs = call(
        api, bob, "POST", f"{THREADS}/{other['id']}/artifacts", {"type": "report", "title": "Bob's", "content": TABLE}
    )
    call(api, alice, "PATCH", f"{ARTIFACTS}/{bobs['id']}", {"title": "Bob's, reviewed by Alice"})
    last = post(api, alice, other["id"], "zebra last word from alice", attachments=[image["id"]])
    assert thread_of(api, bob, other["id"])["lastMessagePreview"] == "zebra last word from alice"
    return {
        "own": own,
        "own_file": own_file,
        "other": other,
        "asked": asked,
        "edited": edited,
        "last": last,
        "image": image,
        "loose": loose,
        "hers": hers,
        "bobs": bobs,
    }


def test_every_experience_and_realtime_entity_type_has_a_fate() -> None:
    coverage = registry.coverage()
    for entity in ("THREAD", "MESSAGE", "MESSAGE_ACTION", "ARTIFACT_CONTENT", "FILE", "WS_CONNECTION", "WS_TICKET"):
        assert entity in coverage
    assert [step.order for step in our_steps()] == sorted(step.order for step in our_steps())
    assert all(50 <= step.order <= 59 for step in our_steps())


def test_what_the_others_see_after_the_erasure(
    api: Api, alice: Account, bob: Account, carol: Account, world: dict[str, Any]
) -> None:
    own, other = world["own"], world["other"]
    assert word_count("zebra") == 4

    done, touched = erase(alice.id)

    assert all(done)
    assert touched > 0
    # Her own thread is gone for Bob at once, its purge owed
    assert_problem(api.call("GET", f"{THREADS}/{own['id']}", token=bob.access_token), 404, "THREAD_NOT_FOUND")
    # She left Bob's thread
    seen = thread_of(api, bob, other["id"])
    assert [p["userId"] for p in seen["participants"]] == [bob.id, carol.id]
    assert seen["lastMessagePreview"] is None
    assert seen["messageCount"] == 3
    # Her messages there are "Deleted user" tombstones, with nothing of their content left
    shown = {m["id"]: m for m in messages_of(api, carol, other["id"])}
    for key in ("edited", "last"):
        message = shown[world[key]["id"]]
        assert message["author"] == {"id": alice.id, "name": DELETED_NAME}
        assert (message["deleted"], message["content"], message["blocks"], message["attachments"]) == (
            True,
            None,
            None,
            [],
        )
        assert message["clientMessageId"] is None
        history = api.call("GET", f"{MESSAGES}/{message['id']}/history", token=bob.access_token)
        assert history.data == []
    assert shown[world["asked"]["id"]]["author"]["name"] == "Bob Staying"
    assert not list(Item.query(thread_pk(other["id"]), Item.sk.startswith("V#"), consistent_read=True))
    assert not list(Item.query(thread_pk(other["id"]), Item.sk.startswith("CLIENT#"), consistent_read=True))
    # Search: her words are gone, exactly (her own thread's message too)
    assert search(api, bob, "quokka") == []
    assert search(api, bob, "zebra") == [world["asked"]["id"]]
    assert word_count("quokka") == 0
    assert word_count("zebra") == 1
    # Her reaction is gone, counted exactly; her action is gone, Bob's stays
    asked = shown[world["asked"]["id"]]
    assert asked["reactions"] == [{"emoji": ":tada:", "count": 1, "me": True}]  # Carol's
    reactions = call(api, bob, "GET", f"{MESSAGES}/{world['asked']['id']}/reactions")
    assert reactions == [{"emoji": ":tada:", "count": 1, "users": [{"id": carol.id, "name": "Carol Staying"}]}]
    actions = call(api, bob, "GET", f"{MESSAGES}/{world['asked']['id']}/actions")["items"]
    assert [(a["user"]["id"], a["value"]) for a in actions] == [(bob.id, "prod")]
    # Her artifact is gone; Bob's stays, her version of it by "Deleted user"
    assert_problem(
        api.call("GET", f"{ARTIFACTS}/{world['hers']['id']}", token=bob.access_token), 404, "ARTIFACT_NOT_FOUND"
    )
    bobs = call(api, bob, "GET", f"{ARTIFACTS}/{world['bobs']['id']}")
    assert (bobs["title"], bobs["createdBy"]["name"], bobs["updatedBy"]["name"]) == (
        "Bob's, reviewed by Alice",
        "Bob Staying",
        DELETED_NAME,
    )
    versions = call(api, bob, "GET", f"{ARTIFACTS}/{world['bobs']['id']}/versions")["items"]
    assert [v["author"]["name"] for v in versions] == ["Bob Staying", DELETED_NAME]
    # Her files are gone, objects and previews included
    for key in ("image", "loose"):
        assert_problem(api.call("GET", f"{FILES}/{world[key]['id']}", token=bob.access_token), 404, "FILE_NOT_FOUND")
    names = objects(api)
    assert not [name for name in names if world["image"]["id"] in name or world["loose"]["id"] in name]
    dump = str([item.serialize() for item in Item.query(thread_pk(other["id"]), consistent_read=True)])
    for trace in ("Alice Leaving", "quokka", "ship it"):
        assert trace not in dump


def test_the_purge_of_her_thread_removes_its_files_too(
    api: Api, alice: Account, bob: Account, world: dict[str, Any]
) -> None:
    own, own_file = world["own"], world["own_file"]
    assert any(own_file["id"] in name for name in objects(api))

    erase(alice.id)
    jobs = Jobs(api)
    while jobs.run()["delivered"]:
        pass

    assert list(Item.query(thread_pk(own["id"]), consistent_read=True)) == []
    assert_problem(api.call("GET", f"{FILES}/{own_file['id']}", token=bob.access_token), 404, "FILE_NOT_FOUND")
    assert not [name for name in objects(api) if own_file["id"] in name]
    assert word_count("zebra") == 1


def test_a_second_run_changes_nothing(api: Api, alice: Account, bob: Account, world: dict[str, Any]) -> None:
    erase(alice.id)
    before = [item.serialize() for item in Item.query(thread_pk(world["other"]["id"]), consistent_read=True)]

    done, touched = erase(alice.id)

    assert all(done)
    assert touched == 0
    after = [item.serialize() for item in Item.query(thread_pk(world["other"]["id"]), consistent_read=True)]
    assert after == before
    assert word_count("zebra") == 1


def test_a_run_out_of_time_stops_after_a_page_and_the_next_runs_finish(
    api: Api, alice: Account, bob: Account, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(experience_lifecycle, "PAGE", 1)
    messages_step = next(step for step in our_steps() if step.name == "experience.messages")

    late = ErasureContext(alice.id, "customer", deadline=time.monotonic() - 1)
    assert messages_step.run(late) is False
    assert late.touched == 1  # her newest message only (it has no earlier version)

    runs = 0
    while not all(erase(alice.id, seconds=-1)[0]):
        runs += 1
        assert runs < 30
    shown = {m["id"]: m for m in messages_of(api, bob, world["other"]["id"])}
    assert shown[world["edited"]["id"]]["author"]["name"] == DELETED_NAME
    assert shown[world["last"]["id"]]["content"] is None
    assert word_count("zebra") == 1
    assert erase(alice.id) == ([True] * len(our_steps()), 0)


def test_the_export_lists_what_she_made(api: Api, alice: Account, world: dict[str, Any]) -> None:
    exported = registry.exporters()["experience"](alice.id)

    assert set(exported) == {"threads", "memberOf", "messages", "files", "artifactVersions", "truncated"}
    assert [(t["id"], t["title"]) for t in exported["threads"]] == [(world["own"]["id"], "Alice's plans")]
    assert [(t["id"], t["role"]) for t in exported["memberOf"]] == [(world["other"]["id"], "member")]
    contents = [m["content"] for m in exported["messages"]]
    assert contents == ["zebra last word from alice", "zebra quokka answer", "zebra in my own thread"]
    assert {f["filename"] for f in exported["files"]} == {"alice.png", "alice.pdf"}
    assert all(
        set(f) == {"id", "filename", "contentType", "size", "status", "threadId", "createdAt"}
        for f in exported["files"]
    )
    titles = sorted((v["title"], v["version"]) for v in exported["artifactVersions"])
    assert titles == [("Bob's, reviewed by Alice", 2), ("Hers", 1), ("Mine", 1)]
    assert not any(exported["truncated"].values())


def test_an_erased_account_exports_nothing(api: Api, alice: Account, world: dict[str, Any]) -> None:
    erase(alice.id)
    jobs = Jobs(api)
    while jobs.run()["delivered"]:  # her own thread's purge
        pass

    exported = registry.exporters()["experience"](alice.id)

    assert (exported["threads"], exported["memberOf"], exported["messages"], exported["files"]) == ([], [], [], [])
    assert exported["artifactVersions"] == []


def test_her_sockets_close_and_the_others_see_the_rewrite_live(
    api: Api, alice: Account, bob: Account, carol: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.realtime import repository as realtime

    rt = Realtime(api, monkeypatch)
    thread = new_thread(api, bob, alice, carol)
    said = post(api, alice, thread["id"], "see you")
    first, second, watching = rt.connect(alice), rt.connect(alice), rt.connect(bob)
    first.subscribe(thread["id"])
    watching.subscribe(thread["id"])
    rt.pump()
    for socket in (first, second, watching):
        socket.frames()
    assert realtime.presence_of([alice.id])

    done, _touched = erase(alice.id)

    assert all(done)
    assert first.closed_by_server
    assert second.closed_by_server
    assert realtime.connections_of(alice.id) == []
    assert [s.user_id for s in realtime.subscribers(thread["id"])] == [bob.id]
    assert realtime.presence_of([alice.id]) == {}
    assert rt.pump() == {"batchItemFailures": []}
    events = {event["type"]: event["data"] for event in watching.events()}
    assert events["message.deleted"]["messageId"] == said["id"]
    assert events["message.deleted"]["author"] == {"id": alice.id, "name": DELETED_NAME}
    assert events["participant.removed"]["user"]["id"] == alice.id
    assert first.frames() == []  # closed first: nothing of the rewrite reached her sockets
    assert second.frames() == []


def test_her_messages_in_a_thread_she_had_left_are_found_too(api: Api, alice: Account, bob: Account) -> None:
    thread = new_thread(api, bob, alice)
    said = post(api, alice, thread["id"], "walrus before leaving")
    call(api, bob, "POST", f"{MESSAGES}/{said['id']}/reactions", {"emoji": ":wave:"})
    call(api, alice, "DELETE", f"{THREADS}/{thread['id']}/participants/{alice.id}")  # she leaves

    erase(alice.id)

    (shown,) = messages_of(api, bob, thread["id"])
    assert (shown["author"]["name"], shown["content"], shown["deleted"]) == (DELETED_NAME, None, True)
    assert search(api, bob, "walrus") == []
    assert word_count("walrus") == 0


def test_the_export_says_which_list_it_cut(
    alice: Account, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(experience_lifecycle, "EXPORT_MESSAGES", 2)

    exported = registry.exporters()["experience"](alice.id)

    assert [m["content"] for m in exported["messages"]] == ["zebra last word from alice", "zebra quokka answer"]
    assert exported["truncated"] == {"threads": False, "messages": True, "files": False, "artifactVersions": False}
