"""URL slugs derived from names: lowercase ASCII words joined by hyphens."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = 120) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def check_slug(value: str) -> str:
    if not 2 <= len(value) <= 120 or not SLUG_RE.fullmatch(value):
        raise ValueError("Slug must be 2-120 lowercase letters, digits and single hyphens")
    return value
