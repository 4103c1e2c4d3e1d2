"""Blackjack: new games, moves, history, verification, stats and the leaderboard.

The server keeps the game. A move reads the game (consistently), applies the pure rules
(:mod:`shared.blackjack.rules`) and writes it back conditioned on the version it read, so two
moves sent at once never both apply to the same state: the second gets
:class:`GameStateChanged` (409) and may reload and retry. The move that ends a game writes the
game and the player's stats in one transaction, so a game is counted exactly once.
"""

from __future__ import annotations

from typing import Literal

from shared.blackjack import repository, rules
from shared.blackjack.errors import GameInProgress, GameNotFound, GameStateChanged, StatsNotFound
from shared.blackjack.fairness import deck_from_seeds, new_client_seed, new_server_seed, seed_hash
from shared.blackjack.models import LEADERBOARD_PK, GameItem, StatsItem, join_cards, leaderboard_sk, split_cards
from shared.blackjack.repository import StatsChanged
from shared.blackjack.schemas import GameOut, LeaderboardEntryOut, NewGameRequest, StatsOut, VerifyOut
from shared.blackjack.views import game_out, game_state, leaderboard_entry, stats_out, verify_out, win_basis_points
from shared.clock import iso, now
from shared.errors import InvalidInput
from shared.identity import repository as identity
from shared.identity.models import UserItem
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor
from shared.settings import get_settings

Move = Literal["hit", "stand", "double"]
FINISH_ATTEMPTS = 5


def new_game(principal: Principal, request: NewGameRequest | None) -> GameOut:
    """Shuffle a fresh deck from a new server seed and the client seed, deal, settle naturals."""
    server_seed = new_server_seed()
    client_seed = (request.client_seed if request else None) or new_client_seed()
    state = rules.deal(deck_from_seeds(server_seed, client_seed))
    at = iso(now())
    game = GameItem.new(
        principal.user_id,
        new_id(),
        deck=join_cards([card.code for card in state.deck]),
        server_seed=server_seed,
        server_seed_hash=seed_hash(server_seed),
        client_seed=client_seed,
        version=0,
        created_at=at,
        updated_at=at,
    )
    game = _advanced(game, state, at)
    _write(principal.user, game, state, expected_version=None)
    return game_out(game)


def _load(principal: Principal, game_id: str) -> GameItem:
    game = repository.get_game(principal.user_id, game_id)
    if game is None:
        raise GameNotFound()
    return game


def get_game(principal: Principal, game_id: str) -> GameOut:
    """Raises :class:`GameNotFound` (also for another player's game, so as not to reveal it)."""
    return game_out(_load(principal, game_id))


def move(principal: Principal, game_id: str, action: Move) -> GameOut:
    """Hit, stand or double. Raises :class:`GameNotFound`, :class:`GameOver`,
    :class:`DoubleNotAllowed`, :class:`GameStateChanged`."""
    return apply_move(principal, _load(principal, game_id), action)


def apply_move(principal: Principal, game: GameItem, action: Move) -> GameOut:
    """Apply ``action`` to ``game`` as it was read; the write only succeeds if nobody else
    changed the game since (else :class:`GameStateChanged`)."""
    hit_soft_17 = get_settings().blackjack_dealer_hits_soft_17
    state = game_state(game)
    if action == "hit":
        state = rules.hit(state)
    elif action == "stand":
        state = rules.stand(state, hit_soft_17)
    else:
        state = rules.double(state, hit_soft_17)
    at = iso(now())
    updated = GameItem.new(
        game.user_id,
        game.game_id,
        deck=game.deck,
        server_seed=game.server_seed,
        server_seed_hash=game.server_seed_hash,
        client_seed=game.client_seed,
        version=int(game.version),
        created_at=game.created_at,
        updated_at=at,
    )
    updated = _advanced(updated, state, at)
    _write(principal.user, updated, state, expected_version=int(game.version))
    return game_out(updated)


def _advanced(game: GameItem, state: rules.GameState, at: str) -> GameItem:
    game.drawn = state.drawn
    game.player_cards = join_cards([card.code for card in state.player])
    game.dealer_cards = join_cards([card.code for card in state.dealer])
    game.status = state.status
    game.result = state.result
    game.doubled = state.doubled
    game.version = int(game.version) + 1
    game.updated_at = at
    game.finished_at = at if state.is_over else None
    return game


def _write(user: UserItem, game: GameItem, state: rules.GameState, expected_version: int | None) -> None:
    if not state.is_over:
        repository.save_game(game, expected_version)
        return
    for _ in range(FINISH_ATTEMPTS):
        current = repository.get_stats(user.user_id)
        counted = _counted(current, user, state)
        try:
            repository.finish_game(game, expected_version, counted, int(current.version) if current else None)
        except StatsChanged:
            continue
        return
    raise GameStateChanged("The game could not be saved because of concurrent updates; try again")


def _counted(current: StatsItem | None, user: UserItem, state: rules.GameState) -> StatsItem:
    """The stats with this game counted: absolute counters, the next version, and the
    leaderboard key once the player has played enough games."""
    moment = now()
    total = int(current.total_games or 0) + 1 if current else 1
    wins = int(current.wins or 0) if current else 0
    losses = int(current.losses or 0) if current else 0
    ties = int(current.ties or 0) if current else 0
    blackjacks = int(current.blackjacks or 0) if current else 0
    result = state.result
    wins += result == "win"
    losses += result == "loss"
    ties += result == "tie"
    blackjacks += state.status == "blackjack"
    stats = StatsItem.new(
        user.user_id,
        name=user.name,
        total_games=total,
        wins=wins,
        losses=losses,
        ties=ties,
        blackjacks=blackjacks,
        version=int(current.version or 0) + 1 if current else 1,
        updated_at=iso(moment),
    )
    if total >= get_settings().leaderboard_min_games:
        stats.gsi4pk = LEADERBOARD_PK
        stats.gsi4sk = leaderboard_sk(
            win_basis_points(wins, total), total, int(moment.timestamp() * 1000), user.user_id
        )
    return stats


def history(principal: Principal, *, limit: int, cursor: str | None) -> ItemsPage[GameOut]:
    """The caller's games, newest first (active ones shown as in play)."""
    scope = f"blackjack-history|{principal.user_id}"
    page = repository.list_games(principal.user_id, limit=limit, position=decode_cursor(cursor, scope))
    return ItemsPage[GameOut](
        items=[game_out(game) for game in page.items],
        next_cursor=encode_cursor(page.next_position, scope),
    )


def verify(principal: Principal, game_id: str) -> VerifyOut:
    """The seeds and the deck they give, once the game is over.

    Raises :class:`GameNotFound`, :class:`GameInProgress`.
    """
    game = _load(principal, game_id)
    if game.status == "active":
        raise GameInProgress()
    deck = deck_from_seeds(game.server_seed, game.client_seed)
    if [card.code for card in deck] != split_cards(game.deck):  # the stored deck is the shuffled one
        raise RuntimeError(f"game {game.game_id}: stored deck differs from its seeds")
    return verify_out(game, deck)


def stats_of(user_id: str) -> StatsOut:
    """Any player's stats; zeros for a user who has not finished a game yet.

    Raises :class:`StatsNotFound` when there is no such user.
    """
    stats = repository.get_stats(user_id)
    if stats is not None:
        return stats_out(stats)
    user = identity.get_user(user_id)
    if user is None:
        raise StatsNotFound()
    return stats_out(StatsItem.new(user_id, name=user.name))


def my_stats(principal: Principal) -> StatsOut:
    stats = repository.get_stats(principal.user_id)
    return stats_out(stats or StatsItem.new(principal.user_id, name=principal.user.name))


LEADERBOARD_SCOPE = "blackjack-leaderboard"


def leaderboard(*, limit: int, cursor: str | None) -> ItemsPage[LeaderboardEntryOut]:
    """Players with at least ``leaderboard_min_games`` games, best win percentage first (then
    more games, then who got there first). One Query of ``limit + 1`` items, whatever the
    number of players."""
    position = decode_cursor(cursor, LEADERBOARD_SCOPE)
    offset = 0
    if position is not None:
        offset = position.pop("offset", 0)
        if not isinstance(offset, int) or offset < 0:
            raise InvalidInput("The cursor is invalid", code="INVALID_CURSOR", errors={"cursor": ["is invalid"]})
    page = repository.leaderboard(limit=limit, position=position)
    items = [leaderboard_entry(stats, offset + index) for index, stats in enumerate(page.items, start=1)]
    next_position = {**page.next_position, "offset": offset + len(items)} if page.next_position else None
    return ItemsPage[LeaderboardEntryOut](items=items, next_cursor=encode_cursor(next_position, LEADERBOARD_SCOPE))
