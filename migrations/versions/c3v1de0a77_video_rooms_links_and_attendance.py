"""video rooms' provisioning, personal links and attendance

Revision ID: c3v1de0a77
Revises: 789eed2e30bc
Create Date: 2026-11-23 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3v1de0a77'
down_revision = '789eed2e30bc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('video_provisioning',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('room_external_id', sa.String(length=200), nullable=True),
    sa.Column('room_starts_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=600), nullable=False),
    sa.Column('claimed_by', sa.String(length=80), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_video_provisioning_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_video_provisioning'))
    )
    with op.batch_alter_table('video_provisioning', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_provisioning_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_provisioning_room_external_id'), ['room_external_id'], unique=False)

    op.create_table('video_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('room_external_id', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_video_links_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_video_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_links')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_video_links_meeting_id_user_id'))
    )
    with op.batch_alter_table('video_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_links_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_links_user_id'), ['user_id'], unique=False)

    op.create_table('video_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('first_entered_at', sa.DateTime(), nullable=True),
    sa.Column('provider_joined_at', sa.DateTime(), nullable=True),
    sa.Column('provider_left_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_video_attendance_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_video_attendance_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_video_attendance_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_video_attendance')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_video_attendance_meeting_id_user_id'))
    )
    with op.batch_alter_table('video_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_attendance_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_attendance_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('video_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_attendance_user_id'))
        batch_op.drop_index(batch_op.f('ix_video_attendance_meeting_id'))
    op.drop_table('video_attendance')

    with op.batch_alter_table('video_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_video_links_meeting_id'))
    op.drop_table('video_links')

    with op.batch_alter_table('video_provisioning', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_provisioning_room_external_id'))
        batch_op.drop_index(batch_op.f('ix_video_provisioning_next_attempt_at'))
    op.drop_table('video_provisioning')
