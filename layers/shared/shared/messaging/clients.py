"""One botocore session per process, and the cached clients made from it (nothing at import).

Every AWS client of a function comes from :func:`session`: these clients, the table's PynamoDB
connection (:mod:`shared.data.table`) and S3 for uploads. A botocore session loads and parses
the endpoint rules, partitions, retry and default configuration, and each service model it
uses, once; a second session does it all again, which on a cold start costs more than the
client itself. Plain botocore clients, not boto3's: boto3 adds only resources and S3 transfers
(nothing here uses them) and would be one more import. botocore's own handlers add what we use
of S3 (``generate_presigned_post``).

Creating clients from one session is not thread-safe in botocore (the local stack serves
requests on threads): creation holds :func:`creating`; a created client is thread-safe.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.settings import get_settings

if TYPE_CHECKING:
    from botocore.config import Config
    from botocore.session import Session

_lock = threading.RLock()


class _Process:
    session: Session | None = None
    # Parsed service models and endpoint data depend on the installed botocore only, so a reset
    # (tests, a new local stack) keeps them: a new session reuses the loader of the first one.
    loader: Any = None


@contextmanager
def creating() -> Iterator[None]:
    """Hold while creating a client from :func:`session`."""
    with _lock:
        yield


def session() -> Session:
    """The process's botocore session (created on first use, again after :func:`reset_clients`:
    credentials and settings are read from the environment of that moment)."""
    with _lock:
        if _Process.session is None:
            from botocore.session import get_session

            created = get_session()
            if _Process.loader is None:
                _Process.loader = _one_service_loader(created.get_config_variable("data_path"))
            created.register_component("data_loader", _Process.loader)
            _Process.session = created
        return _Process.session


@lru_cache(maxsize=16)
def client(service: str, config: Config | None = None, endpoint_url: str | None = None) -> Any:
    """The client for ``service`` in the configured region, cached (per ``config`` object and
    ``endpoint_url``: the WebSocket management API has one endpoint per API and stage)."""
    with _lock:
        return session().create_client(
            service, region_name=get_settings().aws_region, config=config, endpoint_url=endpoint_url
        )


@lru_cache(maxsize=1)
def s3_client() -> Any:
    """S3 with SigV4 (presigned POST policies and GETs need it), path-style when an endpoint is
    configured (the local stack: ``<bucket>.127.0.0.1`` does not resolve)."""
    import os

    from botocore.config import Config

    style = "path" if os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") else "auto"
    return client("s3", Config(signature_version="s3v4", s3={"addressing_style": style}))


ENDPOINTS_FILE = Path(__file__).with_name("aws_endpoints.json")
# The endpoint prefixes whose entries of botocore's endpoints.json the layer ships
# (``python -m devstack.artifacts`` writes ENDPOINTS_FILE); any client the layer creates must be
# one of them (tests/unit/test_aws_session.py checks the layer's ``client("...")`` calls).
ENDPOINT_PREFIXES = (
    "dynamodb",
    "streams.dynamodb",
    "sqs",
    "sns",
    "s3",
    "email",
    "secretsmanager",
    "ssm",
    "sts",
    "scheduler",
    "events",
    "execute-api",
    "lambda",
    "logs",
    "monitoring",
    "xray",
    "kms",
)


def _trimmed_endpoints() -> dict[str, Any] | None:
    """botocore's endpoint data for :data:`ENDPOINT_PREFIXES` only, if it was trimmed from the
    botocore installed beside it (else None: the full file is read).

    Every first client makes botocore read its whole ``endpoints.json`` (1.2 MB, every service
    in every partition: 10-25 ms of a cold start) although a client only looks up its own
    service; the trimmed copy is about 50 kB."""
    import botocore

    if not ENDPOINTS_FILE.is_file():
        return None
    with ENDPOINTS_FILE.open(encoding="utf-8") as handle:
        shipped: dict[str, Any] = json.load(handle)
    if shipped.get("botocore") != botocore.__version__:
        return None
    endpoints: dict[str, Any] = shipped["endpoints"]
    return endpoints


def trim_endpoints(endpoints: dict[str, Any]) -> dict[str, Any]:
    """``endpoints`` (botocore's endpoints.json) with only :data:`ENDPOINT_PREFIXES` in each
    partition."""
    partitions = [
        {**partition, "services": {k: v for k, v in partition["services"].items() if k in ENDPOINT_PREFIXES}}
        for partition in endpoints["partitions"]
    ]
    return {**endpoints, "partitions": partitions}


def _one_service_loader(data_path: str | None) -> Any:
    """botocore's loader (same search paths), except that a service model is found without
    listing every service first, and the endpoint data is the layer's trimmed copy.

    ``Loader.load_service_model`` checks the name against ``list_available_services``, which
    lists all ~440 service folders of botocore and each one's versions, once per model type
    (the service, then its endpoint rules): 20-35 ms of every first client, more on a cold file
    system. Here only the one service's folder is read, through the loader's public methods;
    an unknown service still raises ``UnknownServiceError``.
    """
    import os

    from botocore.exceptions import DataNotFoundError, UnknownServiceError
    from botocore.loaders import ExtrasProcessor, Loader, instance_cache

    class OneServiceLoader(Loader):  # type: ignore[misc] # botocore ships no types
        @instance_cache  # type: ignore[untyped-decorator]
        def load_data_with_path(self, name: str) -> Any:
            trimmed = _trimmed_endpoints() if name == "endpoints" else None
            if trimmed is None:
                return super().load_data_with_path(name)
            # botocore's own path: the data is botocore's (only trimmed), so its endpoint rules
            # keep precedence over the legacy endpoints, as with the full file
            return trimmed, os.path.join(self.BUILTIN_DATA_PATH, "endpoints.json")

        @instance_cache  # type: ignore[untyped-decorator]
        def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
            if api_version is None:
                try:
                    api_version = self.determine_latest_version(service_name, type_name)
                except DataNotFoundError:
                    raise UnknownServiceError(service_name=service_name, known_service_names="(not listed)") from None
            model = self.load_data(os.path.join(service_name, api_version, type_name))
            extras = []
            for extras_type in self.extras_types:
                with suppress(DataNotFoundError):
                    extras.append(
                        self.load_data(os.path.join(service_name, api_version, f"{type_name}.{extras_type}-extras"))
                    )
            ExtrasProcessor().process(model, extras)
            return model

    paths = [os.path.expanduser(os.path.expandvars(path)) for path in data_path.split(os.pathsep)] if data_path else []
    return OneServiceLoader(extra_search_paths=paths)


def reset_clients() -> None:
    """Forget the clients and the session: the next ones read the environment again."""
    with _lock:
        client.cache_clear()
        s3_client.cache_clear()
        _Process.session = None
