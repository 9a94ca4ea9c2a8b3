"""video circuit breakers: one row per provider, shared by every process

Revision ID: b8c1rcu1t0
Revises: a7d1t0ne01
Create Date: 2026-12-01 20:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b8c1rcu1t0'
down_revision = 'a7d1t0ne01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('video_circuits',
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('open_until', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=600), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('provider', name=op.f('pk_video_circuits'))
    )


def downgrade():
    op.drop_table('video_circuits')
