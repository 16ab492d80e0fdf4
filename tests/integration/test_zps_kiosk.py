"""The kiosk and ZPS: a real kiosk core synced with the real server (integrated mode, a
loopback ZPS) holds each member's last-known benefit, admits on it while offline telling
staff its age, and at the push the server decides again: a disagreement goes to staff as a
review item, the check-in stands, and only the agreed admission is reported to ZPS."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.app import build_core
from server.benefits import service as benefits_service
from server.bootstrap import Container
from server.config import Settings
from shared.enums import CheckinMethod
from tests.integration import chaos
from tests.integration.helpers import Api
from tests.integration.plans_helpers import open_desk
from tests.integration.sync_helpers import checkin_count, review_items
from tests.integration.zps_helpers import age_snapshot, contract_zps, integrated, party_member
from tests.loopback.zps import Benefit, RunningZps


@pytest.fixture
def zps() -> Iterator[RunningZps]:
    with contract_zps() as running:
        yield running


@pytest.fixture
def settings(settings: Settings, zps: RunningZps) -> Settings:
    return integrated(settings, zps)


def test_offline_kiosk_admits_on_the_snapshot_and_the_server_reconciles(
    api: Api, container: Container, zps: RunningZps, tmp_path: Path
) -> None:
    desk = open_desk(api, container, "zps-kiosk")
    desk.separate_visits()  # a second check-in below is a visit of its own
    covered = party_member(desk, zps, "party-k1", Benefit())
    lapsing = party_member(desk, zps, "party-k2", Benefit(benefit_id="ben-2"))
    refused = party_member(
        desk, zps, "party-k3", Benefit(eligible=False, reason="no cover", benefit_id=None)
    )
    stranger = desk.member()  # no party, no membership
    assert container.benefits is not None
    assert (
        benefits_service.refresh_snapshots(make_uow=container.uow, benefits=container.benefits) == 3
    )
    for member in (covered, lapsing, refused):
        age_snapshot(container, member, timedelta(hours=3))

    http, link = chaos.kiosk_http(api.client)
    core = build_core(chaos.kiosk_settings(tmp_path / "kiosk"), http_client=http)
    try:
        code = api.client.post(
            f"/locations/{desk.location['id']}/enrolment-codes", headers=desk.admin
        ).json()["code"]
        core.enrol("http://testserver", code, "Door")
        link.partitioned = True  # the location's internet is down
        asked = len(zps.state.requests)
        outcomes = {
            name: core.checkin.check_in(uuid.UUID(member), CheckinMethod.SEARCH)
            for name, member in (
                ("covered", covered),
                ("lapsing", lapsing),
                ("refused", refused),
                ("stranger", stranger),
            )
        }
        assert len(zps.state.requests) == asked  # decided offline, from the snapshot
        assert outcomes["covered"].admitted and outcomes["lapsing"].admitted
        assert outcomes["covered"].reason.startswith("ZPS benefit ben-1")
        assert outcomes["covered"].staff_note == "ZPS benefit checked 3 h ago"
        assert not outcomes["refused"].admitted
        assert "ZPS: no cover" in outcomes["refused"].reason
        assert outcomes["refused"].staff_note == "ZPS benefit checked 3 h ago"
        assert not outcomes["stranger"].admitted and outcomes["stranger"].staff_note is None

        # Meanwhile the payer ended one benefit; the link comes back and the kiosk pushes.
        zps.state.benefits["party-k2"] = Benefit(
            eligible=False, reason="benefit ended", benefit_id=None
        )
        link.heal()
        core.sync.push()
        assert core.sync.pending_count() == 0
        assert checkin_count(desk) == 4  # every check-in is kept
        flagged = [
            i for i in review_items(desk, status="open") if i["kind"] == "ineligible_admission"
        ]
        assert [i["member_id"] for i in flagged] == [lapsing]
        assert "benefit ended" in flagged[0]["summary"]
        assert benefits_service.report_due(make_uow=container.uow, benefits=container.benefits) == 1
        [(_, body)] = zps.state.utilisations.values()
        assert body["party_id"] == "party-k1"
        # The server's fresh answers come down: the kiosk now refuses the lapsed member.
        core.sync.pull()
        core.checkin.forget(uuid.UUID(lapsing))
        again = core.checkin.check_in(uuid.UUID(lapsing), CheckinMethod.SEARCH)
        assert not again.admitted and "ZPS: benefit ended" in again.reason
        assert again.staff_note == "ZPS benefit checked just now"
    finally:
        core.close()
        http.close()
