"""API keys: the shape of a key, which strings are never looked up, and the stand-in user a
service principal carries (never an admin, never holding a role)."""

from __future__ import annotations

import pytest
from shared.errors import Forbidden
from shared.identity import api_keys
from shared.identity.api_key_repository import new_key
from shared.identity.principal import Principal, ServiceCaller, require_role

KEY_ID = "01jd0000000000000000000000"


@pytest.mark.parametrize(
    ("key", "key_id"),
    [
        (f"pak_{KEY_ID}.secret", KEY_ID),
        (f"pak_{KEY_ID}.", None),
        (f"pak_{KEY_ID}", None),
        (f"pk_{KEY_ID}.secret", None),
        ("pak_01JD0000000000000000000000.secret", None),  # ids are lowercase
        ("pak_short.secret", None),
        ("", None),
    ],
)
def test_only_well_formed_keys_name_an_id(key: str, key_id: str | None) -> None:
    assert api_keys._key_id(key) == key_id


def test_a_service_principal_holds_no_role_and_is_no_admin() -> None:
    item = new_key(KEY_ID, "2026-11-27T12:00:00Z", name="Assistant", scopes=["experience:assistant"])
    caller = Principal(
        user=api_keys.stand_in_user(item),
        session_id="",
        token_expires_at=0,
        service=ServiceCaller(key_id=KEY_ID, name="Assistant", scopes=("experience:assistant",)),
    )
    assert caller.is_service
    assert not caller.is_admin
    assert (caller.user_id, caller.user.name) == (KEY_ID, "Assistant")
    for role in ("customer", "seller", "admin", "service"):
        with pytest.raises(Forbidden):
            require_role(caller, role)
