"""A provider speaking ZMOS's generic SMS/WhatsApp HTTP contract (docs/notifications.md):
``POST /messages`` with a bearer token and JSON ``{channel, to, from, text,
status_callback}``; 201 ``{id, status}``; 401 without the token, 400 for a bad number."""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback.http_base import Script, answer

_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


@dataclass
class SmsHttpState:
    token: str
    script: Script = field(default_factory=Script)
    messages: list[dict[str, Any]] = field(default_factory=list)


class SmsHttpHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        state: SmsHttpState = self.server.state  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/messages":
            answer(self, 404, b'{"error": "not found"}', "application/json")
            return
        if self.headers.get("Authorization") != f"Bearer {state.token}":
            answer(self, 401, b'{"error": "unauthorised"}', "application/json")
            return
        fault = state.script.next()
        if fault is not None:
            time.sleep(fault.delay)
            answer(self, fault.status, fault.body, fault.content_type, fault.headers)
            return
        body = json.loads(raw)
        if body.get("channel") not in ("sms", "whatsapp") or not _E164.match(body.get("to", "")):
            answer(self, 400, b'{"error": "bad channel or number"}', "application/json")
            return
        state.messages.append(body)
        reply = {"id": f"msg_{uuid.uuid4().hex}", "status": "queued"}
        answer(self, 201, json.dumps(reply).encode(), "application/json")
