"""Job items: one record per job, the status counters, and dedup-key claims.

Access patterns
===============

=========================================  =====================================================
Who reads or writes what                   Key / index
=========================================  =====================================================
a job's record (worker, admin)             ``PK=JOB#<id>``, ``SK=JOB``; every status change is an
                                           UpdateItem conditioned on the status and attempt the
                                           writer read (and ``run``, bumped by an admin retry)
newest jobs                                GSI1 ``GSI1PK=JOBS``, ``GSI1SK=<createdAt>#<id>``, desc
newest jobs of one status                  GSI2 ``GSI2PK=JOBS#STATUS#<status>``, same sort key
newest jobs of one type                    GSI3 ``GSI3PK=JOBS#TYPE#<type>``, same sort key
newest jobs of one type and status         GSI4 ``GSI4PK=JOBS#TYPE#<type>#STATUS#<status>``
counts per status (all, per type)          ``PK=JOBSTATS``, ``SK=ALL`` / ``SK=TYPE#<type>``:
                                           one number per status, ``ADD``-ed in the transaction
                                           of every transition (one Query reads them all)
the live job of a dedup key                ``PK=JOBKEY#<key>``, ``SK=JOBKEY`` holding the job id;
                                           put (if absent) with the job, deleted in the
                                           transaction that finishes or cancels it
a removed record already uncounted         ``PK=JOB#<id>``, ``SK=UNCOUNTED``: put (if absent) in
                                           the transaction that lowers the counters of a record
                                           the TTL (or anyone) removed, so a replayed stream
                                           record lowers nothing; kept ``UNCOUNTED_RETENTION``
=========================================  =====================================================

Finished jobs carry a ``ttl`` (``JOB_RETENTION_COMPLETED_DAYS`` / ``JOB_RETENTION_FAILED_DAYS``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from shared.data.table import Item

JobStatus = Literal["waiting", "delayed", "active", "completed", "failed", "cancelled"]
STATUSES: tuple[JobStatus, ...] = ("waiting", "delayed", "active", "completed", "failed", "cancelled")
LIVE: tuple[JobStatus, ...] = ("waiting", "delayed", "active")
FINISHED: tuple[JobStatus, ...] = ("completed", "failed", "cancelled")
Priority = Literal["normal", "high"]

JOB_SK = "JOB"
STATS_PK = "JOBSTATS"
KEY_SK = "JOBKEY"
UNCOUNTED_SK = "UNCOUNTED"
# Longer than a stream keeps a record (24 h): no replay of a removal can outlive its marker.
UNCOUNTED_RETENTION = timedelta(days=2)


def job_key(job_id: str) -> tuple[str, str]:
    return f"JOB#{job_id}", JOB_SK


def stats_key(job_type: str | None) -> tuple[str, str]:
    return STATS_PK, "ALL" if job_type is None else f"TYPE#{job_type}"


def claim_key(dedup_key: str) -> tuple[str, str]:
    return f"JOBKEY#{dedup_key}", KEY_SK


def uncounted_key(job_id: str) -> tuple[str, str]:
    return f"JOB#{job_id}", UNCOUNTED_SK


def all_partition() -> str:
    return "JOBS"


def status_partition(status: str) -> str:
    return f"JOBS#STATUS#{status}"


def type_partition(job_type: str) -> str:
    return f"JOBS#TYPE#{job_type}"


def type_status_partition(job_type: str, status: str) -> str:
    return f"JOBS#TYPE#{job_type}#STATUS#{status}"


class AttemptLog(MapAttribute[str, object]):
    number = NumberAttribute()
    started_at = UnicodeAttribute(attr_name="startedAt")
    ended_at = UnicodeAttribute(null=True, attr_name="endedAt")
    error = UnicodeAttribute(null=True)


class JobItem(Item, discriminator="JOB"):
    job_id = UnicodeAttribute(attr_name="jobId")
    job_type = UnicodeAttribute(attr_name="jobType")
    status = UnicodeAttribute()
    priority = UnicodeAttribute(default="normal")
    payload = UnicodeAttribute(default="{}")  # JSON
    attempts = NumberAttribute(default=0)  # attempts of the current run
    attempts_total = NumberAttribute(default=0, attr_name="attemptsTotal")  # every run's attempts
    max_attempts = NumberAttribute(attr_name="maxAttempts")
    backoff_base = NumberAttribute(attr_name="backoffBase")
    backoff_cap = NumberAttribute(attr_name="backoffCap")
    run = NumberAttribute(default=0)  # bumped by an admin retry; messages of older runs are stale
    progress = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True, attr_name="lastError")
    result = UnicodeAttribute(null=True)  # JSON
    dedup_key = UnicodeAttribute(null=True, attr_name="dedupKey")
    run_at = UnicodeAttribute(null=True, attr_name="runAt")
    created_at = UnicodeAttribute(attr_name="createdAt")
    started_at = UnicodeAttribute(null=True, attr_name="startedAt")
    finished_at = UnicodeAttribute(null=True, attr_name="finishedAt")
    lease_until = UnicodeAttribute(null=True, attr_name="leaseUntil")
    schedule_name = UnicodeAttribute(null=True, attr_name="scheduleName")
    attempt_log = ListAttribute(of=AttemptLog, default=list, attr_name="attemptLog")


class JobCounter(Item, discriminator="JOBSTATS"):
    waiting = NumberAttribute(default=0)
    delayed = NumberAttribute(default=0)
    active = NumberAttribute(default=0)
    completed = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    cancelled = NumberAttribute(default=0)


class JobKeyClaim(Item, discriminator="JOBKEY"):
    job_id = UnicodeAttribute(attr_name="jobId")


class JobUncounted(Item, discriminator="JOBUNCOUNTED"):
    """The counters no longer count this removed job (see :func:`shared.jobs.records.uncount`)."""

    job_id = UnicodeAttribute(attr_name="jobId")
    status = UnicodeAttribute()
