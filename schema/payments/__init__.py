"""Payments (财务支付).

The root fields this domain adds to the schema (``schema.root`` merges every domain's).
Importing it registers its DataLoaders."""

from schema.payments import loaders  # noqa: F401  (registers this domain's DataLoaders)
from schema.payments.mutations import PaymentsMutation as Mutation
from schema.payments.queries import PaymentsQuery as Query

__all__ = ["Query", "Mutation"]
