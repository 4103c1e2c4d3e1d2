"""The sample events in events/blackjack/ (``make invoke``) work with a real token and real ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.api import Account, Api
from tests.support.blackjack import SERVER_SEED, active_seed, move, new_game

EVENTS = Path(__file__).resolve().parents[2] / "events" / "blackjack"
SAMPLES = sorted(EVENTS.glob("*.json"))


def test_there_is_a_sample_for_every_blackjack_route() -> None:
    assert {p.name for p in SAMPLES} == {
        "post_game_new.json",
        "get_game_history.json",
        "get_game_gameId.json",
        "post_game_gameId_hit.json",
        "post_game_gameId_stand.json",
        "post_game_gameId_double.json",
        "get_game_gameId_verify.json",
        "get_stats_me.json",
        "get_stats_leaderboard.json",
        "get_stats_user_userId.json",
    }


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_sample_with_a_real_token_and_ids(
    api: Api, customer: Account, sample: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the sample with the customer's token and, for game routes, one of their games
    # (active for moves, finished for verify)
    monkeypatch.setattr("shared.blackjack.service.new_server_seed", lambda: SERVER_SEED)
    game = new_game(api, customer, {"clientSeed": active_seed()}).data
    if sample.name == "get_game_gameId_verify.json":
        move(api, customer, game["gameId"], "stand")
    real = {"gameId": game["gameId"], "userId": customer.id}
    text = sample.read_text()
    event = json.loads(text)
    for name, placeholder in (event.get("pathParameters") or {}).items():
        text = text.replace(placeholder, real[name])
    event = json.loads(text)
    event["headers"]["authorization"] = f"Bearer {customer.access_token}"

    # When it is invoked as is
    res = api.response(api.invoke("BlackjackFunction", event))

    # Then it succeeds
    assert res.status in (200, 201), res.body
    assert res.body["meta"]["requestId"] == event["requestContext"]["requestId"]
