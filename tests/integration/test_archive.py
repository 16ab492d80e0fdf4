"""The tenant archive: export, read back into an empty tenant, the same rows."""

from __future__ import annotations

from pathlib import Path

from server.bootstrap import Container
from tests.integration.archive_helpers import (
    export_bytes,
    import_bytes,
    seed_demo,
    table_rows,
    tenant_id_of,
)


def test_round_trip_gives_the_same_rows(container: Container, tmp_path: Path) -> None:
    demo = seed_demo(container, tmp_path / "passes")
    data = export_bytes(container, demo.tenant_id)
    done = import_bytes(container, data, "copy-of-demo")
    assert done.created
    before = table_rows(container, demo.tenant_id)
    after = table_rows(container, tenant_id_of(container, "copy-of-demo"))
    filled = sorted(name for name, rows in before.items() if rows)
    print(len(filled), filled)
    print(sorted(name for name, rows in before.items() if not rows))
    for name in before:
        assert after[name] == before[name], name
