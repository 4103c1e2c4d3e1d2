"""Write ``events/``: one sample event per HttpApi route, SQS source, DynamoDB stream source and
ScheduleV2 with an ``Input``, as AWS sends them.

``make events`` regenerates them; ``make invoke FN=... EVENT=events/...`` and the tests use them.
Request ids, times and tokens in them are fixed placeholders; the files are data, not fixtures
that must succeed as they are (e.g. ``auth/me.json`` carries no valid token).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from devstack.apigw import http_event, sqs_event
from devstack.routes import function_code_dir, function_events, function_names, http_routes, route_roles
from devstack.sample_bodies import API_KEY_SAMPLES, BODIES, SAMPLE_API_KEY, SAMPLE_TOKEN, SQS_BODIES
from devstack.sample_streams import STREAM_SAMPLES, outbox_sample
from devstack.template import ROOT

EVENTS = ROOT / "events"

# The WebSocket API's routes (its function has no SAM event: API Gateway V2 integrates it).
WEBSOCKET_FUNCTION = "WebSocketFunction"
WEBSOCKET_SAMPLES: dict[str, tuple[str, str | None, dict[str, str] | None]] = {
    "connect": ("$connect", None, {"ticket": "sample-ticket"}),
    "subscribe": ("subscribe", '{"action": "subscribe", "threadId": "sample-threadId"}', None),
    "typing": ("typing", '{"action": "typing", "threadId": "sample-threadId"}', None),
    "ping": ("ping", '{"action": "ping"}', None),
    "default": ("$default", '{"action": "unknown"}', None),
    "disconnect": ("$disconnect", None, None),
}


def _websocket_samples() -> dict[Path, dict[str, Any]]:
    from devstack.websocket_events import websocket_event

    folder = EVENTS / Path(function_code_dir(WEBSOCKET_FUNCTION)).name
    found: dict[Path, dict[str, Any]] = {}
    for name, (route_key, body, query) in WEBSOCKET_SAMPLES.items():
        found[folder / f"websocket_{name}.json"] = websocket_event(
            route_key,
            "sample-connection=",
            body=body,
            query=query,
            api_id="sample-api",
            domain_name="sample-api.execute-api.us-east-1.amazonaws.com",
            source_ip="203.0.113.10",
            connected_at=1795348800000,
            now_ms=1795348800000,
            request_id=f"sample-{name}",
            message_id="sample-message=",
            websocket_key="c2FtcGxlLWtleS0xMjM0NQ==",
        )
    return found


def _file_name(method: str, path: str) -> str:
    tail = re.sub(r"[{}]", "", path.removeprefix("/api/v1/").strip("/")).replace("/", "_").replace("-", "_")
    return f"{method.lower()}_{tail or 'root'}.json"


def _fixed(event: dict[str, Any], name: str) -> dict[str, Any]:
    event["requestContext"]["requestId"] = f"sample-{name}"
    event["requestContext"]["time"] = "22/Nov/2026:12:00:00 +0000"
    event["requestContext"]["timeEpoch"] = 1795348800000
    return event


def build() -> dict[Path, dict[str, Any]]:
    files: dict[Path, dict[str, Any]] = {}
    roles = route_roles()
    for route in http_routes():
        folder = Path(function_code_dir(route.function)).name
        concrete = re.sub(r"\{(\w+)\}", lambda m: f"sample-{m.group(1)}", route.path)
        params = {name: f"sample-{name}" for name in re.findall(r"\{(\w+)\}", route.path)} or None
        headers = {} if roles[route.route_key] is None else {"Authorization": f"Bearer {SAMPLE_TOKEN}"}
        query = {"limit": "20"} if route.route_key == "GET /api/v1/users" else None
        event = http_event(
            route.method,
            concrete,
            route_key=route.route_key,
            path_parameters=params,
            headers=headers,
            query=query,  # type: ignore[arg-type]
            body=BODIES.get(route.route_key),
            source_ip="203.0.113.10",
        )
        name = _file_name(route.method, route.path)
        files[EVENTS / folder / name] = _fixed(event, name.removesuffix(".json"))
        if route.route_key in API_KEY_SAMPLES:
            keyed = http_event(
                route.method,
                concrete,
                route_key=route.route_key,
                path_parameters=params,
                headers={"X-Api-Key": SAMPLE_API_KEY},
                body=API_KEY_SAMPLES[route.route_key],
                source_ip="203.0.113.10",
            )
            keyed_name = name.replace(".json", "_api_key.json")
            files[EVENTS / folder / keyed_name] = _fixed(keyed, keyed_name.removesuffix(".json"))
    for function in function_names():
        folder = Path(function_code_dir(function)).name
        for event_name, event in function_events(function).items():
            if event.get("Type") == "ScheduleV2" and "Input" in event["Properties"]:
                # What the schedule sends the function: its Input (e.g. the cron job to enqueue).
                files[EVENTS / folder / f"schedule_{event_name[0].lower()}{event_name[1:]}.json"] = json.loads(
                    event["Properties"]["Input"]
                )
            if event.get("Type") == "DynamoDB":
                sample_of = STREAM_SAMPLES.get(function, outbox_sample)
                files[EVENTS / folder / f"dynamodb_{event_name[0].lower()}{event_name[1:]}.json"] = sample_of()
            if event.get("Type") != "SQS":
                continue
            queue = event["Properties"]["Queue"]["Fn::GetAtt"][0]
            arn = f"arn:aws:sqs:us-east-1:123456789012:{queue}"
            bodies = [json.dumps(body) for body in SQS_BODIES.get(queue, [{}])]
            sample = sqs_event(bodies, arn)
            for index, record in enumerate(sample["Records"]):
                record["messageId"] = f"00000000-0000-4000-8000-{index:012d}"
                record["receiptHandle"] = f"sample-receipt-{index}"
                record["attributes"]["SentTimestamp"] = "1795348800000"
                record["attributes"]["ApproximateFirstReceiveTimestamp"] = "1795348800000"
            files[EVENTS / folder / f"sqs_{event_name[0].lower()}{event_name[1:]}.json"] = sample
    return files | _websocket_samples()


def main() -> int:
    files = build()
    for path, event in sorted(files.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(event, indent=2) + "\n")
    print(f"wrote {len(files)} events under {EVENTS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
