"""join this round's branches: feed versions, erasure requests, card payments, issued invoices

Revision ID: u5merge01
Revises: t19feedver, t4privacy01, s4stripe01, h18inv01
Create Date: 2026-12-01 23:30:00.000000

"""

# revision identifiers, used by Alembic.
revision = 'u5merge01'
down_revision = ('t19feedver', 't4privacy01', 's4stripe01', 'h18inv01')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
