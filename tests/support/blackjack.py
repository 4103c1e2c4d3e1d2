"""Helpers for blackjack tests: play through the API, pick seeds that give a wanted outcome,
and recompute a finished game from its cards."""

from __future__ import annotations

from itertools import count
from typing import Any

from shared.blackjack import rules
from shared.blackjack.fairness import deck_from_seeds
from shared.blackjack.rules import Card

from tests.support.api import Account, Api, ApiResponse

GAME = "/api/v1/game"
SERVER_SEED = "f" * 64


def card(data: dict[str, Any]) -> Card:
    return Card(data["rank"], data["suit"])


def new_game(api: Api, who: Account, body: Any = None) -> ApiResponse:
    return api.call("POST", f"{GAME}/new", body, token=who.access_token)


def move(api: Api, who: Account, game_id: str, action: str, body: Any = None) -> ApiResponse:
    return api.call("POST", f"{GAME}/{game_id}/{action}", body, token=who.access_token)


def expected_status(player: list[Card], dealer: list[Card]) -> str:
    """The outcome the rules give for two complete hands (naturals only come from the deal)."""
    if rules.is_natural(player):
        return "tie" if rules.is_natural(dealer) else "blackjack"
    if rules.is_natural(dealer):
        return "dealer_win"
    return rules.settle(player, dealer)


def client_seed_for(status: str, *, action: str = "stand", server_seed: str = SERVER_SEED, soft17: bool = False) -> str:
    """A client seed whose deck, with ``server_seed``, ends in ``status`` when the player plays
    ``action`` after the deal: ``stand``, ``double``, ``hit`` (one hit, then stand) or ``none``
    (settled at the deal)."""
    if action not in ("stand", "double", "hit", "none"):
        raise ValueError(action)
    for n in range(200_000):
        seed = f"{status}-{action}-{n}"
        state = rules.deal(deck_from_seeds(server_seed, seed))
        if state.is_over != (action == "none"):
            continue
        if action == "stand":
            state = rules.stand(state, soft17)
        elif action == "double":
            state = rules.double(state, soft17)
        elif action == "hit":
            state = rules.hit(state)
            if not state.is_over:
                state = rules.stand(state, soft17)
        if state.status == status:
            return seed
    raise AssertionError(f"no seed gives {status} by {action}")


def active_seed(server_seed: str = SERVER_SEED, start: int = 0) -> str:
    """A client seed whose deal leaves the game active (no natural)."""
    for n in count(start):
        seed = f"active-{n}"
        if not rules.deal(deck_from_seeds(server_seed, seed)).is_over:
            return seed
    raise AssertionError("unreachable")
