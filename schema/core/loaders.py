"""DataLoaders, created per request. Each batch opens its own short-lived read session and
filters by the same row-level scope as lists, so nested fields never show more."""

from __future__ import annotations

from collections import defaultdict

from aiodataloader import DataLoader
from sqlalchemy import select

from models.accounts import Organisation, User, UserRole
from models.audit import AuditEvent
from models.accounts import ApiClient
from models.notifications import Notification, WebhookSubscription
from models.projects import (
    BudgetAllocation,
    Project,
    ProjectDocument,
    ProjectLineItem,
    ProjectReview,
    ProjectStatusChange,
)
from policies.scope import legacy as scope


class Loaders:
    def __init__(self, ctx):
        self._ctx = ctx
        self.organisation = DataLoader(self._organisations)
        self.user = DataLoader(self._users)
        self.api_client = DataLoader(self._api_clients)
        self.audit_event = DataLoader(self._audit_events)
        self.roles_of_user = DataLoader(self._roles_of_users)
        self.project = DataLoader(self._projects)
        self.notification = DataLoader(self._notifications)
        self.webhook_subscription = DataLoader(self._webhook_subscriptions)
        self.project_document = DataLoader(self._project_documents)
        self.project_review = DataLoader(self._project_reviews)
        self.budget_allocation = DataLoader(self._budget_allocations)
        self.line_items_of_project = DataLoader(self._line_items_of_projects)
        self.documents_of_project = DataLoader(self._documents_of_projects)
        self.status_history_of_project = DataLoader(self._status_history_of_projects)
        self.reviews_of_project = DataLoader(self._reviews_of_projects)

    async def _organisations(self, ids):
        return await self._by_id(Organisation, Organisation.id, scope.organisations, ids)

    async def _users(self, ids):
        return await self._by_id(User, User.id, scope.users, ids)

    async def _api_clients(self, ids):
        return await self._by_id(ApiClient, ApiClient.id, scope.api_clients, ids)

    async def _audit_events(self, ids):
        return await self._by_id(AuditEvent, AuditEvent.seq, scope.audit_events, ids)

    async def _notifications(self, ids):
        return await self._by_id(Notification, Notification.id, scope.notifications, ids)

    async def _webhook_subscriptions(self, ids):
        return await self._by_id(WebhookSubscription, WebhookSubscription.id, scope.webhook_subscriptions, ids)

    async def _projects(self, ids):
        return await self._by_id(Project, Project.id, scope.projects, ids)

    async def _project_documents(self, ids):
        return await self._by_id(ProjectDocument, ProjectDocument.id, scope.project_documents, ids)

    async def _project_reviews(self, ids):
        return await self._by_id(ProjectReview, ProjectReview.id, scope.project_reviews, ids)

    async def _budget_allocations(self, ids):
        return await self._by_id(BudgetAllocation, BudgetAllocation.id, scope.budget_allocations, ids)

    async def _line_items_of_projects(self, ids):
        return await self._children(ProjectLineItem, scope.project_line_items, ids, ProjectLineItem.position)

    async def _documents_of_projects(self, ids):
        return await self._children(ProjectDocument, scope.project_documents, ids, ProjectDocument.document_type, ProjectDocument.version)

    async def _status_history_of_projects(self, ids):
        return await self._children(ProjectStatusChange, scope.project_status_changes, ids, ProjectStatusChange.occurred_at, ProjectStatusChange.id)

    async def _reviews_of_projects(self, ids):
        return await self._children(ProjectReview, scope.project_reviews, ids, ProjectReview.round, ProjectReview.step)

    async def _children(self, model, scope_fn, project_ids, *order_by):
        """Rows of ``model`` per project id, in order, in one statement."""
        actor = await self._ctx.actor()
        grouped = defaultdict(list)
        if actor is not None:
            wanted = [int(i) for i in project_ids]
            async with self._ctx.db.read() as session:
                stmt = select(model).where(model.project_id.in_(wanted), scope_fn(actor)).order_by(*order_by)
                for row in (await session.execute(stmt)).scalars():
                    grouped[row.project_id].append(row)
        return [grouped[int(i)] for i in project_ids]

    async def _by_id(self, model, pk_column, scope_fn, ids):
        actor = await self._ctx.actor()
        if actor is None:
            return [None] * len(ids)
        wanted = [int(i) for i in ids]
        async with self._ctx.db.read() as session:
            rows = (await session.execute(select(model).where(pk_column.in_(wanted), scope_fn(actor)))).scalars().all()
        found = {getattr(r, pk_column.key): r for r in rows}
        return [found.get(i) for i in wanted]

    async def _roles_of_users(self, user_ids):
        async with self._ctx.db.read() as session:
            rows = (await session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(list(user_ids))))).all()
        roles = defaultdict(list)
        for user_id, role in rows:
            roles[user_id].append(role)
        return [sorted(roles[i]) for i in user_ids]
