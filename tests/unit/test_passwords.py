"""argon2id password hashing."""

from __future__ import annotations

from collections.abc import Callable

from argon2 import PasswordHasher
from shared.security.passwords import hash_password, needs_rehash, verify_password

PASSWORD = "Sup3r-secret-pw"


def test_hash_is_argon2id_with_owasp_parameters_and_salted() -> None:
    first = hash_password(PASSWORD)
    second = hash_password(PASSWORD)

    assert first.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert first != second
    assert PASSWORD not in first


def test_verify() -> None:
    stored = hash_password(PASSWORD)

    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD.upper())
    assert not verify_password(stored, "")


def test_unknown_user_and_broken_hashes_never_verify() -> None:
    assert not verify_password(None, PASSWORD)
    assert not verify_password("", PASSWORD)
    assert not verify_password("not-a-hash", PASSWORD)
    assert not verify_password("$argon2id$v=19$m=19456,t=2,p=1$broken", PASSWORD)


def test_needs_rehash_when_parameters_differ(configure: Callable[..., None]) -> None:
    current = hash_password(PASSWORD)
    older = PasswordHasher(time_cost=3, memory_cost=19_456, parallelism=1).hash(PASSWORD)

    assert not needs_rehash(current)
    assert needs_rehash(older)
    assert needs_rehash("not-a-hash")

    configure(ARGON2_TIME_COST="3")
    assert needs_rehash(current)
    assert not needs_rehash(older)
    # An old hash still verifies: the parameters are read from the hash itself.
    assert verify_password(current, PASSWORD)
