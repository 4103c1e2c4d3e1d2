"""One botocore session per process: the table's PynamoDB connection and every client share it.

These also guard the one place that reaches into PynamoDB (``shared.data.table.use_shared_session``):
if PynamoDB stops building its client from ``Connection._local.session``, they fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import pytest
from botocore.config import Config
from botocore.exceptions import UnknownServiceError
from botocore.loaders import create_loader
from botocore.session import get_session
from pynamodb.connection import Connection
from shared.data.table import Item, configure_table, connection, use_shared_session
from shared.messaging import clients as clients_module
from shared.messaging.clients import (
    ENDPOINT_PREFIXES,
    ENDPOINTS_FILE,
    _one_service_loader,
    client,
    reset_clients,
    session,
    trim_endpoints,
)
from shared.security import secrets as secrets_module
from shared.security.secrets import jwt_signing_key
from shared.settings import reset_settings

from tests.support.aws import fake_aws


def test_clients_come_from_one_session() -> None:
    # Given a fresh start
    reset_clients()
    # When clients of several services are created
    sqs, ses = client("sqs"), client("ses")
    s3 = client("s3", Config(s3={"addressing_style": "path"}))
    # Then they are cached, in the configured region, and built by the one session
    assert client("sqs") is sqs
    assert sqs.meta.region_name == "us-east-1"
    assert s3.meta.config.s3 == {"addressing_style": "path"}
    shared = session()
    assert all(c._loader is shared.get_component("data_loader") for c in (sqs, ses, s3))
    # And S3's presigned posts come with botocore's own client (no boto3 needed)
    assert hasattr(s3, "generate_presigned_post")


def test_pynamodb_connection_uses_the_process_session() -> None:
    # Given the table configured afresh (as a new container or the local stack does)
    reset_clients()
    configure_table()
    # When the models need their connection
    low_level = connection()
    # Then it is built from the process's session, its client already created
    assert low_level.session is session()
    assert low_level._client is not None
    assert low_level.client.meta.service_model.service_name == "dynamodb"
    assert low_level.client._loader is session().get_component("data_loader")
    # And every entity class shares it
    assert Item._get_connection().connection is low_level


def test_pynamodb_still_reads_its_session_from_the_thread_local() -> None:
    # Given a bare PynamoDB connection (what PynamoDB builds for a model)
    bare = Connection(region="us-east-1")
    marker = session()
    # When the shared session is handed to it
    use_shared_session(bare)
    # Then PynamoDB's public session and client come from it: if PynamoDB changes how it keeps
    # its session, this fails and use_shared_session must follow
    assert bare.session is marker
    assert bare.client is bare.client
    assert bare.client.meta.events is not None


def test_reset_gives_a_new_session_that_keeps_the_parsed_models() -> None:
    # Given a session that has loaded a service model
    first = session()
    client("dynamodb")
    # When the clients are reset (tests, a new local stack)
    reset_clients()
    # Then a new session reads the environment again, with the same loader (parsed models kept)
    second = session()
    assert second is not first
    assert second.get_component("data_loader") is first.get_component("data_loader")
    assert client("dynamodb") is not None


def test_service_models_load_as_botocore_loads_them_without_listing_every_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a new loader of the kind the session uses, and botocore's own (a fresh one: the
    # process-wide loader caches models that clients created by earlier tests may have adjusted)
    reset_clients()
    loader = _one_service_loader(session().get_config_variable("data_path"))
    reference = create_loader()
    listed: list[str] = []
    monkeypatch.setattr(loader, "list_available_services", lambda type_name: listed.append(type_name) or [])

    # When service models are loaded (s3's has extras merged in)
    for service in ("dynamodb", "s3", "sqs"):
        for type_name in ("service-2", "endpoint-rule-set-1"):
            # Then they are the models botocore would load, found without listing every service
            assert loader.load_service_model(service, type_name) == reference.load_service_model(service, type_name)
    assert listed == []
    # And an unknown service is still an unknown service
    with pytest.raises(UnknownServiceError):
        loader.load_service_model("no-such-service", "service-2")
    with pytest.raises(UnknownServiceError):
        session().create_client("no-such-service", region_name="us-east-1")


def test_the_shipped_endpoint_data_is_trimmed_from_the_installed_botocore() -> None:
    # Given the layer's trimmed endpoints.json
    shipped = json.loads(ENDPOINTS_FILE.read_text())
    # Then it comes from the botocore installed (and pinned for the layer): if this fails after
    # an upgrade, run `python -m devstack.artifacts` to write it again
    assert shipped["botocore"] == botocore.__version__
    assert shipped["endpoints"] == trim_endpoints(create_loader().load_data("endpoints"))
    # And the session's kind of loader serves it in place of the full file, as botocore's own
    # data (a fresh one: botocore's resolver fills in the data it has served)
    data, path = clients_module._one_service_loader(None).load_data_with_path("endpoints")
    assert data == shipped["endpoints"]
    assert create_loader().is_builtin_path(path)


def test_every_client_the_layer_creates_has_its_endpoint_data() -> None:
    # Given every client("...") the layer's code asks for
    layer = Path(clients_module.__file__).parents[1]
    services = {m for f in layer.rglob("*.py") for m in re.findall(r"\bclient\(\s*\"([a-z0-9-]+)\"", f.read_text())}
    assert {"dynamodb", "sqs", "ses", "s3"} <= services
    # Then its endpoint prefix is in the trimmed data, and it resolves the endpoint botocore would
    plain = get_session()
    for service in services | {"secretsmanager", "scheduler", "sts", "apigatewaymanagementapi"}:
        ours = client(service)
        assert ours.meta.service_model.endpoint_prefix in ENDPOINT_PREFIXES, service
        theirs = plain.create_client(service, region_name="us-east-1")
        assert ours.meta.endpoint_url == theirs.meta.endpoint_url, service
        assert ours._request_signer.signing_name == theirs._request_signer.signing_name, service


def test_deployed_secrets_are_read_through_the_process_client(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a deployed function whose JWT key is in Secrets Manager
    with fake_aws():
        client("secretsmanager").create_secret(Name="platform/dev/jwt", SecretString="k" * 40)
        for name, value in {"APP_ENV": "dev", "JWT_SECRET": "", "JWT_SECRET_ID": "platform/dev/jwt"}.items():
            monkeypatch.setenv(name, value)
        reset_settings()
        try:
            # When the key is needed
            key = jwt_signing_key()
            # Then it is read with the process's client (no boto3 session of Powertools' own)
            assert key == "k" * 40
            assert secrets_module._secrets().client is client("secretsmanager")
        finally:
            monkeypatch.undo()
            reset_settings()
