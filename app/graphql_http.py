"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): which media type
an answer of /graphql is written in, and which status code it carries.

Two media types, chosen from the request's ``Accept`` header:

- ``application/graphql-response+json``: the status code tells what happened. An operation
  that ran answers 200, with field errors and partial (even null) data too; a request error
  (the document does not parse or validate, the variables cannot be coerced, the operation
  cannot be chosen) answers without ``data``, 400 (500 if the server failed); a request
  that is not a well-formed GraphQL-over-HTTP request its own 4xx.
- ``application/json``, for clients that predate it: every well-formed request answers 200
  with the body it always had; requests that are not well-formed answer 4xx.

Negotiation follows RFC 9110: the most specific media range that matches a type gives its
q-value, and the acceptable type with the highest q wins. On a tie a client that named
both types gets ``application/graphql-response+json``, one that named neither (``*/*``,
``application/*``) ``application/json``; no ``Accept`` header at all also means
``application/json``. An ``Accept`` that allows neither is answered 406.
"""

from __future__ import annotations

from collections.abc import Mapping

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
# Content-Type of each: UTF-8, said explicitly.
CONTENT_TYPES = {media: f"{media}; charset=utf-8" for media in (GRAPHQL_RESPONSE_JSON, JSON)}

_UTF8 = ("utf-8", "utf8")
# How specific a media range is, for each supported type it matches.
_EXACT, _SUBTYPES, _ANY = 2, 1, 0


def _media_range(item: str) -> tuple[str, float] | None:
    """``(media range, q)`` of one element of an Accept header, lower case; None if it is
    malformed or asks for a charset other than UTF-8 (no answer of ours would fit it)."""
    media, *parameters = item.split(";")
    media = media.strip().lower()
    kind, slash, subtype = media.partition("/")
    if not slash or not kind or not subtype:
        return None
    q = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        name, value = name.strip().lower(), value.strip().strip('"').lower()
        if name == "q":
            try:
                q = float(value)
            except ValueError:
                return None
            if not 0 <= q <= 1:
                return None
        elif name == "charset" and value not in _UTF8:
            return None
    return media, q


def negotiate_media_type(accept: str | None) -> str | None:
    """The media type to answer in, or None when ``accept`` allows neither of ours."""
    if accept is None or not accept.strip():
        return JSON
    # For each supported type: (specificity, q) of the most specific range matching it.
    matched: dict[str, tuple[int, float]] = {}
    for item in accept.split(","):
        parsed = _media_range(item)
        if parsed is None:
            continue
        media, q = parsed
        for supported in CONTENT_TYPES:
            if media == supported:
                specificity = _EXACT
            elif media == "application/*":
                specificity = _SUBTYPES
            elif media == "*/*":
                specificity = _ANY
            else:
                continue
            known = matched.get(supported)
            if known is None or specificity > known[0] or (specificity == known[0] and q > known[1]):
                matched[supported] = (specificity, q)

    def rank(supported: str) -> tuple[float, int, bool]:
        specificity, q = matched[supported]
        # A tie: the type the client named, the newer one if it named both, else the older.
        newer = supported == GRAPHQL_RESPONSE_JSON
        return q, specificity, newer if specificity == _EXACT else not newer

    acceptable = [supported for supported, (_, q) in matched.items() if q > 0]
    return max(acceptable, key=rank) if acceptable else None


def is_json_body(content_type: str | None) -> bool:
    """Whether a POST body of this Content-Type is JSON that the server reads: media type
    ``application/json``, in UTF-8 (said or assumed)."""
    media, *parameters = (content_type or "").split(";")
    if media.strip().lower() != JSON:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            return False
    return True


def is_request_error(response: Mapping[str, object]) -> bool:
    """Whether a GraphQL response reports a request error: nothing ran, so ``data`` is null
    and no error has a path (a field error always has one)."""
    errors = response.get("errors")
    return (
        response.get("data") is None
        and isinstance(errors, list)
        and bool(errors)
        and not any(isinstance(error, Mapping) and "path" in error for error in errors)
    )


def request_error_status(response: Mapping[str, object]) -> int:
    """The status of a request error under ``application/graphql-response+json``: 500 when
    the server failed (INTERNAL), else 400 (parse, validation, variables, operation)."""
    errors = response.get("errors")
    codes = {
        (error.get("extensions") or {}).get("code") for error in (errors if isinstance(errors, list) else []) if isinstance(error, Mapping)
    }
    return 500 if "INTERNAL" in codes else 400
