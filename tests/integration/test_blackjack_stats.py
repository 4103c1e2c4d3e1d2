"""Player stats and the leaderboard: counted once per finished game, ordered by win percentage
(then more games, then who got there first), only players with enough games, one Query."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from shared.blackjack import repository

from tests.support.api import Account, Api, assert_problem
from tests.support.blackjack import SERVER_SEED, client_seed_for, move, new_game

STATS = "/api/v1/stats"


@pytest.fixture(autouse=True)
def fixed_seed(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr("shared.blackjack.service.new_server_seed", lambda: SERVER_SEED)
    return SERVER_SEED


SEEDS = {
    "win": client_seed_for("player_win"),
    "loss": client_seed_for("dealer_win"),
    "tie": client_seed_for("tie"),
}


def play(api: Api, who: Account, *results: str) -> None:
    """Finish one game per result, by standing on a deal chosen to give it."""
    for result in results:
        game = new_game(api, who, {"clientSeed": SEEDS[result]}).data
        final = move(api, who, game["gameId"], "stand").data
        assert final["result"] == result, final


def test_stats_count_every_finished_game_once(api: Api, customer: Account) -> None:
    play(api, customer, "win", "win", "loss", "tie")
    new_game(api, customer, {"clientSeed": SEEDS["win"]})  # still active: not counted

    me = api.call("GET", f"{STATS}/me", token=customer.access_token)

    assert me.status == 200, me.body
    assert me.data == {
        "userId": customer.id,
        "name": "Carla Customer",
        "totalGames": 4,
        "wins": 2,
        "losses": 1,
        "ties": 1,
        "blackjacks": 0,
        "winPercentage": 50.0,
        "updatedAt": me.data["updatedAt"],
    }
    stored = repository.get_stats(customer.id)
    assert stored is not None
    assert stored.version == 4


def test_win_percentage_is_rounded_to_two_decimals(api: Api, customer: Account) -> None:
    play(api, customer, "win", "win", "loss")
    assert api.call("GET", f"{STATS}/me", token=customer.access_token).data["winPercentage"] == 66.67


def test_anyones_stats_by_user_id(api: Api, customer: Account) -> None:
    play(api, customer, "win")
    other = api.register(name="Nina Newcomer")

    seen = api.call("GET", f"{STATS}/user/{customer.id}", token=other.access_token)
    assert seen.status == 200, seen.body
    assert (seen.data["userId"], seen.data["totalGames"], seen.data["wins"]) == (customer.id, 1, 1)

    # a user who has not played yet has zeros; an unknown user has no stats
    fresh = api.call("GET", f"{STATS}/user/{other.id}", token=customer.access_token).data
    assert (fresh["name"], fresh["totalGames"], fresh["winPercentage"]) == ("Nina Newcomer", 0, 0.0)
    assert api.call("GET", f"{STATS}/me", token=other.access_token).data["totalGames"] == 0
    assert_problem(api.call("GET", f"{STATS}/user/nobody", token=customer.access_token), 404, "STATS_NOT_FOUND")


@pytest.mark.parametrize("path", ["/me", "/leaderboard", "/user/someone"])
def test_stats_need_a_signed_in_user(api: Api, path: str) -> None:
    assert_problem(api.call("GET", f"{STATS}{path}"), 401, "NO_TOKEN")


def test_leaderboard_order_and_minimum_games(api: Api, configure: Callable[..., None]) -> None:
    configure(LEADERBOARD_MIN_GAMES="3")
    # Given players with different records (played in this order)
    ace = api.register(name="Ace")  # 3/3 = 100%
    early = api.register(name="Early")  # 1/3 = 33.33%, got there before "late"
    steady = api.register(name="Steady")  # 2/6 = 33.33%, more games
    good = api.register(name="Good")  # 2/3 = 66.67%
    late = api.register(name="Late")  # 1/3 = 33.33%
    rookie = api.register(name="Rookie")  # 2/2 = 100%, too few games
    play(api, ace, "win", "win", "win")
    play(api, early, "win", "loss", "tie")
    play(api, steady, "win", "loss", "loss", "win", "tie", "loss")
    play(api, good, "win", "loss", "win")
    play(api, late, "loss", "win", "loss")
    play(api, rookie, "win", "win")

    # When anyone reads the leaderboard
    res = api.call("GET", f"{STATS}/leaderboard", token=rookie.access_token)

    # Then the order is by percentage, then games, then who got there first; rookies are absent
    assert res.status == 200, res.body
    board = res.data["items"]
    assert [(e["rank"], e["name"], e["winPercentage"], e["totalGames"]) for e in board] == [
        (1, "Ace", 100.0, 3),
        (2, "Good", 66.67, 3),
        (3, "Steady", 33.33, 6),
        (4, "Early", 33.33, 3),
        (5, "Late", 33.33, 3),
    ]
    assert board[0] == {
        "userId": ace.id,
        "name": "Ace",
        "totalGames": 3,
        "wins": 3,
        "losses": 0,
        "ties": 0,
        "blackjacks": 0,
        "winPercentage": 100.0,
        "updatedAt": board[0]["updatedAt"],
        "rank": 1,
    }
    assert res.data["nextCursor"] is None

    # And the rookie joins once they have played enough
    play(api, rookie, "loss")
    names = [e["name"] for e in api.call("GET", f"{STATS}/leaderboard", token=ace.access_token).data["items"]]
    assert names == ["Ace", "Good", "Rookie", "Steady", "Early", "Late"]


def test_leaderboard_pages_keep_ranks(api: Api, configure: Callable[..., None]) -> None:
    configure(LEADERBOARD_MIN_GAMES="1")
    players = [api.register(name=f"Player {n}") for n in range(5)]
    for n, player in enumerate(players):
        play(api, player, *(["win"] * n + ["loss"] * (4 - n)))

    first = api.call("GET", f"{STATS}/leaderboard", token=players[0].access_token, query={"limit": "2"}).data
    second = api.call(
        "GET",
        f"{STATS}/leaderboard",
        token=players[0].access_token,
        query={"limit": "2", "cursor": first["nextCursor"]},
    ).data
    third = api.call(
        "GET",
        f"{STATS}/leaderboard",
        token=players[0].access_token,
        query={"limit": "2", "cursor": second["nextCursor"]},
    ).data

    entries = first["items"] + second["items"] + third["items"]
    assert [(e["rank"], e["name"]) for e in entries] == [(n + 1, f"Player {4 - n}") for n in range(5)]
    assert third["nextCursor"] is None


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_leaderboard_limit_is_validated(api: Api, customer: Account, limit: str) -> None:
    res = api.call("GET", f"{STATS}/leaderboard", token=customer.access_token, query={"limit": limit})
    assert "limit" in assert_problem(res, 400, "VALIDATION_ERROR")["errors"]


def test_leaderboard_refuses_a_forged_cursor(api: Api, customer: Account) -> None:
    res = api.call("GET", f"{STATS}/leaderboard", token=customer.access_token, query={"cursor": "abc.def"})
    assert_problem(res, 400, "INVALID_CURSOR")


def test_name_on_the_leaderboard_follows_the_player(
    api: Api, customer: Account, configure: Callable[..., None]
) -> None:
    configure(LEADERBOARD_MIN_GAMES="1")
    play(api, customer, "win")
    api.call("PATCH", "/api/v1/users/me", {"name": "Carla Champion"}, token=customer.access_token)
    play(api, customer, "win")
    board = api.call("GET", f"{STATS}/leaderboard", token=customer.access_token).data["items"]
    assert [(e["name"], e["totalGames"]) for e in board] == [("Carla Champion", 2)]
