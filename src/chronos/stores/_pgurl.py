"""Talking to PostgreSQL: the log's URL (its ``schema`` parameter, no password in messages), psycopg."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from chronos.errors import StoreError


def redact_url(url: str) -> str:
    """The URL without its password (for messages and ``repr``)."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        # Too malformed to find a password in: show only what comes after any "@".
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}" if "@" in rest else url
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = urlencode(
        [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="/:*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def split_url(url: str) -> tuple[str, str | None]:
    """The URL for libpq (without chronos's ``schema`` parameter) and that parameter."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- a bad port raises here, not later inside libpq
    except ValueError as exc:
        raise StoreError(f"{redact_url(url)}: not a PostgreSQL URL: {exc}") from None
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in pairs if k == "schema"]
    rest = urlencode([(k, v) for k, v in pairs if k != "schema"], safe="/:")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, rest, parts.fragment)), (
        schemas[-1] if schemas else None
    )


def with_schema(url: str, schema: str) -> str:
    """The URL with its ``schema`` parameter set to ``schema`` (any earlier one replaced)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "schema"]
    query = urlencode([*pairs, ("schema", schema)], safe="/:")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def load_psycopg(where: str) -> Any:
    """The psycopg module, or a `StoreError` saying how to install it."""
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            f"{where}: PostgreSQL logs need psycopg: pip install 'chronos-history[postgres]'"
        ) from None
    return psycopg


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (a server's detail lines left out)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
