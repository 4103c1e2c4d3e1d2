"""Blackjack over HTTP on the local stack: full games, hidden information, proofs, stats."""

from __future__ import annotations

import hashlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from shared.blackjack import rules
from shared.blackjack.fairness import deck_from_seeds
from shared.blackjack.rules import Card

from devstack.httpclient import Client, HttpResponse

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret-pw"
GAME = "/api/v1/game"


def register(api: Client, name: str = "E2E Player") -> dict[str, Any]:
    email = f"bj-{uuid.uuid4().hex[:10]}@example.com"
    res = api("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": name})
    assert res.status == 201, res.body
    data: dict[str, Any] = res.data
    return data


def card(data: dict[str, Any]) -> Card:
    return Card(data["rank"], data["suit"])


def play(api: Client, token: str, strategy: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One game: ``stand`` at once, ``hit`` below 17 then stand, or ``double``; every response."""
    res = api("POST", f"{GAME}/new", {"clientSeed": uuid.uuid4().hex}, token=token)
    assert res.status == 201, res.body
    seen = [res.data]
    while not seen[-1]["isGameOver"]:
        game = seen[-1]
        if strategy == "double" and len(game["playerHand"]) == 2:
            action = "double"
        elif strategy == "hit" and game["playerScore"] < 17:
            action = "hit"
        else:
            action = "stand"
        step = api("POST", f"{GAME}/{game['gameId']}/{action}", token=token)
        assert step.status == 200, step.body
        seen.append(step.data)
    return seen, seen[-1]


def test_full_games_end_as_the_cards_say_and_are_provably_fair(api: Client) -> None:
    token = register(api)["accessToken"]
    results = []
    for strategy in ["stand", "hit", "double", "hit", "stand", "hit"]:
        seen, final = play(api, token, strategy)
        player = [card(c) for c in final["playerHand"]]
        dealer = [card(c) for c in final["dealerHand"]]
        # the outcome follows from the shown cards
        if rules.is_natural(player):
            expected = "tie" if rules.is_natural(dealer) else "blackjack"
        elif rules.is_natural(dealer):
            expected = "dealer_win"
        else:
            expected = rules.settle(player, dealer)
        assert final["gameStatus"] == expected
        assert final["playerScore"] == rules.score(player)
        assert final["dealerScore"] == rules.score(dealer)
        # while it was active nothing beyond the face-up cards showed
        for active in seen[:-1]:
            text = json.dumps(active)
            assert final["serverSeed"] not in text
            assert active["serverSeed"] is None
            assert active["dealerHand"][1] == {"hidden": True}
            assert "deck" not in text
        # the proof checks out
        proof = api("GET", f"{GAME}/{final['gameId']}/verify", token=token)
        assert proof.status == 200, proof.body
        deck = [card(c) for c in proof.data["deck"]]
        assert hashlib.sha256(proof.data["serverSeed"].encode()).hexdigest() == seen[0]["serverSeedHash"]
        assert deck == deck_from_seeds(proof.data["serverSeed"], proof.data["clientSeed"])
        assert player[:2] + dealer[:2] + player[2:] + dealer[2:] == deck[: len(player) + len(dealer)]
        results.append(final["result"])

    stats = api("GET", "/api/v1/stats/me", token=token).data
    assert stats["totalGames"] == 6
    assert stats["wins"] == results.count("win")
    assert stats["losses"] == results.count("loss")
    assert stats["ties"] == results.count("tie")
    history = api("GET", f"{GAME}/history?limit=4", token=token).data
    assert len(history["items"]) == 4
    rest = api("GET", f"{GAME}/history?limit=4&cursor={history['nextCursor']}", token=token).data
    assert len(rest["items"]) == 2
    assert rest["nextCursor"] is None


def test_moves_are_refused_when_illegal_and_games_are_private(api: Client) -> None:
    owner = register(api)["accessToken"]
    other = register(api)["accessToken"]
    for _ in range(20):
        game = api("POST", f"{GAME}/new", token=owner).data
        if not game["isGameOver"]:
            break
    game_id = game["gameId"]
    assert api("GET", f"{GAME}/{game_id}/verify", token=owner).error["code"] == "GAME_IN_PROGRESS"
    assert api("GET", f"{GAME}/{game_id}", token=other).error["code"] == "GAME_NOT_FOUND"
    assert api("POST", f"{GAME}/{game_id}/stand", token=other).status == 404
    # a forged state in the body changes nothing
    forged = api("POST", f"{GAME}/{game_id}/hit", {"deck": [], "gameStatus": "player_win"}, token=owner)
    assert forged.status == 200, forged.body
    assert forged.data["playerHand"][:2] == game["playerHand"]
    if not forged.data["isGameOver"]:
        assert api("POST", f"{GAME}/{game_id}/double", token=owner).error["code"] == "DOUBLE_NOT_ALLOWED"
        assert api("POST", f"{GAME}/{game_id}/stand", token=owner).status == 200
    over = api("POST", f"{GAME}/{game_id}/hit", token=owner)
    assert over.status == 409
    assert over.error["code"] == "GAME_OVER"
    assert api("GET", f"{GAME}/history", token=other).data["items"] == []


def test_concurrent_moves_apply_once(api: Client) -> None:
    token = register(api)["accessToken"]
    dealt = 0
    while dealt < 20:  # a natural settles at once: deal again
        game = api("POST", f"{GAME}/new", token=token).data
        dealt += 1
        if not game["isGameOver"]:
            break

    def stand(_: int) -> HttpResponse:
        return api("POST", f"{GAME}/{game['gameId']}/stand", token=token)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(stand, range(6)))

    statuses = sorted(r.status for r in responses)
    assert statuses.count(200) == 1, [r.body for r in responses]
    assert all(r.error["code"] in ("GAME_OVER", "GAME_STATE_CHANGED") for r in responses if r.status != 200)
    assert api("GET", "/api/v1/stats/me", token=token).data["totalGames"] == dealt  # the stand counted once


def test_leaderboard_and_others_stats(api: Client) -> None:
    player = register(api, "Board Player")
    token = player["accessToken"]
    for _ in range(5):
        play(api, token, "stand")
    board = api("GET", "/api/v1/stats/leaderboard?limit=100", token=token)
    assert board.status == 200, board.body
    entries = board.data["items"]
    assert [e["rank"] for e in entries] == list(range(1, len(entries) + 1))
    keys = [(e["winPercentage"], e["totalGames"]) for e in entries]
    assert keys == sorted(keys, reverse=True)
    mine = [e for e in entries if e["userId"] == player["user"]["id"]]
    assert len(mine) == 1
    assert mine[0]["name"] == "Board Player"
    assert mine[0]["totalGames"] == 5
    seen = api("GET", f"/api/v1/stats/user/{player['user']['id']}", token=register(api)["accessToken"])
    assert seen.data["totalGames"] == 5
