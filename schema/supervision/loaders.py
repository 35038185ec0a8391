"""DataLoaders of the supervision domain."""

from __future__ import annotations

from models.supervision import OcdsRelease
from schema.core import loaders

# -- OCDS publication
loaders.by_id("ocds_release", OcdsRelease)
