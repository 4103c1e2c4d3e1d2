"""Messages through the handlers: retried sends, catch-up, edits with history, tombstones, UI
blocks, actions, reactions under concurrency, search, and the domain allowlist."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import BUTTON_BLOCKS, MESSAGES, THREADS, messages_of, new_thread, post, thread_of
from tests.support.files import ready_file
from tests.support.products import atomic_dynamodb_calls, principal_of, run_concurrently


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Owner")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Member")


@pytest.fixture
def thread(api: Api, alice: Account, bob: Account) -> dict[str, Any]:
    return new_thread(api, alice, bob)


def send(api: Api, account: Account, thread_id: str, body: dict[str, Any]) -> Any:
    return api.call("POST", f"{THREADS}/{thread_id}/messages", body, token=account.access_token)


def test_a_message_has_the_promised_shape(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    file_id = ready_file(api, alice, thread["id"])
    message = post(api, alice, thread["id"], "**hi**", attachments=[file_id])

    assert message["threadId"] == thread["id"]
    assert message["author"] == {"id": alice.id, "name": "Alice Owner"}
    assert message["role"] == "user"
    assert message["content"] == "**hi**"
    assert message["blocks"] is None
    assert message["attachments"] == [file_id]
    assert message["reactions"] == []
    assert message["version"] == 1
    assert message["editedAt"] is None
    assert message["deleted"] is False
    assert api.call("GET", f"{MESSAGES}/{message['id']}", token=alice.access_token).data["content"] == "**hi**"


def test_a_retried_client_message_id_returns_the_first_message(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    first = send(api, alice, thread["id"], {"content": "once", "clientMessageId": "abc-1"})
    again = send(api, alice, thread["id"], {"content": "once", "clientMessageId": "abc-1"})
    other = send(api, bob, thread["id"], {"content": "mine", "clientMessageId": "abc-1"})

    assert first.status == 201
    assert again.status == 200
    assert again.data["id"] == first.data["id"]
    assert other.status == 201
    assert other.data["id"] != first.data["id"]
    assert thread_of(api, alice, thread["id"])["messageCount"] == 2


def test_concurrent_retries_of_one_send_make_one_message(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    from shared.experience import messages
    from shared.experience.schemas import CreateMessageRequest

    body = CreateMessageRequest(content="racing", client_message_id="race-1")
    caller = principal_of(alice)
    with atomic_dynamodb_calls():
        results = run_concurrently(*[lambda: messages.post_message(caller, thread["id"], body) for _ in range(4)])

    assert len({message.id for message, _created in results}) == 1
    assert [created for _message, created in results].count(True) == 1
    assert [m["content"] for m in messages_of(api, alice, thread["id"])] == ["racing"]
    assert thread_of(api, alice, thread["id"])["messageCount"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"content": "   "},
        {"content": "x" * 40_001},
        {"content": "x", "clientMessageId": "c" * 65},
        {"content": "x", "author": "y"},
    ],
)
def test_bad_message_bodies_are_400(api: Api, alice: Account, thread: dict[str, Any], body: dict[str, Any]) -> None:
    assert send(api, alice, thread["id"], body).status == 400


def test_people_post_only_as_user(api: Api, alice: Account, admin: Account, thread: dict[str, Any]) -> None:
    # Assistant and system messages come from integrations (API keys: tests/integration/test_api_keys.py)
    for account in (alice, admin):
        for role in ("assistant", "system"):
            assert_problem(send(api, account, thread["id"], {"content": "x", "role": role}), 403, "ROLE_NOT_ALLOWED")


def test_messages_list_newest_first_and_catch_up_oldest_first(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    sent = [post(api, alice, thread["id"], f"m{n}") for n in range(5)]
    ids = [m["id"] for m in sent]
    assert ids == sorted(ids)  # ids sort by time

    page = api.call("GET", f"{THREADS}/{thread['id']}/messages", token=alice.access_token, query={"limit": "2"}).data
    assert [m["content"] for m in page["items"]] == ["m4", "m3"]
    rest = messages_of(api, alice, thread["id"], limit="10", cursor=page["nextCursor"])
    assert [m["content"] for m in rest] == ["m2", "m1", "m0"]

    caught_up = messages_of(api, alice, thread["id"], after=ids[1])
    assert [m["content"] for m in caught_up] == ["m2", "m3", "m4"]
    assert messages_of(api, alice, thread["id"], after=ids[4]) == []
    bad = api.call("GET", f"{THREADS}/{thread['id']}/messages", token=alice.access_token, query={"after": "nope"})
    assert_problem(bad, 400, "VALIDATION_ERROR")


def test_edits_keep_history_and_only_the_author_edits(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    message = post(api, alice, thread["id"], "first draft")
    path = f"{MESSAGES}/{message['id']}"

    assert_problem(api.call("PATCH", path, {"content": "hijack"}, token=bob.access_token), 403, "NOT_MESSAGE_AUTHOR")
    edited = api.call("PUT", path, {"content": "second draft"}, token=alice.access_token).data
    assert edited["version"] == 2
    assert edited["editedAt"]
    assert edited["content"] == "second draft"
    with_blocks = api.call("PATCH", path, {"blocks": BUTTON_BLOCKS}, token=alice.access_token).data
    assert with_blocks["content"] == "second draft"
    assert with_blocks["blocks"] == BUTTON_BLOCKS

    history = api.call("GET", f"{path}/history", token=bob.access_token).data
    assert [(v["version"], v["content"]) for v in history] == [(1, "first draft"), (2, "second draft")]
    assert_problem(api.call("PATCH", path, {}, token=alice.access_token), 400, "VALIDATION_ERROR")


def test_a_deleted_message_is_a_tombstone_in_place(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    keep = post(api, alice, thread["id"], "keep")
    gone = post(api, bob, thread["id"], "oops", blocks=BUTTON_BLOCKS, attachments=[ready_file(api, bob, thread["id"])])

    deleted = api.call("DELETE", f"{MESSAGES}/{gone['id']}", token=alice.access_token)  # the thread's owner
    assert deleted.status == 200
    listed = messages_of(api, bob, thread["id"])
    assert [m["id"] for m in listed] == [gone["id"], keep["id"]]
    tomb = listed[0]
    assert tomb["deleted"] is True
    assert tomb["content"] is None
    assert tomb["blocks"] is None
    assert tomb["attachments"] == []
    assert_problem(
        api.call("PATCH", f"{MESSAGES}/{gone['id']}", {"content": "x"}, token=bob.access_token), 409, "MESSAGE_DELETED"
    )
    assert_problem(api.call("DELETE", f"{MESSAGES}/{keep['id']}", token=bob.access_token), 403, "NOT_MESSAGE_AUTHOR")
    assert api.call("GET", f"{MESSAGES}/search", token=bob.access_token, query={"q": "oops"}).data["items"] == []


def test_block_errors_name_their_path(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    blocks = [
        {"type": "divider"},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}}]},
        {"type": "marquee"},
    ]
    res = send(api, alice, thread["id"], {"blocks": blocks})
    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert "blocks[1].elements[0].action_id" in error["errors"]
    assert "blocks[2].type" in error["errors"]
    assert messages_of(api, alice, thread["id"]) == []


def test_actions_must_exist_in_the_message(api: Api, alice: Account, bob: Account, thread: dict[str, Any]) -> None:
    message = post(api, alice, thread["id"], "choose", blocks=BUTTON_BLOCKS)
    path = f"{MESSAGES}/{message['id']}/actions"

    pressed = api.call("POST", path, {"actionId": "approve", "value": "yes"}, token=bob.access_token)
    assert pressed.status == 201
    assert pressed.data["user"] == {"id": bob.id, "name": "Bob Member"}
    assert pressed.data["actionId"] == "approve"
    chosen = api.call("POST", path, {"actionId": "env", "value": "prod"}, token=alice.access_token)
    assert chosen.status == 201
    assert_problem(
        api.call("POST", path, {"actionId": "env", "value": "moon"}, token=bob.access_token),
        400,
        "INVALID_ACTION_VALUE",
    )
    assert_problem(api.call("POST", path, {"actionId": "nope"}, token=bob.access_token), 400, "UNKNOWN_ACTION")

    listed = api.call("GET", path, token=alice.access_token).data["items"]
    assert [(a["actionId"], a["value"]) for a in listed] == [("approve", "yes"), ("env", "prod")]


def test_reactions_toggle_and_report_me(api: Api, alice: Account, bob: Account, thread: dict[str, Any]) -> None:
    message = post(api, alice, thread["id"], "react to me")
    path = f"{MESSAGES}/{message['id']}/reactions"

    added = api.call("POST", path, {"emoji": "👍"}, token=bob.access_token).data
    assert added == {"added": True, "reactions": [{"emoji": "👍", "count": 1, "me": True}]}
    api.call("POST", path, {"emoji": ":tada:"}, token=alice.access_token)
    api.call("POST", path, {"emoji": "👍"}, token=alice.access_token)
    listed = messages_of(api, alice, thread["id"])[0]["reactions"]
    assert listed == [{"emoji": "👍", "count": 2, "me": True}, {"emoji": ":tada:", "count": 1, "me": True}]
    who = api.call("GET", path, token=bob.access_token).data
    assert who[0]["emoji"] == "👍"
    assert {u["id"] for u in who[0]["users"]} == {alice.id, bob.id}

    removed = api.call("POST", path, {"emoji": "👍"}, token=bob.access_token).data
    assert removed["added"] is False
    assert {r["emoji"]: (r["count"], r["me"]) for r in removed["reactions"]} == {"👍": (1, False), ":tada:": (1, False)}


@pytest.mark.parametrize("emoji", ["", "a", "👍👍", ":Bad:", ":x y:", "hello", ":" + "a" * 51 + ":"])
def test_bad_emoji_are_400(api: Api, alice: Account, thread: dict[str, Any], emoji: str) -> None:
    message = post(api, alice, thread["id"])
    res = api.call("POST", f"{MESSAGES}/{message['id']}/reactions", {"emoji": emoji}, token=alice.access_token)
    assert_problem(res, 400, "VALIDATION_ERROR")


def test_concurrent_toggles_keep_counts_exact(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    from shared.experience import interactions
    from shared.experience.schemas import ReactionRequest

    others = [api.register(name=f"Member {n}") for n in range(5)]
    for member in others:
        api.call("POST", f"{THREADS}/{thread['id']}/participants", {"userId": member.id}, token=alice.access_token)
    message = post(api, alice, thread["id"], "popular")
    path = f"{MESSAGES}/{message['id']}/reactions"

    def toggle(account: Account) -> Callable[[], Any]:
        caller = principal_of(account)
        return lambda: interactions.toggle_reaction(caller, message["id"], ReactionRequest(emoji=":fire:"))

    # Each member toggles three times, all at once with everyone else: one reaction each remains.
    with atomic_dynamodb_calls():
        run_concurrently(*[toggle(member) for member in others for _ in range(3)])
    counts = messages_of(api, alice, thread["id"])[0]["reactions"]
    assert counts == [{"emoji": ":fire:", "count": 5, "me": False}]
    assert len(api.call("GET", path, token=alice.access_token).data[0]["users"]) == 5


def test_search_finds_words_in_the_callers_threads_only(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    other = new_thread(api, bob)
    hit = post(api, alice, thread["id"], "The quarterly budget review is Friday")
    post(api, bob, other["id"], "budget for bob alone")
    post(api, alice, thread["id"], "Unrelated chatter")
    in_blocks = post(api, alice, thread["id"], "see table", blocks=BUTTON_BLOCKS)

    def search(account: Account, **query: str) -> list[str]:
        res = api.call("GET", f"{MESSAGES}/search", token=account.access_token, query=query)
        assert res.status == 200, res.body
        return [m["id"] for m in res.data["items"]]

    assert search(alice, q="budget") == [hit["id"]]
    assert len(search(bob, q="budget")) == 2
    assert search(alice, q="QUARTERLY review") == [hit["id"]]
    assert search(alice, q="budget nothing") == []
    assert search(alice, q="ship") == [in_blocks["id"]]
    assert search(bob, q="budget", threadId=other["id"]) != search(bob, q="budget", threadId=thread["id"])
    res = api.call(
        "GET", f"{MESSAGES}/search", token=alice.access_token, query={"q": "budget", "threadId": other["id"]}
    )
    assert_problem(res, 404, "THREAD_NOT_FOUND")
    api.call("PATCH", f"{MESSAGES}/{hit['id']}", {"content": "renamed agenda"}, token=alice.access_token)
    assert search(alice, q="budget") == []
    assert search(alice, q="agenda") == [hit["id"]]


def test_only_the_first_300_words_are_indexed(
    api: Api, alice: Account, thread: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.experience import search

    assert search.MAX_INDEXED_WORDS == 300
    # The same rule with a smaller cap: 300 postings cost moto seconds and show nothing more
    monkeypatch.setattr(search, "MAX_INDEXED_WORDS", 30)
    words = " ".join(f"w{n}" for n in range(40))
    message = post(api, alice, thread["id"], words)
    found = api.call("GET", f"{MESSAGES}/search", token=alice.access_token, query={"q": "w29"}).data["items"]
    assert [m["id"] for m in found] == [message["id"]]
    assert api.call("GET", f"{MESSAGES}/search", token=alice.access_token, query={"q": "w30"}).data["items"] == []


def test_the_domain_allowlist_limits_the_experience_routes(
    api: Api, configure: Callable[..., None], alice: Account, thread: dict[str, Any]
) -> None:
    configure(EXPERIENCE_ALLOWED_DOMAINS="corp.test, other.test")
    insider = api.register("someone@corp.test")

    assert_problem(api.call("GET", THREADS, token=alice.access_token), 403, "DOMAIN_NOT_ALLOWED")
    assert_problem(api.call("GET", f"{THREADS}/{thread['id']}", token=alice.access_token), 403, "DOMAIN_NOT_ALLOWED")
    assert_problem(send(api, alice, thread["id"], {"content": "x"}), 403, "DOMAIN_NOT_ALLOWED")
    assert api.call("POST", THREADS, {"title": "ok"}, token=insider.access_token).status == 201
    assert api.call("GET", "/api/v1/users/me", token=alice.access_token).status == 200  # other routes unaffected


def test_index_and_health(api: Api) -> None:
    index = api.call("GET", "/api/v1")
    assert index.status == 200
    assert index.data["version"] == "1"
    assert "threads" in index.data["links"]
    assert api.call("GET", "/api/v1/health").data["status"] == "ok"
