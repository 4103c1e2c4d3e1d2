"""Pure blog rules: slugs, excerpts, reading time, tag names."""

from __future__ import annotations

import math
import re
import secrets

from shared.commerce.slugs import slugify

EXCERPT_CHARS = 200
WORDS_PER_MINUTE = 200
MAX_TAGS = 10
MAX_SLUG_CHARS = 80
_LINKS = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[#>*`~]+")
_SPACES = re.compile(r"\s+")


def post_slug(title: str, *, attempt: int = 0) -> str:
    """The slug of a title; a later ``attempt`` (the plain slug was taken) adds a random suffix."""
    base = slugify(title, max_length=MAX_SLUG_CHARS) or "post"
    return base if attempt == 0 else f"{base}-{secrets.token_hex(3)}"


def plain_text(markdown: str) -> str:
    """Markdown without its markup (links keep their text), whitespace collapsed."""
    text = _LINKS.sub(lambda m: m.group(1) or " ", markdown)
    return _SPACES.sub(" ", _MARKUP.sub("", text)).strip()


def derive_excerpt(content: str) -> str:
    """The first :data:`EXCERPT_CHARS` characters of the plain text, cut at a word."""
    text = plain_text(content)
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text[:EXCERPT_CHARS].rsplit(" ", 1)[0]
    return f"{cut}\u2026"


def reading_time_minutes(content: str) -> int:
    return max(1, math.ceil(len(plain_text(content).split()) / WORDS_PER_MINUTE))


def tag_name(raw: str) -> str:
    """A tag name as written (inner whitespace collapsed); ``ValueError`` when it has no letter
    or digit (it would have no slug)."""
    name = _SPACES.sub(" ", raw).strip()
    if not tag_slug(name):
        raise ValueError("A tag name needs a letter or digit")
    return name


def tag_slug(name: str) -> str:
    """A tag's identity: two names with the same slug ("Python", "python ") are the same tag."""
    return slugify(name, max_length=60)


def distinct_tags(names: list[str]) -> list[tuple[str, str]]:
    """(name, slug) pairs in the order given, one per slug (the first spelling wins)."""
    seen: dict[str, str] = {}
    for raw in names:
        name = tag_name(raw)
        seen.setdefault(tag_slug(name), name)
    return [(name, slug) for slug, name in seen.items()]
