"""Normal forms for searching and matching: case- and accent-free names, digit-only phones."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_NON_DIGIT = re.compile(r"\D+")


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


def sort_name(first_name: str, last_name: str) -> str:
    return f"{' '.join(words(last_name))} {' '.join(words(first_name))}".strip()


def phone_digits(phone: str | None) -> str | None:
    digits = _NON_DIGIT.sub("", phone or "")
    return digits or None


def email_norm(email: str | None) -> str | None:
    text = (email or "").strip().casefold()
    return text or None


def code_norm(code: str | None) -> str | None:
    """A barcode or card number as typed by a scanner: no spaces, dashes or case."""
    text = re.sub(r"[\s\-]+", "", code or "").upper()
    return text or None
