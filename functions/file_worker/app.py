"""SQS consumer of the files bucket's ObjectCreated notifications: checks each upload (real size,
magic bytes, text encoding) and writes image previews.

S3 puts one JSON event (``{"Records": [...]}``) in each SQS message, at least once, and a test
event (``s3:TestEvent``) when the notification is configured: it is acknowledged and ignored.
Every record is judged idempotently (:mod:`shared.experience.files.processing`); a record that
fails is reported (``ReportBatchItemFailures``), retried by SQS and, after the queue's max
receive count, lands in the DLQ.

Pillow is imported on the first image only: other files, and the cold start, never load it.
"""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.experience.files.inspection import Rejected
from shared.experience.files.processing import Preview, handle_object_created
from shared.experience.files.storage import bucket_name
from shared.observability import logger, metrics, tracer

MAX_PIXELS = 50_000_000
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class PillowImaging:
    """Decode with Pillow; the preview is a JPEG, or a PNG when the image has transparency."""

    def preview(self, data: bytes, content_type: str, max_side: int) -> Preview:
        from PIL import Image, ImageOps, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data), formats=[_FORMATS[content_type]]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise Rejected(f"The image has {width}x{height} pixels; at most {MAX_PIXELS // 1_000_000} MP")
                image.draft("RGB", (max_side, max_side))
                image.load()
                frame = ImageOps.exif_transpose(image)
                frame.thumbnail((max_side, max_side))
                alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
                out = io.BytesIO()
                if alpha:
                    frame.convert("RGBA").save(out, "PNG", optimize=True)
                else:
                    frame.convert("RGB").save(out, "JPEG", quality=82)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
            raise Rejected(f"The content is not a readable {content_type} image") from exc
        return Preview(
            data=out.getvalue(), content_type="image/png" if alpha else "image/jpeg", width=width, height=height
        )


imaging = PillowImaging()


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> None:
    event = json.loads(record.body)
    if event.get("Event") == "s3:TestEvent":
        return
    bucket = bucket_name()
    for s3_record in event.get("Records", []):
        if not str(s3_record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        where = s3_record["s3"]
        if where["bucket"]["name"] != bucket:
            logger.warning("notification from another bucket ignored", extra={"bucket": where["bucket"]["name"]})
            continue
        key = unquote_plus(where["object"]["key"])
        outcome = handle_object_created(key, imaging)
        logger.info("file checked", extra={"key": key, "outcome": outcome})
        metrics.add_metric(name=f"Files{outcome.capitalize()}", unit="Count", value=1)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
