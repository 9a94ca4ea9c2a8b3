"""join the round's branches: applicants' claims (price categories) and one email per real event

Revision ID: w16merge01
Revises: v15claims01, v16mail01
Create Date: 2026-12-06 04:31:33.060949

"""
# revision identifiers, used by Alembic.
revision = 'w16merge01'
down_revision = ('v15claims01', 'v16mail01')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
