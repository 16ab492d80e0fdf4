"""The HTML and text bodies of an email, rendered from the templates beside this module
(Jinja2, autoescaped HTML: whatever a message says is shown, never run)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)

KIND_LABELS = {
    "reminder": "class reminders",
    "nudge": "nudges",
    "marketing": "news and offers",
}


@dataclass(frozen=True, slots=True)
class EmailBodies:
    text: str
    html: str


def render_email(
    *, subject: str, body: str, sender_name: str, kind: str, unsubscribe_url: str | None
) -> EmailBodies:
    paragraphs = [p.splitlines() for p in body.strip().split("\n\n") if p.strip()]
    context = {
        "subject": subject,
        "body": body.strip(),
        "paragraphs": paragraphs,
        "sender_name": sender_name,
        "kind_label": KIND_LABELS.get(kind, "these messages"),
        "unsubscribe_url": unsubscribe_url,
    }
    return EmailBodies(
        text=_ENV.get_template("email.txt").render(context),
        html=_ENV.get_template("email.html").render(context),
    )


def render_unsubscribe_page(*, action: str, kind: str | None, done: bool) -> str:
    """The page an unsubscribe link opens: a question with a button (a GET never
    unsubscribes: mail scanners follow links), the answer, or a link that is not valid."""
    invalid = kind is None
    title = "Link not valid" if invalid else ("Unsubscribed" if done else "Unsubscribe")
    return _ENV.get_template("unsubscribe.html").render(
        title=title,
        action=action,
        done=done,
        invalid=invalid,
        kind_label=KIND_LABELS.get(kind or "", "these messages"),
    )
