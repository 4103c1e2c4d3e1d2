"""A small template with a WebSocket API (``tests/e2e/fixtures/websocket``), shaped as in
aws-samples/simple-websockets-chat-app, for the local stack's WebSocket emulator tests."""

from __future__ import annotations

from typing import Any

CODE = "tests/e2e/fixtures/websocket/"
STAGE = "test"


def _integration(function: str) -> dict[str, Any]:
    uri = f"arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{function}.Arn}}/invocations"
    return {
        "Type": "AWS::ApiGatewayV2::Integration",
        "Properties": {"ApiId": {"Ref": "ChatApi"}, "IntegrationType": "AWS_PROXY", "IntegrationUri": {"Fn::Sub": uri}},
    }


def _route(key: str, integration: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGatewayV2::Route",
        "Properties": {
            "ApiId": {"Ref": "ChatApi"},
            "RouteKey": key,
            "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration}]]},
        },
    }


def _function(handler: str, record_dir: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Serverless::Function",
        "Properties": {
            "CodeUri": CODE,
            "Handler": f"app.{handler}",
            "Timeout": 30,
            "Environment": {
                "Variables": {
                    "RECORD_DIR": record_dir,
                    "WEBSOCKET_URL": {"Fn::Sub": "wss://${ChatApi}.execute-api.${AWS::Region}.amazonaws.com/${Stage}"},
                    "WEBSOCKET_MANAGEMENT_ENDPOINT": {
                        "Fn::Sub": "https://${ChatApi}.execute-api.${AWS::Region}.amazonaws.com/${Stage}"
                    },
                }
            },
        },
    }


def websocket_template(record_dir: str, *, default_route: bool = True) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "ChatApi": {
            "Type": "AWS::ApiGatewayV2::Api",
            "Properties": {
                "Name": "chat",
                "ProtocolType": "WEBSOCKET",
                "RouteSelectionExpression": "$request.body.action",
            },
        },
        "ConnectRoute": _route("$connect", "ConnectIntegration"),
        "DisconnectRoute": _route("$disconnect", "ConnectIntegration"),
        "EchoRoute": _route("echo", "MessageIntegration"),
        "EchoRouteResponse": {
            "Type": "AWS::ApiGatewayV2::RouteResponse",
            "Properties": {
                "ApiId": {"Ref": "ChatApi"},
                "RouteId": {"Ref": "EchoRoute"},
                "RouteResponseKey": "$default",
            },
        },
        "WhoamiRoute": _route("whoami", "MessageIntegration"),
        "BoomRoute": _route("boom", "MessageIntegration"),
        "ConnectIntegration": _integration("ConnectFunction"),
        "MessageIntegration": _integration("MessageFunction"),
        "Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "ChatApi"}, "StageName": STAGE}},
        "ConnectFunction": _function("connect", record_dir),
        "MessageFunction": _function("message", record_dir),
        "BarrierFunction": _function("barrier", record_dir),
    }
    if default_route:
        resources["DefaultRoute"] = {
            "Type": "AWS::ApiGatewayV2::Route",
            "Properties": {
                "ApiId": {"Ref": "ChatApi"},
                "RouteKey": "$default",
                "Target": {"Fn::Sub": "integrations/${MessageIntegration}"},
            },
        }
    return {"Resources": resources}
