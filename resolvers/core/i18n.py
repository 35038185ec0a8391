"""Messages in zh-CN (the default) and en, looked up by stable code, and the labels of
coded values (statuses, roles, document types …) in both languages.

The catalogue is a registry: the kernel registers its own codes (``resolvers.core.messages``)
and each domain registers its codes from ``resolvers/<domain>/messages.py``. Codes that a
mutation can return as a ``UserError`` become the values of the GraphQL ``UserErrorCode``
enum, so generated clients can switch on them.

Human text never shows a stored code: a message that names a status, a role or a document
type takes it as ``Label(set, value)``, which ``translate`` writes as the value's label in
the message's language. Label sets are registered next to the messages
(``register_labels``); a set named like a GraphQL enum labels that enum's values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


def translate(code: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The message of ``code`` in ``locale``, its ``{name}`` placeholders filled from
    ``params``; a ``Label``, ``Text`` or ``Either`` parameter is written in that language."""
    zh, en = CATALOGUE.get(code, (code, code))
    template = en if locale == "en" else zh
    try:
        return template.format(**{name: localised(value, locale) for name, value in params.items()})
    except (KeyError, IndexError):
        return template


# -- labels of coded values ------------------------------------------------------------

# Label set (e.g. "ProjectStatus") -> stored value -> (zh-CN, en), in declaration order.
LABELS: dict[str, dict[str, Message]] = {}


def register_labels(name: str, labels: dict[str, Message]) -> None:
    """Add the labels of a set of coded values (a GraphQL enum's name for that enum's
    values). A set may be registered in parts; a value is labelled once."""
    existing = LABELS.setdefault(name, {})
    for value, label in labels.items():
        if len(label) != 2 or not all(label):
            raise ValueError(f"label {name}.{value} needs zh-CN and en text")
        if existing.get(value, label) != label:
            raise ValueError(f"label {name}.{value} is declared twice with different text")
        existing[value] = label


def label(name: str, value: str, locale: str = DEFAULT_LOCALE) -> str:
    """The label of ``value`` in set ``name`` in ``locale``; the value itself when it has
    none (a value the code does not know, such as one a client sent)."""
    labels = LABELS.get(name, {}).get(value)
    if labels is None:
        return value
    return labels[1] if locale == "en" else labels[0]


def labels_in(name: str, locale: str) -> dict[str, str]:
    """Every label of set ``name`` in ``locale``, by value."""
    index = 1 if locale == "en" else 0
    return {value: labels[index] for value, labels in LABELS.get(name, {}).items()}


@dataclass(frozen=True)
class Label:
    """A message parameter that is a coded value: written as its label."""

    name: str
    value: str

    def text(self, locale: str) -> str:
        return label(self.name, self.value, locale)


@dataclass(frozen=True)
class Text:
    """A message parameter that is itself a message (a clause chosen by the caller)."""

    code: str
    params: dict[str, Any]

    def __init__(self, code: str, **params: Any):
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", params)

    def text(self, locale: str) -> str:
        return translate(self.code, locale, **self.params)


@dataclass(frozen=True)
class Either:
    """A message parameter that lists alternatives: ``a, b or c`` / ``a、b 或 c``."""

    items: tuple[Any, ...]

    def __init__(self, items: Iterable[Any]):
        object.__setattr__(self, "items", tuple(items))

    def text(self, locale: str) -> str:
        words = [localised(item, locale) for item in self.items]
        if len(words) < 2:
            return "".join(words)
        if locale == "en":
            return f"{', '.join(words[:-1])} or {words[-1]}"
        return f"{'、'.join(words[:-1])} 或 {words[-1]}"


def localised(value: Any, locale: str) -> Any:
    """A message parameter as written in ``locale``."""
    return value.text(locale) if isinstance(value, Label | Text | Either) else value


from resolvers.core import messages as _kernel_messages  # noqa: E402,F401  (registers the kernel's codes)
