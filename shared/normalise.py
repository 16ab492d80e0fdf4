"""Normal forms the server and the kiosk must agree on, for storing, matching and searching:
emails, phone numbers, names and scanned codes.

An email is compared trimmed and lower-cased (``str.lower``, not ``casefold``: the server
stores emails that way, so a stored address is already in its normal form).
"""

from __future__ import annotations

import re
import unicodedata

#: What a phone number may be typed with: digits, spaces, brackets, dots, dashes, a leading +.
PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-./]+$")
#: Fewer digits than this is not a phone number anywhere (nor a phone search).
MIN_PHONE_DIGITS = 3

_NON_DIGIT = re.compile(r"\D+")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CODE_NOISE = re.compile(r"[\s\-]+")


def normalise_email(email: str | None) -> str | None:
    """``" Ana@Example.COM "`` → ``"ana@example.com"``; None for nothing."""
    text = (email or "").strip().lower()
    return text or None


def email_key(email: str) -> str:
    """An email as stored and looked up (for a value that is never empty)."""
    return email.strip().lower()


def phone_digits(phone: str | None) -> str | None:
    """The digits of a phone number: ``"+44 (20) 7946-0000"`` → ``"442079460000"``."""
    digits = _NON_DIGIT.sub("", phone or "")
    return digits or None


def looks_like_phone(query: str) -> bool:
    """Whether a search query is (part of) a phone number rather than a name."""
    text = query.strip()
    return bool(PHONE_CHARS.match(text)) and len(_NON_DIGIT.sub("", text)) >= MIN_PHONE_DIGITS


def fold(text: str) -> str:
    """Lower case without accents: "Ísa Núñez" → "isa nunez"."""
    if text.isascii():  # nothing to decompose (most names): the same answer, far quicker
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of ``text``; punctuation separates words."""
    return [w for w in _NON_WORD.split(fold(text)) if w]


def name_tokens(first_name: str, last_name: str) -> set[str]:
    """Tokens a name is found by: each word, and each name with its punctuation removed
    (so "O'Brien" is found by "obrien" as well as by "brien")."""
    tokens = set(words(first_name)) | set(words(last_name))
    for part in (first_name, last_name):
        joined = "".join(words(part))
        if joined:
            tokens.add(joined)
    return tokens


def name_search_key(first_name: str, last_name: str) -> str:
    """What a name is searched by: both names folded, one space apart ("ɛfua emile").

    A query word never holds a space, so it is found in this key exactly when it is found
    in the first or in the last name."""
    return f"{fold(first_name.strip())} {fold(last_name.strip())}"


def sort_name(first_name: str, last_name: str) -> str:
    """The key members are listed by: folded last name, then first name."""
    return f"{' '.join(words(last_name))} {' '.join(words(first_name))}".strip()


def code_norm(code: str | None) -> str | None:
    """A barcode or card number as typed by a scanner: no spaces, dashes or case."""
    text = _CODE_NOISE.sub("", code or "").upper()
    return text or None
