"""join the feed versions (t19feedver) and erasure requests (t4privacy01)

Revision ID: u5merge01
Revises: t19feedver, t4privacy01
Create Date: 2026-12-01 22:50:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'u5merge01'
down_revision = ('t19feedver', 't4privacy01')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
