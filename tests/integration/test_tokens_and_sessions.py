"""Access tokens, refresh rotation, logout, cookie auth, sessions."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from shared.clock import iso, now

from tests.conftest import TEST_ENV
from tests.support.api import Account, Api, assert_problem

ME = "/api/v1/auth/me"
REFRESH = "/api/v1/auth/refresh"
SESSIONS = "/api/v1/auth/sessions"
SECRET = TEST_ENV["JWT_SECRET"]


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def signed(claims: dict[str, Any], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def refresh(api: Api, token: str) -> Any:
    return api.call("POST", REFRESH, {"refreshToken": token})


# ---- access tokens ------------------------------------------------------------------------


def test_access_token_claims(customer: Account) -> None:
    claims = claims_of(customer.access_token)

    assert jwt.get_unverified_header(customer.access_token)["alg"] == "HS256"
    assert claims["sub"] == customer.id
    assert claims["iss"] == "platform-api"
    assert claims["aud"] == "platform-clients"
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]
    assert claims["sid"]


def test_me_and_verify(api: Api, customer: Account) -> None:
    me = api.me(customer.access_token)
    check = api.call("GET", "/api/v1/auth/verify", token=customer.access_token)

    assert me.status == 200
    assert me.data == customer.user
    assert check.status == 200
    assert check.data["valid"] is True
    assert check.data["user"]["id"] == customer.id
    assert check.data["sessionId"] == claims_of(customer.access_token)["sid"]
    assert check.data["expiresAt"].endswith("Z")


def test_no_token_is_401(api: Api) -> None:
    assert_problem(api.call("GET", ME), 401, "NO_TOKEN")
    assert_problem(api.call("GET", ME, headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401, "NO_TOKEN")


def b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def forged_tokens(account: Account) -> dict[str, str]:
    good = claims_of(account.access_token)
    now = int(time.time())
    header = b64({"alg": "none", "typ": "JWT"})
    payload = b64(good)
    head, _, signature = account.access_token.split(".")
    tampered_body = b64({**good, "sub": "01someoneelse"})
    return {
        "other key": signed(good, "another-signing-key-that-is-long-enough-000"),
        "alg none": f"{header}.{payload}.",
        "HS512": signed(good, algorithm="HS512"),
        "edited payload": f"{head}.{tampered_body}.{signature}",
        "wrong audience": signed({**good, "aud": "someone-else"}),
        "wrong issuer": signed({**good, "iss": "evil"}),
        "not yet valid": signed({**good, "nbf": now + 3600, "iat": now + 3600, "exp": now + 7200}),
        "no exp": signed({k: v for k, v in good.items() if k != "exp"}),
        "no jti": signed({k: v for k, v in good.items() if k != "jti"}),
        "no sid": signed({k: v for k, v in good.items() if k != "sid"}),
        "garbage": "not.a.jwt",
    }


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS384/512 on purpose
def test_forged_and_malformed_tokens_are_401_invalid_token(api: Api, customer: Account) -> None:
    for name, token in forged_tokens(customer).items():
        res = api.me(token)
        assert res.status == 401, name
        assert_problem(res, 401, "INVALID_TOKEN")


def test_expired_token_is_401_token_expired(api: Api, customer: Account) -> None:
    now = int(time.time())
    expired = signed({**claims_of(customer.access_token), "iat": now - 1000, "nbf": now - 1000, "exp": now - 60})

    assert_problem(api.me(expired), 401, "TOKEN_EXPIRED")


def test_token_of_a_session_that_does_not_exist_is_401(api: Api, customer: Account) -> None:
    token = signed({**claims_of(customer.access_token), "sid": "01nosuchsession"})

    assert_problem(api.me(token), 401, "SESSION_REVOKED")


def test_role_claim_is_not_trusted(api: Api, customer: Account) -> None:
    # Given a correctly signed token whose role claim says admin (as a leaked key would allow)
    token = signed({**claims_of(customer.access_token), "role": "admin"})

    # Then the role comes from the user record, not the token
    assert_problem(api.call("GET", "/api/v1/users", token=token), 403, "INSUFFICIENT_PERMISSIONS")


# ---- cookie auth --------------------------------------------------------------------------


def test_access_token_cookie_authenticates(api: Api, customer: Account) -> None:
    res = api.call("GET", ME, cookies=["theme=dark", f"access_token={customer.access_token}"])

    assert res.status == 200
    assert res.data["id"] == customer.id


def test_cookie_with_another_name_is_ignored(api: Api, customer: Account) -> None:
    res = api.call("GET", ME, cookies=[f"other_token={customer.access_token}"])

    assert_problem(res, 401, "NO_TOKEN")


def test_bearer_header_wins_over_cookie(api: Api, customer: Account) -> None:
    other = api.register()

    res = api.call("GET", ME, token=other.access_token, cookies=[f"access_token={customer.access_token}"])

    assert res.data["id"] == other.id


def test_cookie_name_is_configurable(api: Api, customer: Account, configure: Any) -> None:
    configure(AUTH_COOKIE_NAME="sid_at")

    assert api.call("GET", ME, cookies=[f"sid_at={customer.access_token}"]).status == 200
    assert api.call("GET", ME, cookies=[f"access_token={customer.access_token}"]).status == 401


# ---- refresh ------------------------------------------------------------------------------


def test_refresh_rotates_the_pair(api: Api, customer: Account) -> None:
    res = refresh(api, customer.refresh_token)

    assert res.status == 200, res.body
    pair = res.data
    assert set(pair) == {"accessToken", "refreshToken", "tokenType", "expiresIn"}
    assert pair["refreshToken"] != customer.refresh_token
    assert claims_of(pair["accessToken"])["sid"] == claims_of(customer.access_token)["sid"]
    assert api.me(pair["accessToken"]).status == 200
    assert res.cookie("access_token") is not None
    # The rotated token works in turn.
    assert refresh(api, pair["refreshToken"]).status == 200


def test_reused_refresh_token_revokes_the_whole_session(api: Api, customer: Account) -> None:
    # Given a session whose refresh token was rotated once
    rotated = refresh(api, customer.refresh_token).data

    # When the old refresh token is presented again (stolen or replayed)
    reuse = refresh(api, customer.refresh_token)

    # Then it is refused as reuse, and everything of that session stops working
    assert_problem(reuse, 401, "REFRESH_TOKEN_REUSED")
    assert_problem(api.me(customer.access_token), 401, "SESSION_REVOKED")
    assert_problem(api.me(rotated["accessToken"]), 401, "SESSION_REVOKED")
    assert_problem(refresh(api, rotated["refreshToken"]), 401, "INVALID_REFRESH_TOKEN")


def test_reuse_in_one_session_leaves_other_sessions_alone(api: Api, customer: Account) -> None:
    other = api.login_account(customer.email)
    refresh(api, customer.refresh_token)

    refresh(api, customer.refresh_token)

    assert api.me(other.access_token).status == 200
    assert refresh(api, other.refresh_token).status == 200


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b", "a.b.c.d", "01abc.01def.secret", "../../etc.passwd.x", "x" * 600],
)
def test_malformed_refresh_tokens(api: Api, token: str) -> None:
    res = refresh(api, token)

    assert res.status in (400, 401)
    assert res.error["code"] in ("VALIDATION_ERROR", "INVALID_REFRESH_TOKEN")


def test_refresh_of_a_suspended_user_is_403(api: Api, customer: Account, admin: Account) -> None:
    api.call("PATCH", f"/api/v1/users/{customer.id}", {"status": "suspended"}, token=admin.access_token)

    assert_problem(refresh(api, customer.refresh_token), 403, "ACCOUNT_SUSPENDED")

    # Then the refusal did not rotate the token: once reinstated, the same refresh token works
    api.call("PATCH", f"/api/v1/users/{customer.id}", {"status": "approved"}, token=admin.access_token)
    assert refresh(api, customer.refresh_token).status == 200


# ---- logout -------------------------------------------------------------------------------


def test_logout_ends_this_session_at_once_and_only_it(api: Api, customer: Account) -> None:
    other = api.login_account(customer.email)

    res = api.call("POST", "/api/v1/auth/logout", token=customer.access_token)

    assert res.status == 200
    assert res.data == {"message": "Logout successful"}
    cleared = res.cookie("access_token")
    assert cleared is not None
    assert cleared.startswith("access_token=;")
    assert "max-age=0" in cleared.lower()
    assert_problem(api.me(customer.access_token), 401, "SESSION_REVOKED")
    assert_problem(refresh(api, customer.refresh_token), 401, "INVALID_REFRESH_TOKEN")
    assert api.me(other.access_token).status == 200


def test_logout_twice_is_401(api: Api, customer: Account) -> None:
    api.call("POST", "/api/v1/auth/logout", token=customer.access_token)

    assert_problem(api.call("POST", "/api/v1/auth/logout", token=customer.access_token), 401, "SESSION_REVOKED")


# ---- sessions -----------------------------------------------------------------------------


def test_sessions_list_marks_the_current_one(api: Api, customer: Account) -> None:
    other = api.login_account(customer.email)

    res = api.call("GET", SESSIONS, token=other.access_token)

    assert res.status == 200
    page = res.data
    assert page["nextCursor"] is None
    assert len(page["items"]) == 2
    current = [s for s in page["items"] if s["current"]]
    assert [s["id"] for s in current] == [claims_of(other.access_token)["sid"]]
    session = current[0]
    assert set(session) == {"id", "createdAt", "lastUsedAt", "expiresAt", "userAgent", "ipAddress", "current"}
    assert session["ipAddress"] == "198.51.100.7"
    assert session["userAgent"] == "devstack"


def test_revoke_own_session(api: Api, customer: Account) -> None:
    other = api.login_account(customer.email)
    other_sid = claims_of(other.access_token)["sid"]

    res = api.call("DELETE", f"{SESSIONS}/{other_sid}", token=customer.access_token)

    assert res.status == 200
    assert_problem(api.me(other.access_token), 401, "SESSION_REVOKED")
    assert api.me(customer.access_token).status == 200
    ids = [s["id"] for s in api.call("GET", SESSIONS, token=customer.access_token).data["items"]]
    assert other_sid not in ids


def test_revoking_another_users_session_is_404_and_changes_nothing(api: Api, customer: Account) -> None:
    # Given another user's session id (e.g. guessed or leaked)
    victim = api.register()
    victim_sid = claims_of(victim.access_token)["sid"]

    # When the customer tries to revoke it
    res = api.call("DELETE", f"{SESSIONS}/{victim_sid}", token=customer.access_token)

    # Then it is not found for them, and the victim's session still works
    assert_problem(res, 404, "SESSION_NOT_FOUND")
    assert api.me(victim.access_token).status == 200


def test_revoking_an_unknown_session_is_404(api: Api, customer: Account) -> None:
    assert_problem(api.call("DELETE", f"{SESSIONS}/nope", token=customer.access_token), 404, "SESSION_NOT_FOUND")


def test_an_expired_session_ends_its_tokens(api: Api, customer: Account, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the clock moved past the session's 30-day lifetime (the access token itself is
    # re-signed so that only the session has run out)
    later = iso(now() + timedelta(days=30, seconds=1))
    monkeypatch.setattr("shared.identity.principal.now_iso", lambda: later)
    monkeypatch.setattr("shared.identity.auth.now_iso", lambda: later)
    fresh = signed({**claims_of(customer.access_token), "exp": int(time.time()) + 600})

    # Then neither the access token nor the refresh token works
    assert_problem(api.me(fresh), 401, "SESSION_REVOKED")
    assert_problem(refresh(api, customer.refresh_token), 401, "INVALID_REFRESH_TOKEN")
