"""Data access for job records: creation with the outbox, conditional transitions with their
counters, reads and listings (see :mod:`shared.jobs.models` for the keys).

Every transition is one transaction: the job's UpdateItem, conditioned on the status, attempt
and run its writer read (so two workers, or a worker and an admin, never both win), the
``ADD``s on the status counters, and the release of the dedup claim when the job finishes.
A lost condition returns ``False``; the caller decides what that means.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from pynamodb.exceptions import DeleteError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from shared.clock import iso, now
from shared.data.pagination import Page, query_page
from shared.data.table import Item
from shared.data.transactions import failed_conditions, is_condition_failure, transaction
from shared.jobs import models as m
from shared.jobs.models import AttemptLog, JobCounter, JobItem, JobKeyClaim, JobStatus, JobUncounted
from shared.jobs.spec import MAX_SQS_DELAY_SECONDS, JobSpec, owed
from shared.messaging import outbox
from shared.messaging.owed import Owed
from shared.settings import get_settings


class DuplicateJob(Exception):
    """The dedup key is held by a live job."""


def _counters(tx: TransactWrite, job_type: str, changes: dict[str, int]) -> None:
    for key in (m.stats_key(None), m.stats_key(job_type)):
        counter = JobCounter(*key)
        actions = [getattr(JobCounter, status).add(delta) for status, delta in changes.items() if delta]
        tx.update(counter, actions=[*actions, Item.item_type.set(JobCounter)])


def _index_keys(item: JobItem, status: str) -> None:
    item.gsi1pk, item.gsi1sk = m.all_partition(), f"{item.created_at}#{item.job_id}"
    item.gsi2pk, item.gsi2sk = m.status_partition(status), item.gsi1sk
    item.gsi3pk, item.gsi3sk = m.type_partition(item.job_type), item.gsi1sk
    item.gsi4pk, item.gsi4sk = m.type_status_partition(item.job_type, status), item.gsi1sk


def add_new_job(tx: TransactWrite, message: Owed) -> None:
    """Write the record, dedup claim and counters of the job ``message`` owes (its first run) in
    ``tx``; the outbox writes the message itself. Called by :func:`shared.messaging.outbox.add`."""
    spec = JobSpec.model_validate(message.body)
    if spec.run != 0:
        return
    status: JobStatus = "delayed" if spec.delayed else "waiting"
    pk, sk = m.job_key(spec.job_id)
    item = JobItem(
        pk,
        sk,
        job_id=spec.job_id,
        job_type=spec.type,
        status=status,
        priority=spec.priority,
        payload=json.dumps(spec.payload, separators=(",", ":")),
        max_attempts=spec.max_attempts,
        backoff_base=spec.backoff_base,
        backoff_cap=spec.backoff_cap,
        dedup_key=spec.dedup_key,
        run_at=spec.run_at,
        created_at=spec.created_at,
        schedule_name=spec.schedule_name() if _needs_schedule(spec) else None,
        attempt_log=[],
    )
    _index_keys(item, status)
    if spec.dedup_key:
        tx.save(JobKeyClaim(*m.claim_key(spec.dedup_key), job_id=spec.job_id), condition=Item.pk.does_not_exist())
    tx.save(item, condition=Item.pk.does_not_exist())
    _counters(tx, spec.type, {status: 1})


def _needs_schedule(spec: JobSpec) -> bool:
    if spec.run_at is None:
        return False
    created = datetime.fromisoformat(spec.created_at)
    return datetime.fromisoformat(spec.run_at) - created > timedelta(seconds=MAX_SQS_DELAY_SECONDS)


def create(spec: JobSpec) -> str:
    """Store a new job with its outbox message; returns its id, or the id of the live job holding
    its dedup key (the new one is then not stored)."""
    for _ in range(3):
        try:
            with transaction() as tx:
                outbox.add(tx, owed(spec))
            return spec.job_id
        except TransactWriteError as exc:
            failed = failed_conditions(exc)
            if not (spec.dedup_key and failed and failed[0]):
                raise
            holder = claim_holder(spec.dedup_key)
            if holder is not None:
                return holder
    raise DuplicateJob(spec.dedup_key)


def claim_holder(dedup_key: str) -> str | None:
    try:
        found = Item.get(*m.claim_key(dedup_key), consistent_read=True)
    except Item.DoesNotExist:
        return None
    return found.job_id if isinstance(found, JobKeyClaim) else None


def get(job_id: str, *, consistent: bool = True) -> JobItem | None:
    try:
        found = Item.get(*m.job_key(job_id), consistent_read=consistent)
    except Item.DoesNotExist:
        return None
    return found if isinstance(found, JobItem) else None


def _retention(status: str) -> datetime:
    settings = get_settings()
    days = settings.job_retention_completed_days if status == "completed" else settings.job_retention_failed_days
    return now() + timedelta(days=days)


def transition(
    job: JobItem,
    to: JobStatus,
    actions: list[Any],
    *,
    extra: Callable[[TransactWrite], None] | None = None,
) -> bool:
    """Move ``job`` from the status, attempt and run it was read with to ``to``, applying
    ``actions``; finishing releases its dedup claim and sets its ``ttl``. ``False`` when the
    job changed meanwhile (someone else won) or, for a new claim in ``extra``, the key is held."""
    condition: Condition = (
        (JobItem.status == job.status) & (JobItem.run == job.run) & (JobItem.attempts == job.attempts)
    )
    changes = [
        *actions,
        JobItem.status.set(to),
        Item.gsi2pk.set(m.status_partition(to)),
        Item.gsi4pk.set(m.type_status_partition(job.job_type, to)),
    ]
    finished = to in m.FINISHED
    if finished:
        changes += [JobItem.finished_at.set(iso(now())), Item.ttl.set(_retention(to)), JobItem.lease_until.remove()]
    try:
        with transaction() as tx:
            tx.update(JobItem(job.pk, job.sk), actions=changes, condition=condition)
            if to != job.status:
                _counters(tx, job.job_type, {job.status: -1, to: 1})
            if finished and job.dedup_key:
                claim = JobKeyClaim(*m.claim_key(job.dedup_key))
                tx.delete(claim, condition=JobKeyClaim.job_id == job.job_id)
            if extra is not None:
                extra(tx)
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            return False
        raise
    return True


def closed_log(job: JobItem, *, error: str | None, at: str) -> list[AttemptLog]:
    """The attempt log with its last (open) attempt ended at ``at`` with ``error``."""
    log = list(job.attempt_log or [])
    if log and log[-1].ended_at is None:
        last = log[-1]
        log[-1] = AttemptLog(number=last.number, started_at=last.started_at, ended_at=at, error=error)
    return log


def start(job: JobItem, lease_seconds: int, *, crashed: bool) -> bool:
    """Begin attempt ``job.attempts + 1``; a ``crashed`` active job has its open attempt closed.
    On success ``job`` is updated in place to the state written."""
    moment = iso(now())
    log = (
        closed_log(job, error="the attempt did not finish (worker crashed or timed out)", at=moment)
        if crashed
        else list(job.attempt_log or [])
    )
    number = job.attempts + 1
    log.append(AttemptLog(number=number, started_at=moment))  # type: ignore[no-untyped-call]
    actions = [
        JobItem.attempts.set(number),
        JobItem.attempts_total.add(1),
        JobItem.started_at.set(moment),
        JobItem.lease_until.set(iso(now() + timedelta(seconds=lease_seconds))),
        JobItem.attempt_log.set(log),
    ]
    if not transition(job, "active", actions):
        return False
    # The item now holds what was written: the caller goes on with it, without reading it again.
    job.status, job.attempts, job.attempts_total = "active", number, int(job.attempts_total) + 1
    job.started_at, job.attempt_log = moment, log
    return True


def complete(job: JobItem, result: dict[str, Any] | None) -> bool:
    moment = iso(now())
    actions = [
        JobItem.progress.set(100),
        JobItem.attempt_log.set(closed_log(job, error=None, at=moment)),
        JobItem.result.set(json.dumps(result, separators=(",", ":"), default=str))
        if result is not None
        else JobItem.result.remove(),
    ]
    return transition(job, "completed", actions)


def retry_later(job: JobItem, error: str, delay_seconds: int) -> bool:
    moment = iso(now())
    actions = [
        JobItem.last_error.set(error),
        JobItem.run_at.set(iso(now() + timedelta(seconds=delay_seconds))),
        JobItem.lease_until.remove(),
        JobItem.attempt_log.set(closed_log(job, error=error, at=moment)),
    ]
    return transition(job, "delayed", actions)


def fail(job: JobItem, error: str) -> bool:
    actions = [JobItem.last_error.set(error), JobItem.attempt_log.set(closed_log(job, error=error, at=iso(now())))]
    return transition(job, "failed", actions)


def cancel(job: JobItem) -> bool:
    return transition(job, "cancelled", [])


def requeue(job: JobItem) -> bool:
    """An admin's retry of a failed job: attempts start again in a new run, owed to the queue.
    ``False`` when it changed meanwhile or another live job holds its dedup key."""
    spec = JobSpec(
        job_id=job.job_id,
        type=job.job_type,
        payload=json.loads(job.payload),
        priority=job.priority,  # type: ignore[arg-type]
        max_attempts=int(job.max_attempts),
        backoff_base=int(job.backoff_base),
        backoff_cap=int(job.backoff_cap),
        created_at=job.created_at,
        dedup_key=job.dedup_key,
        run=int(job.run) + 1,
    )

    def extra(tx: TransactWrite) -> None:
        if job.dedup_key:
            claim = JobKeyClaim(*m.claim_key(job.dedup_key), job_id=job.job_id)
            tx.save(claim, condition=Item.pk.does_not_exist())
        outbox.add(tx, owed(spec))

    actions = [
        JobItem.attempts.set(0),
        JobItem.run.set(spec.run),
        JobItem.progress.set(0),
        JobItem.result.remove(),
        JobItem.finished_at.remove(),
        JobItem.run_at.remove(),
        JobItem.schedule_name.remove(),
        Item.ttl.remove(),
    ]
    return transition(job, "waiting", actions, extra=extra)


def set_progress(job: JobItem, progress: int) -> bool:
    """Record ``progress`` while ``job`` is still in the attempt it was started with."""
    try:
        JobItem(job.pk, job.sk).update(
            actions=[JobItem.progress.set(progress)],
            condition=(JobItem.status == "active") & (JobItem.attempts == job.attempts) & (JobItem.run == job.run),
        )
    except UpdateError as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True


def removed_job(image: dict[str, Any]) -> JobItem | None:
    """The job of a removed record's old image (DynamoDB JSON, as its stream record carries it);
    ``None`` for any other item or an unknown status."""
    try:
        item = Item.from_raw_data(image)
    except (AttributeError, KeyError, TypeError, ValueError):
        return None
    return item if isinstance(item, JobItem) and item.status in m.STATUSES else None


def uncount(job: JobItem) -> bool:
    """Lower the counters of ``job``, whose record is gone (the TTL removed it after it
    finished, or someone deleted it), by its last status and type. The transaction also puts the
    job's ``UNCOUNTED`` marker if absent: ``False`` when it was there (a replayed removal, nothing
    lowered twice). A removed live job also gives its dedup key back."""
    marker = JobUncounted(
        *m.uncounted_key(job.job_id), job_id=job.job_id, status=job.status, ttl=now() + m.UNCOUNTED_RETENTION
    )
    if job.status not in m.FINISHED and job.dedup_key:
        _release_claim(job.dedup_key, job.job_id)  # first: a replay after a crash releases it still
    try:
        with transaction() as tx:
            tx.save(marker, condition=Item.pk.does_not_exist())
            _counters(tx, job.job_type, {job.status: -1})
    except TransactWriteError as exc:
        if any(failed_conditions(exc)):
            return False
        raise
    return True


def _release_claim(dedup_key: str, job_id: str) -> None:
    try:
        JobKeyClaim(*m.claim_key(dedup_key)).delete(condition=JobKeyClaim.job_id == job_id)
    except DeleteError as exc:
        if not is_condition_failure(exc):
            raise


def counts() -> dict[str, dict[str, int]]:
    """Counters by item: ``"ALL"`` and one per type (``"TYPE#<type>"``), one Query."""
    found: dict[str, dict[str, int]] = {}
    for item in Item.query(m.STATS_PK):
        found[item.sk] = {status: int(getattr(item, status, 0) or 0) for status in m.STATUSES}
    return found


def list_jobs(
    *, status: str | None, job_type: str | None, limit: int, position: dict[str, Any] | None
) -> Page[JobItem]:
    """Newest first, by the index that matches the filters (no filter expression, no Scan)."""
    if status and job_type:
        run, index = partial(Item.gsi4.query, m.type_status_partition(job_type, status)), "GSI4"
    elif status:
        run, index = partial(Item.gsi2.query, m.status_partition(status)), "GSI2"
    elif job_type:
        run, index = partial(Item.gsi3.query, m.type_partition(job_type)), "GSI3"
    else:
        run, index = partial(Item.gsi1.query, m.all_partition()), "GSI1"
    return query_page(run, limit=limit, position=position, index=index, scan_index_forward=False)
