"""money in 64-bit cents: a 32-bit column overflows above 21,474,836.47

Revision ID: g7money64
Revises: f6merge01
Create Date: 2026-12-01 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'g7money64'
down_revision = 'f6merge01'
branch_labels = None
depends_on = None

COLUMNS = (("series", "cancellation_fee"), ("applications", "price"), ("payments", "amount"), ("refunds", "amount"))


def upgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade():
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
