"""Blackjack's domain errors (HTTP status by base class, see :mod:`shared.http.errors`)."""

from __future__ import annotations

from shared.errors import Conflict, NotFound


class GameNotFound(NotFound):
    """No such game for this player (another player's game is reported the same way)."""

    code = "GAME_NOT_FOUND"
    message = "Game not found"


class GameOver(Conflict):
    code = "GAME_OVER"
    message = "This game is over; start a new one"


class GameInProgress(Conflict):
    code = "GAME_IN_PROGRESS"
    message = "The game is still in progress; its seeds are revealed when it ends"


class DoubleNotAllowed(Conflict):
    code = "DOUBLE_NOT_ALLOWED"
    message = "You can only double down on your first two cards"


class GameStateChanged(Conflict):
    """Another move on the same game was applied first; reload the game and try again."""

    code = "GAME_STATE_CHANGED"
    message = "The game changed while your move was being applied; reload it and try again"


class StatsNotFound(NotFound):
    code = "STATS_NOT_FOUND"
    message = "User stats not found"
