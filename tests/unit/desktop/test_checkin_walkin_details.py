"""Walk-ins at the desk: the same person is caught before anything is saved (phone in any
format, email, name and date of birth), and the form's birth date, emergency contact, card
number and waiver reach the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.checkin import MEMBER_CREATE, InputError
from desktop.core.checkin.walkin import duplicate_question
from desktop.core.kiosk import KioskCore
from desktop.core.store import OutboxRepository
from tests.unit.desktop.checkin_fakes import Clock, DeskData, desk_core
from tests.unit.desktop.kiosk_fakes import FakeServer


@pytest.fixture
def akosua(fake_server: FakeServer, data: DeskData) -> None:
    fake_server.add_member(
        "Akosua",
        "Darko",
        phone="+233 24 400 0001",
        email="akosua@example.com",
        card_number="100001",
        date_of_birth="1990-04-12",
    )


@pytest.fixture
def kiosk(
    tmp_path: Path, fake_server: FakeServer, clock: Clock, data: DeskData, akosua: None
) -> Iterator[KioskCore]:
    core = desk_core(tmp_path / "kiosk", fake_server, clock)
    yield core
    core.close()


def created(core: KioskCore) -> list[dict[str, object]]:
    pending = OutboxRepository(core.store.connection()).pending()
    return [e.args for e in pending if e.name == MEMBER_CREATE]


@pytest.mark.parametrize(
    ("first", "last", "fields"),
    [
        ("Ama", "Owusu", {"phone": "024 400 0001"}),  # national form of +233 24 400 0001
        ("Ama", "Owusu", {"phone": "00233-24-400-0001"}),
        ("Ama", "Owusu", {"email": "AKOSUA@Example.com"}),
        ("akosua", "DARKO", {"phone": "020 999 9999", "date_of_birth": "12/04/1990"}),
    ],
)
def test_the_same_person_is_caught_before_saving(
    kiosk: KioskCore, first: str, last: str, fields: dict[str, str]
) -> None:
    result = kiosk.checkin.register_walkin(first, last, **fields)  # type: ignore[arg-type]
    assert result.member is None and created(kiosk) == []
    [hit] = result.duplicates
    assert duplicate_question(hit) == "Is this Akosua Darko (card 100001)?"


def test_a_namesake_born_on_another_day_is_someone_else(kiosk: KioskCore) -> None:
    result = kiosk.checkin.register_walkin(
        "Akosua", "Darko", phone="020 999 9999", date_of_birth="1991-04-12"
    )
    assert result.created and result.duplicates == []


def test_the_form_reaches_the_outbox_and_the_local_member(kiosk: KioskCore, clock: Clock) -> None:
    result = kiosk.checkin.register_walkin(
        "Nia",
        "Walker",
        phone="020 555 0101",
        date_of_birth="31/12/1999",
        emergency_contact="  Kojo   Walker 020 555 0102 ",
        card_number="100777",
        waiver_accepted=True,
    )
    assert result.member is not None
    [args] = created(kiosk)
    assert args["date_of_birth"] == "1999-12-31"
    assert args["emergency_contact"] == "Kojo Walker 020 555 0102"
    assert args["card_number"] == "100777"
    assert args["waiver_accepted_at"] == clock.now().isoformat()
    # The card works at once, offline; and the new member is found by name and birth date.
    outcome = kiosk.checkin.check_in_code("100777")
    assert outcome.member_id == result.member.id and outcome.member_name == "Nia Walker"
    again = kiosk.checkin.register_walkin(
        "Nia", "Walker", email="nia@example.com", date_of_birth="1999-12-31"
    )
    assert [h.member_id for h in again.duplicates] == [result.member.id]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_of_birth": "31-31-1990"}, "not a date of birth"),
        ({"date_of_birth": "2990-01-01"}, "check the year"),
        ({"card_number": "10 01"}, "not a card number"),
        ({"card_number": "100001"}, "Card 100001 is already Akosua Darko's"),
        ({"emergency_contact": "x" * 201}, "at most 200"),
    ],
)
def test_bad_details_are_refused_in_words(
    kiosk: KioskCore, fields: dict[str, str], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        kiosk.checkin.register_walkin("Nia", "Walker", phone="020 555 0101", **fields)  # type: ignore[arg-type]
    assert created(kiosk) == []


def test_without_the_waiver_nothing_says_it_was_accepted(kiosk: KioskCore) -> None:
    kiosk.checkin.register_walkin("Nia", "Walker", phone="020 555 0101")
    [args] = created(kiosk)
    assert args["waiver_accepted_at"] is None
