"""Importing activity files through the API: each format end to end, the ledger events they
become, deduplication (the same file, the same workout from another device, a gym visit),
the day's cap per record, refused files storing nothing, the size limit, tenants and roles."""

from __future__ import annotations

import io
import json
import threading
import uuid
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from server.bootstrap import Container
from server.engagement import service as ledger
from server.engagement.models import MovementEvent
from server.wearables.gpx import parse_gpx
from server.wearables.models import ActivityImport
from server.wearables.schemas import ImportedActivity
from server.wearables.service import Imported, event_id_of, import_activity_file
from shared.enums import MovementKind
from tests.integration.activity_files import START, apple_workout, apple_zip, fit_run, gpx_run
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "import-gym")


def upload(studio: Studio, member: str, name: str, data: bytes, staff: bool = False) -> Any:
    path = f"/members/{member}/activity-imports" if staff else "/me/activity-imports"
    headers = studio.staff if staff else studio.member_headers(member)
    return studio.api.client.post(path, files={"file": (name, data)}, headers=headers)


def events(studio: Studio, member: str) -> list[MovementEvent]:
    with studio.container.uow() as uow:
        query = select(MovementEvent).where(MovementEvent.member_id == uuid.UUID(member))
        rows = list(uow.db.execute(query.order_by(MovementEvent.occurred_at)).scalars())
        uow.db.expunge_all()
        return rows


def imports_count(studio: Studio) -> int:
    with studio.container.uow() as uow:
        return int(uow.db.execute(select(func.count()).select_from(ActivityImport)).scalar_one())


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_a_gpx_run_becomes_one_device_imported_event_and_is_listed(studio: Studio) -> None:
    member = studio.member(plan="")
    response = upload(studio, member, "run.gpx", gpx_run())
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["format"], body["kept"], body["merged"], body["skipped"]) == ("gpx", 1, 0, 0)
    (line,) = body["report"]
    assert (line["outcome"], line["activity_type"], line["counted_minutes"]) == ("kept", "run", 40)
    (event,) = events(studio, member)
    assert (event.kind, event.provenance, event.source) == ("outdoor", "device_imported", "gpx")
    assert (event.minutes, event.intensity) == (40, "vigorous")  # no zones: a run is vigorous
    assert event.occurred_at.replace(tzinfo=UTC) == START
    assert event.recorded_by == uuid.UUID(member)
    # 40 steps of 0.0015° of latitude ≈ 40 × 166.8 m ≈ 6.67 km
    assert 6500 < event.data["distance_m"] < 6800
    assert str(event.id) == line["event_id"]
    assert "heart_rate" not in json.dumps(event.data)  # zone minutes only, never samples
    mine = studio.member_headers(member)
    listed = studio.api.client.get("/me/activity-imports", headers=mine).json()
    assert [i["id"] for i in listed["items"]] == [body["id"]]
    detail = studio.api.client.get(f"/me/activity-imports/{body['id']}", headers=mine)
    assert detail.json()["report"] == body["report"]


def test_the_same_file_twice_answers_with_the_first_import(studio: Studio) -> None:
    member = studio.member(plan="")
    first = upload(studio, member, "run.gpx", gpx_run())
    again = upload(studio, member, "renamed.gpx", gpx_run())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (imports_count(studio), len(events(studio, member))) == (1, 1)


def test_the_same_workout_from_a_watch_changes_nothing(studio: Studio) -> None:
    member = studio.member(plan="")
    assert upload(studio, member, "run.gpx", gpx_run()).status_code == 201
    # The watch's FIT of the same run, started a minute later: 39 of 40 minutes overlap.
    watch = upload(studio, member, "watch.fit", fit_run(START + timedelta(minutes=1), 40, [0] * 6))
    assert watch.status_code == 201, watch.text
    (line,) = watch.json()["report"]
    assert line["outcome"] == "duplicate"
    assert "imported earlier from Phone tracker" in line["reason"]
    assert len(events(studio, member)) == 1


def test_an_apple_export_zip_merges_the_watch_and_phone_copies(studio: Studio) -> None:
    member = studio.member(plan="")
    data = apple_zip(
        apple_workout(START, 30, "Ana's Apple Watch"),
        apple_workout(START + timedelta(minutes=2), 28, "Ana's iPhone", kind="Walking"),
        apple_workout(START + timedelta(hours=5), 45, "Ana's Apple Watch", kind="Cycling"),
    )
    response = upload(studio, member, "export.zip", data)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["format"], body["kept"], body["merged"]) == ("apple_health", 2, 1)
    duplicate = next(line for line in body["report"] if line["outcome"] == "duplicate")
    assert duplicate["device"] == "Ana's iPhone"
    assert [e.data["activity_type"] for e in events(studio, member)] == ["run", "cycle"]
    # Uploaded again as the bare export.xml: other bytes, the same workouts, nothing new.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("apple_health_export/export.xml")
    again = upload(studio, member, "export.xml", xml)
    assert again.status_code == 201
    assert [line["outcome"] for line in again.json()["report"]] == ["duplicate"] * 3
    assert len(events(studio, member)) == 2


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("run.gpx", b'{"session": []}', "not readable XML"),
        ("run.fit", fit_run(START, 30, [0] * 6)[:-1] + b"\x00", "FIT"),
        (
            "export.xml",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><HealthData>&lol;'
            b"</HealthData>",
            "entities",
        ),
        ("export.zip", b"PK\x03\x04 not really a zip", "zip"),
        ("notes.txt", b"hello", "not an activity file"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_and_stores_nothing(
    studio: Studio, name: str, data: bytes, words: str
) -> None:
    member = studio.member(plan="")
    body = problem(upload(studio, member, name, data), 422)
    assert words in body["detail"]
    assert (imports_count(studio), events(studio, member)) == (0, [])


def test_a_zip_bomb_is_refused_by_its_unpacked_size(studio: Studio) -> None:
    studio.container.settings.activity_import_max_bytes = 8 * 1024
    member = studio.member(plan="")
    # 8 KB × 100 = 800 KB may unpack; 2 MB of spaces packs into a few KB.
    bomb = apple_zip(apple_workout(START, 30, "Watch"), filler=2 * 1024 * 1024)
    assert len(bomb) < 8 * 1024
    body = problem(upload(studio, member, "export.zip", bomb), 422)
    assert "unpacks to more than" in body["detail"]
    assert imports_count(studio) == 0


def test_a_file_past_the_size_limit_is_a_413(studio: Studio) -> None:
    studio.container.settings.activity_import_max_bytes = 4 * 1024
    member = studio.member(plan="")
    big = gpx_run(minutes=120)
    assert len(big) > 4 * 1024  # within the form's 64 KB of room: refused once parsed
    body = problem(upload(studio, member, "long.gpx", big), 413)
    assert "larger than" in body["detail"]
    # Past the limit and the form's room: refused by its length, unread (broken XML, yet 413).
    problem(upload(studio, member, "huge.gpx", b"<gpx" + b" " * 100_000), 413)
    assert imports_count(studio) == 0


def _visit(studio: Studio, member: str, at: datetime, minutes: int, kind: MovementKind) -> None:
    with studio.container.uow() as uow:
        ledger.record_movement(
            uow=uow,
            tenant_id=uuid.UUID(studio.tenant_id),
            member_id=uuid.UUID(member),
            kind=kind,
            occurred_at=at,
            minutes=minutes,
        )
        uow.commit()


def test_only_the_minutes_outside_a_gym_visit_count(studio: Studio) -> None:
    member = studio.member(plan="")
    # A check-in from 07:00 to 07:30 covers 30 of the run's 40 wall-clock minutes; the run's
    # 40 active minutes × 10/40 uncovered = 10 minutes count.
    _visit(studio, member, START - timedelta(minutes=0), 30, MovementKind.FLOOR_CHECKIN)
    # A class 12:00–13:00 holds the 45-minute ride wholly: merged, nothing added.
    _visit(studio, member, START + timedelta(hours=5), 60, MovementKind.ATTENDANCE)
    data = apple_zip(
        apple_workout(START, 40, "Watch"),
        apple_workout(START + timedelta(hours=5, minutes=5), 45, "Watch", kind="Cycling"),
    )
    body = upload(studio, member, "export.zip", data).json()
    by_type = {line["activity_type"]: line for line in body["report"]}
    assert (by_type["run"]["outcome"], by_type["run"]["counted_minutes"]) == ("kept", 10)
    assert "outside a gym visit" in by_type["run"]["reason"]
    assert by_type["cycle"]["outcome"] == "merged_with_visit"
    imported = [e for e in events(studio, member) if e.provenance == "device_imported"]
    assert [e.minutes for e in imported] == [10]


def test_the_days_cap_skips_a_record_not_the_file(studio: Studio) -> None:
    member = studio.member(plan="")
    # 580 minutes already that day: a 40-minute run would make 620 > 600; a ride on the
    # next day still fits.
    _visit(studio, member, START - timedelta(hours=6, minutes=59), 580, MovementKind.STAFF_ENTRY)
    data = apple_zip(
        apple_workout(START + timedelta(hours=3), 40, "Watch"),
        apple_workout(START + timedelta(days=1), 30, "Watch", kind="Cycling"),
    )
    response = upload(studio, member, "export.zip", data)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["kept"], body["skipped"]) == (1, 1)
    skipped = next(line for line in body["report"] if line["outcome"] == "skipped")
    assert "600" in skipped["reason"]


def test_staff_import_for_their_members_only(studio: Studio, api: Api) -> None:
    member = studio.member(plan="")
    response = upload(studio, member, "run.gpx", gpx_run(), staff=True)
    assert response.status_code == 201, response.text
    assert response.json()["uploaded_by"] == studio.desk.desk_staff_id
    expected = event_id_of(uuid.UUID(member), _only_activity(studio, member))
    assert events(studio, member)[0].id == expected
    other = api.sign_up("import-other")
    problem(
        studio.api.client.post(
            f"/members/{member}/activity-imports",
            files={"file": ("run.gpx", gpx_run())},
            headers=other.headers,
        ),
        404,
    )
    other_member = studio.member(plan="")
    problem(
        studio.api.client.get(
            f"/me/activity-imports/{response.json()['id']}",
            headers=studio.member_headers(other_member),
        ),
        404,
    )
    assert len(events(studio, member)) == 1


def _only_activity(studio: Studio, member: str) -> ImportedActivity:
    (activity,) = parse_gpx(gpx_run(), now=datetime.now(UTC)).activities
    return activity


def test_the_same_file_from_two_threads_at_once_is_one_import(studio: Studio) -> None:
    member = studio.member(plan="")
    data = gpx_run()
    barrier = threading.Barrier(2)
    results: list[Imported] = []

    def send() -> None:
        barrier.wait()
        results.append(
            import_activity_file(
                uow=studio.container.uow(),
                tenant_id=uuid.UUID(studio.tenant_id),
                member_id=uuid.UUID(member),
                uploaded_by=uuid.UUID(member),
                filename="run.gpx",
                data=data,
                max_unpacked=10**6,
            )
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].row.id == results[1].row.id
    assert (imports_count(studio), len(events(studio, member))) == (1, 1)
