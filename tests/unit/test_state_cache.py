"""The projector's kept states: a hit only at the row's revision, the least recently used
evicted first, a tenant forgotten whole, and whole operations from several threads."""

from __future__ import annotations

import threading
import uuid

from server.engagement.projection import StateCache, _Cached
from shared.engagement import codec

T1, T2 = uuid.UUID(int=1), uuid.UUID(int=2)
A, B, C = uuid.UUID(int=10), uuid.UUID(int=11), uuid.UUID(int=12)


def _entry(revision: int) -> _Cached:
    return _Cached(revision, codec.MemberState(), frozenset(), (None, None))


def test_a_hit_only_at_the_revision_it_was_kept_at() -> None:
    cache = StateCache()
    cache.put(T1, A, _entry(5))
    assert cache.get(T1, A, 5) is not None
    assert cache.get(T1, A, 6) is None  # another writer moved the row
    assert cache.get(T2, A, 5) is None  # another tenant's member of the same id


def test_the_least_recently_used_goes_first_and_a_tenant_is_forgotten_whole() -> None:
    cache = StateCache(size=2)
    cache.put(T1, A, _entry(1))
    cache.put(T1, B, _entry(1))
    assert cache.get(T1, A, 1) is not None  # A is now the most recent
    cache.put(T2, C, _entry(1))
    assert cache.get(T1, B, 1) is None and cache.get(T1, A, 1) is not None
    cache.forget_tenant(T1)
    assert cache.get(T1, A, 1) is None and cache.get(T2, C, 1) is not None


def test_several_threads_at_once_never_break_it() -> None:
    cache = StateCache(size=50)
    errors: list[BaseException] = []

    def work(tenant: uuid.UUID) -> None:
        try:
            for n in range(5000):
                member = uuid.UUID(int=n % 120)
                cache.put(tenant, member, _entry(n))
                cache.get(tenant, member, n)
                if n % 13 == 0:
                    cache.forget_tenant(tenant)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(uuid.UUID(int=t),)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
