"""Sign-in throttling per client: a lock-out keeps out the client that failed, not the
account's owner elsewhere, and one client cannot spread its guesses over many accounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.config import Settings
from server.main import create_app
from tests.integration.helpers import Api


def _login(api: Api, client: str, slug: str, email: str, password: str | None = None) -> Any:
    body = {"tenant": slug, "email": email, "password": password or "correct horse battery"}
    return api.client.post("/auth/login", json=body, headers={"X-Forwarded-For": client})


class TestBehindAProxy:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return Settings(**{**settings.model_dump(), "trusted_proxy_header": "X-Forwarded-For"})

    def test_a_lock_out_keeps_out_only_the_client_that_failed(self, api: Api) -> None:
        api.sign_up("perclient-gym")
        owner = "owner@perclient-gym.example"
        guesser, owner_pc = "203.0.113.7", "198.51.100.1, 192.0.2.10"
        for _ in range(5):
            assert _login(api, guesser, "perclient-gym", owner, "wrong guess").status_code == 401
        locked = _login(api, guesser, "perclient-gym", owner)
        assert locked.status_code == 429
        assert "for this account" in locked.json()["detail"]
        assert int(locked.headers["Retry-After"]) > 800
        # The owner, at a client that has not failed, signs in with the right password.
        assert _login(api, owner_pc, "perclient-gym", owner).status_code == 200
        # Only the proxy's own entry (the last) counts: the guesser cannot pose as the owner.
        spoofed = _login(api, f"192.0.2.10, {guesser}", "perclient-gym", owner)
        assert spoofed.status_code == 429

    def test_one_client_cannot_spread_guesses_over_many_accounts(self, api: Api) -> None:
        tenants = [api.sign_up(f"spread-{n}") for n in range(2)]
        for n in range(2, 11):
            api.create_staff(tenants[n % 2], "coach", f"c{n}@spread.example")
        accounts = [(t.slug, f"owner@{t.slug}.example") for t in tenants] + [
            (tenants[n % 2].slug, f"c{n}@spread.example") for n in range(2, 11)
        ]
        attacker = "2001:db8:1:2::10"
        answers = [
            _login(api, attacker, slug, email, "wrong guess").status_code
            for slug, email in accounts * 2
        ][:20]
        # Ten failures, over eleven accounts in two tenants, lock the address out.
        assert answers == [401] * 10 + [429] * 10
        # Every address of its /64 is the same client; even a right password waits.
        refused = _login(api, "2001:db8:1:2::99", tenants[0].slug, accounts[0][1])
        assert refused.status_code == 429
        assert "from this address" in refused.json()["detail"]
        assert int(refused.headers["Retry-After"]) > 800
        # Member sign-in counts for the same address too.
        member = api.client.post(
            "/members/login",
            json={"tenant": tenants[0].slug, "email": "m@spread.example", "password": "x"},
            headers={"X-Forwarded-For": attacker},
        )
        assert member.status_code == 429
        # Everyone else is unaffected.
        for slug, email in accounts[:3]:
            assert _login(api, "2001:db8:1:3::10", slug, email).status_code == 200


def test_without_a_trusted_proxy_the_header_is_ignored(api: Api) -> None:
    api.sign_up("noproxy-gym")
    owner = "owner@noproxy-gym.example"
    for n in range(5):
        wrong = _login(api, f"203.0.113.{n}", "noproxy-gym", owner, "wrong guess")
        assert wrong.status_code == 401
    assert _login(api, "198.51.100.1", "noproxy-gym", owner).status_code == 429


@pytest.fixture
def second_client(container: Container) -> Iterator[TestClient]:
    app = create_app(container=container)
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.44", 5000)) as client:
        yield client


def test_peers_are_told_apart_by_their_address(api: Api, second_client: TestClient) -> None:
    api.sign_up("peer-gym")
    body = {"tenant": "peer-gym", "email": "owner@peer-gym.example"}
    for _ in range(5):
        wrong = api.client.post("/members/login", json={**body, "password": "wrong"})
        assert wrong.status_code == 401
        assert api.login("peer-gym", body["email"], "wrong").status_code == 401
    assert api.login("peer-gym", body["email"]).status_code == 429
    right = second_client.post("/auth/login", json={**body, "password": "correct horse battery"})
    assert right.status_code == 200, right.text


def test_spent_counts_are_pruned(api: Api, container: Container) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from server.bootstrap import background_jobs
    from server.signins.models import LoginThrottle
    from server.signins.throttle import prune
    from shared.clock import utcnow

    api.sign_up("prune-gym")
    for _ in range(5):
        api.login("prune-gym", "owner@prune-gym.example", "wrong")  # locks: account+client
    api.login("prune-gym", "nobody@prune-gym.example", "wrong")  # one failure

    def rows() -> int:
        with container.session_factory() as db:
            return int(db.execute(select(func.count()).select_from(LoginThrottle)).scalar_one())

    assert rows() == 3  # two account-client counts and the client's own
    lockout = container.settings.login_lockout_seconds
    now = utcnow()
    # Still within the window: nothing goes.
    assert prune(uow=container.uow(), now=now, lockout_seconds=lockout) == 0
    # After the window, counts without a running lock-out go; a running lock-out stays.
    later = now + timedelta(seconds=lockout + 1)
    with container.session_factory() as db:
        db.execute(
            update(LoginThrottle)
            .where(LoginThrottle.locked_until.is_not(None))
            .values(locked_until=later + timedelta(minutes=5))
        )
        db.commit()
    assert prune(uow=container.uow(), now=later, lockout_seconds=lockout) == 2
    assert rows() == 1
    assert (
        prune(uow=container.uow(), now=later + timedelta(minutes=6), lockout_seconds=lockout) == 1
    )
    assert rows() == 0
    [job] = [j for j in background_jobs(container) if j.name == "signins.prune_throttle"]
    assert job.interval_seconds == 3600.0
