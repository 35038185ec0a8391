"""Supervision and open data: the policy lines of the supervision domain.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27
"""

from __future__ import annotations

from migrations.policy_lines import add_domain_lines, remove_domain_lines

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_domain_lines("supervision")


def downgrade() -> None:
    remove_domain_lines("supervision")
