"""join the round's branches: the scale indexes, leaders' background, and the claims and mail merge

Revision ID: w17merge01
Revises: v19scale01, v4bground01, w16merge01
Create Date: 2026-12-06 04:37:34.044838

"""
# revision identifiers, used by Alembic.
revision = 'w17merge01'
down_revision = ('v19scale01', 'v4bground01', 'w16merge01')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
