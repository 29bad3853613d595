"""One decorator for every write service: atomic by construction.

A public function of a `services` module writes, so it runs in one transaction whether or not
its caller opened one: a failure leaves nothing half-written, and `select_for_update()` inside
it is legal on PostgreSQL outside any test transaction. `tests/test_services_atomic.py` fails
when a public function of any `services` module is not wrapped by `service`; helpers that only
read or check belong in another module (or start with an underscore).

Do not put another decorator between `@service` and the function it wraps, and do not wrap a
helper with it instead of the service (the bug of `_refuse_anonymised`, issue 19): the guard
checks the public name the callers use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction

F = TypeVar("F", bound=Callable)

MARK = "is_atomic_service"


def service(func: F) -> F:
    """Run `func` in `transaction.atomic()` and mark it as a write service."""
    wrapped = transaction.atomic(func)
    setattr(wrapped, MARK, True)
    return wrapped


def is_service(func: Callable) -> bool:
    return bool(getattr(func, MARK, False))
