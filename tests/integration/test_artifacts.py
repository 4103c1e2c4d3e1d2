"""Artifacts through the handlers: versions kept, conflicts under concurrent updates (never a
lost update), restore, history, exports (CSV formula injection neutralised), listings, access
and deletion rights."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import THREADS, new_thread, post
from tests.support.files import ready_file
from tests.support.products import atomic_dynamodb_calls, outcome, principal_of, run_concurrently

ARTIFACTS = "/api/v1/artifacts"
TABLE = {"columns": ["name", "formula", "score"], "rows": [["alice", "=1+2", -5], ["bob", "@SUM(A1)", 2.5]]}


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Owner")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Member")


@pytest.fixture
def stranger(api: Api) -> Account:
    return api.register(name="Sam Stranger")


@pytest.fixture
def thread(api: Api, alice: Account, bob: Account) -> dict[str, Any]:
    return new_thread(api, alice, bob)


def create(api: Api, account: Account, thread_id: str, **fields: Any) -> Any:
    body = {"type": "report", "title": "Quarterly numbers", "content": TABLE, **fields}
    return api.call("POST", f"{THREADS}/{thread_id}/artifacts", body, token=account.access_token)


@pytest.fixture
def artifact(api: Api, alice: Account, thread: dict[str, Any]) -> dict[str, Any]:
    res = create(api, alice, thread["id"], summary="Numbers of the quarter")
    assert res.status == 201, res.body
    return dict(res.data)


def update(api: Api, account: Account, artifact_id: str, body: dict[str, Any], method: str = "PATCH") -> Any:
    return api.call(method, f"{ARTIFACTS}/{artifact_id}", body, token=account.access_token)


def test_an_artifact_has_the_promised_shape(
    api: Api, alice: Account, thread: dict[str, Any], artifact: dict[str, Any]
) -> None:
    assert artifact["threadId"] == thread["id"]
    assert artifact["type"] == "report"
    assert artifact["title"] == "Quarterly numbers"
    assert artifact["content"] == TABLE
    assert artifact["summary"] == "Numbers of the quarter"
    assert artifact["messageId"] is None
    assert artifact["files"] == []
    assert artifact["version"] == 1
    assert artifact["createdBy"] == {"id": alice.id, "name": "Alice Owner"}
    assert artifact["createdAt"] == artifact["updatedAt"]
    got = api.call("GET", f"{ARTIFACTS}/{artifact['id']}", token=alice.access_token)
    assert got.status == 200
    assert got.data == artifact


def test_every_update_is_a_new_version_and_every_version_is_kept(
    api: Api, alice: Account, bob: Account, artifact: dict[str, Any]
) -> None:
    aid = artifact["id"]
    second = update(api, bob, aid, {"title": "Q3 numbers", "expectedVersion": 1}, "PUT")
    third = update(api, alice, aid, {"content": {"text": "replaced"}, "summary": None})

    assert second.status == 200, second.body
    assert second.data["version"] == 2
    assert second.data["title"] == "Q3 numbers"
    assert second.data["content"] == TABLE  # untouched fields stay
    assert second.data["updatedBy"] == {"id": bob.id, "name": "Bob Member"}
    assert third.data["version"] == 3
    assert third.data["summary"] is None
    history = api.call("GET", f"{ARTIFACTS}/{aid}/versions", token=bob.access_token).data["items"]
    assert [(v["version"], v["title"]) for v in history] == [
        (1, "Quarterly numbers"),
        (2, "Q3 numbers"),
        (3, "Q3 numbers"),
    ]
    assert "content" not in history[0]
    first = api.call("GET", f"{ARTIFACTS}/{aid}/versions/1", token=bob.access_token).data
    assert first["content"] == TABLE
    assert first["author"] == {"id": alice.id, "name": "Alice Owner"}
    assert_problem(api.call("GET", f"{ARTIFACTS}/{aid}/versions/9", token=bob.access_token), 404, "VERSION_NOT_FOUND")


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(
    api: Api, alice: Account, bob: Account, artifact: dict[str, Any]
) -> None:
    aid = artifact["id"]
    assert update(api, alice, aid, {"title": "Mine", "expectedVersion": 1}).status == 200

    assert_problem(update(api, bob, aid, {"title": "Theirs", "expectedVersion": 1}), 409, "VERSION_CONFLICT")
    now = api.call("GET", f"{ARTIFACTS}/{aid}", token=bob.access_token).data
    assert (now["version"], now["title"]) == (2, "Mine")


def test_concurrent_updates_never_lose_one(alice: Account, bob: Account, artifact: dict[str, Any]) -> None:
    from shared.experience import artifacts
    from shared.experience.artifacts_schemas import UpdateArtifactRequest

    callers = [principal_of(alice), principal_of(bob)] * 3

    def write(index: int) -> str:
        request = UpdateArtifactRequest(content={"writer": index}, expected_version=1)
        return outcome(lambda: artifacts.update_artifact(callers[index], artifact["id"], request))

    with atomic_dynamodb_calls():
        results = run_concurrently(*[lambda i=i: write(i) for i in range(6)])  # type: ignore[misc]

    assert sorted(results) == ["VERSION_CONFLICT"] * 5 + ["ok"]
    winner = results.index("ok")
    latest = artifacts.get_artifact(callers[0], artifact["id"])
    assert latest.version == 2
    assert latest.content == {"writer": winner}
    assert [v.version for v in artifacts.list_versions(callers[0], artifact["id"], limit=10, cursor=None).items] == [
        1,
        2,
    ]


def test_concurrent_updates_without_expected_version_apply_one_by_one_or_conflict(
    alice: Account, bob: Account, artifact: dict[str, Any]
) -> None:
    from shared.experience import artifacts
    from shared.experience.artifacts_schemas import UpdateArtifactRequest

    callers = [principal_of(alice), principal_of(bob)] * 3

    def write(index: int) -> str:
        request = UpdateArtifactRequest(content={"writer": index})
        return outcome(lambda: artifacts.update_artifact(callers[index], artifact["id"], request))

    with atomic_dynamodb_calls():
        results = run_concurrently(*[lambda i=i: write(i) for i in range(6)])  # type: ignore[misc]

    assert set(results) <= {"ok", "VERSION_CONFLICT"}
    versions = artifacts.list_versions(callers[0], artifact["id"], limit=20, cursor=None).items
    assert len(versions) == 1 + results.count("ok")  # every accepted write is a version, none lost
    latest = artifacts.get_artifact(callers[0], artifact["id"])
    assert latest.version == len(versions)


def test_restore_makes_a_new_version_with_the_old_content(api: Api, alice: Account, artifact: dict[str, Any]) -> None:
    aid = artifact["id"]
    update(api, alice, aid, {"title": "Changed", "content": {"text": "new"}})

    res = api.call("POST", f"{ARTIFACTS}/{aid}/restore", {"version": 1}, token=alice.access_token)

    assert res.status == 200, res.body
    assert (res.data["version"], res.data["title"], res.data["content"]) == (3, "Quarterly numbers", TABLE)
    third = api.call("GET", f"{ARTIFACTS}/{aid}/versions/3", token=alice.access_token).data
    assert third["restoredFrom"] == 1
    stale = api.call(
        "POST", f"{ARTIFACTS}/{aid}/restore", {"version": 2, "expectedVersion": 2}, token=alice.access_token
    )
    assert_problem(stale, 409, "VERSION_CONFLICT")
    missing = api.call("POST", f"{ARTIFACTS}/{aid}/restore", {"version": 7}, token=alice.access_token)
    assert_problem(missing, 404, "VERSION_NOT_FOUND")


def test_csv_export_neutralises_formulas(api: Api, alice: Account, artifact: dict[str, Any]) -> None:
    res = api.call("GET", f"{ARTIFACTS}/{artifact['id']}/export", token=alice.access_token, query={"format": "csv"})

    assert res.status == 200
    assert res.headers["content-type"].startswith("text/csv")
    assert 'filename="quarterly-numbers.csv"' in res.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(res.body)))
    assert rows == [["name", "formula", "score"], ["alice", "'=1+2", "-5"], ["bob", "'@SUM(A1)", "2.5"]]


def test_csv_export_of_content_that_is_not_a_table_is_409(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    made = create(api, alice, thread["id"], type="insight", content={"text": "no table"}).data
    res = api.call("GET", f"{ARTIFACTS}/{made['id']}/export", token=alice.access_token, query={"format": "csv"})
    assert_problem(res, 409, "NOT_TABULAR")


def test_markdown_and_json_exports(api: Api, alice: Account, artifact: dict[str, Any]) -> None:
    md = api.call("GET", f"{ARTIFACTS}/{artifact['id']}/export", token=alice.access_token, query={"format": "md"})
    as_json = api.call("GET", f"{ARTIFACTS}/{artifact['id']}/export", token=alice.access_token)

    assert md.headers["content-type"].startswith("text/markdown")
    assert md.body.startswith("# Quarterly numbers\n\nNumbers of the quarter\n\n| name | formula | score |")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.body["content"] == TABLE
    assert as_json.body["version"] == 1
    bad = api.call("GET", f"{ARTIFACTS}/{artifact['id']}/export", token=alice.access_token, query={"format": "xls"})
    assert bad.status == 400


def test_only_participants_see_artifacts(
    api: Api, stranger: Account, admin: Account, thread: dict[str, Any], artifact: dict[str, Any]
) -> None:
    aid = artifact["id"]
    for method, path, body in [
        ("GET", f"{ARTIFACTS}/{aid}", None),
        ("PATCH", f"{ARTIFACTS}/{aid}", {"title": "mine now"}),
        ("GET", f"{ARTIFACTS}/{aid}/versions", None),
        ("GET", f"{ARTIFACTS}/{aid}/export", None),
        ("DELETE", f"{ARTIFACTS}/{aid}", None),
    ]:
        assert_problem(api.call(method, path, body, token=stranger.access_token), 404, "ARTIFACT_NOT_FOUND")
    assert_problem(create(api, stranger, thread["id"]), 404, "THREAD_NOT_FOUND")
    assert api.call("GET", f"{ARTIFACTS}/{aid}", token=admin.access_token).status == 200


def test_delete_by_creator_owner_or_admin_only(
    api: Api, alice: Account, bob: Account, admin: Account, thread: dict[str, Any]
) -> None:
    by_bob = create(api, bob, thread["id"]).data
    by_alice = create(api, alice, thread["id"]).data
    another = create(api, alice, thread["id"]).data

    assert_problem(
        api.call("DELETE", f"{ARTIFACTS}/{by_alice['id']}", token=bob.access_token), 403, "NOT_ARTIFACT_CREATOR"
    )
    assert api.call("DELETE", f"{ARTIFACTS}/{by_bob['id']}", token=bob.access_token).status == 200  # its creator
    assert api.call("DELETE", f"{ARTIFACTS}/{by_alice['id']}", token=alice.access_token).status == 200  # owner
    assert api.call("DELETE", f"{ARTIFACTS}/{another['id']}", token=admin.access_token).status == 200
    for gone in (by_bob, by_alice):
        assert_problem(
            api.call("GET", f"{ARTIFACTS}/{gone['id']}", token=alice.access_token), 404, "ARTIFACT_NOT_FOUND"
        )
        versions = api.call("GET", f"{ARTIFACTS}/{gone['id']}/versions/1", token=alice.access_token)
        assert_problem(versions, 404, "ARTIFACT_NOT_FOUND")


def test_listings_newest_first_by_type_and_across_threads(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    other = new_thread(api, bob)
    first = create(api, alice, thread["id"], type="insight", content={"text": "a"}).data
    second = create(api, alice, thread["id"], type="report").data
    third = create(api, bob, other["id"], type="insight", content={"text": "b"}).data

    in_thread = api.call("GET", f"{THREADS}/{thread['id']}/artifacts", token=alice.access_token).data
    insights = api.call(
        "GET", f"{THREADS}/{thread['id']}/artifacts", token=alice.access_token, query={"type": "insight"}
    )
    assert [a["id"] for a in in_thread["items"]] == [second["id"], first["id"]]
    assert "content" not in in_thread["items"][0]
    assert [a["id"] for a in insights.data["items"]] == [first["id"]]

    pages: list[str] = []
    cursor = None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api.call("GET", ARTIFACTS, token=bob.access_token, query=query).data
        pages += [a["id"] for a in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert pages == [third["id"], second["id"], first["id"]]
    mine = api.call("GET", ARTIFACTS, token=alice.access_token, query={"type": "insight"}).data["items"]
    assert [a["id"] for a in mine] == [first["id"]]  # alice is not in bob's other thread


def test_message_id_must_be_a_message_of_the_thread(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    message = post(api, alice, thread["id"], "the numbers are in")
    elsewhere = post(api, bob, new_thread(api, bob)["id"], "elsewhere")

    made = create(api, alice, thread["id"], messageId=message["id"])
    assert made.status == 201
    assert made.data["messageId"] == message["id"]
    assert_problem(create(api, alice, thread["id"], messageId=elsewhere["id"]), 400, "MESSAGE_NOT_IN_THREAD")


def test_an_artifact_attaches_only_ready_files_of_its_thread(
    api: Api, alice: Account, bob: Account, thread: dict[str, Any]
) -> None:
    file_id = ready_file(api, bob, thread["id"])
    res = create(api, alice, thread["id"], fileIds=[file_id, file_id])
    assert res.status == 201, res.body
    files = res.data["files"]
    assert [f["id"] for f in files] == [file_id]
    assert set(files[0]) == {"id", "filename", "contentType", "size"}

    error = assert_problem(create(api, alice, thread["id"], fileIds=["unknown-file"]), 400, "FILE_NOT_FOUND")
    assert "fileIds" in error["errors"]
    elsewhere = new_thread(api, alice, title="Elsewhere")
    other = ready_file(api, alice, elsewhere["id"])
    assert_problem(create(api, alice, thread["id"], fileIds=[other]), 400, "FILE_NOT_FOUND")


@pytest.mark.parametrize(
    "body",
    [
        {"type": "spreadsheet", "title": "x", "content": {}},
        {"type": "report", "title": "", "content": {}},
        {"type": "report", "title": "   ", "content": {}},
        {"type": "report", "title": "x" * 201, "content": {}},
        {"type": "report", "title": "x", "content": ["not", "an", "object"]},
        {"type": "report", "title": "x", "content": {"text": "y" * (256 * 1024)}},
        {"type": "report", "title": "x", "content": {}, "summary": "s" * 2001},
        {"type": "report", "title": "x", "content": {}, "version": 5},
    ],
)
def test_bad_artifact_bodies_are_400(api: Api, alice: Account, thread: dict[str, Any], body: dict[str, Any]) -> None:
    res = api.call("POST", f"{THREADS}/{thread['id']}/artifacts", body, token=alice.access_token)
    assert_problem(res, 400, "VALIDATION_ERROR")


def test_content_up_to_256_kb_of_any_text_is_stored(api: Api, alice: Account, thread: dict[str, Any]) -> None:
    # Given 256 KB of three-byte characters (PynamoDB's default JSON would store 512 KB: too big)
    text = "界" * ((256 * 1024 - 20) // 3)
    made = create(api, alice, thread["id"], content={"text": text})
    assert made.status == 201, made.body
    changed = update(api, alice, made.data["id"], {"title": "again"})
    assert changed.status == 200
    assert api.call("GET", f"{ARTIFACTS}/{made.data['id']}", token=alice.access_token).data["content"]["text"] == text


def test_bad_updates_are_400(api: Api, alice: Account, artifact: dict[str, Any]) -> None:
    for body in ({}, {"expectedVersion": 1}, {"title": None}, {"expectedVersion": "1", "title": "x"}, {"type": "pdf"}):
        assert update(api, alice, artifact["id"], body).status == 400, body


def test_unchanged_content_is_stored_once_and_deleting_removes_every_item(
    api: Api, alice: Account, thread: dict[str, Any], artifact: dict[str, Any]
) -> None:
    from shared.data.table import Item

    def stored() -> list[str]:
        found = [type(item).__name__ for item in Item.query(f"THREAD#{thread['id']}")]
        return sorted(name for name in found if name.startswith("Artifact"))

    aid = artifact["id"]
    update(api, alice, aid, {"title": "Renamed"})
    api.call("POST", f"{ARTIFACTS}/{aid}/restore", {"version": 1}, token=alice.access_token)
    update(api, alice, aid, {"content": {"text": "new"}})
    # Given four versions, two of which brought content
    assert stored() == ["ArtifactContentItem"] * 2 + ["ArtifactItem"] + ["ArtifactVersionItem"] * 4
    assert api.call("GET", f"{ARTIFACTS}/{aid}/versions/3", token=alice.access_token).data["content"] == TABLE

    assert api.call("DELETE", f"{ARTIFACTS}/{aid}", token=alice.access_token).status == 200

    assert stored() == []


def test_a_deleted_threads_artifacts_go_with_its_purge(api: Api, alice: Account, artifact: dict[str, Any]) -> None:
    from shared.data.table import Item

    from tests.support.jobs import Jobs

    thread_id = artifact["threadId"]
    update(api, alice, artifact["id"], {"content": {"text": "v2"}})
    assert api.call("DELETE", f"{THREADS}/{thread_id}", token=alice.access_token).status == 200
    assert_problem(
        api.call("GET", f"{ARTIFACTS}/{artifact['id']}", token=alice.access_token), 404, "ARTIFACT_NOT_FOUND"
    )

    assert Jobs(api).run() == {"delivered": 1, "failed": 0}

    assert list(Item.query(f"THREAD#{thread_id}")) == []
    assert list(Item.gsi1.query(f"ARTIFACT#{artifact['id']}")) == []
