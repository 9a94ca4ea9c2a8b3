"""indexes for pages at scale: people by name, a series' first meeting

Revision ID: v19scale01
Revises: u5merge01
Create Date: 2026-12-06 04:08:15.671613

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'v19scale01'
down_revision = 'u5merge01'
branch_labels = None
depends_on = None


def upgrade():
    # Plain index creation: no table is rebuilt (see 3dfd4a5 on batch mode and foreign keys).
    op.create_index('ix_meetings_series_id_starts_at', 'meetings', ['series_id', 'starts_at'])
    op.create_index('ix_users_name_id', 'users', ['name', 'id'])


def downgrade():
    op.drop_index('ix_users_name_id', table_name='users')
    op.drop_index('ix_meetings_series_id_starts_at', table_name='meetings')
