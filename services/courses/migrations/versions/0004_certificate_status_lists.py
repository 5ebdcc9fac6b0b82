"""certificates: revocation status lists (W3C Bitstring Status List) and each certificate's bit

Certificates issued before this revision keep NULL status columns: their credentials carry no
credentialStatus, and verification by code works for them as before.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'status_lists',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('revoked', sa.LargeBinary(), nullable=False),
        sa.Column('allocated', sa.LargeBinary(), nullable=False),
        sa.Column('allocated_count', sa.Integer(), nullable=False),
        sa.Column('open', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_status_lists')),
    )
    op.create_index(
        'uq_status_lists_open_purpose',
        'status_lists',
        ['purpose'],
        unique=True,
        postgresql_where=sa.text('open'),
    )
    op.add_column('certificates', sa.Column('status_list_id', sa.Uuid(), nullable=True))
    op.add_column('certificates', sa.Column('status_list_index', sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f('fk_certificates_status_list_id_status_lists'),
        'certificates',
        'status_lists',
        ['status_list_id'],
        ['id'],
    )
    op.create_index(
        'uq_certificates_status_list_index',
        'certificates',
        ['status_list_id', 'status_list_index'],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index('uq_certificates_status_list_index', table_name='certificates')
    op.drop_constraint(
        op.f('fk_certificates_status_list_id_status_lists'), 'certificates', type_='foreignkey'
    )
    op.drop_column('certificates', 'status_list_index')
    op.drop_column('certificates', 'status_list_id')
    op.drop_index('uq_status_lists_open_purpose', table_name='status_lists')
    op.drop_table('status_lists')
