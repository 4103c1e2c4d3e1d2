"""Blackjack games through the handler: the server keeps the game, hides what the player may not
see, refuses illegal moves, survives concurrent moves, and proves every shuffle fair."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from typing import Any

import pytest
from shared.blackjack import repository, rules, service
from shared.blackjack.errors import GameStateChanged
from shared.blackjack.fairness import deck_from_seeds
from shared.identity.principal import Principal
from shared.identity.repository import get_user

from tests.support.api import Account, Api, assert_problem
from tests.support.blackjack import (
    GAME,
    SERVER_SEED,
    active_seed,
    card,
    client_seed_for,
    expected_status,
    move,
    new_game,
)

RESULTS = {"blackjack": "win", "player_win": "win", "dealer_bust": "win", "dealer_win": "loss", "player_bust": "loss"}


@pytest.fixture
def fixed_seed(monkeypatch: pytest.MonkeyPatch) -> str:
    """Every new game uses SERVER_SEED, so a test can choose the deck with the client seed."""
    monkeypatch.setattr("shared.blackjack.service.new_server_seed", lambda: SERVER_SEED)
    return SERVER_SEED


def principal_of(who: Account) -> Principal:
    user = get_user(who.id)
    assert user is not None
    return Principal(user=user, session_id="test", token_expires_at=0)


def active_game(api: Api, who: Account, fixed_seed: str, n: int = 0) -> dict[str, Any]:
    res = new_game(api, who, {"clientSeed": active_seed(fixed_seed, n)})
    assert res.status == 201, res.body
    assert res.data["gameStatus"] == "active"
    data: dict[str, Any] = res.data
    return data


# ---------------------------------------------------------------------------- playing


def test_new_game_deals_two_cards_each_and_hides_the_hole_card(api: Api, customer: Account, fixed_seed: str) -> None:
    # Given a client seed whose deal is not settled at once
    seed = active_seed(fixed_seed)
    deck = deck_from_seeds(fixed_seed, seed)

    # When the player starts a game
    res = new_game(api, customer, {"clientSeed": seed})

    # Then they see their two cards and score, the dealer's up card and its score, a hidden hole card
    assert res.status == 201, res.body
    game = res.data
    assert [card(c) for c in game["playerHand"]] == deck[0:2]
    assert game["dealerHand"][0] == {"suit": deck[2].suit, "rank": deck[2].rank, "value": deck[2].value}
    assert game["dealerHand"][1] == {"hidden": True}
    assert game["dealerScore"] == deck[2].value
    assert game["playerScore"] == sum(c.value for c in deck[0:2]) - (10 if deck[0].rank == deck[1].rank == "A" else 0)
    assert game["isPlayerTurn"] is True
    assert game["isGameOver"] is False
    assert game["gameStatus"] == "active"
    assert game["result"] is None
    assert game["clientSeed"] == seed
    assert game["serverSeedHash"] == hashlib.sha256(fixed_seed.encode()).hexdigest()
    assert game["serverSeed"] is None
    assert game["createdAt"] == game["updatedAt"]


def test_new_game_without_a_body_generates_a_client_seed(api: Api, customer: Account) -> None:
    res = new_game(api, customer)
    assert res.status == 201, res.body
    assert len(res.data["clientSeed"]) == 32
    assert len(res.data["serverSeedHash"]) == 64


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"clientSeed": ""}, "clientSeed"),
        ({"clientSeed": "x" * 65}, "clientSeed"),
        ({"clientSeed": "bad\nseed"}, "clientSeed"),
        ({"clientSeed": 42}, "clientSeed"),
        ({"deck": []}, "deck"),
        ({"gameStatus": "player_win"}, "gameStatus"),
    ],
)
def test_new_game_refuses_bad_seeds_and_unknown_fields(api: Api, customer: Account, body: Any, field: str) -> None:
    res = new_game(api, customer, body)
    error = assert_problem(res, 400, "VALIDATION_ERROR")
    assert field in error["errors"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/new"),
        ("GET", "/history"),
        ("GET", "/g1"),
        ("POST", "/g1/hit"),
        ("POST", "/g1/stand"),
        ("POST", "/g1/double"),
        ("GET", "/g1/verify"),
    ],
)
def test_every_game_route_needs_a_signed_in_user(api: Api, method: str, path: str) -> None:
    assert_problem(api.call(method, f"{GAME}{path}"), 401, "NO_TOKEN")


def play_randomly(api: Api, who: Account, rng: random.Random) -> list[dict[str, Any]]:
    """One game with random moves; every response on the way."""
    seen = [new_game(api, who).data]
    while not seen[-1]["isGameOver"]:
        choices = ["hit", "stand"] + (["double"] if len(seen[-1]["playerHand"]) == 2 else [])
        res = move(api, who, seen[-1]["gameId"], rng.choice(choices))
        assert res.status == 200, res.body
        seen.append(res.data)
    return seen


def test_many_games_end_as_their_cards_say(api: Api, customer: Account) -> None:
    rng = random.Random(6)
    outcomes: dict[str, int] = {"win": 0, "loss": 0, "tie": 0}
    blackjacks = 0
    for _ in range(30):
        responses = play_randomly(api, customer, rng)
        final = responses[-1]
        player = [card(c) for c in final["playerHand"]]
        dealer = [card(c) for c in final["dealerHand"]]
        # the outcome and scores are the ones the shown cards give
        assert final["gameStatus"] == expected_status(player, dealer)
        assert final["result"] == RESULTS.get(final["gameStatus"], "tie")
        assert final["playerScore"] == rules.score(player)
        assert final["dealerScore"] == rules.score(dealer)
        assert final["isPlayerTurn"] is False
        assert final["finishedAt"] == final["updatedAt"]
        if final["gameStatus"] not in ("player_bust", "blackjack", "dealer_win") or len(dealer) > 2:
            assert rules.score(dealer) >= 17 or final["gameStatus"] == "player_bust"
        # the cards are the seeds' deck, dealt in order: player 2, dealer 2, then draws
        deck = deck_from_seeds(final["serverSeed"], final["clientSeed"])
        assert hashlib.sha256(final["serverSeed"].encode()).hexdigest() == final["serverSeedHash"]
        dealt = player[:2] + dealer[:2] + player[2:] + dealer[2:]
        assert dealt == deck[: len(dealt)]
        # every intermediate response showed the same cards so far, and hid the rest
        for earlier in responses[:-1]:
            assert [card(c) for c in earlier["playerHand"]] == player[: len(earlier["playerHand"])]
            assert earlier["dealerHand"][1:] == [{"hidden": True}]
        outcomes[final["result"]] += 1
        blackjacks += final["gameStatus"] == "blackjack"

    stats = api.call("GET", "/api/v1/stats/me", token=customer.access_token).data
    assert stats["totalGames"] == 30
    assert (stats["wins"], stats["losses"], stats["ties"]) == (outcomes["win"], outcomes["loss"], outcomes["tie"])
    assert stats["blackjacks"] == blackjacks
    assert stats["winPercentage"] == round(outcomes["win"] * 100 / 30, 2)


def test_hit_then_stand(api: Api, customer: Account, fixed_seed: str) -> None:
    seed = client_seed_for("player_win", action="hit")
    deck = deck_from_seeds(fixed_seed, seed)
    game = new_game(api, customer, {"clientSeed": seed}).data

    hit = move(api, customer, game["gameId"], "hit")
    assert hit.status == 200, hit.body
    assert [card(c) for c in hit.data["playerHand"]] == [*deck[0:2], deck[4]]
    assert hit.data["dealerHand"][1] == {"hidden": True}
    assert hit.data["updatedAt"] >= game["updatedAt"]

    stand = move(api, customer, game["gameId"], "stand")
    assert stand.status == 200, stand.body
    assert stand.data["gameStatus"] == "player_win"
    assert stand.data["result"] == "win"
    assert stand.data["dealerHand"][1] == {"suit": deck[3].suit, "rank": deck[3].rank, "value": deck[3].value}


def test_naturals_settle_at_the_deal(api: Api, customer: Account, fixed_seed: str) -> None:
    res = new_game(api, customer, {"clientSeed": client_seed_for("blackjack", action="none")})
    assert res.status == 201
    assert res.data["gameStatus"] == "blackjack"
    assert res.data["result"] == "win"
    assert res.data["isGameOver"] is True
    assert res.data["serverSeed"] == fixed_seed
    assert all("hidden" not in c for c in res.data["dealerHand"])
    stats = api.call("GET", "/api/v1/stats/me", token=customer.access_token).data
    assert (stats["totalGames"], stats["wins"], stats["blackjacks"]) == (1, 1, 1)


def test_double_draws_one_card_then_the_dealer_plays(api: Api, customer: Account, fixed_seed: str) -> None:
    seed = client_seed_for("dealer_bust", action="double")
    deck = deck_from_seeds(fixed_seed, seed)
    game = new_game(api, customer, {"clientSeed": seed}).data

    res = move(api, customer, game["gameId"], "double")

    assert res.status == 200, res.body
    assert [card(c) for c in res.data["playerHand"]] == [*deck[0:2], deck[4]]
    assert res.data["doubled"] is True
    assert res.data["isGameOver"] is True
    assert res.data["gameStatus"] == "dealer_bust"
    assert len(res.data["dealerHand"]) > 2


def test_double_only_on_the_first_two_cards(api: Api, customer: Account, fixed_seed: str) -> None:
    seed = client_seed_for("player_win", action="hit")
    game = new_game(api, customer, {"clientSeed": seed}).data
    assert move(api, customer, game["gameId"], "hit").status == 200

    res = move(api, customer, game["gameId"], "double")

    assert_problem(res, 409, "DOUBLE_NOT_ALLOWED")
    assert len(api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data["playerHand"]) == 3


@pytest.mark.parametrize("action", ["hit", "stand", "double"])
def test_no_move_after_the_game_is_over(api: Api, customer: Account, fixed_seed: str, action: str) -> None:
    game = active_game(api, customer, fixed_seed)
    final = move(api, customer, game["gameId"], "stand").data
    assert final["isGameOver"] is True

    res = move(api, customer, game["gameId"], action)

    assert_problem(res, 409, "GAME_OVER")
    assert api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data == final
    assert api.call("GET", "/api/v1/stats/me", token=customer.access_token).data["totalGames"] == 1


def test_a_natural_cannot_be_played_on(api: Api, customer: Account, fixed_seed: str) -> None:
    game = new_game(api, customer, {"clientSeed": client_seed_for("dealer_win", action="none")}).data
    assert game["isGameOver"]
    assert_problem(move(api, customer, game["gameId"], "hit"), 409, "GAME_OVER")


# ---------------------------------------------------------------------------- what a player may see


def test_active_responses_reveal_no_hole_card_deck_or_server_seed(api: Api, customer: Account, fixed_seed: str) -> None:
    # Given an active game that stays active after one hit
    seed = next(
        s
        for s in (active_seed(fixed_seed, n) for n in range(1000))
        if not rules.hit(rules.deal(deck_from_seeds(fixed_seed, s))).is_over
    )
    res = new_game(api, customer, {"clientSeed": seed})
    game_id = res.data["gameId"]
    stored = repository.get_game(customer.id, game_id)
    assert stored is not None

    # When the player looks at it every way there is, and hits
    responses = [
        res,
        api.call("GET", f"{GAME}/{game_id}", token=customer.access_token),
        api.call("GET", f"{GAME}/history", token=customer.access_token),
        move(api, customer, game_id, "hit"),
        api.call("GET", f"{GAME}/{game_id}", token=customer.access_token),
    ]

    # Then no response holds the server seed, the deck, or any card not dealt face up
    for response in responses:
        assert response.status in (200, 201), response.body
        text = json.dumps(response.body)
        assert fixed_seed not in text
        for leak in ("deck", "remaining", "drawn", "version", "cards"):
            assert leak not in text.lower(), leak
        games = response.data.get("items", [response.data])
        for game in games:
            assert game["serverSeed"] is None
            assert game["dealerHand"][1:] == [{"hidden": True}]
            assert game["dealerScore"] == card(game["dealerHand"][0]).value
            face_up = {card(c).code for c in game["playerHand"]} | {card(game["dealerHand"][0]).code}
            deck = stored.deck.split()
            dealt_face_up = {deck[0], deck[1], deck[2]} | ({deck[4]} if len(game["playerHand"]) == 3 else set())
            assert face_up == dealt_face_up


def test_move_bodies_are_ignored(api: Api, customer: Account, fixed_seed: str) -> None:
    # Given an active game and a client that sends a doctored state with its move
    seed = client_seed_for("dealer_win", action="hit")
    deck = deck_from_seeds(fixed_seed, seed)
    game = new_game(api, customer, {"clientSeed": seed}).data
    forged = {
        "gameState": {"deck": [{"suit": "hearts", "rank": "A", "value": 11}] * 52},
        "deck": ["AH"] * 52,
        "playerHand": [{"suit": "spades", "rank": "A", "value": 11}, {"suit": "spades", "rank": "K", "value": 10}],
        "dealerHand": [],
        "playerScore": 21,
        "gameStatus": "player_win",
        "isGameOver": True,
        "version": 0,
    }

    # When they hit and stand with it
    hit = move(api, customer, game["gameId"], "hit", forged)
    stand = move(api, customer, game["gameId"], "stand", forged)

    # Then the server dealt from its own deck, and the result is the seeds'
    assert hit.status == 200, hit.body
    assert [card(c) for c in hit.data["playerHand"]] == [*deck[0:2], deck[4]]
    assert stand.data["gameStatus"] == "dealer_win"
    verify = api.call("GET", f"{GAME}/{game['gameId']}/verify", token=customer.access_token).data
    assert [card(c) for c in verify["deck"]] == deck


@pytest.mark.parametrize("body", ["[1, 2]", '"stand"', "{not json"])
def test_move_bodies_must_be_a_json_object_if_sent(api: Api, customer: Account, fixed_seed: str, body: str) -> None:
    game = active_game(api, customer, fixed_seed)
    function, event = api.event(
        "POST", f"{GAME}/{game['gameId']}/hit", headers={"Authorization": f"Bearer {customer.access_token}"}
    )
    event["body"] = body
    res = api.response(api.invoke(function, event))
    assert res.status == 400, res.body
    assert api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data == game


def test_other_players_games_are_not_found(api: Api, customer: Account, fixed_seed: str) -> None:
    game = active_game(api, customer, fixed_seed)
    other = api.register(name="Otto Other")
    for method, path in (
        ("GET", ""),
        ("POST", "/hit"),
        ("POST", "/stand"),
        ("POST", "/double"),
        ("GET", "/verify"),
    ):
        assert_problem(
            api.call(method, f"{GAME}/{game['gameId']}{path}", token=other.access_token), 404, "GAME_NOT_FOUND"
        )
    assert_problem(api.call("GET", f"{GAME}/no-such-game", token=customer.access_token), 404, "GAME_NOT_FOUND")
    # the owner's game is untouched, and the other player has no games
    assert api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data == game
    assert api.call("GET", f"{GAME}/history", token=other.access_token).data["items"] == []


# ---------------------------------------------------------------------------- races


def test_a_move_on_a_stale_game_is_refused(api: Api, customer: Account, fixed_seed: str) -> None:
    # Given two requests that both loaded the game at the same version
    game = active_game(api, customer, fixed_seed)
    stale = repository.get_game(customer.id, game["gameId"])
    assert stale is not None
    # When the first one's hit is applied
    first = move(api, customer, game["gameId"], "hit")
    assert first.status == 200
    # Then the second one's move, computed from the old state, is refused and changes nothing
    with pytest.raises(GameStateChanged) as info:
        service.apply_move(principal_of(customer), stale, "hit")
    assert info.value.code == "GAME_STATE_CHANGED"
    assert api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data == first.data


@pytest.mark.parametrize("late", ["stand", "double", "hit"])
def test_two_finishing_moves_count_the_game_once(api: Api, customer: Account, fixed_seed: str, late: str) -> None:
    # Given two stands racing on the same active game
    game = active_game(api, customer, fixed_seed)
    stale = repository.get_game(customer.id, game["gameId"])
    assert stale is not None
    winner = move(api, customer, game["gameId"], "stand")
    assert winner.data["isGameOver"] is True

    # When the loser's finishing move arrives with the old version
    with pytest.raises(GameStateChanged):
        service.apply_move(principal_of(customer), stale, late)  # type: ignore[arg-type]

    # Then the game keeps the winner's result and the stats count it once
    assert api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data == winner.data
    stats = api.call("GET", "/api/v1/stats/me", token=customer.access_token).data
    assert stats["totalGames"] == 1


def test_the_loser_of_a_race_gets_409_and_can_retry(
    api: Api, customer: Account, fixed_seed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a hit that, between its read and its write, is overtaken by another hit
    game = active_game(api, customer, fixed_seed, n=3)
    real_get = repository.get_game
    overtaken: list[bool] = []

    def read_then_overtaken(user_id: str, game_id: str) -> Any:
        found = real_get(user_id, game_id)
        if not overtaken:
            overtaken.append(True)
            assert found is not None
            service.apply_move(principal_of(customer), found, "hit")
        return found

    monkeypatch.setattr(repository, "get_game", read_then_overtaken)
    res = move(api, customer, game["gameId"], "stand")
    assert_problem(res, 409, "GAME_STATE_CHANGED")
    monkeypatch.setattr(repository, "get_game", real_get)

    # When it retries, it applies to the new state
    current = api.call("GET", f"{GAME}/{game['gameId']}", token=customer.access_token).data
    assert len(current["playerHand"]) == 3
    if not current["isGameOver"]:
        retried = move(api, customer, game["gameId"], "stand")
        assert retried.status == 200
        assert retried.data["isGameOver"] is True


def test_stats_that_changed_under_a_finish_are_read_again(
    api: Api, customer: Account, fixed_seed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a player with one finished game
    first = active_game(api, customer, fixed_seed)
    move(api, customer, first["gameId"], "stand")
    second = active_game(api, customer, fixed_seed, n=5)
    # and a finish that first reads stale stats (as if another game finished meanwhile)
    stale = repository.get_stats(customer.id)
    assert stale is not None
    real_get_stats = repository.get_stats
    reads: list[int] = []

    def stale_once(user_id: str) -> Any:
        reads.append(1)
        if len(reads) == 1:
            racing = repository.get_game(customer.id, third["gameId"])
            assert racing is not None
            service.apply_move(principal_of(customer), racing, "stand")
            return stale
        return real_get_stats(user_id)

    third = active_game(api, customer, fixed_seed, n=9)
    monkeypatch.setattr(repository, "get_stats", stale_once)

    # When the second game finishes
    res = move(api, customer, second["gameId"], "stand")

    # Then the finish retried with fresh stats: all three games are counted, none twice
    assert res.status == 200, res.body
    monkeypatch.setattr(repository, "get_stats", real_get_stats)
    stats = api.call("GET", "/api/v1/stats/me", token=customer.access_token).data
    assert stats["totalGames"] == 3
    assert stats["wins"] + stats["losses"] + stats["ties"] == 3
    assert len(reads) >= 3


# ---------------------------------------------------------------------------- history and verification


def test_history_lists_own_games_newest_first_with_a_cursor(api: Api, customer: Account) -> None:
    ids = [new_game(api, customer).data["gameId"] for _ in range(5)]
    api.register()  # another player's games never show
    other = api.register()
    new_game(api, other)

    first = api.call("GET", f"{GAME}/history", token=customer.access_token, query={"limit": "3"})
    assert first.status == 200, first.body
    second = api.call(
        "GET", f"{GAME}/history", token=customer.access_token, query={"limit": "3", "cursor": first.data["nextCursor"]}
    )
    listed = [g["gameId"] for g in first.data["items"] + second.data["items"]]
    assert listed == list(reversed(ids))
    assert second.data["nextCursor"] is None
    # a cursor is bound to its owner
    stolen = api.call("GET", f"{GAME}/history", token=other.access_token, query={"cursor": first.data["nextCursor"]})
    assert_problem(stolen, 400, "INVALID_CURSOR")


def test_verify_only_once_over_and_it_recomputes_the_dealt_cards(api: Api, customer: Account, fixed_seed: str) -> None:
    game = active_game(api, customer, fixed_seed)
    assert_problem(
        api.call("GET", f"{GAME}/{game['gameId']}/verify", token=customer.access_token), 409, "GAME_IN_PROGRESS"
    )
    final = move(api, customer, game["gameId"], "stand").data

    res = api.call("GET", f"{GAME}/{game['gameId']}/verify", token=customer.access_token)

    assert res.status == 200, res.body
    proof = res.data
    assert proof["serverSeed"] == final["serverSeed"] == fixed_seed
    assert hashlib.sha256(proof["serverSeed"].encode()).hexdigest() == proof["serverSeedHash"] == game["serverSeedHash"]
    assert proof["clientSeed"] == game["clientSeed"]
    deck = [card(c) for c in proof["deck"]]
    assert deck == deck_from_seeds(proof["serverSeed"], proof["clientSeed"])
    assert len(set(deck)) == 52
    player = [card(c) for c in final["playerHand"]]
    dealer = [card(c) for c in final["dealerHand"]]
    assert player[:2] == deck[0:2]
    assert dealer == [*deck[2:4], *deck[4 : 4 + len(dealer) - 2]]


def test_dealer_soft_17_rule_is_a_setting(
    api: Api, customer: Account, fixed_seed: str, configure: Callable[..., None]
) -> None:
    # Given a deal where the dealer shows a soft 17 after the deal
    seed = next(
        s
        for s in (f"soft-{n}" for n in range(100_000))
        if (state := rules.deal(deck_from_seeds(fixed_seed, s))).status == "active"
        and rules.hand_value(state.dealer) == (17, True)
    )
    stands = move(api, customer, new_game(api, customer, {"clientSeed": seed}).data["gameId"], "stand").data
    assert len(stands["dealerHand"]) == 2

    configure(BLACKJACK_DEALER_HITS_SOFT_17="true")
    hits = move(api, customer, new_game(api, customer, {"clientSeed": seed}).data["gameId"], "stand").data
    assert len(hits["dealerHand"]) > 2
