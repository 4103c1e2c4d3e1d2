"""Files on the local stack: a real browser-style upload to the presigned POST (moto's S3), the
bucket's notification through the queue to the file worker, previews, access by thread."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests

from devstack.httpclient import Client
from tests.e2e.conftest import eventually
from tests.e2e.test_local_stack import register, unique_email
from tests.support.files import PDF_BYTES, png_bytes

pytestmark = pytest.mark.e2e


def upload(api: Client, token: str, filename: str, content_type: str, data: bytes, thread_id: str) -> str:
    body = {"filename": filename, "contentType": content_type, "size": len(data), "threadId": thread_id}
    created = api("POST", "/api/v1/files", body, token=token)
    assert created.status == 201, created.body
    form = created.data["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": (filename, data)}, timeout=30)
    assert posted.status_code == 204, posted.text
    return str(created.data["file"]["id"])


def checked(api: Client, token: str, file_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        found = api("GET", f"/api/v1/files/{file_id}", token=token)
        assert found.status == 200, found.body
        return None if found.data["status"] == "pending" else dict(found.data)

    return eventually(done, timeout=30)


def test_uploads_are_checked_previewed_and_shared_with_the_thread_only(api: Client) -> None:
    from PIL import Image

    alice, bob, eve = (register(api, unique_email(name)) for name in ("alice", "bob", "eve"))
    a, b, e = alice["accessToken"], bob["accessToken"], eve["accessToken"]
    thread = api("POST", "/api/v1/threads", {"title": "Files", "participantIds": [bob["user"]["id"]]}, token=a)
    tid = thread.data["id"]
    image = png_bytes(1200, 800)

    photo = upload(api, a, "photo.png", "image/png", image, tid)
    fake = upload(api, a, "fake.png", "image/png", PDF_BYTES, tid)

    ready = checked(api, b, photo)
    assert ready["status"] == "ready"
    assert (ready["width"], ready["height"]) == (1200, 800)
    preview = requests.get(ready["previewUrl"], timeout=10)
    assert preview.status_code == 200
    with Image.open(io.BytesIO(preview.content)) as shown:
        assert max(shown.size) == 320
    assert requests.get(ready["downloadUrl"], timeout=10).content == image

    rejected = checked(api, a, fake)
    assert rejected["status"] == "rejected"
    assert rejected["reason"] == "The content is not an image of type image/png"
    assert rejected["downloadUrl"] is None

    assert api("GET", f"/api/v1/files/{photo}", token=e).status == 404
    assert api("GET", f"/api/v1/files?threadId={tid}", token=e).status == 404
    listed = api("GET", f"/api/v1/files?threadId={tid}", token=b).data["items"]
    assert {f["id"] for f in listed} == {photo, fake}

    message = api("POST", f"/api/v1/threads/{tid}/messages", {"content": "see", "attachments": [photo]}, token=b)
    assert message.status == 201, message.body
    refused = api("POST", f"/api/v1/threads/{tid}/messages", {"content": "x", "attachments": [fake]}, token=b)
    assert refused.error["code"] == "FILE_NOT_READY"

    assert api("DELETE", f"/api/v1/files/{photo}", token=a).status == 200
    assert requests.get(ready["downloadUrl"], timeout=10).status_code in (403, 404)  # gone (403: no ListBucket)
