"""card payments through Stripe Checkout, and refunds paid back onto the card with retries

Revision ID: s4stripe01
Revises: s3money01
Create Date: 2026-12-01 22:28:01.575735

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 's4stripe01'
down_revision = 's3money01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stripe_events',
    sa.Column('id', sa.String(length=255), nullable=False),
    sa.Column('type', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events'))
    )
    op.create_table('checkout_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('stripe_id', sa.String(length=255), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('payment_status', sa.String(length=20), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_checkout_sessions_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_checkout_sessions_payment_id_payments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkout_sessions')),
    sa.UniqueConstraint('stripe_id', name=op.f('uq_checkout_sessions_stripe_id'))
    )
    with op.batch_alter_table('checkout_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkout_sessions_application_id'), ['application_id'], unique=False)

    op.create_table('refund_payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refund_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('stripe_refund_id', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('failure_reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_refund_payouts_amount_positive')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_refund_payouts_payment_id_payments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['refund_id'], ['refunds.id'], name=op.f('fk_refund_payouts_refund_id_refunds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_payouts')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_refund_payouts_idempotency_key')),
    sa.UniqueConstraint('stripe_refund_id', name=op.f('uq_refund_payouts_stripe_refund_id'))
    )
    with op.batch_alter_table('refund_payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refund_payouts_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_refund_payouts_refund_id'), ['refund_id'], unique=False)

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        # Refunds owed so far were all paid by hand, or are to be: "" lets the card-refund job look at them.
        batch_op.add_column(sa.Column('payout', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('last_error', sa.String(length=300), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_refunds_next_attempt_at'), ['next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refunds_next_attempt_at'))
        batch_op.drop_column('last_error')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('payout')

    with op.batch_alter_table('refund_payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_refund_payouts_refund_id'))
        batch_op.drop_index(batch_op.f('ix_refund_payouts_payment_id'))

    op.drop_table('refund_payouts')
    with op.batch_alter_table('checkout_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkout_sessions_application_id'))

    op.drop_table('checkout_sessions')
    op.drop_table('stripe_events')
