"""Reaction emoji: one Unicode emoji (a ZWJ sequence, a flag, a keycap, with skin tones and
variation selectors) or a ``:short_name:`` of ``[a-z0-9_+-]{1,50}``. Pure, no I/O."""

from __future__ import annotations

import re

SHORT_NAME = re.compile(r":[a-z0-9_+-]{1,50}:")
_ZWJ = "\u200d"
_PICTOGRAPHIC = (
    (0x1F000, 0x1FAFF),
    (0x2300, 0x23FF),
    (0x2460, 0x24FF),
    (0x25A0, 0x27BF),
    (0x2900, 0x297F),
    (0x2B00, 0x2BFF),
    (0x2190, 0x21FF),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
)
_MODIFIERS = {0xFE0F, 0xFE0E, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)}
_REGIONAL = range(0x1F1E6, 0x1F200)
_KEYCAP_BASES = set("0123456789#*")


def _pictographic(code: int) -> bool:
    return any(low <= code <= high for low, high in _PICTOGRAPHIC) and code not in _REGIONAL


def _segment_ok(segment: str, alone: bool) -> bool:
    codes = [ord(char) for char in segment]
    if not codes:
        return False
    if alone and len(codes) == 2 and all(code in _REGIONAL for code in codes):
        return True  # a flag
    if segment[0] in _KEYCAP_BASES:
        return [c for c in codes[1:] if c != 0xFE0F] == [0x20E3]
    return _pictographic(codes[0]) and all(code in _MODIFIERS for code in codes[1:])


def is_unicode_emoji(value: str) -> bool:
    """Exactly one emoji (as the user would see one), nothing else."""
    if not 1 <= len(value) <= 32:
        return False
    segments = value.split(_ZWJ)
    return all(_segment_ok(segment, len(segments) == 1) for segment in segments)


def check_emoji(value: str) -> str:
    """Raises ``ValueError`` unless ``value`` is one emoji or a ``:short_name:``."""
    if SHORT_NAME.fullmatch(value) or is_unicode_emoji(value):
        return value
    raise ValueError("Must be one emoji or a :short_name: of lowercase letters, digits, _, + or -")
