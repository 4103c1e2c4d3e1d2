"""Blackjack's part of account erasure and export (see :mod:`shared.lifecycle.registry`).

``blackjack.games`` deletes the account's games page by page (they are in the account's own
partition), then ``blackjack.stats`` its stats item, which is also its leaderboard entry (the
sparse GSI4 keys live on it): the leaderboard then reads as if the player never played, and the
ranks of everyone below move up by one (ranks are positions in the index, never stored).

Games go first: a move still in flight when the account is deleted finishes its game by a
transaction conditioned on the game's version, which fails once the game is gone, so it cannot
bring the stats back after they are deleted. No stream consumer reads blackjack items.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from shared.blackjack import repository
from shared.blackjack.views import game_out, stats_out
from shared.data.pagination import collect
from shared.lifecycle.registry import ErasureContext, erasure_step, export_section

PAGE_SIZE = 25  # a BatchWriteItem
EXPORT_GAMES = 500  # the newest games in the export


@erasure_step("blackjack.games", entities=["BJGAME"], order=40)
def erase_games(ctx: ErasureContext) -> bool:
    position: dict[str, Any] | None = None  # a resumed job starts over: what it finds is what is left
    while True:
        page = repository.list_games(ctx.user_id, limit=PAGE_SIZE, position=position)
        if page.items:
            repository.delete_games(page.items)
            ctx.touch(len(page.items))
        position = page.next_position
        if position is None:
            return True
        if ctx.out_of_time():
            return False


@erasure_step("blackjack.stats", entities=["BJSTATS"], order=41)
def erase_stats(ctx: ErasureContext) -> bool:
    if repository.delete_stats(ctx.user_id):
        ctx.touch()
    return True


@export_section("blackjack")
def export(user_id: str) -> dict[str, Any]:
    """The player's stats (``None`` before a finished game) and newest games, at most
    :data:`EXPORT_GAMES`, as the player sees them (an active game's deck and seed stay hidden)."""
    stats = repository.get_stats(user_id)
    games = collect(partial(repository.list_games, user_id), most=EXPORT_GAMES)
    return {
        "stats": None if stats is None else stats_out(stats).model_dump(mode="json", by_alias=True),
        "games": [game_out(game).model_dump(mode="json", by_alias=True) for game in games],
    }
