"""The demo tenant. Each feature adds its own section here, through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from server.bootstrap import Container
from server.ports.identity import AccessClaims
from server.staff import service as staff_service
from server.staff import signup
from server.staff.schemas import StaffCreate, StaffUpdate
from server.tenants import service as tenants_service
from server.tenants.schemas import LocationCreate, OwnerCreate, TenantCreate
from shared.enums import PrincipalKind, StaffRole
from shared.opening_hours import OpeningHours

TENANT_SLUG = "demo-fitness"
PASSWORD = "zmos-demo-2026"

WEEKDAYS_6_TO_21 = {
    day: [{"opens": "06:00", "closes": "21:00"}] for day in ("mon", "tue", "wed", "thu", "fri")
}


@dataclass
class DemoStaff:
    name: str
    email: str
    role: StaffRole
    pin: str


STAFF = [
    DemoStaff("Ama Owusu", "owner@demo-fitness.example", StaffRole.OWNER, "135790"),
    DemoStaff("Kofi Mensah", "manager@demo-fitness.example", StaffRole.MANAGER, "246810"),
    DemoStaff("Efua Asante", "desk@demo-fitness.example", StaffRole.FRONT_DESK, "1234"),
    DemoStaff("Yaw Boateng", "coach@demo-fitness.example", StaffRole.COACH, "9876"),
]


@dataclass
class DemoTenant:
    tenant_id: uuid.UUID
    owner_id: uuid.UUID
    locations: dict[str, uuid.UUID] = field(default_factory=dict)
    #: Staff ids by email.
    staff: dict[str, uuid.UUID] = field(default_factory=dict)

    def owner_claims(self) -> AccessClaims:
        return AccessClaims(
            kind=PrincipalKind.STAFF,
            subject_id=self.owner_id,
            tenant_id=self.tenant_id,
            role=StaffRole.OWNER,
        )


def seed(container: Container) -> DemoTenant:
    owner = STAFF[0]
    signed_up = signup.sign_up(
        uow=container.uow(),
        identity=container.identity,
        settings=container.settings,
        cmd=TenantCreate(
            name="Zimasa Demo Fitness",
            slug=TENANT_SLUG,
            contact_email="hello@demo-fitness.example",
            contact_phone="+233 30 000 0000",
            currency="GHS",
            owner=OwnerCreate(name=owner.name, email=owner.email, password=PASSWORD),
        ),
    )
    demo = DemoTenant(tenant_id=signed_up.tenant.id, owner_id=signed_up.owner.id)
    claims = demo.owner_claims()
    osu = tenants_service.create_location(
        uow=container.uow(),
        claims=claims,
        cmd=LocationCreate(
            name="Osu Studio",
            timezone="Africa/Accra",
            capacity=80,
            address="12 Oxford Street, Osu, Accra",
            contact_phone="+233 30 000 0001",
            opening_hours=OpeningHours.model_validate(
                {**WEEKDAYS_6_TO_21, "sat": [{"opens": "08:00", "closes": "14:00"}]}
            ),
        ),
    )
    shoreditch = tenants_service.create_location(
        uow=container.uow(),
        claims=claims,
        cmd=LocationCreate(
            name="Shoreditch Club",
            timezone="Europe/London",
            currency="GBP",
            capacity=150,
            address="1 Curtain Road, London EC2A",
            contact_email="shoreditch@demo-fitness.example",
            opening_hours=OpeningHours.model_validate(
                {
                    **{
                        d: [{"opens": "06:30", "closes": "22:00"}]
                        for d in ("mon", "tue", "wed", "thu")
                    },
                    "fri": [{"opens": "06:30", "closes": "20:00"}],
                    "sat": [
                        {"opens": "09:00", "closes": "13:00"},
                        {"opens": "15:00", "closes": "18:00"},
                    ],
                    "sun": [{"opens": "09:00", "closes": "14:00"}],
                }
            ),
        ),
    )
    demo.locations = {"Osu Studio": osu.id, "Shoreditch Club": shoreditch.id}
    staff_service.update_staff(
        uow=container.uow(),
        identity=container.identity,
        grants=container.grants,
        claims=claims,
        staff_id=demo.owner_id,
        cmd=StaffUpdate(pin=owner.pin, kiosk_pin=True),
    )
    demo.staff[owner.email] = demo.owner_id
    for person in STAFF[1:]:
        created = staff_service.create_staff(
            uow=container.uow(),
            identity=container.identity,
            claims=claims,
            cmd=StaffCreate(
                name=person.name,
                email=person.email,
                role=person.role,
                password=PASSWORD,
                pin=person.pin,
                home_location_id=osu.id if person.role is StaffRole.FRONT_DESK else None,
            ),
        )
        demo.staff[person.email] = created.id
    return demo
