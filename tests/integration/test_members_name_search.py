"""Name search folds case and accents alike on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member


def _search(api: Api, tenant: Tenant, q: str) -> list[str]:
    response = api.client.get("/members", params={"q": q}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return sorted(f"{m['first_name']} {m['last_name']}" for m in response.json()["items"])


def test_names_with_non_ascii_letters_are_found_in_any_case_and_without_accents(
    api: Api,
) -> None:
    tenant = api.sign_up("fold-gym")
    create_member(api, tenant, "Ɛfua", "Owusu")
    create_member(api, tenant, "Émile", "Dubois")
    create_member(api, tenant, "Ísa", "Núñez")
    create_member(api, tenant, "Emma", "Stone")
    assert _search(api, tenant, "Ɛfua") == ["Ɛfua Owusu"]
    assert _search(api, tenant, "ɛFUA") == ["Ɛfua Owusu"]
    assert _search(api, tenant, "Émile") == ["Émile Dubois"]
    assert _search(api, tenant, "ÉMILE") == ["Émile Dubois"]
    assert _search(api, tenant, "emile") == ["Émile Dubois"]
    assert _search(api, tenant, "nunez isa") == ["Ísa Núñez"]
    assert _search(api, tenant, "NÚÑ") == ["Ísa Núñez"]
    assert _search(api, tenant, "em") == ["Emma Stone", "Émile Dubois"]


def test_a_renamed_member_is_found_by_the_new_name_only(api: Api) -> None:
    tenant = api.sign_up("rename-gym")
    member = create_member(api, tenant, "Efua", "Owusu")
    response = api.client.patch(
        f"/members/{member['id']}", json={"last_name": "Ọ̀ṣun"}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    assert _search(api, tenant, "owusu") == []
    assert _search(api, tenant, "osun efua") == ["Efua Ọ̀ṣun"]


def test_other_tenants_members_are_not_found(api: Api) -> None:
    mine, theirs = api.sign_up("fold-mine"), api.sign_up("fold-theirs")
    create_member(api, theirs, "Émile", "Dubois")
    assert _search(api, mine, "emile") == []
