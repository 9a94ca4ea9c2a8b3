"""join this round's feature branches of the schema

Revision ID: r2merge01
Revises: 19s1eaders, a12ma1lfa11, c940bcbbe1eb, h14cal01, h17c0place, b8c1rcu1t0
Create Date: 2026-12-01 20:50:42.819945

"""

# revision identifiers, used by Alembic.
revision = 'r2merge01'
down_revision = ('19s1eaders', 'a12ma1lfa11', 'c940bcbbe1eb', 'h14cal01', 'h17c0place', 'b8c1rcu1t0')
branch_labels = None
depends_on = None


def upgrade():
    pass  # the branches touch separate tables; joining them is all there is to do


def downgrade():
    pass
