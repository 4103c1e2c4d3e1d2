"""``make bench`` section for blackjack: what a leaderboard read costs at 100 and at 10,000
players (it should not grow), and what each game request costs in DynamoDB calls.

Runs in-process against moto (``mock_aws``): the table comes from the template, players' stats
are written through the blackjack models, requests go through the blackjack service (the
per-request authentication read, one consistent BatchGetItem, is not included).
"""

from __future__ import annotations

import json
import math
from functools import partial

from devstack.metering import Meter, bench_environment, measure

TABLE = "bench-blackjack"
SIZES = (100, 10_000)
ENV = {
    "APP_ENV": "local",
    "JWT_SECRET": "bench-signing-key-that-is-long-enough-0123456789",
    "TABLE_NAME": TABLE,
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "LEADERBOARD_MIN_GAMES": "5",
}


def _seed_players(start: int, count: int) -> None:
    from shared.blackjack.models import LEADERBOARD_PK, StatsItem, leaderboard_sk
    from shared.blackjack.views import win_basis_points

    with StatsItem.batch_write() as batch:
        for n in range(start, start + count):
            user_id = f"bench-{n:06d}"
            total = 5 + n % 50
            wins = (n * 7) % (total + 1)
            stats = StatsItem.new(
                user_id, name=f"Player {n}", total_games=total, wins=wins, losses=total - wins, version=total
            )
            stats.gsi4pk = LEADERBOARD_PK
            stats.gsi4sk = leaderboard_sk(win_basis_points(wins, total), total, 1_700_000_000_000 + n, user_id)
            batch.save(stats)


def _estimate(limit: int) -> str:
    """Read units DynamoDB would charge for the page: the Query reads ``limit + 1`` items (one
    more tells whether a next page exists); eventually consistent, 0.5 RCU per 4 KB started."""
    from shared.blackjack import repository

    read = repository.leaderboard(limit=limit + 1, position=None).items[: limit + 1]
    size = sum(len(json.dumps(item.serialize())) for item in read)
    return f"{len(read)} items, {size:,} B, ~{math.ceil(size / 4096) / 2:g} RCU"


def _row(label: str, meter: Meter, items: str, elapsed: float) -> list[str]:
    return [label, items, str(meter.total_calls), f"{meter.read_units:g}", f"{meter.write_units:g}", meter.operations()]


def section() -> list[tuple[str, list[str], list[list[str]]]]:
    import boto3
    from moto import mock_aws

    from devstack.resources import create_table

    leaderboard_rows: list[list[str]] = []
    game_rows: list[list[str]] = []
    with bench_environment(ENV), mock_aws():
        from shared.blackjack import service
        from shared.blackjack.schemas import NewGameRequest
        from shared.data.table import configure_table
        from shared.identity.models import UserItem
        from shared.identity.principal import Principal

        create_table(boto3.client("dynamodb", region_name=ENV["AWS_REGION"]), TABLE)
        configure_table(TABLE)
        seeded = 0
        for size in SIZES:
            _seed_players(seeded, size - seeded)
            seeded = size
            for limit in (10, 100):
                meter, page, elapsed = measure(partial(service.leaderboard, limit=limit, cursor=None))
                label = f"{size:,} players, GET /stats/leaderboard?limit={limit}"
                leaderboard_rows.append([*_row(label, meter, str(len(page.items)), elapsed), _estimate(limit)])
            first = service.leaderboard(limit=10, cursor=None)
            cursor = first.next_cursor
            meter, page, elapsed = measure(partial(service.leaderboard, limit=10, cursor=cursor))
            label = f"{size:,} players, next page (limit=10)"
            leaderboard_rows.append([*_row(label, meter, str(len(page.items)), elapsed), _estimate(10)])

        user = UserItem.new("bench-player", "2026-01-01T00:00:00.000Z", name="Bench Player", role="customer")
        who = Principal(user=user, session_id="bench", token_expires_at=0)
        for attempt in range(50):
            meter, game, elapsed = measure(
                partial(service.new_game, who, NewGameRequest(client_seed=f"bench-{attempt}"))
            )
            if not game.is_game_over:
                break
        game_rows.append(_row("POST /game/new (active deal)", meter, "1", elapsed))
        meter, _, elapsed = measure(lambda: service.get_game(who, game.game_id))
        game_rows.append(_row("GET /game/{gameId}", meter, "1", elapsed))
        meter, hit, elapsed = measure(lambda: service.move(who, game.game_id, "hit"))
        game_rows.append(_row(f"POST /game/{{gameId}}/hit ({hit.game_status})", meter, "1", elapsed))
        if not hit.is_game_over:
            meter, _, elapsed = measure(lambda: service.move(who, game.game_id, "stand"))
            game_rows.append(_row("POST /game/{gameId}/stand (finishes: game + stats)", meter, "1", elapsed))
        meter, _, elapsed = measure(lambda: service.verify(who, game.game_id))
        game_rows.append(_row("GET /game/{gameId}/verify", meter, "1", elapsed))
        for _ in range(25):
            service.new_game(who, None)
        meter, history, elapsed = measure(lambda: service.history(who, limit=20, cursor=None))
        game_rows.append(_row("GET /game/history?limit=20 (27 games)", meter, str(len(history.items)), elapsed))
        meter, _, elapsed = measure(lambda: service.my_stats(who))
        game_rows.append(_row("GET /stats/me", meter, "1", elapsed))

    header = ["request", "items", "calls", "RCU", "WCU", "operations"]
    return [
        (
            "Blackjack leaderboard: one GSI4 Query of limit+1 items, whatever the number of players"
            " (moto reports RCU loosely; last column estimates it from item sizes)",
            [*header, "read (estimate)"],
            leaderboard_rows,
        ),
        ("Blackjack requests: DynamoDB calls and capacity, excluding authentication (moto)", header, game_rows),
    ]


if __name__ == "__main__":
    from devstack.bench import print_table

    for title, head, rows in section():
        print_table(title, head, rows)
