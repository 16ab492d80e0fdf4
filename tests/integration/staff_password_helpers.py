"""Reading staff password emails (resets and invitations) in tests."""

from __future__ import annotations

import re
from email.message import EmailMessage


def staff_password_token_in(message: EmailMessage) -> str:
    """The one-time code of a staff password reset or invitation email."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"\bspw\.[0-9a-f]{32}\.[0-9a-f]{32}\.[A-Za-z0-9_\-]+", body.get_content())
    assert found, body.get_content()
    return found.group(0)


def staff_password_link_in(message: EmailMessage) -> str:
    """The console address the email links to, to choose the password."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/manage/reset/confirm\?code=\S+", body.get_content())
    assert found, body.get_content()
    return found.group(0)
