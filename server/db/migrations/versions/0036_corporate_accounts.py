"""corporate accounts: accounts, departments, admins, packages, the roster, consents,
invoices; memberships a company pays for; the tenant's minimum report group

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05 17:40:16.636837

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

import server.db.base


# revision identifiers, used by Alembic.
revision: str = "0036"
down_revision: Union[str, Sequence[str], None] = "0035"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "corporate_accounts",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_name", sa.String(length=200), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("billing_email", sa.String(length=320), nullable=True),
        sa.Column("billing_address", sa.String(length=500), nullable=True),
        sa.Column("tax_number", sa.String(length=40), nullable=True),
        sa.Column("po_reference", sa.String(length=60), nullable=True),
        sa.Column("archived_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_accounts")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_corporate_accounts_tenant_id_name")),
    )
    op.create_table(
        "corporate_admins",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_signed_in_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["corporate_accounts.tenant_id", "corporate_accounts.id"],
            name=op.f("fk_corporate_admins_tenant_id_account_id_corporate_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_admins")),
        sa.UniqueConstraint("tenant_id", "email", name=op.f("uq_corporate_admins_tenant_id_email")),
    )
    op.create_table(
        "corporate_departments",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("cost_centre", sa.String(length=40), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["corporate_accounts.tenant_id", "corporate_accounts.id"],
            name=op.f("fk_corporate_departments_tenant_id_account_id_corporate_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_departments")),
        sa.UniqueConstraint(
            "tenant_id",
            "account_id",
            "name",
            name=op.f("uq_corporate_departments_tenant_id_account_id_name"),
        ),
    )
    op.create_table(
        "corporate_invoices",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("issued_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["corporate_accounts.tenant_id", "corporate_accounts.id"],
            name=op.f("fk_corporate_invoices_tenant_id_account_id_corporate_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_invoices")),
        sa.UniqueConstraint(
            "tenant_id",
            "account_id",
            "period_start",
            name=op.f("uq_corporate_invoices_tenant_id_account_id_period_start"),
        ),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_corporate_invoices_tenant_id_number")
        ),
    )
    op.create_table(
        "corporate_packages",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("plan_ids", sa.JSON(), nullable=False),
        sa.Column("journey_template_ids", sa.JSON(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("seat_fee", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("split", sa.String(length=12), nullable=False),
        sa.Column("company_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("company_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["corporate_accounts.tenant_id", "corporate_accounts.id"],
            name=op.f("fk_corporate_packages_tenant_id_account_id_corporate_accounts"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_packages")),
    )
    with op.batch_alter_table("corporate_packages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_corporate_packages_tenant_account", ["tenant_id", "account_id"], unique=False
        )

    op.create_table(
        "corporate_employees",
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("employee_ref", sa.String(length=64), nullable=True),
        sa.Column("work_email", sa.String(length=320), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("department_id", sa.Uuid(), nullable=True),
        sa.Column("package_id", sa.Uuid(), nullable=True),
        sa.Column("location_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("covered_until", sa.Date(), nullable=True),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("activated_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("invitation_hash", sa.String(length=64), nullable=True),
        sa.Column("invited_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "invitation_expires_at", server.db.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("reminders_sent", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_reminded_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["corporate_accounts.tenant_id", "corporate_accounts.id"],
            name=op.f("fk_corporate_employees_tenant_id_account_id_corporate_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "department_id"],
            ["corporate_departments.tenant_id", "corporate_departments.id"],
            name=op.f("fk_corporate_employees_tenant_id_department_id_corporate_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "location_id"],
            ["locations.tenant_id", "locations.id"],
            name=op.f("fk_corporate_employees_tenant_id_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "member_id"],
            ["members.tenant_id", "members.id"],
            name=op.f("fk_corporate_employees_tenant_id_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "package_id"],
            ["corporate_packages.tenant_id", "corporate_packages.id"],
            name=op.f("fk_corporate_employees_tenant_id_package_id_corporate_packages"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_employees")),
        sa.UniqueConstraint(
            "tenant_id",
            "account_id",
            "employee_ref",
            name=op.f("uq_corporate_employees_tenant_id_account_id_employee_ref"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "account_id",
            "work_email",
            name=op.f("uq_corporate_employees_tenant_id_account_id_work_email"),
        ),
    )
    with op.batch_alter_table("corporate_employees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_corporate_employees_tenant_account_status",
            ["tenant_id", "account_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_corporate_employees_tenant_member", ["tenant_id", "member_id"], unique=False
        )

    op.create_table(
        "corporate_consents",
        sa.Column("employee_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("granted_at", server.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", server.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "employee_id"],
            ["corporate_employees.tenant_id", "corporate_employees.id"],
            name=op.f("fk_corporate_consents_tenant_id_employee_id_corporate_employees"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_corporate_consents")),
    )
    with op.batch_alter_table("corporate_consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_corporate_consents_tenant_employee", ["tenant_id", "employee_id"], unique=False
        )

    op.add_column("memberships", sa.Column("corporate_account_id", sa.Uuid(), nullable=True))
    op.add_column(
        "tenants",
        sa.Column("corporate_min_group", sa.Integer(), server_default="11", nullable=False),
    )


def downgrade() -> None:
    # In place (SQLite 3.35+): rebuilding these tables would trip their references.
    op.drop_column("tenants", "corporate_min_group")
    op.drop_column("memberships", "corporate_account_id")

    with op.batch_alter_table("corporate_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_corporate_consents_tenant_employee")

    op.drop_table("corporate_consents")
    with op.batch_alter_table("corporate_employees", schema=None) as batch_op:
        batch_op.drop_index("ix_corporate_employees_tenant_member")
        batch_op.drop_index("ix_corporate_employees_tenant_account_status")

    op.drop_table("corporate_employees")
    with op.batch_alter_table("corporate_packages", schema=None) as batch_op:
        batch_op.drop_index("ix_corporate_packages_tenant_account")

    op.drop_table("corporate_packages")
    op.drop_table("corporate_invoices")
    op.drop_table("corporate_departments")
    op.drop_table("corporate_admins")
    op.drop_table("corporate_accounts")
