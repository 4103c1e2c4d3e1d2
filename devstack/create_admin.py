"""``make create-admin``: create (or promote) an admin account in a deployed or local table.

Reads ``ADMIN_EMAIL`` and ``ADMIN_PASSWORD`` (prompted when unset), ``ADMIN_NAME`` (optional),
and ``TABLE_NAME`` plus the usual AWS credentials/region from the environment. The password is
never echoed or logged.
"""

from __future__ import annotations

import getpass
import os
import sys

from pydantic import ValidationError


def main() -> int:
    from shared.data.table import configure_table
    from shared.identity.users import ensure_admin

    table = os.environ.get("TABLE_NAME")
    if not table:
        print("set TABLE_NAME (the stack's TableName output)", file=sys.stderr)
        return 2
    email = os.environ.get("ADMIN_EMAIL") or input("Admin email: ")
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass("Admin password: ")
    configure_table(table)
    try:
        admin = ensure_admin(email, password, os.environ.get("ADMIN_NAME", "Administrator"))
    except (ValueError, ValidationError) as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    print(f"admin ready: {admin.email} (id {admin.id}) in table {table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
