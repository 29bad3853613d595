"""Keep personal data out of the logs.

A server error's traceback is what an administrator needs to fix it, but the exception's message
may quote the data that caused it: PostgreSQL's «Key (phone)=(0912…) already exists», a
ValidationError with a name. This filter keeps the traceback — file, line, code, exception type
— and drops every exception message, and the request line's query string.
"""

from __future__ import annotations

import logging
import traceback


def redacted_traceback(exc_info) -> str:
    """The traceback of `exc_info` with each exception's message replaced by its type."""
    value = exc_info[1]
    messages = {_only_line(e): type(e).__qualname__ for e in _exception_chain(value)}
    out = []
    for item in traceback.TracebackException.from_exception(value).format():
        name = messages.get(item.rstrip("\n"))
        out.append(f"{name}: [message withheld: may hold personal data]\n" if name else item)
    return "".join(out).rstrip("\n")


def _exception_chain(value: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    while value is not None and id(value) not in seen:
        seen.add(id(value))
        chain.append(value)
        value = value.__cause__ or value.__context__
    return chain


def _only_line(value: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(value), value)).rstrip("\n")


class WithholdPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info)
        request = getattr(record, "request", None)
        if request is not None and record.args and isinstance(record.args, tuple):
            # django.request logs "…: %s" % request.path: a path holds ids, never names; the
            # query string is not logged.
            record.args = tuple(
                request.path if arg == request.get_full_path() else arg for arg in record.args
            )
        return True
