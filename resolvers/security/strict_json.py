"""Reading JSON that a signature or a hash chain vouches for, so that no two readers can see
it differently: an object with a key twice, NaN or Infinity, or nesting deep enough to break
the parser is refused rather than read one way here and another way elsewhere. Standard
library only, so an offline verifier can use it without the service."""

from __future__ import annotations

import json
from typing import Any


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice in one object, which other readers may take differently")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_strict_json(text: str) -> Any:
    """The JSON value of ``text``; ``ValueError`` for what is not JSON, or JSON another
    reader could see differently (a key twice in one object, NaN or Infinity)."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None
