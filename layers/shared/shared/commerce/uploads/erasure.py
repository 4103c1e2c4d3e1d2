"""Erasure step ``commerce.uploads``: a deleted account's uploaded images go with it.

Every upload lives under ``<purpose>/<uploaderId>/`` of the public uploads bucket (avatars,
store logos, product images: :mod:`shared.commerce.uploads.service`). A photo of a person is
personal data, and the bucket is public-read on those prefixes, so the objects are deleted with
the account instead of being left to the daily cleanup (which only ever swept product images).

The step runs after every step that removes what shows those images (``commerce.seller`` 34:
products and store profile; ``blog.posts`` 46 and ``blog.profile`` 49: covers and the blog
avatar; the account item itself is deleted by the deletion request), so no live page points at
a deleted object. S3 objects, not table items: no entity type.

Each prefix is listed from its start and each page deleted at once (``DeleteObjects`` of up to
1,000 keys), so a re-run or a later part finds only what is still there and a finished erasure
lists three empty pages. The uploader id ends with ``/`` in the prefix: another account whose id
begins with this one's is never touched.
"""

from __future__ import annotations

from typing import get_args

from shared.commerce.uploads.schemas import Purpose
from shared.lifecycle.registry import ErasureContext, erasure_step

PAGE_SIZE = 1000
PURPOSES: tuple[str, ...] = get_args(Purpose)


def prefixes(user_id: str) -> list[str]:
    """The key prefixes of every upload of ``user_id``."""
    return [f"{purpose}/{user_id}/" for purpose in PURPOSES]


@erasure_step("commerce.uploads", entities=[], order=60)
def erase_uploads(ctx: ErasureContext) -> bool:
    from shared.lifecycle import objects

    return all(objects.erase_prefix(ctx, "uploads", prefix, page_size=PAGE_SIZE) for prefix in prefixes(ctx.user_id))
