"""Pruning: the server forgets old pull changes on a schedule, a kiosk whose
cursor is older downloads a snapshot and keeps its outbox; the kiosk forgets check-ins that
neither visit limits nor the desk's history need."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from desktop.core.store import Store
from desktop.core.store.codec import encode_time as ts
from desktop.core.store.prune import history_cutoff, prune_checkins
from server.bootstrap import Container, background_jobs
from server.sync.models import LocationSyncSeq, SyncChange
from shared.enums import CheckinMethod
from tests.integration import chaos
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, open_desk


def _age_changes(container: Container, days: float) -> None:
    """Make every change recorded so far look ``days`` old."""
    with container.uow() as uow:
        then = datetime.now(UTC) - timedelta(days=days)
        uow.db.execute(update(SyncChange).values(created_at=then))
        uow.commit()


def _changes(container: Container) -> int:
    with container.uow() as uow:
        return int(uow.db.execute(select(func.count()).select_from(SyncChange)).scalar_one())


def _prune_job(container: Container) -> Callable[[], object]:
    """The prune job as every server process schedules it."""
    scheduled = background_jobs(
        dataclasses.replace(
            container, settings=container.settings.model_copy(update={"background_jobs": True})
        )
    )
    [job] = [j for j in scheduled if j.name == "sync.prune_changes"]
    return job.run


def _prune(container: Container) -> int:
    removed = _prune_job(container)()
    assert isinstance(removed, int)
    return removed


def test_the_prune_job_is_scheduled_and_runs_safely_in_several_processes(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "prune-job")
    for i in range(5):
        desk.member(first_name=f"Old{i}")
    _age_changes(container, container.settings.sync_change_retention_days + 1)
    desk.member(first_name="Fresh")
    before = _changes(container)
    removed: list[int] = []
    # Two server processes running the job at the same moment.
    runs = [threading.Thread(target=lambda: removed.append(_prune(container))) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert sum(removed) == before - 1 and _changes(container) == 1
    with container.uow() as uow:
        [(pruned, last)] = uow.db.execute(
            select(LocationSyncSeq.pruned_seq, LocationSyncSeq.last_seq)
        ).all()
    assert pruned == last - 1  # everything but the fresh change
    assert _prune(container) == 0  # nothing more is old enough


def test_a_kiosk_behind_the_pruned_changes_resets_and_keeps_its_outbox(
    api: Api, container: Container, tmp_path: Path
) -> None:
    desk = open_desk(api, container, "prune-kiosk")
    member = desk.member(first_name="Regular")
    desk.membership(member, desk.plan(MONTHLY))
    code = api.client.post(
        f"/locations/{desk.location['id']}/enrolment-codes", json={}, headers=desk.admin
    ).json()["code"]
    http, link = chaos.kiosk_http(api.client)
    core = chaos.open_kiosk(tmp_path / "kiosk", http, timedelta(0))
    try:
        assert core.enrol("http://testserver", code, "Desk").last_error is None
        link.partitioned = True  # offline for a long while
        decision = core.checkin.check_in(uuid.UUID(member), CheckinMethod.SEARCH)
        assert decision.admitted
        cursor_before = core.sync.cursor()[0]
        late = desk.member(first_name="Joined While Offline")
        _age_changes(container, container.settings.sync_change_retention_days + 1)
        assert _prune(container) > 0

        link.heal()
        core.sync.pull()  # 410: a fresh snapshot, the outbox untouched
        assert core.sync.cursor()[0] > cursor_before
        assert core.sync.pending_count() == 1
        assert late in {str(h.member_id) for h in core.checkin.search_members("offline")}
        core.sync.push()
        assert core.sync.pending_count() == 0
        checkins = api.client.get("/checkins", headers=desk.admin).json()["items"]
        assert [c["member_id"] for c in checkins] == [member]
    finally:
        core.close()
        http.close()


def _checkin_rows(conn: object, table: str) -> set[str]:
    assert hasattr(conn, "execute")
    return {r[0] for r in conn.execute(f"SELECT id FROM {table}")}


def test_the_kiosk_keeps_check_ins_of_the_current_week_and_month_and_pending_ones(
    tmp_path: Path,
) -> None:
    london = ZoneInfo("Europe/London")
    # A Sunday: the month began before the week, and 14 days back is later than both.
    sunday = datetime(2026, 11, 22, 12, tzinfo=UTC)
    assert history_cutoff(sunday, london) == datetime(2026, 11, 1, tzinfo=UTC)
    # Early in a month: the 14 days of history reach further back than the week or month.
    assert history_cutoff(datetime(2026, 12, 2, 9, tzinfo=UTC), london) == datetime(
        2026, 11, 18, 9, tzinfo=UTC
    )
    # Summer time: the month starts at local midnight, an hour before midnight UTC.
    assert history_cutoff(datetime(2026, 7, 20, tzinfo=UTC), london) == datetime(
        2026, 6, 30, 23, tzinfo=UTC
    )

    store = Store(tmp_path / "kiosk.db")
    try:
        old, kept = sunday - timedelta(days=30), sunday - timedelta(days=5)
        with store.transaction() as conn:
            for name, at in (("old", old), ("kept", kept)):
                conn.execute(
                    """INSERT INTO cached_checkin (id, member_id, admitted, occurred_at, data_json)
                       VALUES (?, 'm', 1, ?, '{}')""",
                    (f"pulled-{name}", at.isoformat().replace("+00:00", "Z")),
                )
            conn.execute(
                """INSERT INTO outbox (mutation_id, name, args_json, device_time, hlc, created_at)
                   VALUES (7, 'checkin.create.v1', '{}', ?, 'h', ?)""",
                (ts(old), ts(old)),
            )
            for name, at, mutation_id in (
                ("old-acknowledged", old, 3),
                ("old-pending", old, 7),
                ("kept", kept, 5),
            ):
                conn.execute(
                    """INSERT INTO local_checkin (id, member_id, method, admitted, reason,
                           occurred_at, mutation_id)
                       VALUES (?, 'm', 'search', 1, 'ok', ?, ?)""",
                    (f"own-{name}", ts(at), mutation_id),
                )
            assert prune_checkins(conn, history_cutoff(sunday, london)) == 2
        conn = store.connection()
        assert _checkin_rows(conn, "cached_checkin") == {"pulled-kept"}
        assert _checkin_rows(conn, "local_checkin") == {"own-old-pending", "own-kept"}
    finally:
        store.close()
