"""calendar objects: per-person SEQUENCE, delivery choice, meetings' local times and slots, rules version

Revision ID: h14cal01
Revises: f6merge01
Create Date: 2026-12-01 20:00:00

Existing meetings get their local start from their instant (with the rules in use now) and their
slot from the series' plan, so their calendar objects line up with what was planned.
"""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = 'h14cal01'
down_revision = 'f6merge01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'calendar_sequences',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('series_id', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_calendar_sequences_series_id_series'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_sequences_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'series_id', name=op.f('pk_calendar_sequences')),
    )
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('calendar_delivery', sa.String(length=16), server_default='invitations',
                                   nullable=False))
    with op.batch_alter_table('series') as batch:
        batch.add_column(sa.Column('rules_version', sa.String(length=16), nullable=True))
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('local_start', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('slot', sa.DateTime(), nullable=True))
    _backfill()


def _backfill():
    import tzdata

    conn = op.get_bind()
    series = conn.execute(sa.text(
        "SELECT id, timezone, first_meeting_local, interval_weeks, meeting_count, skip_dates FROM series")).all()
    for sid, tz, first, interval, count, skips in series:
        if isinstance(first, str):
            first = datetime.fromisoformat(first)
        skipped = set(_json(skips))
        planned, day = [], first
        while len(planned) < count:
            if day.date().isoformat() not in skipped:
                planned.append(day)
            day += timedelta(weeks=interval)
        zone = ZoneInfo(tz)
        for mid, number, starts_at in conn.execute(
                sa.text("SELECT id, number, starts_at FROM meetings WHERE series_id = :s"), {"s": sid}).all():
            if isinstance(starts_at, str):
                starts_at = datetime.fromisoformat(starts_at)
            if starts_at.tzinfo is None:
                starts_at = starts_at.replace(tzinfo=timezone.utc)
            local = starts_at.astimezone(zone).replace(tzinfo=None)
            slot = planned[number - 1] if 1 <= number <= len(planned) else None
            conn.execute(sa.text("UPDATE meetings SET local_start = :l, slot = :p WHERE id = :m"),
                         {"l": local, "p": slot, "m": mid})
        conn.execute(sa.text("UPDATE series SET rules_version = :v WHERE id = :s"),
                     {"v": tzdata.IANA_VERSION, "s": sid})


def _json(value):
    import json

    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would rebuild series and users, and with
    # foreign keys on, dropping the old tables would cascade to every meeting and application.
    for table, column in (('meetings', 'slot'), ('meetings', 'local_start'), ('series', 'rules_version'),
                          ('users', 'calendar_delivery')):
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    op.drop_table('calendar_sequences')
