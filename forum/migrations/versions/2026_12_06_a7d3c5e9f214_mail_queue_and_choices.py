"""mail queue and e-mail choices

The outgoing_mails queue (forum/mail.py); members choose which events are
mailed to them (personal messages and watched topics join replies and
mentions) and how often a summary comes: the unused boolean email_digest
becomes digest_frequency ("weekly" where it was on, "off" where it was off),
with the time of the last summary.

Revision ID: a7d3c5e9f214
Revises: 5d1e7a2c9b40
Create Date: 2026-12-06 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d3c5e9f214'
down_revision = '5d1e7a2c9b40'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outgoing_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.String(length=255), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_mails')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outgoing_mails_dedupe_key'))
    )
    with op.batch_alter_table('outgoing_mails', schema=None) as batch_op:
        batch_op.create_index('ix_outgoing_mails_due', ['sent_at', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_on_message', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('email_on_watched', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('digest_frequency', sa.String(length=12), nullable=False, server_default='weekly'))
        batch_op.add_column(sa.Column('last_digest_at', sa.DateTime(timezone=True), nullable=True))
    users = sa.table('users', sa.column('email_digest', sa.Boolean()), sa.column('digest_frequency', sa.String()))
    op.execute(users.update().where(users.c.email_digest == sa.false()).values(digest_frequency='off'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email_on_message', server_default=None)
        batch_op.alter_column('email_on_watched', server_default=None)
        batch_op.alter_column('digest_frequency', server_default=None)
        batch_op.drop_column('email_digest')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_digest', sa.Boolean(), nullable=False, server_default=sa.false()))
    users = sa.table('users', sa.column('email_digest', sa.Boolean()), sa.column('digest_frequency', sa.String()))
    op.execute(users.update().where(users.c.digest_frequency != 'off').values(email_digest=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('email_digest', server_default=None)
        batch_op.drop_column('last_digest_at')
        batch_op.drop_column('digest_frequency')
        batch_op.drop_column('email_on_watched')
        batch_op.drop_column('email_on_message')

    with op.batch_alter_table('outgoing_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_mails_due')

    op.drop_table('outgoing_mails')
