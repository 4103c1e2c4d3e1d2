"""Data access for artifacts and their versions (the only module building their keys)."""

from __future__ import annotations

from functools import partial
from typing import Any

from pynamodb.exceptions import TransactWriteError

from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import delete_if, failed_conditions, transaction
from shared.errors import Conflict
from shared.experience.artifacts_models import (
    ARTIFACT_END,
    ARTIFACT_PREFIX,
    ArtifactContentItem,
    ArtifactItem,
    ArtifactVersionItem,
    artifact_lookup,
    artifact_sk,
    content_prefix,
    content_sk,
    thread_artifacts,
    user_artifact_versions,
    version_prefix,
    version_sk,
)
from shared.experience.message_repository import conflicted
from shared.experience.models import thread_pk


def version_conflict() -> Conflict:
    return Conflict("The artifact changed meanwhile; read it again and retry", code="VERSION_CONFLICT")


def new_artifact(thread_id: str, artifact_id: str, artifact_type: str, **fields: Any) -> ArtifactItem:
    head = ArtifactItem(
        thread_pk(thread_id),
        artifact_sk(artifact_id),
        artifact_id=artifact_id,
        thread_id=thread_id,
        artifact_type=artifact_type,
        **fields,
    )
    head.gsi1pk, head.gsi1sk = artifact_lookup(artifact_id), "ARTIFACT"
    head.gsi2pk, head.gsi2sk = thread_artifacts(thread_id, artifact_type), artifact_id
    return head


def new_version(head: ArtifactItem, version: int, **fields: Any) -> ArtifactVersionItem:
    item = ArtifactVersionItem(
        thread_pk(head.thread_id),
        version_sk(head.artifact_id, version),
        artifact_id=head.artifact_id,
        thread_id=head.thread_id,
        version=version,
        **fields,
    )
    item.gsi2pk, item.gsi2sk = user_artifact_versions(item.author_id), f"{head.artifact_id}#{version:06d}"
    return item


def new_content(head: ArtifactItem, version: int, content: dict[str, Any]) -> ArtifactContentItem:
    return ArtifactContentItem(
        thread_pk(head.thread_id),
        content_sk(head.artifact_id, version),
        artifact_id=head.artifact_id,
        thread_id=head.thread_id,
        version=version,
        content=content,
    )


def create(head: ArtifactItem, first: ArtifactVersionItem, content: ArtifactContentItem) -> None:
    with transaction() as tx:
        tx.save(head, condition=Item.pk.does_not_exist())
        tx.save(first, condition=Item.pk.does_not_exist())
        tx.save(content, condition=Item.pk.does_not_exist())


def write_version(
    head: ArtifactItem, version: ArtifactVersionItem, content: ArtifactContentItem | None, actions: list[Any]
) -> None:
    """Put ``version`` (``head.version + 1``) and its new ``content`` (None: it keeps an earlier
    one) and apply ``actions`` to the head, iff the head still is at ``head.version``. Raises
    :class:`Conflict` ``VERSION_CONFLICT`` otherwise (another writer won, or the artifact was
    deleted): nothing is written."""
    head_actions = [
        *actions,
        ArtifactItem.version.set(int(version.version)),
        ArtifactItem.content_version.set(int(version.content_version)),
    ]
    try:
        with transaction() as tx:
            tx.save(version, condition=Item.pk.does_not_exist())
            if content is not None:
                tx.save(content, condition=Item.pk.does_not_exist())
            tx.update(head, actions=head_actions, condition=ArtifactItem.version == int(head.version))
    except TransactWriteError as exc:
        if any(failed_conditions(exc)) or conflicted(exc):  # a write in flight on the head: a lost race too
            raise version_conflict() from exc
        raise


def find(artifact_id: str) -> ArtifactItem | None:
    """The head by id alone (GSI1, eventually consistent), or None."""
    for found in Item.gsi1.query(artifact_lookup(artifact_id), limit=1):
        if isinstance(found, ArtifactItem):
            return found
    return None


def get(thread_id: str, artifact_id: str) -> ArtifactItem | None:
    try:
        found = Item.get(thread_pk(thread_id), artifact_sk(artifact_id), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ArtifactItem) else None


def get_version(thread_id: str, artifact_id: str, version: int) -> ArtifactVersionItem | None:
    try:
        found = Item.get(thread_pk(thread_id), version_sk(artifact_id, version), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ArtifactVersionItem) else None


def get_content(thread_id: str, artifact_id: str, version: int) -> ArtifactContentItem | None:
    """The content item version ``version`` brought (consistent GetItem), or None."""
    try:
        found = Item.get(thread_pk(thread_id), content_sk(artifact_id, version), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, ArtifactContentItem) else None


def versions_page(head: ArtifactItem, *, limit: int, position: dict[str, Any] | None) -> Page[ArtifactVersionItem]:
    run = partial(Item.query, thread_pk(head.thread_id), Item.sk.startswith(version_prefix(head.artifact_id)))
    return query_page(run, limit=limit, position=position)


def thread_page(
    thread_id: str, artifact_type: str | None, *, limit: int, position: dict[str, Any] | None
) -> Page[ArtifactItem]:
    """A thread's artifacts, newest first (GSI2 for one type)."""
    if artifact_type:
        run = partial(Item.gsi2.query, thread_artifacts(thread_id, artifact_type), scan_index_forward=False)
        return query_page(run, limit=limit, position=position, index="GSI2")
    condition = Item.sk.between(ARTIFACT_PREFIX, ARTIFACT_END)
    run = partial(Item.query, thread_pk(thread_id), condition, scan_index_forward=False)
    return query_page(run, limit=limit, position=position)


def newest_below(thread_id: str, artifact_type: str | None, before: str | None, limit: int) -> list[ArtifactItem]:
    """Up to ``limit`` of a thread's artifacts with ids below ``before`` (all if None), newest first."""
    if artifact_type:
        key = thread_artifacts(thread_id, artifact_type)
        condition = Item.gsi2sk < before if before else None
        found = Item.gsi2.query(key, condition, scan_index_forward=False, limit=limit)
    else:
        upper = artifact_sk(before) if before else ARTIFACT_END
        found = Item.query(
            thread_pk(thread_id), Item.sk.between(ARTIFACT_PREFIX, upper), scan_index_forward=False, limit=limit + 1
        )
    return [a for a in found if isinstance(a, ArtifactItem) and a.artifact_id != before][:limit]


def delete(head: ArtifactItem) -> bool:
    """Delete the head (the artifact is gone at once; a racing write finds no head and fails),
    then its versions and contents. False when the head was already gone."""
    if not delete_if(head):
        return False
    delete_children(head.thread_id, head.artifact_id)
    return True


def delete_children(thread_id: str, artifact_id: str) -> None:
    """Delete an artifact's versions and contents (after its head; also what a delete that
    crashed between the two left behind)."""
    pk = thread_pk(thread_id)
    with Item.batch_write() as batch:
        for prefix in (version_prefix(artifact_id), content_prefix(artifact_id)):
            for item in Item.query(pk, Item.sk.startswith(prefix), attributes_to_get=["PK", "SK"]):
                batch.delete(item)
