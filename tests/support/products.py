"""Helpers for the product and review tests: approved sellers, products, categories, purchases."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from tests.support.api import Account, Api

if TYPE_CHECKING:
    from shared.identity.principal import Principal

T = TypeVar("T")
_counter = itertools.count(1)


def approved_seller(api: Api, admin: Account, name: str = "Sam Seller") -> Account:
    """A seller account approved by the admin (every request re-reads the user, so the token works)."""
    seller = api.register(role="seller", name=name)
    res = api.call("PATCH", f"/api/v1/users/{seller.id}", {"status": "approved"}, token=admin.access_token)
    assert res.status == 200, res.body
    return seller


def product_body(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    body: dict[str, Any] = {
        "name": f"Sample Product {n}",
        "description": "A sturdy sample product used in tests.",
        "shortDescription": "Sturdy sample product",
        "price": 1999,
        "stockQuantity": 5,
        "status": "active",
    }
    body.update(overrides)
    return body


def create_product(api: Api, token: str, **overrides: Any) -> dict[str, Any]:
    res = api.call("POST", "/api/v1/products", product_body(**overrides), token=token)
    assert res.status == 201, res.body
    return dict(res.data)


def create_category(name: str) -> str:
    """A category written through the lead's repository (its routes are not ours to call here)."""
    from shared.clock import now_iso
    from shared.commerce.categories import repository as categories
    from shared.commerce.slugs import slugify
    from shared.ids import new_id

    category_id = new_id()
    item = categories.new_item(category_id, now_iso(), name=name, slug=slugify(name), description=None, parent_id=None)
    categories.create(item)
    return category_id


def record_purchase(user_id: str, product_id: str) -> None:
    """What checkout will write when an order is paid."""
    from shared.commerce.products.models import PurchaseItem, purchase_key

    pk, sk = purchase_key(user_id, product_id)
    PurchaseItem(pk, sk, user_id=user_id, product_id=product_id).save()


def run_concurrently(*calls: Callable[[], T]) -> list[T]:
    """Start every call at once (threads behind a barrier) and return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@contextmanager
def atomic_dynamodb_calls() -> Iterator[None]:
    """Make each DynamoDB call atomic, as it is in DynamoDB (moto's in-process backend is not
    thread-safe: a transaction deep-copies the table while another thread writes it). Calls of
    different threads still interleave freely between one another, which is the race tested."""
    from botocore.client import BaseClient

    lock = threading.Lock()
    original = BaseClient._make_api_call

    def locked(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if self.meta.service_model.service_name != "dynamodb":
            return original(self, operation_name, api_params)
        with lock:
            return original(self, operation_name, api_params)

    BaseClient._make_api_call = locked  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def principal_of(account: Account) -> Principal:
    """The domain's view of an account, for calling services directly from several threads
    (the in-process handler keeps per-request state on its module-level resolver, as Lambda
    runs one request at a time per process, so threads must not share it)."""
    from shared.identity.principal import Principal
    from shared.identity.repository import get_user

    user = get_user(account.id)
    assert user is not None
    return Principal(user=user, session_id="test-session", token_expires_at=0)


def outcome(call: Callable[[], object]) -> str:
    """``"ok"`` or the domain error's code."""
    from shared.errors import DomainError

    try:
        call()
    except DomainError as exc:
        return exc.code
    return "ok"
