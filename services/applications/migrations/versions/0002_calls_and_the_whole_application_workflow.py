"""calls and the whole application workflow

The walking skeleton accepted applications to calls that did not exist; such rows cannot
enter the real workflow (every application now belongs to a call), so they are removed.
Nothing had been released: they were demo data.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM applications")
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=True), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('call_id', sa.Uuid(), nullable=True),
    sa.Column('application_id', sa.Uuid(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_application_id'), 'audit_log', ['application_id'], unique=False)
    op.create_index(op.f('ix_audit_log_call_id'), 'audit_log', ['call_id'], unique=False)
    op.create_table('calls',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('terms', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('committed', sa.Numeric(precision=14, scale=2), server_default='0', nullable=False),
    sa.Column('max_awards_per_country', sa.Integer(), nullable=True),
    sa.Column('panel', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('results_released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('committed >= 0 AND committed <= budget', name=op.f('ck_calls_committed_within_budget')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    op.create_index('ix_calls_status_closes_at', 'calls', ['status', 'closes_at'], unique=False)
    op.create_table('assignments',
    sa.Column('application_id', sa.Uuid(), nullable=False),
    sa.Column('evaluator_id', sa.String(length=255), nullable=False),
    sa.Column('call_id', sa.Uuid(), nullable=False),
    sa.Column('evaluator_country', sa.String(length=2), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scores', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('comments', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_assignments_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'evaluator_id', name=op.f('pk_assignments'))
    )
    op.create_index('ix_assignments_evaluator_id_call_id', 'assignments', ['evaluator_id', 'call_id'], unique=False)
    op.add_column('applications', sa.Column('applicant_email', sa.String(length=320), nullable=True))
    op.add_column('applications', sa.Column('country', sa.String(length=2), nullable=True))
    op.add_column('applications', sa.Column('created_at', sa.DateTime(timezone=True), nullable=False))
    op.add_column('applications', sa.Column('accept_by', sa.DateTime(timezone=True), nullable=True))
    op.add_column('applications', sa.Column('document', postgresql.JSONB(astext_type=sa.Text()), nullable=False))
    op.add_column('applications', sa.Column('version', sa.Integer(), nullable=False))
    op.alter_column('applications', 'submitted_at',
               existing_type=postgresql.TIMESTAMP(timezone=True),
               nullable=True)
    op.drop_index(op.f('ix_applications_applicant_country'), table_name='applications')
    op.drop_index(op.f('ix_applications_call_id'), table_name='applications')
    op.create_index('ix_applications_applicant_email', 'applications', ['applicant_email'], unique=False)
    op.create_index('ix_applications_awaiting_acceptance', 'applications', ['accept_by'], unique=False, postgresql_where=sa.text("status = 'awarded'"))
    op.create_index('ix_applications_call_id_status', 'applications', ['call_id', 'status'], unique=False)
    op.create_index('ix_applications_country', 'applications', ['country'], unique=False)
    op.create_index('uq_applications_one_per_call_and_person', 'applications', ['call_id', 'applicant_id'], unique=True, postgresql_where=sa.text("status <> 'withdrawn'"))
    op.create_foreign_key(op.f('fk_applications_call_id_calls'), 'applications', 'calls', ['call_id'], ['id'])
    op.drop_column('applications', 'applicant_country')
    op.drop_column('applications', 'submission')


def downgrade() -> None:
    op.execute("DELETE FROM assignments")
    op.execute("DELETE FROM applications")
    op.add_column('applications', sa.Column('submission', postgresql.JSONB(astext_type=sa.Text()), autoincrement=False, nullable=False))
    op.add_column('applications', sa.Column('applicant_country', sa.VARCHAR(length=2), autoincrement=False, nullable=False))
    op.drop_constraint(op.f('fk_applications_call_id_calls'), 'applications', type_='foreignkey')
    op.drop_index('uq_applications_one_per_call_and_person', table_name='applications', postgresql_where=sa.text("status <> 'withdrawn'"))
    op.drop_index('ix_applications_country', table_name='applications')
    op.drop_index('ix_applications_call_id_status', table_name='applications')
    op.drop_index('ix_applications_awaiting_acceptance', table_name='applications', postgresql_where=sa.text("status = 'awarded'"))
    op.drop_index('ix_applications_applicant_email', table_name='applications')
    op.create_index(op.f('ix_applications_call_id'), 'applications', ['call_id'], unique=False)
    op.create_index(op.f('ix_applications_applicant_country'), 'applications', ['applicant_country'], unique=False)
    op.alter_column('applications', 'submitted_at',
               existing_type=postgresql.TIMESTAMP(timezone=True),
               nullable=False)
    op.drop_column('applications', 'version')
    op.drop_column('applications', 'document')
    op.drop_column('applications', 'accept_by')
    op.drop_column('applications', 'created_at')
    op.drop_column('applications', 'country')
    op.drop_column('applications', 'applicant_email')
    op.drop_index('ix_assignments_evaluator_id_call_id', table_name='assignments')
    op.drop_table('assignments')
    op.drop_index('ix_calls_status_closes_at', table_name='calls')
    op.drop_table('calls')
    op.drop_index(op.f('ix_audit_log_call_id'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_application_id'), table_name='audit_log')
    op.drop_table('audit_log')
