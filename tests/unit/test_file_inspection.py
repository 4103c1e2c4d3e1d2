"""What an upload's bytes must look like for its declared type, and the previews the worker
writes (Pillow, loaded from the worker function as Lambda loads it)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from shared.experience.files.inspection import Rejected, TextCheck, check_signature, check_size
from shared.experience.files.models import file_id_of, object_key, preview_key
from shared.experience.files.schemas import CONTENT_TYPES

from devstack.lambda_runtime import load_module
from devstack.routes import function_code_dir
from tests.support.files import PDF_BYTES, jpeg_bytes, png_bytes

OOXML = "application/vnd.openxmlformats-officedocument."
SIGNATURES = {
    "image/png": png_bytes(4, 4),
    "image/jpeg": jpeg_bytes(4, 4),
    "image/gif": b"GIF89a\x01\x00\x01\x00",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "application/pdf": PDF_BYTES,
    f"{OOXML}wordprocessingml.document": b"PK\x03\x04\x14\x00",
    f"{OOXML}spreadsheetml.sheet": b"PK\x03\x04\x14\x00",
    f"{OOXML}presentationml.presentation": b"PK\x03\x04\x14\x00",
    "application/msword": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00",
    "application/vnd.ms-excel": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00",
    "application/vnd.ms-powerpoint": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00",
}
TEXT = ("text/plain", "text/csv", "text/markdown", "application/json")


def test_every_allowed_type_is_checked() -> None:
    assert set(CONTENT_TYPES) == set(SIGNATURES) | set(TEXT)


@pytest.mark.parametrize("content_type", sorted(SIGNATURES))
def test_the_right_magic_bytes_pass(content_type: str) -> None:
    check_signature(content_type, SIGNATURES[content_type])


@pytest.mark.parametrize("content_type", sorted(SIGNATURES))
def test_any_other_types_magic_bytes_are_rejected(content_type: str) -> None:
    mine = SIGNATURES[content_type][:4]
    for head in SIGNATURES.values():
        if head[:4] != mine:
            with pytest.raises(Rejected, match=content_type):
                check_signature(content_type, head)
    with pytest.raises(Rejected):
        check_signature(content_type, b"plain text pretending")


def test_the_real_size_must_be_the_declared_one() -> None:
    check_size(10, 10)
    with pytest.raises(Rejected, match="has 11 bytes, not the 10 declared"):
        check_size(10, 11)


def feed(content_type: str, *chunks: bytes) -> None:
    check = TextCheck(content_type)
    for chunk in chunks:
        check.feed(chunk)
    check.finish()


def test_text_is_utf8_even_when_a_character_spans_two_chunks() -> None:
    text = "naïve café — 東京".encode()
    feed("text/plain", text[:3], text[3:12], text[12:])
    feed("text/csv", b"\xef\xbb\xbfa,b\n")  # a BOM is fine
    feed("application/json", b'\xef\xbb\xbf{"a": [1, ', b'"\xc3\xa9"]}')


@pytest.mark.parametrize(
    ("content_type", "chunks", "reason"),
    [
        ("text/plain", [b"abc", b"\x00"], "NUL"),
        ("text/markdown", [b"caf\xe9 au lait"], "not valid UTF-8 (byte 3)"),
        ("text/plain", [b"ok", b"\xe6\x9d"], "ends inside a UTF-8 sequence"),
        ("text/csv", [png_bytes(2, 2)], "NUL"),
        ("application/json", [b"{'single': 'quotes'}"], "not valid JSON"),
        ("application/json", [b"[" * 100_000 + b"]" * 100_000], "not valid JSON"),
    ],
)
def test_bad_text_is_rejected(content_type: str, chunks: list[bytes], reason: str) -> None:
    with pytest.raises(Rejected, match=reason.replace("(", r"\(").replace(")", r"\)")):
        feed(content_type, *chunks)


def test_object_keys_name_their_file() -> None:
    assert file_id_of(object_key("01abc")) == "01abc"
    assert file_id_of(preview_key("01abc")) is None
    assert file_id_of("files//original") is None
    assert file_id_of("files/a/b/original") is None
    assert file_id_of("avatar/u/x.png") is None


@pytest.fixture(scope="module")
def imaging() -> Any:
    return load_module(function_code_dir("FileWorkerFunction")).imaging


@pytest.mark.parametrize(
    ("size", "expected"), [((1600, 900), (320, 180)), ((300, 1200), (80, 320)), ((200, 100), (200, 100))]
)
def test_previews_fit_in_320_px_and_keep_the_aspect_ratio(
    imaging: Any, size: tuple[int, int], expected: tuple[int, int]
) -> None:
    from PIL import Image

    preview = imaging.preview(png_bytes(*size), "image/png", 320)

    assert (preview.width, preview.height) == size
    assert preview.content_type == "image/jpeg"
    with Image.open(io.BytesIO(preview.data)) as image:
        assert image.format == "JPEG"
        assert image.size == expected


def test_a_transparent_image_gets_a_png_preview(imaging: Any) -> None:
    preview = imaging.preview(png_bytes(640, 640, alpha=True), "image/png", 320)
    assert preview.content_type == "image/png"


def test_images_that_do_not_decode_as_declared_are_rejected(imaging: Any) -> None:
    with pytest.raises(Rejected, match="not a readable image/jpeg image"):
        imaging.preview(png_bytes(10, 10), "image/jpeg", 320)
    with pytest.raises(Rejected):
        imaging.preview(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", 320)


def test_images_over_50_megapixels_are_rejected_before_decoding(imaging: Any) -> None:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(out, "PNG")  # 60 MP, a few kB
    with pytest.raises(Rejected, match="10000x6000 pixels"):
        imaging.preview(out.getvalue(), "image/png", 320)
