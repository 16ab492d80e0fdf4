"""Journey templates: the three shipped ones loaded once per tenant, versioning (an edit
of a version with enrolments makes the next one, enrolments stay; without, in place), bad
input refused with nothing changed, roles, other tenants, the members' view and the FHIR
exports parsed back (SQLite and PostgreSQL)."""

from __future__ import annotations

import copy
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.plandefinition import PlanDefinition
from sqlalchemy import func, select

from server.bootstrap import Container
from server.journeys import templates as service
from server.journeys.models import JourneyEnrolment, JourneyTemplate, JourneyVersion
from server.ports.identity import AccessClaims
from shared.carepath.enrolment import EnrolmentStatus
from shared.enums import PrincipalKind, StaffRole
from tests.integration.bookings_helpers import member_headers
from tests.integration.helpers import Api, Tenant
from tests.integration.journeys_helpers import enrol, new_member, shipped


@dataclass
class Gym:
    api: Api
    container: Container
    tenant: Tenant
    location_id: str

    def staff(self, role: str) -> dict[str, str]:
        email = f"{role}-{uuid.uuid4().hex[:6]}@{self.tenant.slug}.example"
        self.api.create_staff(self.tenant, role, email)
        return self.api.token_for(self.tenant.slug, email)

    def count(self, model: type[Any]) -> int:
        with self.container.uow() as uow:
            found: int = uow.db.execute(
                select(func.count())
                .select_from(model)
                .where(model.tenant_id == uuid.UUID(self.tenant.id))
            ).scalar_one()
            return found

    def get(self, template_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.api.client.get(
            f"/journeys/templates/{template_id}", headers=headers or self.tenant.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def _open(api: Api, container: Container, slug: str) -> Gym:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant, "Central", timezone="Europe/London")
    return Gym(api, container, tenant, location["id"])


@pytest.fixture
def gym(api: Api, container: Container) -> Gym:
    return _open(api, container, "journey-gym")


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: Any = response.json()["detail"]
    return str(detail)


def _plan_with_week3(plan: dict[str, Any], **week3: int) -> dict[str, Any]:
    changed = copy.deepcopy(plan)
    changed["weeks"][2].update(week3)
    return changed


def test_the_three_shipped_templates_load_once(gym: Gym) -> None:
    first = shipped(gym.api, gym.tenant.headers)
    again = shipped(gym.api, gym.tenant.headers)
    assert set(first) == {"metabolic_reset", "back_core_rescue", "stress_sleep_reset"}
    assert {k: t["id"] for k, t in first.items()} == {k: t["id"] for k, t in again.items()}
    assert gym.count(JourneyTemplate) == 3 and gym.count(JourneyVersion) == 3

    metabolic = gym.get(first["metabolic_reset"]["id"])
    assert metabolic["name"] == "8-week Metabolic Reset" and metabolic["weeks"] == 8
    assert metabolic["intensity_ceiling"] == "moderate"
    assert set(metabolic["indications"]) >= {"pre_diabetes", "type_2_diabetes", "overweight"}
    plan = metabolic["current"]["plan"]
    minutes = [w["minutes"] for w in plan["weeks"]]
    # From 90 a week, never falling, to 150 and more by the end.
    assert minutes[0] == 90 and minutes == sorted(minutes) and minutes[-1] >= 150
    assert [w["strength_days"] for w in plan["weeks"]][:3] == [0, 0, 2]
    assessments = {a["key"]: a for a in plan["assessments"]}
    assert (assessments["sit_to_stand_30s"]["low"], assessments["sit_to_stand_30s"]["high"]) == (
        0,
        50,
    )
    assert (
        assessments["resting_heart_rate"]["low"],
        assessments["resting_heart_rate"]["high"],
    ) == (
        35,
        120,
    )
    assert all(a["weeks"] == [0, 8] for a in plan["assessments"])
    assert plan["progression"][0] == {"kind": "raise_on_met", "percent": 10, "cap": 200, "after": 1}
    assert plan["habit_point"] == {"sessions": 6, "weeks": 2}

    back = gym.get(first["back_core_rescue"]["id"])
    assert set(back["contraindications"]) == {"recent_injury", "pregnancy"}
    stress = gym.get(first["stress_sleep_reset"]["id"])
    assert stress["intensity_ceiling"] == "low" and stress["weeks"] == 4
    # The shipped templates differ by tenant: another provider gets its own.
    other = _open(gym.api, gym.container, "journey-other")
    theirs = shipped(gym.api, other.tenant.headers)
    assert theirs["metabolic_reset"]["id"] != first["metabolic_reset"]["id"]


def test_editing_a_version_with_an_enrolment_makes_version_2(gym: Gym) -> None:
    back = shipped(gym.api, gym.tenant.headers)["back_core_rescue"]
    member = new_member(gym.api, gym.tenant, gym.location_id)
    # A dropped enrolment counts too: its history reads the version it was on.
    enrolment = enrol(
        gym.container, gym.tenant.id, back["id"], member, status=EnrolmentStatus.DROPPED
    )
    before = gym.get(back["id"])
    plan = _plan_with_week3(before["current"]["plan"], minutes=80)
    manager = gym.staff("manager")
    response = gym.api.client.patch(
        f"/journeys/templates/{back['id']}", json={"plan": plan}, headers=manager
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["current_version"] == 2
    assert [(v["version"], v["enrolments"]) for v in after["versions"]] == [(1, 1), (2, 0)]
    assert after["current"]["plan"]["weeks"][2]["minutes"] == 80
    old = gym.api.client.get(f"/journeys/templates/{back['id']}/versions/1", headers=manager)
    assert old.json()["plan"] == before["current"]["plan"]
    new = gym.api.client.get(f"/journeys/templates/{back['id']}/versions/2", headers=manager)
    assert new.json()["plan"]["weeks"][2]["minutes"] == 80
    with gym.container.uow() as uow:
        e = uow.db.get(JourneyEnrolment, (uuid.UUID(gym.tenant.id), uuid.UUID(enrolment)))
        assert e is not None
        v = uow.db.get(JourneyVersion, (uuid.UUID(gym.tenant.id), e.version_id))
        assert v is not None and v.version == 1
    # Version 2 has no enrolment yet: editing again replaces it in place.
    again = gym.api.client.patch(
        f"/journeys/templates/{back['id']}",
        json={"plan": _plan_with_week3(plan, minutes=85)},
        headers=manager,
    ).json()
    assert again["current_version"] == 2 and len(again["versions"]) == 2
    assert again["current"]["plan"]["weeks"][2]["minutes"] == 85
    assert gym.count(JourneyVersion) == 4


def test_editing_without_enrolments_replaces_the_version_in_place(gym: Gym) -> None:
    stress = shipped(gym.api, gym.tenant.headers)["stress_sleep_reset"]
    plan = _plan_with_week3(gym.get(stress["id"])["current"]["plan"], tiles=6)
    body = {"plan": plan, "indications": ["stress"], "name": "4-week Calm"}
    after = gym.api.client.patch(
        f"/journeys/templates/{stress['id']}", json=body, headers=gym.tenant.headers
    ).json()
    assert (after["current_version"], after["name"], after["indications"]) == (
        1,
        "4-week Calm",
        ["stress"],
    )
    assert after["current"]["plan"]["weeks"][2]["tiles"] == 6
    assert gym.count(JourneyVersion) == 3
    # A name change alone never makes a version, even with an enrolment.
    member = new_member(gym.api, gym.tenant, gym.location_id)
    enrol(gym.container, gym.tenant.id, stress["id"], member)
    renamed = gym.api.client.patch(
        f"/journeys/templates/{stress['id']}", json={"name": "Calm"}, headers=gym.tenant.headers
    ).json()
    assert renamed["current_version"] == 1 and gym.count(JourneyVersion) == 3


def _weeks(n: int, **first: int) -> list[dict[str, int]]:
    weeks = [{"week": i, "minutes": 60, "sessions": 2} for i in range(1, n + 1)]
    weeks[0].update(first)
    return weeks


BAD = [
    # (what is wrong, the change, a word the message names)
    (
        "a zero week",
        {"plan": {"weeks": _weeks(3, minutes=0, sessions=0)}},
        "week 1: asks for nothing",
    ),
    (
        "weeks out of order",
        {"plan": {"weeks": [{"week": 1, "minutes": 60}, {"week": 3, "minutes": 60}]}},
        "week 2: numbered 3",
    ),
    ("too many minutes", {"plan": {"weeks": _weeks(2, minutes=1501)}}, "minutes must be 0 to 1500"),
    ("an unknown flag", {"contraindications": ["grumpy"]}, "'grumpy' is not a risk flag"),
    ("an unknown indication", {"indications": ["wealth"]}, "'wealth' is neither"),
    ("an unknown ceiling", {"intensity_ceiling": "extreme"}, "intensity_ceiling"),
    (
        "an assessment range upside down",
        {
            "plan": {
                "weeks": _weeks(2),
                "assessments": [
                    {"key": "rhr", "label": "RHR", "unit": "bpm", "low": 90, "high": 40}
                ],
            }
        },
        "low (90) must be below high (40)",
    ),
    ("no weeks", {"plan": {"weeks": []}}, "1 to 52 weeks"),
    ("a null name", {"name": None}, "name"),
]


@pytest.mark.parametrize(("what", "change", "says"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_refused_and_nothing_changes(
    gym: Gym, what: str, change: dict[str, Any], says: str
) -> None:
    metabolic = shipped(gym.api, gym.tenant.headers)["metabolic_reset"]
    before = gym.get(metabolic["id"])
    detail = _problem(
        gym.api.client.patch(
            f"/journeys/templates/{metabolic['id']}", json=change, headers=gym.tenant.headers
        ),
        422,
    )
    assert says in detail, what
    assert gym.get(metabolic["id"]) == before
    created = {
        "name": "Mine",
        "intensity_ceiling": "low",
        "plan": {"weeks": _weeks(2)},
        **change,
    }
    if created["name"] is not None:
        _problem(
            gym.api.client.post("/journeys/templates", json=created, headers=gym.tenant.headers),
            422,
        )
    assert gym.count(JourneyTemplate) == 3 and gym.count(JourneyVersion) == 3


def test_owners_create_coaches_read_members_see_the_offer(gym: Gym) -> None:
    client = gym.api.client
    profiles = client.get("/prescription-profiles", headers=gym.tenant.headers).json()
    profile_id = profiles["items"][0]["id"]
    body = {
        "name": "Walk to Work",
        "summary": "Walk part of the way, three weeks.",
        "intensity_ceiling": "moderate",
        "indications": ["sedentary", "general_fitness"],
        # One of the tenant's prescription profiles (its starter library).
        "profile_id": profile_id,
        "plan": {
            "weeks": _weeks(3),
            "permitted": [{"kind": "outdoor"}],
            "habit_point": {"sessions": 3, "weeks": 1},
        },
    }
    created = client.post("/journeys/templates", json=body, headers=gym.tenant.headers)
    assert created.status_code == 201, created.text
    mine = created.json()
    assert (mine["current_version"], mine["weeks"], mine["starter_key"]) == (1, 3, None)
    assert mine["current"]["profile_id"] == profile_id
    # Nobody's profile, or another tenant's, is bad input, and nothing is written.
    unknown = body | {"name": "Nowhere", "profile_id": str(uuid.UUID(int=42))}
    refused = client.post("/journeys/templates", json=unknown, headers=gym.tenant.headers)
    assert refused.status_code == 422 and "prescription profile" in refused.json()["detail"]
    for role in ("coach", "front_desk"):
        headers = gym.staff(role)
        assert gym.get(mine["id"], headers)["name"] == "Walk to Work"
        assert client.get("/journeys/templates", headers=headers).status_code == 200
        _problem(client.post("/journeys/templates", json=body, headers=headers), 403)
        _problem(
            client.patch(f"/journeys/templates/{mine['id']}", json={"name": "X"}, headers=headers),
            403,
        )
        _problem(client.post(f"/journeys/templates/{mine['id']}/archive", headers=headers), 403)
    member = member_headers(
        gym.container, gym.tenant.id, new_member(gym.api, gym.tenant, gym.location_id)
    )
    _problem(client.get("/journeys/templates", headers=member), 403)
    _problem(client.get(f"/journeys/templates/{mine['id']}", headers=member), 403)
    offer = client.get("/me/journeys/templates", headers=member).json()["items"]
    assert [t["name"] for t in offer] == [
        "4-week Stress & Sleep Reset",
        "6-week Back & Core Rescue",
        "8-week Metabolic Reset",
        "Walk to Work",
    ]
    walk = offer[3]
    # What a member reads: no indications, contra-indications, versions or staff ids.
    assert set(walk) == {"id", "name", "summary", "weeks", "counts"}
    assert (len(walk["weeks"]), walk["counts"]) == (3, ["outdoor"])
    _problem(client.get("/me/journeys/templates", headers=gym.tenant.headers), 403)
    archived = client.post(f"/journeys/templates/{mine['id']}/archive", headers=gym.tenant.headers)
    assert archived.json()["archived_at"] is not None
    offer = client.get("/me/journeys/templates", headers=member).json()["items"]
    assert "Walk to Work" not in [t["name"] for t in offer]
    listed = client.get("/journeys/templates", headers=gym.tenant.headers).json()["items"]
    assert "Walk to Work" not in [t["name"] for t in listed]
    listed = client.get(
        "/journeys/templates?include_archived=true", headers=gym.tenant.headers
    ).json()["items"]
    assert "Walk to Work" in [t["name"] for t in listed]


def test_another_tenants_templates_and_enrolments_are_not_found(gym: Gym) -> None:
    metabolic = shipped(gym.api, gym.tenant.headers)["metabolic_reset"]
    member = new_member(gym.api, gym.tenant, gym.location_id)
    enrolment = enrol(gym.container, gym.tenant.id, metabolic["id"], member)
    other = _open(gym.api, gym.container, "journey-rival")
    client, theirs, tid = gym.api.client, other.tenant.headers, metabolic["id"]
    for response in (
        client.get(f"/journeys/templates/{tid}", headers=theirs),
        client.patch(f"/journeys/templates/{tid}", json={"name": "Mine now"}, headers=theirs),
        client.post(f"/journeys/templates/{tid}/archive", headers=theirs),
        client.get(f"/journeys/templates/{tid}/versions/1", headers=theirs),
        client.get(f"/journeys/templates/{tid}/versions/1/fhir", headers=theirs),
        client.get(f"/journeys/enrolments/{enrolment}/fhir", headers=theirs),
    ):
        _problem(response, 404)
    assert gym.get(tid)["name"] == "8-week Metabolic Reset"
    _problem(client.get(f"/journeys/templates/{tid}/versions/9", headers=gym.tenant.headers), 404)


def test_fhir_exports_parse_back(gym: Gym) -> None:
    metabolic = shipped(gym.api, gym.tenant.headers)["metabolic_reset"]
    coach_email = f"coach-{uuid.uuid4().hex[:6]}@{gym.tenant.slug}.example"
    coach_id = gym.api.create_staff(gym.tenant, "coach", coach_email)["id"]
    coach = gym.api.token_for(gym.tenant.slug, coach_email)
    response = gym.api.client.get(
        f"/journeys/templates/{metabolic['id']}/versions/1/fhir", headers=coach
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    plan = PlanDefinition.model_validate_json(response.text)
    assert (plan.status, plan.title, plan.version) == ("active", "8-week Metabolic Reset", "1")
    weeks = [a for a in plan.action or [] if (a.id or "").startswith("week-")]
    assert len(weeks) == 8 and weeks[0].goalId == ["week-1"]
    goal3 = (plan.goal or [])[2]
    units = {
        (int(t.detailQuantity.value or 0), t.detailQuantity.code)
        for t in goal3.target or []
        if t.detailQuantity is not None
    }
    # Week 3: 110 minutes, 3 sessions and 2 strength days and 2 Tiles a week.
    assert units == {(110, "min"), (3, "/wk"), (2, "/wk")}
    assessments = [a for a in plan.action or [] if (a.id or "").startswith("assessment-")]
    assert [a.code[0].text for a in assessments if a.code] == [
        "sit_to_stand_30s",
        "resting_heart_rate",
        "wellbeing_who5",
    ]

    member = new_member(gym.api, gym.tenant, gym.location_id)
    # Week 1 met: 95 of 90 minutes, dose capped at 100 %; week 2 logged 40 minutes (44 %).
    enrolment = enrol(
        gym.container,
        gym.tenant.id,
        metabolic["id"],
        member,
        status=EnrolmentStatus.PAUSED,
        starts_on=date(2026, 3, 2),
        coach_id=coach_id,
        weeks=(
            {
                "week": 1,
                "starts_on": date(2026, 3, 2),
                "target": {"minutes": 90, "sessions": 3},
                "minutes": 95,
                "sessions": 3,
                "dose": 1.0,
                "met": True,
            },
            {
                "week": 2,
                "starts_on": date(2026, 3, 9),
                "target": {"minutes": 100, "sessions": 3},
                "minutes": 40,
                "sessions": 1,
                "dose": 0.44,
                "paused": True,
            },
        ),
    )
    response = gym.api.client.get(f"/journeys/enrolments/{enrolment}/fhir", headers=coach)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    care = CarePlan.model_validate_json(response.text)
    assert (care.status, care.intent) == ("on-hold", "plan")
    assert care.subject.reference == f"Patient/{member}"
    assert care.instantiatesCanonical == [f"urn:zmos:journey:{metabolic['id']}|1"]
    # 8 weeks from Monday 2 March: the last day is Sunday 26 April (2 March + 55 days).
    assert care.period is not None
    assert (str(care.period.start), str(care.period.end)) == ("2026-03-02", "2026-04-26")
    activities = care.activity or []
    assert len(activities) == 8
    assert [a.detail.status for a in activities[:2] if a.detail] == ["completed", "on-hold"]
    assert activities[0].progress and "Logged 95 minutes" in (activities[0].progress[0].text or "")
    assert activities[1].detail and "100 minutes" in (activities[1].detail.description or "")
    _problem(gym.api.client.get(f"/journeys/enrolments/{uuid.uuid4()}/fhir", headers=coach), 404)


def test_first_reads_at_the_same_moment_load_the_shipped_templates_once(gym: Gym) -> None:
    owner = AccessClaims(
        kind=PrincipalKind.STAFF,
        subject_id=uuid.UUID(gym.tenant.owner_id),
        tenant_id=uuid.UUID(gym.tenant.id),
        role=StaffRole.OWNER,
    )
    start = threading.Barrier(3)
    failures: list[BaseException] = []
    counts: list[int] = []

    def first_read() -> None:
        start.wait()
        try:
            page = service.list_templates(
                uow=gym.container.uow(), claims=owner, include_archived=True, limit=50, offset=0
            )
            counts.append(len(page.items))
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=first_read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    assert counts == [3, 3, 3]
    assert gym.count(JourneyTemplate) == 3 and gym.count(JourneyVersion) == 3
