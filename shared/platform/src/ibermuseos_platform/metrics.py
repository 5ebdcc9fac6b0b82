"""Prometheus metrics of the platform's mechanisms; HTTP metrics are added by the web app."""

from prometheus_client import Counter, Gauge, Histogram

OUTBOX_PUBLISHED = Counter("outbox_published_events_total", "Events the relay published", ["service"])
OUTBOX_BACKLOG = Gauge("outbox_backlog_events", "Events recorded but not yet published", ["service"])
OUTBOX_DELAY = Histogram(
    "outbox_publish_delay_seconds",
    "Time from recording an event to its publication",
    ["service"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
EVENTS_CONSUMED = Counter("events_consumed_total", "Events consumed, by outcome", ["consumer", "outcome"])
DEAD_LETTERS = Counter("dead_letters_total", "Events sent to a dead-letter topic", ["consumer", "topic"])
CONSUMER_LAG = Gauge(
    "consumer_lag_events", "Events on the partition not yet consumed", ["consumer", "topic", "partition"]
)
LAST_EVENT_TIME = Gauge("consumer_last_event_time_seconds", "ce_time of the last event applied", ["consumer"])
HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("http_request_duration_seconds", "HTTP request duration", ["method", "route"])
