"""Data access for blackjack. The only blackjack module that builds keys or talks to DynamoDB."""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError

from shared.blackjack.errors import GameStateChanged
from shared.blackjack.models import GAME_PREFIX, LEADERBOARD_PK, GameItem, StatsItem, game_key, stats_key
from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import delete_if, failed_conditions, is_condition_failure, transaction
from shared.identity.models import user_pk


class StatsChanged(Exception):
    """The stats item changed between its read and the finishing transaction: read it again."""


def get_game(user_id: str, game_id: str) -> GameItem | None:
    try:
        found = Item.get(*game_key(user_id, game_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, GameItem) else None


def _game_condition(expected_version: int | None) -> Any:
    if expected_version is None:
        return Item.pk.does_not_exist()
    return GameItem.version == expected_version


def save_game(game: GameItem, expected_version: int | None) -> None:
    """Put the game iff it is still at ``expected_version`` (``None``: iff it does not exist).

    Raises :class:`GameStateChanged` when another write got there first.
    """
    try:
        game.save(condition=_game_condition(expected_version))
    except PutError as exc:
        if is_condition_failure(exc):
            raise GameStateChanged() from exc
        raise


def get_stats(user_id: str) -> StatsItem | None:
    try:
        found = Item.get(*stats_key(user_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, StatsItem) else None


def finish_game(game: GameItem, expected_version: int | None, stats: StatsItem, stats_version: int | None) -> None:
    """Write the finished game and the player's new stats in one transaction.

    The game is conditioned on ``expected_version`` (``None``: it must not exist yet), the stats
    on ``stats_version`` (``None``: they must not exist yet).

    Raises :class:`GameStateChanged` when the game changed (another move won), and
    :class:`StatsChanged` when only the stats changed or the transaction collided with another
    one (retry with a fresh read of the stats).
    """
    stats_condition = Item.pk.does_not_exist() if stats_version is None else StatsItem.version == stats_version
    try:
        with transaction() as tx:
            tx.save(game, condition=_game_condition(expected_version))
            tx.save(stats, condition=stats_condition)
    except TransactWriteError as exc:
        failed = failed_conditions(exc)
        if failed[:1] == [True]:
            raise GameStateChanged() from exc
        if not exc.cancellation_reasons:
            raise
        raise StatsChanged() from exc


def list_games(user_id: str, *, limit: int, position: dict[str, Any] | None) -> Page[GameItem]:
    run = partial(Item.query, user_pk(user_id), Item.sk.startswith(GAME_PREFIX), scan_index_forward=False)
    return query_page(run, limit=limit, position=position)


def leaderboard(*, limit: int, position: dict[str, Any] | None) -> Page[StatsItem]:
    run = partial(Item.gsi4.query, LEADERBOARD_PK, scan_index_forward=False)
    return query_page(run, limit=limit, position=position, index="GSI4")


def delete_games(games: list[GameItem]) -> None:
    """Delete games as read (BatchWriteItem: deleting one already gone is fine)."""
    with Item.batch_write() as batch:
        for game in games:
            batch.delete(GameItem(game.pk, game.sk))


def delete_stats(user_id: str) -> bool:
    """The player's stats, and so their leaderboard entry (the stats item is the entry);
    ``False`` when there were none."""
    return delete_if(StatsItem(*stats_key(user_id)))
