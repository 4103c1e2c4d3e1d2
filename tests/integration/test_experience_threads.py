"""Threads through the handlers: create, list by activity with unread counts, partial updates,
participants, read marks, deletion, and that nobody outside a thread learns anything about it."""

from __future__ import annotations

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import MESSAGES, THREADS, new_thread, post, thread_of
from tests.support.jobs import Jobs


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Owner")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Member")


@pytest.fixture
def eve(api: Api) -> Account:
    return api.register(name="Eve Outsider")


def test_a_thread_is_created_with_its_participants(api: Api, alice: Account, bob: Account) -> None:
    thread = new_thread(api, alice, bob, metadata={"topic": "q3"}, memory={"facts": ["x"]})

    assert thread["ownerId"] == alice.id
    assert thread["status"] == "active"
    assert thread["metadata"] == {"topic": "q3"}
    assert thread["memory"] == {"facts": ["x"]}
    assert {(p["userId"], p["role"]) for p in thread["participants"]} == {(alice.id, "owner"), (bob.id, "member")}
    assert thread["messageCount"] == 0
    assert thread["unreadCount"] == 0
    assert thread_of(api, bob, thread["id"])["title"] == "Planning"


def test_creating_with_an_unknown_participant_is_404(api: Api, alice: Account) -> None:
    res = api.call("POST", THREADS, {"title": "x", "participantIds": ["nobody"]}, token=alice.access_token)
    assert_problem(res, 404, "USER_NOT_FOUND")


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "ok", "metadata": {"k": "v" * 17_000}},
        {"title": "ok", "owner": "x"},
    ],
)
def test_bad_thread_bodies_are_400(api: Api, alice: Account, body: dict[str, object]) -> None:
    assert_problem(api.call("POST", THREADS, body, token=alice.access_token), 400, "VALIDATION_ERROR")


def test_an_outsider_gets_404_for_everything_in_a_thread(api: Api, alice: Account, bob: Account, eve: Account) -> None:
    thread = new_thread(api, alice, bob)
    message = post(api, alice, thread["id"], "secret plans")
    tid, mid = thread["id"], message["id"]
    token = eve.access_token

    for method, path, body in [
        ("GET", f"{THREADS}/{tid}", None),
        ("PATCH", f"{THREADS}/{tid}", {"title": "mine"}),
        ("PUT", f"{THREADS}/{tid}", {"title": "mine"}),
        ("DELETE", f"{THREADS}/{tid}", None),
        ("POST", f"{THREADS}/{tid}/participants", {"userId": eve.id}),
        ("DELETE", f"{THREADS}/{tid}/participants/{bob.id}", None),
        ("POST", f"{THREADS}/{tid}/read", {"messageId": mid}),
        ("GET", f"{THREADS}/{tid}/messages", None),
        ("POST", f"{THREADS}/{tid}/messages", {"content": "hi"}),
        ("GET", f"{MESSAGES}/{mid}", None),
        ("PATCH", f"{MESSAGES}/{mid}", {"content": "x"}),
        ("DELETE", f"{MESSAGES}/{mid}", None),
        ("GET", f"{MESSAGES}/{mid}/history", None),
        ("POST", f"{MESSAGES}/{mid}/reactions", {"emoji": ":tada:"}),
        ("GET", f"{MESSAGES}/{mid}/reactions", None),
        ("POST", f"{MESSAGES}/{mid}/actions", {"actionId": "approve"}),
        ("GET", f"{MESSAGES}/{mid}/actions", None),
    ]:
        res = api.call(method, path, body, token=token)
        assert res.status == 404, (method, path, res.body)
    assert api.call("GET", THREADS, token=token).data["items"] == []
    search = api.call("GET", f"{MESSAGES}/search", token=token, query={"q": "secret"})
    assert search.data["items"] == []
    assert thread_of(api, alice, tid)["title"] == "Planning"  # nothing changed


def test_threads_are_listed_most_recently_active_first_with_unread_counts(
    api: Api, alice: Account, bob: Account
) -> None:
    first = new_thread(api, alice, bob, title="First")
    second = new_thread(api, alice, bob, title="Second")
    post(api, alice, first["id"], "one")
    post(api, alice, first["id"], "two")

    listed = api.call("GET", THREADS, token=bob.access_token).data["items"]
    assert [t["id"] for t in listed] == [first["id"], second["id"]]
    assert [t["unreadCount"] for t in listed] == [2, 0]
    assert listed[0]["lastMessagePreview"] == "two"
    assert listed[0]["messageCount"] == 2
    # The author has read what they wrote
    assert api.call("GET", THREADS, token=alice.access_token).data["items"][0]["unreadCount"] == 0

    post(api, bob, second["id"], "newer")
    listed = api.call("GET", THREADS, token=alice.access_token, query={"limit": "1"}).data
    assert [t["id"] for t in listed["items"]] == [second["id"]]
    rest = api.call("GET", THREADS, token=alice.access_token, query={"limit": "1", "cursor": listed["nextCursor"]})
    assert [t["id"] for t in rest.data["items"]] == [first["id"]]


def test_marking_read_moves_the_unread_count_forward_only(api: Api, alice: Account, bob: Account) -> None:
    thread = new_thread(api, alice, bob)
    sent = [post(api, alice, thread["id"], f"m{n}") for n in range(3)]

    marked = api.call("POST", f"{THREADS}/{thread['id']}/read", {"messageId": sent[1]["id"]}, token=bob.access_token)
    assert marked.data["unreadCount"] == 1
    back = api.call("POST", f"{THREADS}/{thread['id']}/read", {"messageId": sent[0]["id"]}, token=bob.access_token)
    assert back.data["unreadCount"] == 1
    unknown = api.call("POST", f"{THREADS}/{thread['id']}/read", {"messageId": "0" * 26}, token=bob.access_token)
    assert_problem(unknown, 404, "MESSAGE_NOT_FOUND")


def test_updates_are_partial_and_for_the_owner(api: Api, alice: Account, bob: Account) -> None:
    thread = new_thread(api, alice, bob, metadata={"a": 1})
    path = f"{THREADS}/{thread['id']}"

    assert_problem(api.call("PATCH", path, {"title": "Bob's"}, token=bob.access_token), 403, "NOT_THREAD_OWNER")
    updated = api.call("PUT", path, {"title": "Renamed"}, token=alice.access_token).data
    assert updated["title"] == "Renamed"
    assert updated["metadata"] == {"a": 1}
    archived = api.call("PATCH", path, {"status": "archived"}, token=alice.access_token).data
    assert archived["status"] == "archived"
    assert archived["title"] == "Renamed"
    assert [
        t["id"] for t in api.call("GET", THREADS, token=bob.access_token, query={"status": "archived"}).data["items"]
    ] == [thread["id"]]
    assert api.call("GET", THREADS, token=bob.access_token, query={"status": "active"}).data["items"] == []


def test_participants_join_and_leave(api: Api, alice: Account, bob: Account, eve: Account) -> None:
    thread = new_thread(api, alice)
    base = f"{THREADS}/{thread['id']}/participants"

    assert_problem(api.call("POST", base, {"userId": "missing-user"}, token=alice.access_token), 404, "USER_NOT_FOUND")
    joined = api.call("POST", base, {"userId": bob.id}, token=alice.access_token)
    assert bob.id in {p["userId"] for p in joined.data["participants"]}
    assert_problem(api.call("POST", base, {"userId": bob.id}, token=alice.access_token), 409, "ALREADY_PARTICIPANT")
    assert_problem(api.call("POST", base, {"userId": eve.id}, token=bob.access_token), 403, "NOT_THREAD_OWNER")

    assert api.call("DELETE", f"{base}/{bob.id}", token=bob.access_token).status == 200  # leaving
    assert_problem(api.call("GET", f"{THREADS}/{thread['id']}", token=bob.access_token), 404, "THREAD_NOT_FOUND")
    assert_problem(api.call("DELETE", f"{base}/{alice.id}", token=alice.access_token), 403, "OWNER_CANNOT_LEAVE")


def test_deleting_a_thread_removes_it_and_everything_in_it(api: Api, alice: Account, bob: Account) -> None:
    from shared.data.table import Item
    from shared.experience.models import thread_pk

    thread = new_thread(api, alice, bob)
    message = post(api, alice, thread["id"], "searchable words", clientMessageId="c1")
    api.call("POST", f"{MESSAGES}/{message['id']}/reactions", {"emoji": ":tada:"}, token=bob.access_token)
    api.call("PATCH", f"{MESSAGES}/{message['id']}", {"content": "edited words"}, token=alice.access_token)

    assert_problem(api.call("DELETE", f"{THREADS}/{thread['id']}", token=bob.access_token), 403, "NOT_THREAD_OWNER")
    assert api.call("DELETE", f"{THREADS}/{thread['id']}", token=alice.access_token).status == 200

    assert_problem(api.call("GET", f"{THREADS}/{thread['id']}", token=alice.access_token), 404, "THREAD_NOT_FOUND")
    assert_problem(api.call("GET", f"{MESSAGES}/{message['id']}", token=alice.access_token), 404, "MESSAGE_NOT_FOUND")
    assert api.call("GET", THREADS, token=bob.access_token).data["items"] == []
    assert Jobs(api).run() == {"delivered": 1, "failed": 0}  # the purge job
    assert list(Item.query(thread_pk(thread["id"]))) == []
    assert api.call("GET", f"{MESSAGES}/search", token=alice.access_token, query={"q": "edited"}).data["items"] == []
