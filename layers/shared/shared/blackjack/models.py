"""Blackjack entities in the single table.

Access patterns
===============

=====================================  ============================================================
Who reads what                         Key / index
=====================================  ============================================================
a player's game (view, every move,     ``PK=USER#<uid>``, ``SK=BJGAME#<gameId>`` (consistent
verify)                                GetItem); the key includes the caller, so another player's
                                       game id simply is not found
a player's games, newest first         Query ``PK=USER#<uid>``, ``begins_with(SK, "BJGAME#")``,
(history)                              descending (game ids sort by creation time)
a player's stats (own, or anyone's)    ``PK=USER#<uid>``, ``SK=BJSTATS`` (GetItem)
leaderboard, best first                Query GSI4 ``GSI4PK=BJ#LEADERBOARD`` descending on
                                       ``GSI4SK=<win ‱ 00000-10000>#<totalGames>#<inverted ms>#<uid>``;
                                       sparse: only players with ``leaderboard_min_games`` games
=====================================  ============================================================

Writes: a move is one conditional put of the game (``version = :expected``); the move that
finishes a game also writes the stats item in the same TransactWrite, conditioned on the stats'
own ``version`` (absolute counters and the derived leaderboard key written together), so a game
is counted exactly once.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from shared.data.table import Item
from shared.identity.models import user_pk

GAME_PREFIX = "BJGAME#"
STATS_SK = "BJSTATS"
LEADERBOARD_PK = "BJ#LEADERBOARD"
_MS_CEILING = 10**13


def game_key(user_id: str, game_id: str) -> tuple[str, str]:
    return user_pk(user_id), f"{GAME_PREFIX}{game_id}"


def stats_key(user_id: str) -> tuple[str, str]:
    return user_pk(user_id), STATS_SK


def leaderboard_sk(win_basis_points: int, total_games: int, at_ms: int, user_id: str) -> str:
    """Sorts (descending) by win percentage, then more games, then who got there earlier."""
    return f"{win_basis_points:05d}#{total_games:010d}#{_MS_CEILING - at_ms:013d}#{user_id}"


def join_cards(codes: list[str]) -> str:
    return " ".join(codes)


def split_cards(text: str) -> list[str]:
    return text.split()


class GameItem(Item, discriminator="BJGAME"):
    """A game. The deck and the server seed are stored here and nowhere else; views decide
    what a player may see (nothing of either while the game is active)."""

    game_id = UnicodeAttribute(attr_name="gameId")
    user_id = UnicodeAttribute(attr_name="userId")
    deck = UnicodeAttribute()  # card codes in dealing order, space-separated: "10H AS 3C ..."
    drawn = NumberAttribute()
    player_cards = UnicodeAttribute(attr_name="playerCards")
    dealer_cards = UnicodeAttribute(attr_name="dealerCards")
    status = UnicodeAttribute()
    result = UnicodeAttribute(null=True)
    doubled = BooleanAttribute(default=False)
    server_seed = UnicodeAttribute(attr_name="serverSeed")
    server_seed_hash = UnicodeAttribute(attr_name="serverSeedHash")
    client_seed = UnicodeAttribute(attr_name="clientSeed")
    version = NumberAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    finished_at = UnicodeAttribute(null=True, attr_name="finishedAt")

    @classmethod
    def new(cls, user_id: str, game_id: str, **fields: object) -> GameItem:
        pk, sk = game_key(user_id, game_id)
        item = cls(pk, sk, user_id=user_id, game_id=game_id)
        for name, value in fields.items():
            setattr(item, name, value)
        return item


class StatsItem(Item, discriminator="BJSTATS"):
    """A player's totals. Counters are integers; the percentage is derived (and, for players on
    the leaderboard, encoded in ``GSI4SK``)."""

    user_id = UnicodeAttribute(attr_name="userId")
    name = UnicodeAttribute(null=True)
    total_games = NumberAttribute(default=0, attr_name="totalGames")
    wins = NumberAttribute(default=0)
    losses = NumberAttribute(default=0)
    ties = NumberAttribute(default=0)
    blackjacks = NumberAttribute(default=0)
    version = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True, attr_name="updatedAt")

    @classmethod
    def new(cls, user_id: str, **fields: object) -> StatsItem:
        pk, sk = stats_key(user_id)
        item = cls(pk, sk, user_id=user_id)
        for name, value in fields.items():
            setattr(item, name, value)
        return item
