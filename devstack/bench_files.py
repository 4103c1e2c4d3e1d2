"""``make bench`` section for files: the file worker's time per upload of about 5 MB (in-process,
moto's S3 and DynamoDB), split into the whole check and the imaging part (Pillow's decode and
preview), with the DynamoDB calls and the preview's size.

The worker reads an image whole (to decode it) and streams text in 1 MB chunks; other types
cost one ranged GET of their first 4 kB. moto's S3 is in memory, so the S3 part here is a floor;
in Lambda the GET of 5 MB from S3 adds roughly 50-100 ms.
"""

from __future__ import annotations

import io
import statistics
import time
from functools import partial
from typing import Any

from devstack.metering import bench_environment, measure

TABLE = "bench-files"
BUCKET = "bench-files"
RUNS = 3
TARGET_BYTES = 5 * 1024 * 1024
ENV = {
    "APP_ENV": "local",
    "TABLE_NAME": TABLE,
    "FILES_BUCKET": BUCKET,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}


def _noise_image(fmt: str, side: int, **save: Any) -> bytes:
    """An image of random pixels (incompressible, so a few megapixels make ~5 MB)."""
    import os

    from PIL import Image

    image = Image.frombytes("RGB", (side, side * 3 // 4), os.urandom(side * (side * 3 // 4) * 3))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def samples() -> list[tuple[str, str, bytes]]:
    text = ("a,b,c,naïve\n" * (TARGET_BYTES // 13)).encode()[:TARGET_BYTES]
    text = text[: text.rfind(b"\n") + 1]
    return [
        ("PNG 1500x1125 (noise)", "image/png", _noise_image("PNG", 1500)),
        ("JPEG 2800x2100 (noise, q90)", "image/jpeg", _noise_image("JPEG", 2800, quality=90)),
        ("CSV (UTF-8)", "text/csv", text),
        ("PDF", "application/pdf", b"%PDF-1.7\n" + b"0" * (TARGET_BYTES - 9)),
    ]


def worker_times() -> list[list[str]]:
    import boto3
    from moto import mock_aws

    from devstack.lambda_runtime import load_module
    from devstack.resources import create_table
    from devstack.routes import function_code_dir

    rows: list[list[str]] = []
    with bench_environment(ENV), mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE)
        from shared.clock import now, now_iso
        from shared.data.table import configure_table
        from shared.experience.files import repository
        from shared.experience.files.models import object_key
        from shared.experience.files.processing import PREVIEW_MAX_SIDE, handle_object_created
        from shared.ids import new_id
        from shared.messaging.clients import reset_clients

        reset_clients()
        configure_table(TABLE)
        imaging = load_module(function_code_dir("FileWorkerFunction")).imaging
        for label, content_type, data in samples():
            totals: list[float] = []
            imaging_ms: list[float] = []
            calls = outcome = ""
            preview_bytes = 0
            for _ in range(RUNS):
                file_id = new_id()
                item = repository.new_file(
                    file_id,
                    thread_id=None,
                    uploader_id="bench",
                    uploader_name="Bench",
                    at=now_iso(),
                    expires_at=now(),
                    filename="bench",
                    content_type=content_type,
                    size=len(data),
                )
                repository.create(item)
                key = object_key(file_id)
                s3.put_object(Bucket=BUCKET, Key=key, Body=data)
                meter, outcome, elapsed = measure(partial(handle_object_created, key, imaging))
                totals.append(elapsed)
                calls = meter.operations()
                if content_type.startswith("image/"):
                    started = time.perf_counter()
                    preview = imaging.preview(data, content_type, PREVIEW_MAX_SIDE)
                    imaging_ms.append((time.perf_counter() - started) * 1000)
                    preview_bytes = len(preview.data)
            rows.append(
                [
                    label,
                    f"{len(data) / 1024 / 1024:.1f}",
                    outcome,
                    f"{statistics.median(totals):.0f}",
                    f"{statistics.median(imaging_ms):.0f}" if imaging_ms else "-",
                    f"{preview_bytes / 1024:.0f}" if preview_bytes else "-",
                    calls,
                ]
            )
    return rows


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    return [
        (
            f"Files: the file worker per upload (in-process, moto; median of {RUNS})",
            ["upload", "MB", "outcome", "worker ms", "imaging ms", "preview kB", "DynamoDB calls"],
            worker_times(),
        )
    ]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, head, rows in section():
        print_table(title, head, rows)
