"""one audit log for every object: object type and id, the person concerned, before and after

Revision ID: a7d1t0ne01
Revises: f6merge01
Create Date: 2026-12-01 20:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a7d1t0ne01'
down_revision = 'f6merge01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object_type', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('object_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changes', sa.JSON(), nullable=True))
    # Every entry so far was about an application (or, without one, its series).
    op.execute("UPDATE audit_entries SET object_type = CASE WHEN application_id IS NULL THEN 'series' "
               "ELSE 'application' END, object_id = COALESCE(application_id, series_id), changes = '{}'")
    op.execute("UPDATE audit_entries SET user_id = (SELECT applications.user_id FROM applications "
               "WHERE applications.id = audit_entries.application_id)")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('object_type', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('object_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('changes', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('series_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_audit_entries_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_audit_entries_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_audit_entries_object', ['object_type', 'object_id'], unique=False)


def downgrade():
    op.execute("DELETE FROM audit_entries WHERE series_id IS NULL")
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_object')
        batch_op.drop_index(batch_op.f('ix_audit_entries_user_id'))
        batch_op.drop_constraint(batch_op.f('fk_audit_entries_user_id_users'), type_='foreignkey')
        batch_op.alter_column('series_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('changes')
        batch_op.drop_column('user_id')
        batch_op.drop_column('object_id')
        batch_op.drop_column('object_type')
