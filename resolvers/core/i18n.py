"""Messages in zh-CN (the default) and en, looked up by stable code.

The catalogue is a registry: the kernel registers its own codes (``resolvers.core.messages``)
and each domain registers its codes from ``resolvers/<domain>/messages.py``. Codes that a
mutation can return as a ``UserError`` become the values of the GraphQL ``UserErrorCode``
enum, so generated clients can switch on them.
"""

from __future__ import annotations

from typing import Any

DEFAULT_LOCALE = "zh-CN"

Message = tuple[str, str]  # (zh-CN, en)

CATALOGUE: dict[str, Message] = {}
# Code -> the domain that declared it, for every code a payload may carry as a UserError.
USER_ERROR_CODES: dict[str, str] = {}


def register(domain: str, messages: dict[str, Message], *, user_errors: bool = True) -> None:
    """Add a domain's messages. ``user_errors``: the codes may come back in a mutation
    payload's ``errors`` (GraphQL-error-only codes such as FORBIDDEN pass False). A code
    is declared once; declaring it again with other text is a programming error."""
    for code, message in messages.items():
        existing = CATALOGUE.get(code)
        if existing is not None and existing != message:
            raise ValueError(f"message code {code} is declared twice with different text")
        if len(message) != 2 or not all(message):
            raise ValueError(f"message code {code} needs zh-CN and en text")
        CATALOGUE[code] = message
        if user_errors:
            USER_ERROR_CODES.setdefault(code, domain)


def negotiate(accept_language: str | None) -> str:
    """Pick zh-CN or en from an Accept-Language header (q-values honoured)."""
    if not accept_language:
        return DEFAULT_LOCALE
    choices = []
    for index, part in enumerate(accept_language.split(",")):
        lang, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        choices.append((-weight, index, lang.strip().lower()))
    for _, _, lang in sorted(choices):
        if lang.startswith("zh"):
            return "zh-CN"
        if lang.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def translate(code: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    zh, en = CATALOGUE.get(code, (code, code))
    template = en if locale == "en" else zh
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


from resolvers.core import messages as _kernel_messages  # noqa: E402,F401  (registers the kernel's codes)
