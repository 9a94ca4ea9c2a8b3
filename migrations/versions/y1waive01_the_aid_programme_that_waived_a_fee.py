"""the aid programme that waived an application's fee, by the name it had when it awarded it

Revision ID: y1waive01
Revises: x1lang01
Create Date: 2026-12-06 11:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'y1waive01'
down_revision = 'x1lang01'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('applications', sa.Column('waived_by', sa.String(length=200), nullable=True))
    # Fees already waived by an award name its programme, as the invoices issued for them do.
    op.execute(
        "UPDATE applications SET waived_by = (SELECT aid_programmes.name FROM aid_applications"
        " JOIN aid_programmes ON aid_programmes.id = aid_applications.programme_id"
        " WHERE aid_applications.application_id = applications.id AND aid_applications.status = 'awarded')"
        " WHERE scholarship"
    )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('waived_by')
