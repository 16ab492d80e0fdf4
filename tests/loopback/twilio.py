"""Twilio's Messages API on loopback, as documented
(https://www.twilio.com/docs/messaging/api/message-resource):

``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, HTTP Basic auth
(AccountSid:AuthToken), form body ``To``, ``From``, ``Body`` [``StatusCallback``]; 201 with
the message resource as JSON (``sid`` "SM" + 32 hex, ``status`` "queued"); errors as JSON
``{code, message, more_info, status}`` (20003 authenticate, 21211 invalid To, 21604 Body
required). Status callbacks are signed as Twilio's docs describe
(https://www.twilio.com/docs/usage/security#validating-requests): base64 HMAC-SHA1 of the
URL and the sorted POST parameters, keyed with the auth token, in ``X-Twilio-Signature``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl

from tests.loopback.http_base import Fault, Script, answer

E164 = re.compile(r"^(whatsapp:)?\+[1-9]\d{7,14}$")
_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Messages\.json$")


@dataclass
class TwilioState:
    account_sid: str
    auth_token: str
    script: Script = field(default_factory=Script)
    #: Every message accepted (the form as received).
    messages: list[dict[str, str]] = field(default_factory=list)
    #: Every request that reached the endpoint, accepted or not.
    requests: int = 0


def error(code: int, message: str, status: int) -> bytes:
    return json.dumps(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
    ).encode()


def _authorised(handler: BaseHTTPRequestHandler, state: TwilioState) -> bool:
    header = handler.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user == state.account_sid and password == state.auth_token


def _problem(form: dict[str, str]) -> bytes | None:
    if not form.get("Body"):
        return error(21604, "A 'Body' or 'MediaUrl' parameter is required.", 400)
    if not E164.match(form.get("To", "")):
        return error(21211, f"The 'To' number {form.get('To')} is not a valid phone number.", 400)
    if not E164.match(form.get("From", "")):
        return error(21212, "The 'From' number is not a valid phone number.", 400)
    return None


class TwilioHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        state: TwilioState = self.server.state  # type: ignore[attr-defined]
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        state.requests += 1
        match = _PATH.match(self.path)
        if match is None or match.group(1) != state.account_sid:
            answer(
                self,
                404,
                error(20404, "The requested resource was not found", 404),
                "application/json",
            )
            return
        if not _authorised(self, state):
            answer(self, 401, error(20003, "Authenticate", 401), "application/json")
            return
        fault = state.script.next()
        if fault is not None:
            time.sleep(fault.delay)
            answer(self, fault.status, fault.body, fault.content_type, fault.headers)
            return
        if (
            self.headers.get("Content-Type", "").split(";")[0]
            != "application/x-www-form-urlencoded"
        ):
            answer(self, 400, error(20001, "form body expected", 400), "application/json")
            return
        form = dict(parse_qsl(raw.decode()))
        problem = _problem(form)
        if problem is not None:
            answer(self, 400, problem, "application/json")
            return
        state.messages.append(form)
        sid = "SM" + uuid.uuid4().hex
        resource = {
            "sid": sid,
            "account_sid": state.account_sid,
            "to": form["To"],
            "from": form["From"],
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{state.account_sid}/Messages/{sid}.json",
        }
        answer(self, 201, json.dumps(resource).encode(), "application/json")


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    """``X-Twilio-Signature`` as Twilio computes it."""
    data = url + "".join(key + params[key] for key in sorted(params))
    mac = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def status_callback_params(state: TwilioState, message_sid: str, status: str) -> dict[str, str]:
    """The form Twilio posts to a StatusCallback URL."""
    return {
        "AccountSid": state.account_sid,
        "ApiVersion": "2010-04-01",
        "MessageSid": message_sid,
        "SmsSid": message_sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "From": "+15005550006",
        "To": "+233201234567",
    }


FAULTS = {
    "server_error": Fault(500, error(20500, "Internal Server Error", 500), "application/json"),
    "rate_limited": Fault(
        429, error(20429, "Too Many Requests", 429), "application/json", {"Retry-After": "120"}
    ),
}
