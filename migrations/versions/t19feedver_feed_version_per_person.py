"""feed version per person: a calendar poll reads one row

Revision ID: t19feedver
Revises: s3money01
Create Date: 2026-12-01 22:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 't19feedver'
down_revision = 's3money01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feed_version", sa.BigInteger(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("feed_changed_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("feed_changed_at")
        batch_op.drop_column("feed_version")
