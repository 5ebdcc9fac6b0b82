"""Structured JSON logs that carry the correlation id of the request or event being handled."""

import logging
import sys
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("causation_id", default=None)


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self._service
        record.correlation_id = correlation_id.get()
        context = trace.get_current_span().get_span_context()
        record.trace_id = format(context.trace_id, "032x") if context.is_valid else None
        return True


class RepeatLimit(logging.Filter):
    """At most `burst` lines per cause per `interval` seconds; the rest are counted, not written.

    A cause is the logger, the level and the message before its arguments ("cannot connect to
    %s"), so a client reconnecting in a tight loop during an outage writes a few lines a minute,
    not hundreds of thousands. When a cause's interval is over, one line says how many were held back.
    """

    def __init__(
        self, burst: int = 5, interval: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._burst = burst
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._causes: dict[tuple[str, int, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        cause = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        with self._lock:
            started, written, held_back = self._causes.get(cause, (now, 0, 0))
            if now - started >= self._interval:
                if held_back:
                    record.suppressed = held_back
                started, written, held_back = now, 0, 0
            allowed = written < self._burst
            self._causes[cause] = (started, written + allowed, held_back + (not allowed))
            if len(self._causes) > 10_000:
                self._causes.clear()
        return allowed


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stdout, one per record, with service and correlation id; repeats held back."""
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(RepeatLimit())
    handler.addFilter(_CorrelationFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{service}{correlation_id}{trace_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
