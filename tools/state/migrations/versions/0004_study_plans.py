"""study plans: a learner's plan and its opt-in daily reminder, readable by the scheduler

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_plans",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("exam", sa.Date(), nullable=False),
        sa.Column("reminder", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False, server_default="9"),
        sa.Column("last_reminded", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id"),
    )
    with op.batch_alter_table("study_plans", schema=None) as batch_op:
        batch_op.create_index("ix_study_plans_reminder", ["reminder", "last_reminded"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("study_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_study_plans_reminder")
    op.drop_table("study_plans")
