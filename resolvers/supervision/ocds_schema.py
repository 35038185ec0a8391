"""The OCDS 1.1.5 schemas, codelists and the bids extension this publication follows, read from
the copies in ``ocds-1.1.5/`` (see its SOURCE.md), never from the network: compiled records
are merged with the release schema's own merge rules, and the tests validate against the
same files.
"""

from __future__ import annotations

import copy
import csv
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ocdsmerge import Merger

FOLDER = Path(__file__).resolve().parent / "ocds-1.1.5"

# The OCDS version packages declare ("major.minor").
VERSION = "1.1"
SCHEMA_BASE = "https://standard.open-contracting.org/schema/1__1__5/"
BIDS_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
# Each extension a package may use: its official URL and its folder here.
EXTENSIONS = {BIDS_EXTENSION: "bids"}


@lru_cache
def schema(name: str) -> dict[str, Any]:
    """``release-schema.json``, ``release-package-schema.json`` or ``record-package-schema.json``
    as the standard publishes them (callers must not change the dict)."""
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, as OCDS applies an extension's schema to the release schema:
    objects merge key by key, ``null`` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@lru_cache
def _patched() -> str:
    patched: Any = schema("release-schema.json")
    for folder in EXTENSIONS.values():
        patched = merge_patch(patched, json.loads((FOLDER / folder / "release-schema.json").read_text(encoding="utf-8")))
    return json.dumps(patched, ensure_ascii=False)


def patched_release_schema() -> dict[str, Any]:
    """The release schema with every extension the publication uses applied (a fresh copy)."""
    return json.loads(_patched())


@lru_cache
def codelist(name: str) -> frozenset[str]:
    """The codes of a codelist of the standard (``tenderStatus``) or of an extension
    (``bids/bidStatus``)."""
    folder, _, file = name.rpartition("/")
    path = FOLDER / folder / "codelists" / f"{file}.csv" if folder else FOLDER / "codelists" / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


@lru_cache
def merger() -> Merger:
    """An OCDS merger with the patched release schema's merge rules (identifier merge for
    arrays of objects with ``id``, whole-list merge where the schema says so). Imported when
    first needed: it brings ``requests`` along, which no other path of the service uses."""
    from ocdsmerge import Merger

    return Merger(patched_release_schema())
