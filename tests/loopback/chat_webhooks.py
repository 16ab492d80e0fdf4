"""Slack and Microsoft Teams incoming webhooks on loopback, as documented.

Slack (https://api.slack.com/messaging/webhooks#handling_errors): ``POST`` JSON with
``text``; 200 ``ok``; 400 ``invalid_payload`` (not JSON), 400 ``no_text``; 403
``action_prohibited``; 404 ``no_service`` (unknown or revoked hook); 410
``channel_is_archived``; 429 with Retry-After when rate limited. Teams (Office 365
connectors): a MessageCard JSON; 200 ``1``; 400 with a text error for a bad card.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback.http_base import Script, answer


@dataclass
class ChatState:
    #: Hook paths that exist, e.g. "/services/T000/B000/XXXX" (Slack), "/webhook/abc" (Teams).
    slack_hooks: set[str] = field(default_factory=set)
    teams_hooks: set[str] = field(default_factory=set)
    script: Script = field(default_factory=Script)
    slack: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0


def _slack(state: ChatState, path: str, payload: Any) -> tuple[int, bytes]:
    if path not in state.slack_hooks:
        return 404, b"no_service"
    if not isinstance(payload, dict):
        return 400, b"invalid_payload"
    if not str(payload.get("text") or "").strip() and not payload.get("blocks"):
        return 400, b"no_text"
    state.slack.append(payload)
    return 200, b"ok"


def _teams(state: ChatState, path: str, payload: Any) -> tuple[int, bytes]:
    if path not in state.teams_hooks:
        return 404, b"Webhook not found"
    card = payload if isinstance(payload, dict) else {}
    if card.get("@type") != "MessageCard" or not (card.get("text") or card.get("sections")):
        return 400, b"Summary or Text is required."
    state.teams.append(card)
    return 200, b"1"


class ChatHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        state: ChatState = self.server.state  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        state.requests += 1
        fault = state.script.next()
        if fault is not None:
            time.sleep(fault.delay)
            answer(self, fault.status, fault.body, fault.content_type, fault.headers)
            return
        try:
            payload: Any = json.loads(raw)
        except ValueError:
            payload = None
        route = _teams if self.path in state.teams_hooks else _slack
        status, body = route(state, self.path, payload)
        answer(self, status, body, "text/plain")
