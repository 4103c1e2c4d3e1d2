"""Blackjack routes: games (``/api/v1/game/*``) and stats (``/api/v1/stats/*``)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.blackjack import service
from shared.blackjack.schemas import GameOut, LeaderboardEntryOut, MoveRequest, NewGameRequest, StatsOut, VerifyOut
from shared.errors import Conflict, NotFound
from shared.http.app import create_app, serve
from shared.http.auth import principal, requires
from shared.http.openapi import created_response, raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage

app = create_app()
GAME = "/api/v1/game"
STATS = "/api/v1/stats"
GameId = Annotated[str, Path(min_length=1, max_length=64)]
UserId = Annotated[str, Path(min_length=1, max_length=64)]
Move = Annotated[MoveRequest | None, Body(description="Ignored: moves take no parameters")]


@app.post(f"{GAME}/new", responses=created_response(Envelope[GameOut]), tags=["blackjack"])
@requires()
def new_game(body: Annotated[NewGameRequest | None, Body()] = None) -> Response[Envelope[GameOut]]:
    """Deal a new game.

    Optionally with your own `clientSeed` (1-64 characters); a natural settles the game at once. The
    deck is derived from the server seed (its hash is shown now, the seed once the game is over) and
    the client seed.
    """
    return created(app, service.new_game(principal(app), body))


# Registered before /game/<gameId>, which would otherwise take "history" for a game id.
@app.get(f"{GAME}/history", tags=["blackjack"])
@requires()
def history(limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[GameOut]]]:
    """The caller's games, newest first."""
    return ok(app, service.history(principal(app), limit=limit, cursor=cursor))


@app.get(f"{GAME}/<gameId>", responses=raises(NotFound), tags=["blackjack"])
@requires()
def get_game(gameId: GameId) -> Response[Envelope[GameOut]]:
    """One of the caller's games.

    While it is active, only the dealer's up card is shown.
    """
    return ok(app, service.get_game(principal(app), gameId))


@app.post(f"{GAME}/<gameId>/hit", responses=raises(NotFound, Conflict), tags=["blackjack"])
@requires()
def hit(gameId: GameId, body: Move = None) -> Response[Envelope[GameOut]]:
    """Draw one card.

    409 `GAME_OVER` once the game is over, `GAME_STATE_CHANGED` when a concurrent move won (reload,
    retry).
    """
    return ok(app, service.move(principal(app), gameId, "hit"))


@app.post(f"{GAME}/<gameId>/stand", responses=raises(NotFound, Conflict), tags=["blackjack"])
@requires()
def stand(gameId: GameId, body: Move = None) -> Response[Envelope[GameOut]]:
    """Stand: the dealer draws to 17 and the game is settled."""
    return ok(app, service.move(principal(app), gameId, "stand"))


@app.post(f"{GAME}/<gameId>/double", responses=raises(NotFound, Conflict), tags=["blackjack"])
@requires()
def double(gameId: GameId, body: Move = None) -> Response[Envelope[GameOut]]:
    """Double: one card, then stand.

    Only on the first two cards (409 `DOUBLE_NOT_ALLOWED`).
    """
    return ok(app, service.move(principal(app), gameId, "double"))


@app.get(f"{GAME}/<gameId>/verify", responses=raises(NotFound, Conflict), tags=["blackjack"])
@requires()
def verify(gameId: GameId) -> Response[Envelope[VerifyOut]]:
    """The seeds and deck of a finished game.

    Enough to check the seed hash and re-deal the game; 409 `GAME_IN_PROGRESS` before it is over.
    """
    return ok(app, service.verify(principal(app), gameId))


@app.get(f"{STATS}/me", tags=["blackjack"])
@requires()
def my_stats() -> Response[Envelope[StatsOut]]:
    """The caller's blackjack statistics."""
    return ok(app, service.my_stats(principal(app)))


@app.get(f"{STATS}/leaderboard", tags=["blackjack"])
@requires()
def leaderboard(
    limit: Annotated[int, Query(ge=1, le=100, description="Page size (1-100)")] = 10,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[LeaderboardEntryOut]]]:
    """The leaderboard.

    Players with at least `LEADERBOARD_MIN_GAMES` finished games, by win percentage.
    """
    principal(app)
    return ok(app, service.leaderboard(limit=limit, cursor=cursor))


@app.get(f"{STATS}/user/<userId>", responses=raises(NotFound), tags=["blackjack"])
@requires()
def user_stats(userId: UserId) -> Response[Envelope[StatsOut]]:
    """A player's blackjack statistics."""
    principal(app)
    return ok(app, service.stats_of(userId))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
