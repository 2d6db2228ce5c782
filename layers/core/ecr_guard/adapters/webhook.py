"""Posting JSON to chat incoming webhooks (Slack), with bounded retries.

urllib3 (which botocore already brings) does the retrying: 429 and 5xx answers are retried,
honouring Retry-After up to a cap, and connection failures too, at most `RETRIES` times; the
worst case stays within the notifier's timeout (`WORST_CASE_SECONDS`). What still fails raises
DeliveryError, so Lambda retries the invocation and then sends the event to the dead-letter
queue.

A webhook URL is a secret: it is never logged and never part of an error. urllib3 logs the
request path (the secret part of the URL) when it retries, and botocore logs response bodies
(the secret's value) at DEBUG, so in the notifier both are kept above those levels.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError, MaxRetryError
from urllib3.util.retry import Retry

from ecr_guard.errors import ConfigError, DeliveryError

RETRIES = 3
RETRY_AFTER_CAP = 5.0
"""Seconds at most waited on a Retry-After; Lambda's own retry comes a minute later anyway."""
BACKOFF_FACTOR = 0.5
BACKOFF_CAP = 4.0
CONNECT_TIMEOUT = 3.0
READ_TIMEOUT = 5.0
WORST_CASE_SECONDS = (RETRIES + 1) * (CONNECT_TIMEOUT + READ_TIMEOUT) + RETRIES * max(
    RETRY_AFTER_CAP, BACKOFF_CAP
)
"""Every attempt timing out and every wait at its cap: what the function timeout must exceed."""
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_ERROR_TEXT_LIMIT = 200
# logger → the lowest level it may emit in the notifier.
_TRANSPORT_LOGGERS = {"urllib3": logging.ERROR, "botocore": logging.INFO}


class CappedRetry(Retry):
    """urllib3's Retry, waiting at most RETRY_AFTER_CAP on Retry-After and BACKOFF_CAP between
    attempts (the cap keywords of newer urllib3 releases are not in every Lambda runtime)."""

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(float(seconds), RETRY_AFTER_CAP)

    def get_backoff_time(self) -> float:
        return min(float(super().get_backoff_time()), BACKOFF_CAP)


def webhook_retry() -> Retry:
    return CappedRetry(
        total=RETRIES,
        connect=RETRIES,
        read=1,
        status=RETRIES,
        redirect=0,
        status_forcelist=RETRIED_STATUSES,
        allowed_methods=frozenset({"POST"}),
        backoff_factor=BACKOFF_FACTOR,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def check_webhook_url(url: str, *, name: str) -> str:
    """`url` if it is an https URL (or http on the loopback interface, for local testing);
    ConfigError naming the entry `name`, never the URL, otherwise."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise ConfigError(f"webhook {name!r}: not a URL") from None
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK_HOSTS)
    if not secure or not host or any(char.isspace() for char in url.strip()):
        raise ConfigError(
            f"webhook {name!r}: must be an https URL (http only on the loopback interface)"
        )
    return url.strip()


def quiet_transport_logs() -> None:
    """Keep urllib3's retry lines (which name the URL's path) and botocore's DEBUG dumps of
    response bodies (the webhook secret's value) out of the function's logs, whatever level
    the function or its runtime logs at."""
    for name, level in _TRANSPORT_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


class WebhookClient:
    """POSTs JSON documents to webhook URLs over one connection pool."""

    def __init__(self, pool: urllib3.PoolManager | None = None):
        self._pool = pool or urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT),
            retries=webhook_retry(),
        )

    def post(self, url: str, payload: Mapping[str, Any], *, name: str) -> None:
        """Deliver `payload`; DeliveryError naming `name` (not the URL) when it cannot be."""
        host = urlsplit(url).hostname or "the webhook host"
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            response = self._pool.request(
                "POST",
                url,
                body=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
                retries=webhook_retry(),
            )
        except HTTPError as error:
            # The exception's text holds the URL: only its kind is kept, and the chain is cut.
            cause = error.reason if isinstance(error, MaxRetryError) else error
            raise DeliveryError(
                f"webhook {name!r}: {type(cause).__name__} talking to {host}, "
                f"{RETRIES + 1} attempts at most"
            ) from None
        if 200 <= response.status < 300:
            return
        answer = response.data.decode("utf-8", errors="replace")[:_ERROR_TEXT_LIMIT]
        raise DeliveryError(
            f"webhook {name!r}: {host} answered {response.status} {answer.strip()!r}"
        )
