"""Logs: one line per record, JSON in production and text otherwise
(``SMALLWORKS_LOG_FORMAT``), each with the id of the request it was written in.

The request id is the client's ``X-Request-Id`` when it is well formed (1-64 letters,
digits and ``. _ : -``), else a new one; ``app.observe`` sets it for the request's task,
answers it in the ``X-Request-Id`` response header, and it is the ``requestId`` of an
INTERNAL error and of the request's audit events. Whatever is logged while the request
runs carries it: the request's own line, and an exception logged anywhere beneath it
(``log.exception``), its traceback inside the one JSON line.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from app.settings import Settings

# The id of the request the running task serves (None outside requests).
REQUEST_ID: ContextVar[str | None] = ContextVar("smallworks_request_id", default=None)

_WELL_FORMED = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def well_formed_request_id(value: str | None) -> str | None:
    """``value`` if it may serve as a request id (it goes into logs, headers and the audit
    trail), else None."""
    return value if value and _WELL_FORMED.fullmatch(value) else None


def new_request_id() -> str:
    return uuid.uuid4().hex


# Attributes every LogRecord has; anything else on a record came in ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName", "color_message"}


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
    if "request_id" not in extras:
        request_id = REQUEST_ID.get()
        if request_id is not None:
            extras["request_id"] = request_id
    return extras


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, request_id, the
    record's extra fields, and the formatted exception if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_extras(record))
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc_info"] = record.exc_text
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """``time level logger message key=value …`` (the extra fields and request_id)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        extras = _extras(record)
        if not extras:
            return line
        return line + " " + " ".join(f"{key}={_plain(value)}" for key, value in extras.items() if value is not None)


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> logging.Handler:
    """Send every logger's records through one handler on the root logger, in the format
    the settings ask for; uvicorn's loggers included (its access log is replaced by the
    request lines of ``app.observe``). Calling it again replaces the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.json_logs else TextFormatter())
    handler._smallworks = True  # type: ignore[attr-defined]
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_smallworks", False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # Casbin logs its whole model at INFO each time the policy is reloaded.
    logging.getLogger("casbin").setLevel(logging.WARNING)
    return handler
