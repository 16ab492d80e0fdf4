"""A push batch as it goes to the server: the request body built from the outbox rows, and
the request sent while the kiosk goes on."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.store.outbox import WireRow
from desktop.core.sync.in_flight import InFlight
from shared.sync.messages import SCHEMA_VERSION

if TYPE_CHECKING:
    from desktop.core.sync.client import ServerClient


@dataclass(frozen=True)
class PushBatch:
    """Outbox rows to push (their ids, oldest first), with the ``mutation_base`` their ids
    are sent relative to and the request body."""

    ids: list[int]
    base: int
    payload: bytes

    @classmethod
    def of(cls, device_id: str, rows: list[WireRow], base: int) -> PushBatch:
        return cls([r.mutation_id for r in rows], base, push_payload(device_id, rows, base))


def send(client: Callable[[], ServerClient], payload: bytes, *, wait: bool = False) -> InFlight:
    """The push request, on its own thread (with ``wait``: on this one). Whatever fails (the
    client, the token, the request) is raised by :meth:`InFlight.result`.

    The client and its access token are got on the calling thread: fetching a token reads
    the enrolment from the store, whose connections are per thread."""
    try:
        server = client()
        if not wait:
            server.access_token()
    except BaseException as exc:  # raised by result(), as a failed request would be
        return InFlight.failed(exc)
    return InFlight(lambda: server.push(payload), name="sync-push", wait=wait)


def push_payload(device_id: str, rows: list[WireRow], base: int) -> bytes:
    """A :class:`PushRequest` as gzip'd JSON, built directly: the rows were validated when
    written, and 10,000 of them must go out in well under a second. Each row's arguments
    go as the JSON text stored (written compact, keys sorted: what encoding them would
    give), not decoded and encoded again."""
    dumps = json.dumps
    mutations = ",".join(
        f'{{"mutation_id":{r.mutation_id - base},"name":{dumps(r.name)},"args":{r.args_json},'
        f'"device_time":"{r.device_time.isoformat()}","hlc":{dumps(r.hlc)}}}'
        for r in rows
    )
    document = (
        f'{{"device_id":{dumps(device_id)},"schema_version":{SCHEMA_VERSION},'
        f'"mutations":[{mutations}]}}'
    )
    return gzip.compress(document.encode(), compresslevel=5)
