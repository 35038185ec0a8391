"""DataLoaders of the projects domain."""

from __future__ import annotations

from models.projects import (
    BudgetAllocation,
    Project,
    ProjectDocument,
    ProjectLineItem,
    ProjectReview,
    ProjectStatusChange,
)
from schema.core import loaders

loaders.by_id("project", Project)
loaders.by_id("project_document", ProjectDocument)
loaders.by_id("project_review", ProjectReview)
loaders.by_id("budget_allocation", BudgetAllocation)
loaders.children("line_items_of_project", ProjectLineItem, ProjectLineItem.project_id, ProjectLineItem.position)
loaders.children(
    "documents_of_project", ProjectDocument, ProjectDocument.project_id, ProjectDocument.document_type, ProjectDocument.version
)
loaders.children(
    "status_history_of_project",
    ProjectStatusChange,
    ProjectStatusChange.project_id,
    ProjectStatusChange.occurred_at,
    ProjectStatusChange.id,
)
loaders.children("reviews_of_project", ProjectReview, ProjectReview.project_id, ProjectReview.round, ProjectReview.step)
