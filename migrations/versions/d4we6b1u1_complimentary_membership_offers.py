"""complimentary membership offers

Revision ID: d4we6b1u1
Revises: 789eed2e30bc
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4we6b1u1'
down_revision = '789eed2e30bc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('membership_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('made_at', sa.DateTime(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=True),
    sa.Column('membership_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_membership_offers_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['membership_id'], ['memberships.id'], name=op.f('fk_membership_offers_membership_id_memberships'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_membership_offers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_offers')),
    sa.UniqueConstraint('user_id', name=op.f('uq_membership_offers_user_id'))
    )
    with op.batch_alter_table('membership_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_membership_offers_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('membership_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_membership_offers_application_id'))

    op.drop_table('membership_offers')
