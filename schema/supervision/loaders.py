"""DataLoaders of the supervision domain. Each part registers its loaders in a block of its own."""

from __future__ import annotations

# -- exports ----------------------------------------------------------------------------------
from models.supervision import ExportJob
from schema.core import loaders

loaders.by_id("export_job", ExportJob)
