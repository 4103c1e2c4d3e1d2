"""Files: presigned upload forms, the worker fed by the bucket's notifications through SQS
(moto delivers them as S3 does), previews, access by thread, attachments."""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.support.api import Account, Api, assert_problem
from tests.support.experience import new_thread, post
from tests.support.files import (
    BUCKET,
    FILES,
    PDF_BYTES,
    announce,
    configure_notifications,
    get_file,
    jpeg_bytes,
    notifications,
    png_bytes,
    post_form,
    run_worker,
    s3_event,
    upload,
)


@pytest.fixture(autouse=True)
def _notified(api: Api) -> None:
    configure_notifications(api)
    notifications(api)  # S3's s3:TestEvent on configuration


@pytest.fixture
def alice(api: Api) -> Account:
    return api.register(name="Alice Uploader")


@pytest.fixture
def bob(api: Api) -> Account:
    return api.register(name="Bob Participant")


@pytest.fixture
def eve(api: Api) -> Account:
    return api.register(name="Eve Outsider")


def keys(api: Api) -> list[str]:
    return sorted(o["Key"] for o in api.aws.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_the_upload_form_admits_exactly_that_key_type_and_size(api: Api, alice: Account) -> None:
    created = announce(api, alice, "chart.png", "Image/PNG; charset=binary", 1234)

    file = created["file"]
    assert file["status"] == "pending"
    assert file["contentType"] == "image/png"
    assert file["uploader"] == {"id": alice.id, "name": "Alice Uploader"}
    assert file["downloadUrl"] is None
    assert file["previewUrl"] is None
    fields = created["upload"]["fields"]
    assert fields["key"] == f"files/{file['id']}/original"
    conditions = json.loads(base64.b64decode(fields["policy"]))["conditions"]
    assert ["content-length-range", 1234, 1234] in conditions
    assert {"Content-Type": "image/png"} in conditions
    assert {"key": fields["key"]} in conditions
    assert created["upload"]["expiresIn"] == 900


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filename": "a.exe", "contentType": "application/x-msdownload", "size": 10}, "contentType"),
        ({"filename": "a.svg", "contentType": "image/svg+xml", "size": 10}, "contentType"),
        ({"filename": "a.png", "contentType": "image/png", "size": 100 * 1024 * 1024 + 1}, "size"),
        ({"filename": "a.png", "contentType": "image/png", "size": 0}, "size"),
        ({"filename": "a.json", "contentType": "application/json", "size": 20 * 1024 * 1024 + 1}, "size"),
        ({"filename": "../etc/passwd", "contentType": "text/plain", "size": 10}, "filename"),
        ({"filename": "x" * 256, "contentType": "text/plain", "size": 10}, "filename"),
        ({"filename": "a.txt", "contentType": "text/plain", "size": 10, "status": "ready"}, "status"),
    ],
)
def test_bad_announcements_are_400(api: Api, alice: Account, body: dict[str, object], field: str) -> None:
    res = api.call("POST", FILES, body, token=alice.access_token)
    assert_problem(res, 400, "VALIDATION_ERROR")
    assert field in res.error["errors"]


def test_an_image_becomes_ready_with_a_preview_of_at_most_320_px(api: Api, alice: Account) -> None:
    from PIL import Image

    file = upload(api, alice, "photo.png", "image/png", png_bytes(1600, 900))

    assert file["status"] == "ready"
    assert (file["width"], file["height"]) == (1600, 900)
    assert file["urlExpiresIn"] == 300
    preview = requests.get(file["previewUrl"], timeout=10)
    assert preview.status_code == 200
    with Image.open(io.BytesIO(preview.content)) as image:
        assert image.size == (320, 180)
    download = requests.get(file["downloadUrl"], timeout=10)
    assert download.content == png_bytes(1600, 900)
    assert keys(api) == [f"files/{file['id']}/original", f"files/{file['id']}/preview"]


@pytest.mark.parametrize(
    ("filename", "content_type", "data"),
    [
        ("doc.pdf", "application/pdf", PDF_BYTES),
        ("notes.md", "text/markdown", "# Títle\n\nsome *text*\n".encode()),
        ("table.csv", "text/csv", b"\xef\xbb\xbfa,b\n1,2\n"),
        ("data.json", "application/json", b'{"rows": [[1, 2]]}'),
        ("deck.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04rest"),
        ("old.doc", "application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"),
        ("photo.jpg", "image/jpeg", jpeg_bytes()),
    ],
)
def test_files_of_every_kind_are_checked_and_ready(
    api: Api, alice: Account, filename: str, content_type: str, data: bytes
) -> None:
    file = upload(api, alice, filename, content_type, data)

    assert file["status"] == "ready", file
    assert file["reason"] is None
    assert file["downloadUrl"]
    assert (file["previewUrl"] is not None) == content_type.startswith("image/")


@pytest.mark.parametrize(
    ("content_type", "data", "reason"),
    [
        ("image/png", PDF_BYTES, "not an image of type image/png"),
        ("application/pdf", png_bytes(10, 10), "not a document of type application/pdf"),
        ("text/plain", b"abc\x00def", "NUL"),
        ("text/csv", b"caf\xe9,1\n", "not valid UTF-8"),
        ("application/json", b'{"a": ', "not valid JSON"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "not a readable image/png image"),
    ],
)
def test_bytes_that_do_not_match_the_declared_type_are_rejected_and_deleted(
    api: Api, alice: Account, content_type: str, data: bytes, reason: str
) -> None:
    file = upload(api, alice, "upload.bin", content_type, data)

    assert file["status"] == "rejected"
    assert reason in file["reason"]
    assert file["downloadUrl"] is None
    assert keys(api) == []


def test_a_size_other_than_declared_is_rejected(api: Api, alice: Account) -> None:
    # moto does not enforce the form's content-length-range (S3 would refuse the upload): the
    # worker checks the real size anyway
    created = announce(api, alice, "a.txt", "text/plain", 5)
    post_form(created["upload"], b"longer than five")
    run_worker(api, notifications(api))

    file = get_file(api, alice, created["file"]["id"])
    assert file["status"] == "rejected"
    assert file["reason"] == "The upload has 16 bytes, not the 5 declared"


def test_redelivered_notifications_change_nothing(api: Api, alice: Account) -> None:
    created = announce(api, alice, "a.png", "image/png", len(png_bytes()))
    post_form(created["upload"], png_bytes())
    bodies = notifications(api)
    assert run_worker(api, bodies) == {"batchItemFailures": []}
    first = get_file(api, alice, created["file"]["id"])

    assert run_worker(api, bodies + bodies) == {"batchItemFailures": []}

    again = get_file(api, alice, created["file"]["id"])
    assert again["status"] == "ready"
    assert again["updatedAt"] == first["updatedAt"]


def test_a_new_upload_over_a_ready_file_is_judged_again(api: Api, alice: Account) -> None:
    data = png_bytes(40, 40)
    created = announce(api, alice, "a.png", "image/png", len(data))
    post_form(created["upload"], data)
    run_worker(api, notifications(api))

    post_form(created["upload"], b"X" * len(data))  # the same form, reused within its lifetime
    run_worker(api, notifications(api))

    file = get_file(api, alice, created["file"]["id"])
    assert file["status"] == "rejected"
    assert keys(api) == []


def test_notifications_for_unknown_or_deleted_files_remove_the_object(api: Api, alice: Account) -> None:
    created = announce(api, alice, "a.txt", "text/plain", 3)
    assert api.call("DELETE", f"{FILES}/{created['file']['id']}", token=alice.access_token).status == 200
    post_form(created["upload"], b"abc")  # the upload lands after the file was deleted

    assert run_worker(api, notifications(api)) == {"batchItemFailures": []}
    assert keys(api) == []


def test_the_worker_takes_aws_shaped_events_and_ignores_test_events_and_other_keys(api: Api, alice: Account) -> None:
    created = announce(api, alice, "a.txt", "text/plain", 3)
    key = created["upload"]["fields"]["key"]
    api.aws.s3.put_object(Bucket=BUCKET, Key=key, Body=b"abc")
    notifications(api)
    test_event = json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET})

    result = run_worker(api, [test_event, s3_event("uploads/other", size=3), s3_event(key.replace("/", "%2F"))])

    assert result == {"batchItemFailures": []}
    assert get_file(api, alice, created["file"]["id"])["status"] == "ready"


def test_access_is_the_uploader_and_the_thread_participants(
    api: Api, alice: Account, bob: Account, eve: Account
) -> None:
    owner = api.register(name="Olga Owner")
    thread = new_thread(api, owner, alice, bob)
    file = upload(api, alice, "plan.pdf", "application/pdf", PDF_BYTES, threadId=thread["id"])
    path = f"{FILES}/{file['id']}"

    assert get_file(api, bob, file["id"])["downloadUrl"]
    assert_problem(api.call("GET", path, token=eve.access_token), 404, "FILE_NOT_FOUND")
    assert_problem(api.call("PATCH", path, {"filename": "x.pdf"}, token=eve.access_token), 404, "FILE_NOT_FOUND")
    assert_problem(api.call("DELETE", path, token=eve.access_token), 404, "FILE_NOT_FOUND")
    assert_problem(api.call("PATCH", path, {"filename": "x.pdf"}, token=bob.access_token), 403, "NOT_FILE_UPLOADER")
    assert_problem(api.call("DELETE", path, token=bob.access_token), 403, "NOT_FILE_UPLOADER")
    res = api.call("GET", FILES, token=eve.access_token, query={"threadId": thread["id"]})
    assert_problem(res, 404, "THREAD_NOT_FOUND")

    renamed = api.call("PUT", path, {"filename": "final plan.pdf"}, token=alice.access_token)
    assert renamed.status == 200
    assert renamed.data["filename"] == "final plan.pdf"
    query = parse_qs(urlsplit(renamed.data["downloadUrl"]).query)
    assert query["response-content-disposition"] == ["attachment; filename*=UTF-8''final%20plan.pdf"]

    assert api.call("DELETE", path, token=owner.access_token).status == 200
    assert_problem(api.call("GET", path, token=alice.access_token), 404, "FILE_NOT_FOUND")
    assert keys(api) == []


def test_a_file_without_a_thread_is_its_uploaders_alone(api: Api, alice: Account, admin: Account) -> None:
    file = upload(api, alice, "mine.txt", "text/plain", b"private")

    assert_problem(api.call("GET", f"{FILES}/{file['id']}", token=admin.access_token), 404, "FILE_NOT_FOUND")
    mine = api.call("GET", FILES, token=alice.access_token)
    assert [f["id"] for f in mine.data["items"]] == [file["id"]]


def test_announcing_into_a_thread_one_is_not_in_is_404(api: Api, alice: Account, eve: Account) -> None:
    thread = new_thread(api, alice)
    body = {"filename": "a.txt", "contentType": "text/plain", "size": 3, "threadId": thread["id"]}
    assert_problem(api.call("POST", FILES, body, token=eve.access_token), 404, "THREAD_NOT_FOUND")


def test_a_threads_files_page_newest_first(api: Api, alice: Account, bob: Account) -> None:
    thread = new_thread(api, alice, bob)
    ids = [announce(api, alice, f"f{i}.txt", "text/plain", 3, threadId=thread["id"])["file"]["id"] for i in range(3)]

    first = api.call("GET", FILES, token=bob.access_token, query={"threadId": thread["id"], "limit": "2"}).data
    rest = api.call(
        "GET",
        FILES,
        token=bob.access_token,
        query={"threadId": thread["id"], "limit": "2", "cursor": first["nextCursor"]},
    ).data

    assert [f["id"] for f in first["items"] + rest["items"]] == ids[::-1]
    assert rest["nextCursor"] is None


def test_messages_attach_only_ready_files_of_their_thread(api: Api, alice: Account, bob: Account) -> None:
    thread = new_thread(api, alice, bob)
    other = new_thread(api, alice)
    ready = upload(api, bob, "a.pdf", "application/pdf", PDF_BYTES, threadId=thread["id"])
    pending = announce(api, alice, "b.pdf", "application/pdf", 10, threadId=thread["id"])["file"]
    elsewhere = upload(api, alice, "c.pdf", "application/pdf", PDF_BYTES, threadId=other["id"])
    path = f"/api/v1/threads/{thread['id']}/messages"

    res = api.call("POST", path, {"content": "see", "attachments": [pending["id"]]}, token=alice.access_token)
    assert_problem(res, 400, "FILE_NOT_READY")
    res = api.call("POST", path, {"content": "see", "attachments": [elsewhere["id"]]}, token=alice.access_token)
    assert_problem(res, 400, "FILE_NOT_FOUND")
    assert "attachments" in res.error["errors"]

    message = post(api, alice, thread["id"], "see attached", attachments=[ready["id"], ready["id"]])
    assert message["attachments"] == [ready["id"]]


def test_an_object_replaced_during_the_check_is_retried_not_judged(
    api: Api, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.experience.files import storage

    created = announce(api, alice, "a.txt", "text/plain", 3)
    post_form(created["upload"], b"abc")
    bodies = notifications(api)
    # the object seen by HEAD is not the one the GET finds (a second upload landed in between)
    monkeypatch.setattr(storage, "head", lambda key: storage.ObjectHead(size=3, etag="0" * 32))

    result = run_worker(api, bodies)

    assert len(result["batchItemFailures"]) == 1  # SQS redelivers; the new upload's event follows
    assert get_file(api, alice, created["file"]["id"])["status"] == "pending"


def test_a_rejection_whose_delete_failed_deletes_on_the_retry(
    api: Api, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.experience.files import storage

    created = announce(api, alice, "a.pdf", "application/pdf", 3)
    post_form(created["upload"], b"abc")
    bodies = notifications(api)
    real_delete = storage.delete

    def unavailable(*keys: str) -> None:
        raise ConnectionError("S3 unavailable")

    monkeypatch.setattr(storage, "delete", unavailable)
    assert len(run_worker(api, bodies)["batchItemFailures"]) == 1
    assert get_file(api, alice, created["file"]["id"])["status"] == "rejected"
    assert keys(api) == [created["upload"]["fields"]["key"]]

    monkeypatch.setattr(storage, "delete", real_delete)
    assert run_worker(api, bodies) == {"batchItemFailures": []}
    assert keys(api) == []
