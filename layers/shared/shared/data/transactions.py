"""Transactions and the mapping of DynamoDB condition failures to domain conflicts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.data.table import Item, connection

CONDITION_FAILED = "ConditionalCheckFailed"


@contextmanager
def transaction(client_request_token: str | None = None) -> Iterator[TransactWrite]:
    """Collect writes and commit them atomically when the block ends without error.

    Raises :class:`TransactWriteError` when any condition fails; use :func:`failed_conditions`
    to see which operations' conditions failed: PynamoDB sends condition checks first, then
    deletes, puts and updates, each group in the order it was added.
    """
    with TransactWrite(connection=connection(), client_request_token=client_request_token) as tx:
        yield tx


def failed_conditions(exc: TransactWriteError) -> list[bool]:
    """For each operation of a cancelled transaction, whether its condition failed."""
    reasons = exc.cancellation_reasons or []
    return [bool(reason and reason.code == CONDITION_FAILED) for reason in reasons]


def is_condition_failure(exc: Exception) -> bool:
    """True when a single-item write failed only because its condition did not hold."""
    if isinstance(exc, PutError | UpdateError | DeleteError):
        return exc.cause_response_code == "ConditionalCheckFailedException"
    if isinstance(exc, TransactWriteError):
        return any(failed_conditions(exc))
    return False


def update_if(item: Item, actions: Sequence[Any], condition: Any) -> bool:
    """Apply ``actions`` to ``item`` if ``condition`` holds; False when it does not."""
    try:
        item.update(actions=list(actions), condition=condition)
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def delete_if(item: Item, condition: Any = None) -> bool:
    """Delete ``item`` if ``condition`` holds (by default: if it exists); False when it does not."""
    try:
        item.delete(condition=Item.pk.exists() if condition is None else condition)
    except DeleteError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
