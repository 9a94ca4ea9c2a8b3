"""applications keep the claims their price depends on (keys of pricing.categories.CLAIMS), not a trainee flag

A new price category whose rule needs a new claim ("I am retired") then needs no new column.

Revision ID: v15claims01
Revises: u5merge01
Create Date: 2026-12-06 03:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'v15claims01'
down_revision = 'u5merge01'
branch_labels = None
depends_on = None

applications = sa.table('applications', sa.column('trainee', sa.Boolean), sa.column('claims', sa.JSON))


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claims', sa.JSON(), nullable=True))
    op.execute(applications.update().where(applications.c.trainee.is_(True)).values(claims=['trainee']))
    op.execute(applications.update().where(applications.c.trainee.isnot(True)).values(claims=[]))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.alter_column('claims', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('trainee')


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trainee', sa.Boolean(), nullable=True))
    # Any other claim has no column to go back to; it is lost with the downgrade.
    op.execute(applications.update().values(trainee=False))
    op.execute(applications.update().where(sa.cast(applications.c.claims, sa.Text).like('%"trainee"%'))
               .values(trainee=True))
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.alter_column('trainee', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('claims')
