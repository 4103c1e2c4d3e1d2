"""One botocore session per process: the table's PynamoDB connection and every client share it.

These also guard the one place that reaches into PynamoDB (``shared.data.table.use_shared_session``):
if PynamoDB stops building its client from ``Connection._local.session``, they fail.
"""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import UnknownServiceError
from botocore.loaders import create_loader
from pynamodb.connection import Connection
from shared.data.table import Item, configure_table, connection, use_shared_session
from shared.messaging.clients import client, reset_clients, session


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
    # Given the session's loader, and botocore's own
    reset_clients()
    loader = session().get_component("data_loader")
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
