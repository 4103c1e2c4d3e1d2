from tests.support.api import Api


def test_register_login_me(api: Api) -> None:
    account = api.register("Smoke@Example.com ")
    assert account.user["email"] == "smoke@example.com"
    res = api.call("GET", "/api/v1/auth/me", token=account.access_token)
    assert res.status == 200, res.body
    assert res.data["id"] == account.id
    login = api.login("smoke@example.com")
    assert login.status == 200, login.body
