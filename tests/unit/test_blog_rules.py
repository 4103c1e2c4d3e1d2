"""Blog rules without AWS: slugs, excerpts, reading time, tag names, search words."""

from __future__ import annotations

import pytest
from shared.blog import rules
from shared.blog.models import PostItem, popularity_key
from shared.blog.search import MAX_CONTENT_WORDS, post_words


def test_slugs_come_from_the_title_and_a_retry_adds_a_suffix() -> None:
    assert rules.post_slug("Hello, Wörld! 2026") == "hello-world-2026"
    assert rules.post_slug("!!!") == "post"
    retry = rules.post_slug("Hello", attempt=1)
    assert retry.startswith("hello-")
    assert len(retry) == len("hello-") + 6


def test_excerpt_is_plain_text_cut_at_a_word() -> None:
    assert rules.derive_excerpt("# Title\n\nSome **bold** [link](https://x.y) and `code`.") == (
        "Title Some bold link and code."
    )
    long = rules.derive_excerpt("word " * 100)
    assert len(long) <= rules.EXCERPT_CHARS + 1
    assert long.endswith("\u2026")
    assert not long.removesuffix("\u2026").endswith(" ")


def test_reading_time_is_at_least_a_minute() -> None:
    assert rules.reading_time_minutes("short") == 1
    assert rules.reading_time_minutes("w " * 401) == 3


def test_tags_are_one_per_slug_first_spelling_kept() -> None:
    assert rules.distinct_tags(["Machine  Learning", "machine-learning", "AWS", "aws "]) == [
        ("Machine Learning", "machine-learning"),
        ("AWS", "aws"),
    ]
    with pytest.raises(ValueError, match="letter or digit"):
        rules.tag_name("++")


def test_popularity_keys_sort_by_count_then_slug() -> None:
    keys = [popularity_key(n, s) for n, s in ((10, "b"), (9, "z"), (10, "a"), (0, "c"))]
    assert sorted(keys, reverse=True) == [
        popularity_key(10, "b"),
        popularity_key(10, "a"),
        popularity_key(9, "z"),
        popularity_key(0, "c"),
    ]


def test_search_reads_title_excerpt_tags_and_the_first_300_words() -> None:
    content = " ".join(f"w{i}" for i in range(MAX_CONTENT_WORDS + 50))
    post = PostItem(title="Big Title", excerpt="An excerpt", content=content, tag_names=["Data Science"])
    found = post_words(post)
    assert {"big", "title", "an", "excerpt", "data", "science", "w0", f"w{MAX_CONTENT_WORDS - 1}"} <= set(found)
    assert f"w{MAX_CONTENT_WORDS}" not in found
