"""Artifacts (insights, reports, dashboards, PDFs, references) kept in their thread's partition,
so deleting a thread removes them with it (the ``experience.purge-thread`` job empties the
partition), and every version kept as an immutable item.

Access patterns
===============

=========================================  ===================================================================
Who reads what                             Key / index
=========================================  ===================================================================
one artifact by id                         Query GSI1 ``GSI1PK=ARTIFACT#<aid>`` (one item: its head; the head's
                                           thread then checked, and writes re-read it by key, consistently)
the head by key (every write)              ``PK=THREAD#<tid>``, ``SK=ART#<aid>`` (consistent GetItem)
a thread's artifacts, newest first         Query ``PK=THREAD#<tid>``, ``SK`` between ``ART#`` and ``ART#~`` (desc;
                                           ids sort by creation time)
... of one type                            Query GSI2 ``GSI2PK=THREAD_ARTIFACTS#<tid>#<type>``, ``GSI2SK=<aid>`` (desc)
the caller's artifacts across threads      the caller's 100 most recently active threads (GSI1
                                           ``USER_THREADS#<uid>``), then one of the two Queries above per
                                           thread, below the cursor's id, merged by id
one version's metadata                     ``PK=THREAD#<tid>``, ``SK=ARTV#<aid>#<version:06d>`` (GetItem)
an artifact's versions, oldest first       Query ``PK=THREAD#<tid>``, ``begins_with(SK, "ARTV#<aid>#")`` (small items:
                                           no content)
a version's content                        ``PK=THREAD#<tid>``, ``SK=ARTC#<aid>#<version:06d>`` (GetItem; the head
                                           and each version name the content item they show)
the versions an account wrote (erasure:    Query GSI2 ``GSI2PK=USER_ARTIFACT_VERSIONS#<uid>``, ``GSI2SK=<aid>#<ver>``
version 1 = the artifacts it created)      (written with every version; erasure takes a version out of it when it
                                           anonymises it; no version predates the index, nothing is backfilled)
=========================================  ===================================================================

The head (``ARTIFACT``) holds the metadata, ``version`` = the latest version's number and
``contentVersion`` = the content item it shows. Each version (``ARTIFACT_VERSION``) is a small,
immutable snapshot of the metadata naming its content item; content (``ARTIFACT_CONTENT``) is
written once, by the version that brought it, and shared by later versions that keep it (a
title change or a restore writes no content again). A write puts version ``n + 1`` (and its
content, if new; ``attribute_not_exists``) and updates the head conditioned on ``version = n`` in
one transaction, so two writers that read ``n`` cannot both succeed: the loser gets
``VERSION_CONFLICT`` and nothing of its write exists. Content is at most 256 KB of compact UTF-8
JSON and is stored exactly so (:class:`CompactJSON`), under DynamoDB's 400 KB item limit.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from shared.data.table import Item

ARTIFACT_PREFIX = "ART#"
ARTIFACT_END = "ART#~"


def artifact_sk(artifact_id: str) -> str:
    return f"{ARTIFACT_PREFIX}{artifact_id}"


def artifact_lookup(artifact_id: str) -> str:
    return f"ARTIFACT#{artifact_id}"


def thread_artifacts(thread_id: str, artifact_type: str) -> str:
    return f"THREAD_ARTIFACTS#{thread_id}#{artifact_type}"


def version_prefix(artifact_id: str) -> str:
    return f"ARTV#{artifact_id}#"


def version_sk(artifact_id: str, version: int) -> str:
    return f"{version_prefix(artifact_id)}{version:06d}"


def user_artifact_versions(user_id: str) -> str:
    return f"USER_ARTIFACT_VERSIONS#{user_id}"


def content_prefix(artifact_id: str) -> str:
    return f"ARTC#{artifact_id}#"


def content_sk(artifact_id: str, version: int) -> str:
    return f"{content_prefix(artifact_id)}{version:06d}"


def compact_json(value: Any) -> str:
    """The form content is measured and stored in: no spaces, UTF-8 rather than ``\\u`` escapes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class CompactJSON(JSONAttribute):
    """JSON stored as :func:`compact_json` (PynamoDB's own adds spaces and escapes non-ASCII,
    up to six bytes per character: 256 KB of text could exceed the item limit)."""

    def serialize(self, value: Any) -> str | None:
        return None if value is None else compact_json(value)


class ArtifactItem(Item, discriminator="ARTIFACT"):
    """``PK=THREAD#<tid>``, ``SK=ART#<aid>``: the head. GSI1 finds it by id, GSI2 lists by type."""

    artifact_id = UnicodeAttribute(attr_name="artifactId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    artifact_type = UnicodeAttribute(attr_name="artifactType")
    title = UnicodeAttribute()
    summary = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True, attr_name="messageId")
    files = CompactJSON(null=True)
    version = NumberAttribute()
    content_version = NumberAttribute(attr_name="contentVersion")
    created_by_id = UnicodeAttribute(attr_name="createdById")
    created_by_name = UnicodeAttribute(attr_name="createdByName")
    updated_by_id = UnicodeAttribute(attr_name="updatedById")
    updated_by_name = UnicodeAttribute(attr_name="updatedByName")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")


class ArtifactVersionItem(Item, discriminator="ARTIFACT_VERSION"):
    """``PK=THREAD#<tid>``, ``SK=ARTV#<aid>#<version>``: one version's metadata, immutable but for
    its author's name, which an erased account's versions lose. GSI2 ``USER_ARTIFACT_VERSIONS#<uid>``."""

    artifact_id = UnicodeAttribute(attr_name="artifactId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    version = NumberAttribute()
    content_version = NumberAttribute(attr_name="contentVersion")
    title = UnicodeAttribute()
    summary = UnicodeAttribute(null=True)
    files = CompactJSON(null=True)
    author_id = UnicodeAttribute(attr_name="authorId")
    author_name = UnicodeAttribute(attr_name="authorName")
    restored_from = NumberAttribute(null=True, attr_name="restoredFrom")
    created_at = UnicodeAttribute(attr_name="createdAt")


class ArtifactContentItem(Item, discriminator="ARTIFACT_CONTENT"):
    """``PK=THREAD#<tid>``, ``SK=ARTC#<aid>#<version>``: the content version ``version`` brought."""

    artifact_id = UnicodeAttribute(attr_name="artifactId")
    thread_id = UnicodeAttribute(attr_name="threadId")
    version = NumberAttribute()
    content = CompactJSON()
