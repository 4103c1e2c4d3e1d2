"""Helpers for the file tests: images and documents to upload, the presigned POST done as a
browser does it, and the bucket's notifications run through the file worker."""

from __future__ import annotations

import io
import json
from typing import Any

import requests

from devstack.apigw import sqs_event
from devstack.intrinsics import Intrinsics
from devstack.local_aws import LocalResources
from devstack.s3_notifications import apply_notifications
from devstack.template import load_template
from tests.support.api import Account, Api

FILES = "/api/v1/files"
WORKER = "FileWorkerFunction"
QUEUE = "FileEventsQueue"
BUCKET = "filesbucket"


def png_bytes(width: int = 800, height: int = 600, *, alpha: bool = False) -> bytes:
    from PIL import Image

    mode, colour = ("RGBA", (10, 120, 200, 128)) if alpha else ("RGB", (200, 80, 40))
    out = io.BytesIO()
    Image.new(mode, (width, height), colour).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 160, 90)).save(out, "JPEG")
    return out.getvalue()


PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def announce(api: Api, account: Account, filename: str, content_type: str, size: int, **extra: Any) -> dict[str, Any]:
    body = {"filename": filename, "contentType": content_type, "size": size, **extra}
    res = api.call("POST", FILES, body, token=account.access_token)
    assert res.status == 201, res.body
    return dict(res.data)


def post_form(upload: dict[str, Any], data: bytes, filename: str = "upload.bin") -> requests.Response:
    """The multipart form POST a browser sends: every field, then the file last."""
    return requests.post(upload["url"], data=upload["fields"], files={"file": (filename, data)}, timeout=30)


def configure_notifications(api: Api) -> None:
    """The template's bucket notifications on the moto bucket (as the local stack does)."""
    template = load_template()
    resources = LocalResources(
        queue_urls=api.aws.queue_urls,
        queue_arns={name: api.aws.queue_arn(name) for name in api.aws.queue_urls},
        buckets={"FilesBucket": BUCKET, "UploadsBucket": "uploadsbucket"},
    )
    apply_notifications(api.aws.s3, template, Intrinsics(template, resources).resolve, resources.buckets)


def notifications(api: Api) -> list[str]:
    """The bodies waiting in the file events queue (received and deleted)."""
    bodies: list[str] = []
    while batch := api.aws.queue_messages(QUEUE):
        bodies.extend(message["Body"] for message in batch)
    return bodies


def run_worker(api: Api, bodies: list[str]) -> dict[str, Any]:
    return api.invoke(WORKER, sqs_event(bodies, api.aws.queue_arn(QUEUE)))


def upload(api: Api, account: Account, filename: str, content_type: str, data: bytes, **extra: Any) -> dict[str, Any]:
    """Announce, POST the bytes, deliver the notification to the worker; returns the file as
    its uploader reads it afterwards."""
    created = announce(api, account, filename, content_type, len(data), **extra)
    assert post_form(created["upload"], data, filename).status_code == 204
    result = run_worker(api, notifications(api))
    assert result == {"batchItemFailures": []}
    return get_file(api, account, created["file"]["id"])


def get_file(api: Api, account: Account, file_id: str) -> dict[str, Any]:
    res = api.call("GET", f"{FILES}/{file_id}", token=account.access_token)
    assert res.status == 200, res.body
    return dict(res.data)


def s3_event(key: str, *, event_name: str = "ObjectCreated:Put", size: int = 1) -> str:
    """An S3 notification body as AWS writes it to SQS (one record)."""
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-01-01T00:00:00.000Z",
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AROAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "198.51.100.7"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "files",
            "bucket": {
                "name": BUCKET,
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": f"arn:aws:s3:::{BUCKET}",
            },
            "object": {
                "key": key,
                "size": size,
                "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                "sequencer": "0055AED6DCD90281E5",
            },
        },
    }
    return json.dumps({"Records": [record]})


def ready_file(api: Api, account: Account, thread_id: str) -> str:
    """The id of a ready PDF uploaded by ``account`` into the thread (to attach)."""
    configure_notifications(api)
    notifications(api)
    return str(upload(api, account, "attached.pdf", "application/pdf", PDF_BYTES, threadId=thread_id)["id"])
