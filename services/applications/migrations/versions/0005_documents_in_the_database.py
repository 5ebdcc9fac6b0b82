"""documents in the database

The bytes of supporting documents move from a folder on the service's disk (which a read-only
root filesystem refuses and replicas do not share) into `documents`, beside the application that
lists them: written in the transaction that attaches a document, deleted in the one that removes
it (and with the application, by the foreign key). `content` is kept uncompressed out of line
(STORAGE EXTERNAL): PDF, PNG and JPEG are compressed already, and an uncompressed value can be read
a slice at a time, so a download never loads more than the slice it sends.

Expand only: the files of an earlier release stay where they are until
`ibermuseos-applications-move-documents` moves them (see the service's README).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'documents',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('application_id', sa.Uuid(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('declared_type', sa.String(length=100), nullable=False),
        sa.Column('detected_type', sa.String(length=100), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('size = octet_length(content)', name=op.f('ck_documents_size_is_the_contents')),
        sa.ForeignKeyConstraint(
            ['application_id'],
            ['applications.id'],
            name=op.f('fk_documents_application_id_applications'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    )
    op.create_index(op.f('ix_documents_application_id'), 'documents', ['application_id'], unique=False)
    op.execute('ALTER TABLE documents ALTER COLUMN content SET STORAGE EXTERNAL')


def downgrade() -> None:
    raise RuntimeError(
        "refused: dropping `documents` deletes every uploaded document; the previous release cannot read them"
    )
