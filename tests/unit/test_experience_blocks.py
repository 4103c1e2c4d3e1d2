"""Block Kit validation and reaction emoji rules (pure, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest
from shared.experience import blocks
from shared.experience.emoji import check_emoji, is_unicode_emoji

from tests.support.experience import BUTTON_BLOCKS


def _button(action_id: Any = "go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": "Go"}, **extra}


def test_a_full_message_of_every_block_type_is_valid() -> None:
    full = [
        *BUTTON_BLOCKS,
        {"type": "divider"},
        {
            "type": "section",
            "block_id": "s1",
            "fields": [{"type": "mrkdwn", "text": "*a*"}] * 10,
            "accessory": {"type": "image", "image_url": "https://x.test/a.png", "alt_text": "a"},
        },
        {"type": "context", "elements": [{"type": "plain_text", "text": "ctx"}]},
        {"type": "image", "image_url": "https://x.test/b.png", "alt_text": "b"},
    ]
    assert blocks.validate(full) == {}


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (
            [{"type": "divider"}] * 3 + [{"type": "actions", "elements": [_button(None)]}],
            "blocks[3].elements[0].action_id",
        ),
        ([{"type": "marquee"}], "blocks[0].type"),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "x"}}], "blocks[0].text.type"),
        ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "blocks[0].text.text"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}], "blocks[0].text.text"),
        ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11}], "blocks[0].fields"),
        ([{"type": "actions", "elements": [_button(url="http://plain.test")]}], "blocks[0].elements[0].url"),
        ([{"type": "actions", "elements": [_button(style="loud")]}], "blocks[0].elements[0].style"),
        ([{"type": "actions", "elements": [_button("a" * 256)]}], "blocks[0].elements[0].action_id"),
        ([{"type": "actions", "elements": [_button(), _button()]}], "blocks[0].elements[1].action_id"),
        ([{"type": "actions", "elements": [_button(str(n)) for n in range(26)]}], "blocks[0].elements"),
        (
            [{"type": "actions", "elements": [{"type": "static_select", "action_id": "s", "options": []}]}],
            "blocks[0].elements[0].options",
        ),
        ([{"type": "divider", "block_id": "x"}, {"type": "divider", "block_id": "x"}], "blocks[1].block_id"),
        ([{"type": "image", "image_url": "javascript:alert(1)", "alt_text": "x"}], "blocks[0].image_url"),
        ([{"type": "table", "columns": ["a", "b"], "rows": [["x"]]}], "blocks[0].rows[0]"),
        ([{"type": "table", "columns": ["a"], "rows": [[{"nested": 1}]]}], "blocks[0].rows[0][0]"),
        ([{"type": "context", "elements": [{"type": "button"}]}], "blocks[0].elements[0].type"),
        ([{"type": "divider", "extra": 1}], "blocks[0].extra"),
        ([{"type": "divider"}] * 51, "blocks"),
        ("not a list", "blocks"),
    ],
)
def test_invalid_blocks_name_the_path_at_fault(value: Any, path: str) -> None:
    assert path in blocks.validate(value)


def test_action_index_knows_buttons_and_select_options() -> None:
    specs = blocks.action_index(BUTTON_BLOCKS)
    assert specs["approve"].options is None
    assert specs["env"].options == frozenset({"staging", "prod"})


def test_plain_text_reads_every_text_and_table_cell() -> None:
    text = blocks.plain_text(BUTTON_BLOCKS)
    for word in ("Deploy?", "Ready", "Approve", "score", "a"):
        assert word in text


@pytest.mark.parametrize("emoji", ["👍", "👍🏽", "❤️", "👨‍👩‍👧", "🇫🇷", "#️⃣", "1️⃣", ":tada:", ":+1:", ":thumbs-up_2:"])
def test_valid_emoji(emoji: str) -> None:
    assert check_emoji(emoji) == emoji


@pytest.mark.parametrize(
    "emoji", ["", "a", "ab", "👍👍", "👍 ", ":Tada:", ":a b:", "::", ":" + "x" * 51 + ":", "1", "🇫"]
)
def test_invalid_emoji(emoji: str) -> None:
    with pytest.raises(ValueError, match="emoji"):
        check_emoji(emoji)
    assert not is_unicode_emoji(emoji) or emoji == ""


def test_slack_options_of_interactive_elements_are_kept() -> None:
    option = {"text": {"type": "plain_text", "text": "A"}, "value": "a"}
    confirm = {"title": {"type": "plain_text", "text": "Sure?"}, "confirm": {"type": "plain_text", "text": "Yes"}}
    good = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "x"},
            "expand": True,
            "accessory": _button(confirm=confirm),
        },
        {
            "type": "actions",
            "elements": [
                _button("b", accessibility_label="Go now"),
                {"type": "static_select", "action_id": "s", "options": [option], "initial_option": option},
            ],
        },
    ]
    assert blocks.validate(good) == {}
    other = {"text": {"type": "plain_text", "text": "B"}, "value": "b"}
    bad = [
        {
            "type": "actions",
            "elements": [{"type": "static_select", "action_id": "s", "options": [option], "initial_option": other}],
        }
    ]
    assert "blocks[0].elements[0].initial_option" in blocks.validate(bad)
