"""organisations and opportunities

Organisations (clubs, initiatives) with their fields of activity and
representatives, the volunteering opportunities they offer and the interest
people show in them (forum/organisations/). Topics may be posted "as" an
organisation (topics.organisation_id): its announcements.

Revision ID: 3f9a6c1e7d52
Revises: e3a9c1f5b7d2
Create Date: 2026-12-06 10:21:11.172305

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f9a6c1e7d52'
down_revision = 'e3a9c1f5b7d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_fields')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisation_fields_slug'))
    )
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('short_line', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_cooked', sa.Text(), nullable=False),
    sa.Column('municipality', sa.Enum('gifhorn', 'wittingen', 'sassenburg', 'boldecker-land', 'brome', 'hankensbuettel', 'isenbuettel', 'meinersen', 'papenteich', 'wesendorf', name='municipality', native_enum=False, length=30), nullable=False),
    sa.Column('website', sa.String(length=255), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=255), nullable=False),
    sa.Column('contact_phone', sa.String(length=60), nullable=False),
    sa.Column('meeting_place', sa.String(length=255), nullable=False),
    sa.Column('meeting_times', sa.String(length=255), nullable=False),
    sa.Column('seeking_volunteers', sa.Boolean(), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('members_only', sa.Boolean(), nullable=False),
    sa.Column('logo_key', sa.String(length=120), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.create_index('ix_organisations_activity', ['last_activity_at', 'id'], unique=False)
        batch_op.create_index('ix_organisations_municipality_name', ['municipality', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_organisations_name'), ['name'], unique=False)

    op.create_table('opportunities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('opportunity', 'training', name='opportunitykind', native_enum=False, length=20), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_cooked', sa.Text(), nullable=False),
    sa.Column('municipality', sa.Enum('gifhorn', 'wittingen', 'sassenburg', 'boldecker-land', 'brome', 'hankensbuettel', 'isenbuettel', 'meinersen', 'papenteich', 'wesendorf', name='municipality', native_enum=False, length=30), nullable=False),
    sa.Column('place', sa.String(length=160), nullable=False),
    sa.Column('from_home', sa.Boolean(), nullable=False),
    sa.Column('commitment', sa.Enum('one_off', 'regular', name='commitment', native_enum=False, length=20), nullable=False),
    sa.Column('hours_per_month', sa.SmallInteger(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('requirements', sa.String(length=500), nullable=False),
    sa.Column('suitable_for', sa.Integer(), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('cost', sa.String(length=120), nullable=False),
    sa.Column('registration', sa.String(length=255), nullable=False),
    sa.Column('status', sa.Enum('open', 'filled', name='opportunitystatus', native_enum=False, length=20), nullable=False),
    sa.Column('interest_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_opportunities_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_opportunities_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunities'))
    )
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunities_ends_on'), ['ends_on'], unique=False)
        batch_op.create_index('ix_opportunities_municipality_status', ['municipality', 'status'], unique=False)
        batch_op.create_index('ix_opportunities_organisation_status', ['organisation_id', 'status'], unique=False)
        batch_op.create_index('ix_opportunities_status_created', ['status', 'created_at', 'id'], unique=False)

    op.create_table('organisation_field_links',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('field_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['field_id'], ['organisation_fields.id'], name=op.f('fk_organisation_field_links_field_id_organisation_fields'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_field_links_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'field_id', name=op.f('pk_organisation_field_links'))
    )
    with op.batch_alter_table('organisation_field_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_field_links_field_id'), ['field_id'], unique=False)

    op.create_table('organisation_representatives',
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_representatives_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organisation_representatives_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organisation_id', 'user_id', name=op.f('pk_organisation_representatives'))
    )
    with op.batch_alter_table('organisation_representatives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_representatives_user_id'), ['user_id'], unique=False)

    op.create_table('opportunity_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('opportunity_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], name=op.f('fk_opportunity_interests_opportunity_id_opportunities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_opportunity_interests_topic_id_topics'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_opportunity_interests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opportunity_interests')),
    sa.UniqueConstraint('opportunity_id', 'user_id', name='uq_opportunity_interests_pair')
    )
    with op.batch_alter_table('opportunity_interests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opportunity_interests_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_topics_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_topics_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('topics', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_topics_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_topics_organisation_id'))
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('opportunity_interests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opportunity_interests_user_id'))

    op.drop_table('opportunity_interests')
    with op.batch_alter_table('organisation_representatives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_representatives_user_id'))

    op.drop_table('organisation_representatives')
    with op.batch_alter_table('organisation_field_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_field_links_field_id'))

    op.drop_table('organisation_field_links')
    with op.batch_alter_table('opportunities', schema=None) as batch_op:
        batch_op.drop_index('ix_opportunities_status_created')
        batch_op.drop_index('ix_opportunities_organisation_status')
        batch_op.drop_index('ix_opportunities_municipality_status')
        batch_op.drop_index(batch_op.f('ix_opportunities_ends_on'))

    op.drop_table('opportunities')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisations_name'))
        batch_op.drop_index('ix_organisations_municipality_name')
        batch_op.drop_index('ix_organisations_activity')

    op.drop_table('organisations')
    op.drop_table('organisation_fields')
