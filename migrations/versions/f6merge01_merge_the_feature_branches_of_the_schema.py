"""merge the feature branches of the schema

Revision ID: f6merge01
Revises: a1f0r0tat10n, c3v1de0a77, d4we6b1u1, e5cert1f1c
Create Date: 2026-11-23 12:30:54.044253

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f6merge01'
down_revision = ('a1f0r0tat10n', 'c3v1de0a77', 'd4we6b1u1', 'e5cert1f1c')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
