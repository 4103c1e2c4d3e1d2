"""Provably fair shuffling: the deck is a published, deterministic function of two seeds.

At the deal the server draws a random ``serverSeed`` (32 bytes from :mod:`secrets`, hex) and
shows only its SHA-256 (``serverSeedHash``); the player may choose the ``clientSeed``. When the
game ends the server seed is revealed, and anyone can check that
``sha256(serverSeed) == serverSeedHash`` and that :func:`deck_from_seeds` gives the very cards
that were dealt, in order, so the server could neither pick the deck after seeing the client
seed nor change it during the game.

The shuffle
===========
1. Start from the canonical deck (:func:`shared.blackjack.rules.full_deck`: hearts, diamonds,
   clubs, spades; each A, 2..10, J, Q, K).
2. Random bytes are the concatenation of ``HMAC-SHA256(key=serverSeed, msg=f"{clientSeed}:{n}")``
   for n = 0, 1, 2, ... (both seeds UTF-8 encoded). They are read 4 at a time as big-endian
   unsigned integers.
3. A uniform integer below ``m`` is the first such integer ``x`` with
   ``x < 2**32 - (2**32 % m)`` (rejection sampling, so there is no modulo bias), taken ``% m``.
4. Fisher-Yates: for ``i`` from 51 down to 1, swap positions ``i`` and ``j``, ``j`` uniform
   below ``i + 1``.

The resulting list is the dealing order (see :mod:`shared.blackjack.rules`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterator

from shared.blackjack.rules import Card, full_deck

_WORD = 4
_SPACE = 2**32


def new_server_seed() -> str:
    return secrets.token_hex(32)


def new_client_seed() -> str:
    return secrets.token_hex(16)


def seed_hash(server_seed: str) -> str:
    return hashlib.sha256(server_seed.encode()).hexdigest()


def _words(server_seed: str, client_seed: str) -> Iterator[int]:
    key = server_seed.encode()
    counter = 0
    while True:
        block = hmac.new(key, f"{client_seed}:{counter}".encode(), hashlib.sha256).digest()
        for start in range(0, len(block), _WORD):
            yield int.from_bytes(block[start : start + _WORD], "big")
        counter += 1


def _uniform(words: Iterator[int], below: int) -> int:
    limit = _SPACE - _SPACE % below
    while True:
        word = next(words)
        if word < limit:
            return word % below


def deck_from_seeds(server_seed: str, client_seed: str) -> list[Card]:
    """The shuffled deck, in dealing order, for these seeds (pure and deterministic)."""
    deck = full_deck()
    words = _words(server_seed, client_seed)
    for i in range(len(deck) - 1, 0, -1):
        j = _uniform(words, i + 1)
        deck[i], deck[j] = deck[j], deck[i]
    return deck
