"""The single table: generic key attributes, six overloaded GSIs, a discriminator and TTL.

Every entity subclasses :class:`Item` with ``discriminator=...`` and builds its own keys
from its fields, so keys cannot drift from the data they come from. Entities write their
access patterns beside their model (see e.g. :mod:`shared.identity.models`).

Table layout (physical attribute names):

====================  ==============================================================
``PK`` / ``SK``        primary key, strings, overloaded per entity
``GSI1PK``/``GSI1SK``  index ``GSI1`` (projection ALL)
``GSI2PK``/``GSI2SK``  index ``GSI2`` (projection ALL)
``GSI3PK``/``GSI3SK``  index ``GSI3`` (projection ALL); likewise ``GSI4``..``GSI6``
``type``               discriminator: which entity an item is
``ttl``                epoch seconds; DynamoDB deletes the item some time after it
====================  ==============================================================

Queries go through the base model by key (never a subclass query, which would add a
filter and still pay for the filtered-out items); the discriminator picks the class.
"""

from __future__ import annotations

import os
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

TABLE_NAME_ENV = "TABLE_NAME"
DEFAULT_TABLE_NAME = "platform"


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class _GSI(GlobalSecondaryIndex[Any]):
    pass


class GSI1(_GSI):
    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(range_key=True, attr_name="GSI1SK")


class GSI2(_GSI):
    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(range_key=True, attr_name="GSI2SK")


class GSI3(_GSI):
    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(range_key=True, attr_name="GSI3SK")


class GSI4(_GSI):
    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True, attr_name="GSI4PK")
    gsi4sk = UnicodeAttribute(range_key=True, attr_name="GSI4SK")


class GSI5(_GSI):
    class Meta:
        index_name = "GSI5"
        projection = AllProjection()

    gsi5pk = UnicodeAttribute(hash_key=True, attr_name="GSI5PK")
    gsi5sk = UnicodeAttribute(range_key=True, attr_name="GSI5SK")


class GSI6(_GSI):
    class Meta:
        index_name = "GSI6"
        projection = AllProjection()

    gsi6pk = UnicodeAttribute(hash_key=True, attr_name="GSI6PK")
    gsi6sk = UnicodeAttribute(range_key=True, attr_name="GSI6SK")


class Item(Model):
    """Base of every entity in the table. Importing it opens no connection."""

    class Meta:
        table_name = os.environ.get(TABLE_NAME_ENV, DEFAULT_TABLE_NAME)
        region = _region()

    pk = UnicodeAttribute(hash_key=True, attr_name="PK")
    sk = UnicodeAttribute(range_key=True, attr_name="SK")
    gsi1pk = UnicodeAttribute(null=True, attr_name="GSI1PK")
    gsi1sk = UnicodeAttribute(null=True, attr_name="GSI1SK")
    gsi2pk = UnicodeAttribute(null=True, attr_name="GSI2PK")
    gsi2sk = UnicodeAttribute(null=True, attr_name="GSI2SK")
    gsi3pk = UnicodeAttribute(null=True, attr_name="GSI3PK")
    gsi3sk = UnicodeAttribute(null=True, attr_name="GSI3SK")
    gsi4pk = UnicodeAttribute(null=True, attr_name="GSI4PK")
    gsi4sk = UnicodeAttribute(null=True, attr_name="GSI4SK")
    gsi5pk = UnicodeAttribute(null=True, attr_name="GSI5PK")
    gsi5sk = UnicodeAttribute(null=True, attr_name="GSI5SK")
    gsi6pk = UnicodeAttribute(null=True, attr_name="GSI6PK")
    gsi6sk = UnicodeAttribute(null=True, attr_name="GSI6SK")
    item_type = DiscriminatorAttribute(attr_name="type")
    ttl = TTLAttribute(null=True, attr_name="ttl")

    gsi1 = GSI1()
    gsi2 = GSI2()
    gsi3 = GSI3()
    gsi4 = GSI4()
    gsi5 = GSI5()
    gsi6 = GSI6()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """One connection for every entity: they share the table, its keys and its indexes.

        PynamoDB would otherwise give each subclass its own connection, each with its own
        botocore session that loads and parses the DynamoDB service model again (tens of
        milliseconds per entity class on a cold start). The connection shares the process's
        botocore session with every other client (:func:`use_shared_session`).
        """
        if cls is not Item:
            return Item._get_connection()
        cached = Item._connection
        table = super()._get_connection()
        if table is not cached:
            use_shared_session(table.connection)
        return table


def use_shared_session(connection: Connection) -> None:
    """Make ``connection`` build its client from the process's botocore session
    (:func:`shared.messaging.clients.session`) instead of a session of its own, and build it now,
    under the session's creation lock.

    PynamoDB 6.1 has no public hook for this: ``Connection.session`` returns the thread-local
    ``_local.session``, creating it with ``botocore.session.get_session()`` when unset, and
    ``Connection.client`` is created from it on first use. This is the one place that relies
    on it (``tests/unit/test_table_session.py`` fails if PynamoDB changes it).
    """
    from shared.messaging.clients import creating, session

    with creating():
        connection._local.session = session()
        connection.client  # noqa: B018 - created here, under the lock


def configure_table(table_name: str | None = None) -> None:
    """Point the models at a table (the local stack and tests call this; Lambda uses TABLE_NAME)."""
    Item.Meta.table_name = table_name or os.environ.get(TABLE_NAME_ENV, DEFAULT_TABLE_NAME)
    Item.Meta.region = _region()
    for model in (Item, *_subclasses(Item)):
        setattr(model, "_connection", None)  # noqa: B010 - drop PynamoDB's cached connection


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    sub: type
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def connection() -> Connection:
    """The low-level connection under the models, for transactions. Shared rather than created
    per call: a new connection means a new botocore session and client, and the service model
    parsed again, on every transaction."""
    return Item._get_connection().connection
