"""Blackjack request/response models (the API contract)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field

from shared.blackjack.rules import Result, Status, Suit
from shared.schemas import ApiModel, StrictInput


def check_client_seed(value: str) -> str:
    if not 1 <= len(value) <= 64:
        raise ValueError("clientSeed must be between 1 and 64 characters")
    if any(unicodedata.category(char).startswith("C") for char in value):
        raise ValueError("clientSeed must not contain control characters")
    return value


ClientSeed = Annotated[str, AfterValidator(check_client_seed)]


class NewGameRequest(StrictInput):
    """Optional: choose the client seed that goes into the shuffle (generated when absent)."""

    client_seed: ClientSeed | None = None


class MoveRequest(ApiModel):
    """Moves take no parameters. Any JSON object is accepted and ignored: the server keeps the
    game, so nothing a client sends (a deck, a hand, a state) can influence it."""

    model_config = ConfigDict(extra="ignore")


class CardOut(ApiModel):
    suit: Suit
    rank: str
    value: int


class HiddenCardOut(ApiModel):
    """The dealer's hole card while the game is active."""

    hidden: Literal[True] = True


class GameOut(ApiModel):
    game_id: str
    player_hand: list[CardOut]
    dealer_hand: list[CardOut | HiddenCardOut]
    player_score: int
    dealer_score: int = Field(description="While active: the score of the dealer's up card only")
    is_player_turn: bool
    is_game_over: bool
    game_status: Status
    result: Result | None = None
    doubled: bool = False
    created_at: str
    updated_at: str
    finished_at: str | None = None
    server_seed_hash: str
    client_seed: str
    server_seed: str | None = Field(default=None, description="Revealed once the game is over")


class VerifyOut(ApiModel):
    game_id: str
    server_seed: str
    server_seed_hash: str
    client_seed: str
    deck: list[CardOut] = Field(description="deck_from_seeds(serverSeed, clientSeed): the dealing order")


class StatsOut(ApiModel):
    user_id: str
    name: str | None = None
    total_games: int
    wins: int
    losses: int
    ties: int
    blackjacks: int
    win_percentage: float = Field(description="wins / totalGames x 100, 2 decimals")
    updated_at: str | None = None


class LeaderboardEntryOut(StatsOut):
    rank: int
