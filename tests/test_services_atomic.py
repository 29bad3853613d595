"""Every public function of every `services` module is an atomic write service (issue 19).

`person_update` once ran outside any transaction because a helper, not the service, carried
`@transaction.atomic`; its `select_for_update()` then failed on PostgreSQL, where SQLite and the
tests' own transaction hid it. Services are wrapped by `wards.atomic.service`, and this test
finds every module named `services` (or inside a `services` package) of the project's apps.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django.apps import apps
from django.db import connection, transaction

from wards.atomic import is_service, service

APPS = ("wards", "cases", "outreach", "reports", "imports")


def services_modules() -> list:
    found = []
    for label in APPS:
        package = importlib.import_module(apps.get_app_config(label).name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            parts = info.name.split(".")
            if "services" in parts and not parts[-1].startswith("_"):
                found.append(importlib.import_module(info.name))
    return found


def public_functions(module) -> list[tuple[str, object]]:
    return [
        (name, func)
        for name, func in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and func.__module__ == module.__name__
    ]


def test_the_services_modules_are_found():
    names = {module.__name__ for module in services_modules()}
    assert {"wards.services", "outreach.services", "reports.services"} <= names
    assert any(name.startswith("cases.services") for name in names)


@pytest.mark.parametrize("module", services_modules(), ids=lambda m: m.__name__)
def test_every_public_function_of_a_services_module_is_atomic(module):
    functions = public_functions(module)
    not_atomic = [name for name, func in functions if not is_service(func)]
    assert not_atomic == [], (
        f"{module.__name__}: decorate with wards.atomic.service, or move the helper out of "
        "the services module (or make it private)"
    )


def test_the_guard_sees_a_helper_wrapped_instead_of_the_service():
    """The shape of the original bug: the decorator on a helper leaves the service bare."""

    @service
    def _helper():
        return None

    def service_without_decorator():
        _helper()

    assert is_service(_helper)
    assert not is_service(service_without_decorator)


@pytest.mark.django_db(transaction=True)
def test_a_service_opens_its_transaction_when_the_caller_has_none():
    seen = []

    @service
    def write():
        seen.append(connection.in_atomic_block)

    assert not connection.in_atomic_block
    write()
    assert seen == [True]
    with transaction.atomic():
        write()  # nested: a savepoint inside the caller's transaction
    assert seen == [True, True]
