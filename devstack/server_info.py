"""What the running local stack tells about itself: ``GET /_local/info`` and the banner
``make run`` prints (addresses, routes, queues and their consumers, streams, the WebSocket API,
schedules, the local admin)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from devstack.routes import http_routes
from devstack.workers import PooledInvoker

if TYPE_CHECKING:
    from devstack.local_app import LocalApp

STRIPE_WEBHOOK_PATH = "/api/v1/webhooks/stripe"


def stack_info(app: LocalApp) -> dict[str, Any]:
    """``GET /_local/info``: the stack's addresses, resources, routes, event sources and schedules."""
    res = app.stack.resources
    ws = app.websocket
    invoker = app.stack.invoker
    return {
        "apiUrl": app.base_url,
        "websocketUrl": ws.url if ws else None,
        "websocketManagementEndpoint": ws.management_url if ws else None,
        "websocketRoutes": [{"routeKey": r.key, "function": r.function} for r in ws.api.routes.values()] if ws else [],
        "concurrency": invoker.size if isinstance(invoker, PooledInvoker) else 1,
        "workers": invoker.workers() if isinstance(invoker, PooledInvoker) else {},
        "awsEndpointUrl": app.aws_endpoint,
        "stripeUrl": app.stripe_url,
        "region": res.region,
        "accountId": res.account,
        "tableName": res.table_name,
        "tables": res.tables,
        "streams": res.stream_arns,
        "queues": res.queue_urls,
        "queueArns": res.queue_arns,
        "buckets": res.buckets,
        "functions": sorted(app.stack.functions),
        "routes": [{"method": r.method, "path": r.path, "function": r.function} for r in http_routes()],
        "eventSources": [
            *({"type": "SQS", "queue": s.queue, "function": s.function, "settings": s.describe()} for s in app.sqs),
            *(
                {"type": "DynamoDB", "table": s.table, "function": s.function, "settings": s.describe()}
                for s in app.streams
            ),
        ],
        "schedules": [s.to_json() for s in app.schedules],
    }


def banner(app: LocalApp, admin: tuple[str, str], moto_url: str) -> str:
    stack = app.stack
    lines = [
        f"Local stack from template.yaml (no Docker, no AWS account): {app.base_url}",
        f"  docs {app.base_url}/docs  spec {app.base_url}/openapi.json  emails {app.base_url}/_local/emails",
        f"  AWS (moto) {moto_url}  table {stack.resources.table_name}  region {stack.resources.region}",
        f"  Stripe (localstripe) {app.stripe_url}  webhook {app.base_url}{STRIPE_WEBHOOK_PATH}"
        if app.stripe_url
        else "  Stripe: no local Stripe (LOCAL_STRIPE=off)",
        "Routes",
    ]
    for route in sorted(http_routes(), key=lambda r: (r.path, r.method)):
        lines.append(f"  {route.method:<7} {route.path:<44} {route.function}")
    lines.append("Queues")
    for queue, url in stack.resources.queue_urls.items():
        consumers = [f"{s.function} ({s.describe()})" for s in app.sqs if s.queue == queue]
        props = stack.template["Resources"][queue].get("Properties") or {}
        redrive = props.get("RedrivePolicy") or {}
        dlq = redrive.get("deadLetterTargetArn")
        dlq_name = dlq["Fn::GetAtt"][0] if isinstance(dlq, dict) and "Fn::GetAtt" in dlq else dlq
        extra = f"; DLQ {dlq_name} after {redrive.get('maxReceiveCount')} receives" if dlq else ""
        lines.append(f"  {queue:<20} -> {', '.join(consumers) or 'no consumer'}{extra}  {url}")
    lines.append("Streams")
    lines.extend(f"  {s.table} -> {s.function} ({s.describe()})" for s in app.streams)
    if not app.streams:
        lines.append("  (none)")
    if app.websocket:
        api = app.websocket.api
        lines.append(f"WebSocket API {app.websocket.url}")
        lines.append(f"  management {app.websocket.management_url}/@connections/{{id}}")
        lines.append(f"  route selection {api.selection_expression}")
        lines.extend(f"  {r.key:<20} -> {r.function}{' (two-way)' if r.two_way else ''}" for r in api.routes.values())
    lines.append("Schedules")
    lines.extend(f"  {s.name:<20} -> {s.function} {s.describe()}" for s in app.schedules)
    if not app.schedules:
        lines.append("  (none)")
    lines.append(f"Admin {admin[0]} / {admin[1]}")
    return "\n".join(lines)
