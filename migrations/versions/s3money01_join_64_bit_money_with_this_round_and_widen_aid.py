"""join 64-bit money (g7money64) with this round's branches; aid awards are money too, so 64-bit

Revision ID: s3money01
Revises: g7money64, r2merge01
Create Date: 2026-12-01 21:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's3money01'
down_revision = ('g7money64', 'r2merge01')
branch_labels = None
depends_on = None


def upgrade():
    # g7money64 widened the money columns it knew of; the aid branch added this one beside it.
    with op.batch_alter_table("aid_applications", schema=None) as batch_op:
        batch_op.alter_column("amount", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=True)


def downgrade():
    with op.batch_alter_table("aid_applications", schema=None) as batch_op:
        batch_op.alter_column("amount", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=True)
