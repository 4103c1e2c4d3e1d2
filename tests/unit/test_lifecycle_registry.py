"""Every entity type has a declared fate when an account is deleted (DESIGN: Erasure).

One case per entity type, named ``<system>:<discriminator>``: a new model without an erasure step
or a stated retention fails here. Run one system's cases with ``-k commerce``.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
import shared
from shared.data.table import Item
from shared.lifecycle import registry


def _entity_types() -> dict[str, str]:
    """discriminator → system (the package under ``shared`` that defines it)."""
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        importlib.import_module(module.name)
    attribute = Item._get_discriminator_attribute()
    assert attribute is not None
    return {value: cls.__module__.split(".")[1] for cls, value in attribute._class_map.items()}


ENTITY_TYPES = _entity_types()


@pytest.mark.parametrize("entity", sorted(ENTITY_TYPES), ids=[f"{ENTITY_TYPES[e]}:{e}" for e in sorted(ENTITY_TYPES)])
def test_entity_type_has_an_erasure_step_or_a_stated_retention(entity: str) -> None:
    fate = registry.coverage().get(entity)
    assert fate, f"{entity} ({ENTITY_TYPES[entity]}) has no erasure step and no retain(...) with a reason"


def test_declarations_name_real_entity_types() -> None:
    unknown = sorted(set(registry.coverage()) - set(ENTITY_TYPES))
    assert not unknown, f"erasure steps or retentions name unknown entity types: {unknown}"


def test_steps_run_in_a_stable_order() -> None:
    names = [step.name for step in registry.steps()]
    assert len(names) == len(set(names))
    orders = [(step.order, step.name) for step in registry.steps()]
    assert orders == sorted(orders)


def test_uploads_are_erased_after_every_step_that_removes_what_shows_them() -> None:
    """Products, the store profile (logo), blog posts (covers) and the blog profile (avatar) go
    first, so no page of a half-erased account points at a deleted image."""
    order = {step.name: step.order for step in registry.steps()}
    before = ("commerce.seller", "blog.posts", "blog.profile")
    assert order["commerce.uploads"] > max(order[name] for name in before)
    assert order["commerce.uploads"] < order["identity.account"]
