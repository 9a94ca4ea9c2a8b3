"""join card payments (s4stripe01) with the feed versions and erasure requests (u5merge01)

Revision ID: u6merge02
Revises: u5merge01, s4stripe01
Create Date: 2026-12-01 23:10:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'u6merge02'
down_revision = ('u5merge01', 's4stripe01')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
