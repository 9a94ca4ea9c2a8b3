"""One email per real event: the rotation announced once, turns told (daily digest), leaders' mail preference,
notices kept for a digest

Revision ID: v16mail01
Revises: u5merge01
Create Date: 2026-12-06 03:38:02.748721

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'v16mail01'
down_revision = 'u5merge01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('line', sa.String(length=300), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('key', name=op.f('uq_notices_key'))
    )
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notices_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notices_user_id'), ['user_id'], unique=False)

    op.create_table('rotation_announcements',
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('announced_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_rotation_announcements_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('series_id', name=op.f('pk_rotation_announcements'))
    )
    op.create_table('rotation_turns_told',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('presenting', sa.JSON(), nullable=False),
    sa.Column('told_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_rotation_turns_told_series_id_series'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_turns_told_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_turns_told')),
    sa.UniqueConstraint('series_id', 'user_id', name=op.f('uq_rotation_turns_told_series_id_user_id'))
    )
    with op.batch_alter_table('rotation_turns_told', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_turns_told_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_turns_told_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader_mail', sa.String(length=8), server_default='each', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('leader_mail')

    with op.batch_alter_table('rotation_turns_told', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_turns_told_user_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_turns_told_series_id'))

    op.drop_table('rotation_turns_told')
    op.drop_table('rotation_announcements')
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notices_user_id'))
        batch_op.drop_index(batch_op.f('ix_notices_sent_at'))

    op.drop_table('notices')
