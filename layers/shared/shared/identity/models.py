"""Identity entities in the single table.

Access patterns
===============

=====================================  ============================================================
Who reads what                         Key / index
=====================================  ============================================================
user by id (every authenticated call)  ``PK=USER#<id>``, ``SK=PROFILE`` (GetItem/BatchGetItem)
session by id (every authenticated     ``PK=USER#<uid>``, ``SK=SESSION#<sid>``; batched with the
call, refresh, logout)                 profile in one consistent BatchGetItem
user's sessions (list, revoke all)     Query ``PK=USER#<uid>``, ``begins_with(SK, "SESSION#")``
user by email (login, forgot)          ``PK=UNIQUE#EMAIL#<email>`` → owner id → profile
username taken?                        ``PK=UNIQUE#USERNAME#<lower(username)>``
admin: all users, newest first         Query GSI1 ``GSI1PK=USERS``, ``GSI1SK=<createdAt>#<id>``
admin: users by role                   Query GSI2 ``GSI2PK=USERS#ROLE#<role>``
admin: users by status (pending        Query GSI3 ``GSI3PK=USERS#STATUS#<status>``
sellers, suspended accounts)
admin: users by name prefix            Query GSI4 ``GSI4PK=USERS#NAME``, ``begins_with(GSI4SK,
                                       <lower(name) prefix>)`` (``GSI4SK=<lower(name)>#<id>``)
admin: users by email prefix           Query GSI5 ``GSI5PK=USERS#EMAIL``, ``begins_with(GSI5SK,
                                       <email prefix>)`` (``GSI5SK=<email>#<id>``)
user statistics                        counters, see :mod:`shared.identity.counters`
=====================================  ============================================================

Role and status filters together query the role index and filter on status. Reset and
verification tokens are ``<userId>.<secret>``: the id locates the profile, the secret's
SHA-256 is compared with the one stored on it (single use by conditional update). A reset token
is issued by the ``identity.password-reset`` job (see :mod:`shared.identity.jobs`), which records
its own id on the profile so that a retry of the same job issues nothing more.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from shared.data.table import Item

PROFILE_SK = "PROFILE"
SESSION_PREFIX = "SESSION#"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


USERS_BY_NAME = "USERS#NAME"
USERS_BY_EMAIL = "USERS#EMAIL"


def name_key(name: str, user_id: str) -> str:
    """The name index's sort key: the name lowercased (prefix search is case-insensitive)."""
    return f"{name.lower()}#{user_id}"


def session_sk(session_id: str) -> str:
    return f"{SESSION_PREFIX}{session_id}"


class UserItem(Item, discriminator="USER"):
    user_id = UnicodeAttribute(attr_name="userId")
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    username = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(attr_name="passwordHash")
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    avatar_url = UnicodeAttribute(null=True, attr_name="avatarUrl")
    email_verified = BooleanAttribute(default=False, attr_name="emailVerified")
    verify_hash = UnicodeAttribute(null=True, attr_name="verifyHash")
    verify_expires_at = UnicodeAttribute(null=True, attr_name="verifyExpiresAt")
    reset_hash = UnicodeAttribute(null=True, attr_name="resetHash")
    reset_expires_at = UnicodeAttribute(null=True, attr_name="resetExpiresAt")
    reset_job = UnicodeAttribute(null=True, attr_name="resetJob")  # the job that issued the last reset
    last_login_at = UnicodeAttribute(null=True, attr_name="lastLoginAt")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")

    @classmethod
    def new(cls, user_id: str, created_at: str, **fields: object) -> UserItem:
        item = cls(user_pk(user_id), PROFILE_SK, user_id=user_id, created_at=created_at, updated_at=created_at)
        for name, value in fields.items():
            setattr(item, name, value)
        item.set_index_keys()
        item.gsi4pk, item.gsi4sk = USERS_BY_NAME, name_key(item.name, user_id)
        item.gsi5pk, item.gsi5sk = USERS_BY_EMAIL, f"{item.email}#{user_id}"
        return item

    def set_index_keys(self) -> None:
        for name, value in self.index_keys(self.role, self.status, self.created_at, self.user_id).items():
            setattr(self, name, value)

    @staticmethod
    def index_keys(role: str, status: str, created_at: str, user_id: str) -> dict[str, str]:
        order = f"{created_at}#{user_id}"
        return {
            "gsi1pk": "USERS",
            "gsi1sk": order,
            "gsi2pk": f"USERS#ROLE#{role}",
            "gsi2sk": order,
            "gsi3pk": f"USERS#STATUS#{status}",
            "gsi3sk": order,
        }


class SessionItem(Item, discriminator="SESSION"):
    session_id = UnicodeAttribute(attr_name="sessionId")
    user_id = UnicodeAttribute(attr_name="userId")
    refresh_hash = UnicodeAttribute(attr_name="refreshHash")
    created_at = UnicodeAttribute(attr_name="createdAt")
    last_used_at = UnicodeAttribute(attr_name="lastUsedAt")
    expires_at = UnicodeAttribute(attr_name="expiresAt")
    user_agent = UnicodeAttribute(null=True, attr_name="userAgent")
    ip_address = UnicodeAttribute(null=True, attr_name="ipAddress")
