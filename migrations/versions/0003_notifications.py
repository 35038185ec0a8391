"""Background work: the transactional outbox, notifications, preferences, e-mail and
webhook deliveries, reminders.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models.base
from migrations.policy_lines import add_default_lines

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

OPERATIONS = {
    "Query.notifications", "Query.notificationPreferences", "Query.webhookSubscriptions", "Query.webhookDeliveries",
    "Mutation.markNotificationsRead", "Mutation.setNotificationPreference",
    "Mutation.createWebhookSubscription", "Mutation.deleteWebhookSubscription",
    "Subscription.notificationReceived",
}

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(50), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("organisation_ids", sa.Text(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dispatch_count", sa.Integer(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("dispatched_at", Time, nullable=True),
        sa.Column("completed_at", Time, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'dispatched', 'done', 'failed')", name=op.f("ck_outbox_events_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_index(op.f("ix_outbox_events_event_type"), "outbox_events", ["event_type"])
    op.create_index(op.f("ix_outbox_events_status"), "outbox_events", ["status"])
    op.create_index(op.f("ix_outbox_events_created_at"), "outbox_events", ["created_at"])

    op.create_table(
        "notifications",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("subject_type", sa.String(50), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("read_at", Time, nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["outbox_events.id"], name=op.f("fk_notifications_event_id_outbox_events"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_notifications_event_user"),
    )
    op.create_index(op.f("ix_notifications_event_id"), "notifications", ["event_id"])
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"])
    op.create_index(op.f("ix_notifications_created_at"), "notifications", ["created_at"])

    op.create_table(
        "notification_preferences",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("channels", sa.String(100), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "event_type", name="uq_notification_preferences_type"),
    )
    op.create_index(op.f("ix_notification_preferences_user_id"), "notification_preferences", ["user_id"])

    op.create_table(
        "email_deliveries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.Column("sent_at", Time, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["outbox_events.id"], name=op.f("fk_email_deliveries_event_id_outbox_events"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_email_deliveries_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_deliveries")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_email_deliveries_event_user"),
    )
    op.create_index(op.f("ix_email_deliveries_event_id"), "email_deliveries", ["event_id"])

    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("organisation_id", BigId, nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("event_types", sa.String(500), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Time, nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], name=op.f("fk_webhook_subscriptions_organisation_id_organisations"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(op.f("ix_webhook_subscriptions_organisation_id"), "webhook_subscriptions", ["organisation_id"])

    op.create_table(
        "webhook_deliveries",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("subscription_id", BigId, nullable=False),
        sa.Column("event_id", BigId, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("attempted_at", Time, nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["webhook_subscriptions.id"], name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["outbox_events.id"], name=op.f("fk_webhook_deliveries_event_id_outbox_events"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "event_id", "attempt", name="uq_webhook_deliveries_attempt"),
    )
    op.create_index(op.f("ix_webhook_deliveries_subscription_id"), "webhook_deliveries", ["subscription_id"])
    op.create_index(op.f("ix_webhook_deliveries_event_id"), "webhook_deliveries", ["event_id"])

    op.create_table(
        "reminders_sent",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(50), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("event_id", BigId, nullable=True),
        sa.Column("sent_at", Time, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_reminders_sent_user_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["outbox_events.id"], name=op.f("fk_reminders_sent_event_id_outbox_events"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("rule", "subject_id", "due_date", "user_id", name="uq_reminders_sent_once"),
    )
    add_default_lines(OPERATIONS)


def downgrade() -> None:
    for table in ("reminders_sent", "webhook_deliveries", "webhook_subscriptions", "email_deliveries",
                  "notification_preferences", "notifications", "outbox_events"):
        op.drop_table(table)
