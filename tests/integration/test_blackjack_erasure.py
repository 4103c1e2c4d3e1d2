"""Blackjack's erasure steps and export section: a deleted player's games, stats and leaderboard
entry are gone, everyone else's ranks move up exactly, and the steps resume and repeat safely."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from shared.blackjack import lifecycle, repository
from shared.lifecycle import registry

from tests.support.api import Account, Api, assert_problem
from tests.support.blackjack import SERVER_SEED, client_seed_for, move, new_game
from tests.support.erasure_steps import erase, forget_profile

STATS = "/api/v1/stats"
SEEDS = {"win": client_seed_for("player_win"), "loss": client_seed_for("dealer_win")}


@pytest.fixture(autouse=True)
def fixed_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shared.blackjack.service.new_server_seed", lambda: SERVER_SEED)


def play(api: Api, who: Account, *results: str) -> None:
    for result in results:
        game = new_game(api, who, {"clientSeed": SEEDS[result]}).data
        assert move(api, who, game["gameId"], "stand").data["result"] == result


def board(api: Api, who: Account, **query: str) -> dict[str, Any]:
    res = api.call("GET", f"{STATS}/leaderboard", token=who.access_token, query=query)
    assert res.status == 200, res.body
    return dict(res.data)


def ranks(api: Api, who: Account) -> list[tuple[int, str]]:
    return [(entry["rank"], entry["name"]) for entry in board(api, who, limit="100")["items"]]


def test_a_deleted_players_games_stats_and_leaderboard_entry_are_gone(api: Api, configure: Callable[..., None]) -> None:
    # Given three players on the leaderboard, the one to delete between the others, with an active game
    configure(LEADERBOARD_MIN_GAMES="2")
    top, gone, low = (api.register(name=name) for name in ("Top", "Gone", "Low"))
    play(api, top, "win", "win")
    play(api, gone, "win", "loss", "win")
    play(api, low, "loss", "loss")
    active = new_game(api, gone, {"clientSeed": SEEDS["win"]}).data
    assert ranks(api, top) == [(1, "Top"), (2, "Gone"), (3, "Low")]

    # The export holds the stats and every game, an active one without its deck or server seed
    exported = registry.exporters()["blackjack"](gone.id)
    assert exported["stats"]["totalGames"] == 3
    assert (exported["stats"]["wins"], exported["stats"]["losses"]) == (2, 1)
    assert len(exported["games"]) == 4
    newest = exported["games"][0]
    assert (newest["gameId"], newest["isGameOver"], newest["serverSeed"]) == (active["gameId"], False, None)
    assert "deck" not in newest
    assert all(g["serverSeed"] == SERVER_SEED for g in exported["games"][1:])

    # When the account is deleted and blackjack's steps run
    forget_profile(gone)
    run = erase(gone.id, "blackjack")

    # Then nothing of the player is left, and the others' ranks are exact, on one page or several
    assert run.results == {"blackjack.games": True, "blackjack.stats": True}
    assert run.touched == 4 + 1
    assert repository.list_games(gone.id, limit=10, position=None).items == []
    assert repository.get_stats(gone.id) is None
    assert ranks(api, low) == [(1, "Top"), (2, "Low")]
    first = board(api, low, limit="1")
    rest = board(api, low, limit="1", cursor=first["nextCursor"])
    assert [(e["rank"], e["name"]) for e in first["items"] + rest["items"]] == [(1, "Top"), (2, "Low")]
    assert rest["nextCursor"] is None
    assert_problem(api.call("GET", f"{STATS}/user/{gone.id}", token=top.access_token), 404, "STATS_NOT_FOUND")
    assert registry.exporters()["blackjack"](gone.id) == {"stats": None, "games": []}

    # And a second run finds nothing to do
    again = erase(gone.id, "blackjack")
    assert (again.finished, again.touched) == (True, 0)
    assert ranks(api, top) == [(1, "Top"), (2, "Low")]


def test_the_games_step_stops_at_a_page_when_out_of_time_and_resumes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    player = api.register(name="Many Games")
    play(api, player, "win", "loss", "win", "win", "loss")
    monkeypatch.setattr(lifecycle, "PAGE_SIZE", 2)
    forget_profile(player)

    late = erase(player.id, "blackjack", seconds=-1)
    assert (late.results, late.touched) == ({"blackjack.games": False}, 2)
    assert len(repository.list_games(player.id, limit=10, position=None).items) == 3
    assert repository.get_stats(player.id) is not None

    rest = erase(player.id, "blackjack")
    assert (rest.finished, rest.touched) == (True, 3 + 1)
    assert repository.list_games(player.id, limit=10, position=None).items == []
    assert repository.get_stats(player.id) is None
