"""The erasure record: one item per deleted account, written in the deletion's transaction.

Access patterns
===============

=========================================  =====================================================
Who reads or writes what                   Key
=========================================  =====================================================
the deletion (self or admin) puts it       ``PK=ERASURE#<userId>``, ``SK=ERASURE``, only if
                                           absent, in the transaction that deletes the profile
                                           and releases the claims (so it exists iff the account
                                           is deleted)
the erasure job: its state                 GetItem by key, consistent (role, steps done, part)
the erasure job: a step is done            UpdateItem ``ADD stepsDone :step, touched :n``,
                                           conditioned on the step not being in ``stepsDone``
                                           (a retried or concurrent part never records it twice)
the erasure job: its current part          UpdateItem ``SET part, jobId`` (a continuation)
the erasure job: all steps done            UpdateItem ``SET status = completed, completedAt``,
                                           ``REMOVE email, username``, conditioned on
                                           ``status = erasing``
an admin resumes an erasure                GetItem by key: no record, no erasure (a live
                                           account is never erased)
=========================================  =====================================================

The record is kept after completion as the audit trail of the erasure (who asked, when, which
steps ran, how many items they touched). It holds no personal data once completed: the user id
is a random id that nothing points to any more, and the email and username (kept while erasing,
for the final step that makes sure their claims are released) are removed on completion.
"""

from __future__ import annotations

from typing import Literal

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from shared.data.table import Item

ErasureStatus = Literal["erasing", "completed"]
ERASURE_SK = "ERASURE"
SELF = "self"


def erasure_key(user_id: str) -> tuple[str, str]:
    return f"ERASURE#{user_id}", ERASURE_SK


class ErasureItem(Item, discriminator="ERASURE"):
    user_id = UnicodeAttribute(attr_name="userId")
    role = UnicodeAttribute()  # the account's role when deletion was asked
    requested_at = UnicodeAttribute(attr_name="requestedAt")
    requested_by = UnicodeAttribute(attr_name="requestedBy")  # "self" or the admin's id
    status = UnicodeAttribute(default="erasing")
    steps_done = UnicodeSetAttribute(null=True, attr_name="stepsDone")
    part = NumberAttribute(default=1)
    job_id = UnicodeAttribute(attr_name="jobId")  # the job of the current part
    touched = NumberAttribute(default=0)
    completed_at = UnicodeAttribute(null=True, attr_name="completedAt")
    email = UnicodeAttribute(null=True)  # only while erasing
    username = UnicodeAttribute(null=True)  # only while erasing
