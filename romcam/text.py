"""Plain text a person typed (names, labels, notes): what may not be in it."""

from __future__ import annotations

import unicodedata

from romcam.errors import InputError

#: Bidirectional embeddings, overrides and isolates: they reorder how the text around them is
#: shown (a name can be made to read as something else). The marks U+200E/U+200F, which
#: right-to-left names may need, are allowed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_plain_text(name: str, value: str, *, allowed: str = "") -> None:
    """InputError naming the first control character (Unicode category Cc: terminal escapes,
    bell, delete...) or bidirectional override/isolate in ``value``; ``allowed`` lists control
    characters that may stay (e.g. line breaks in notes).

    Every text the store keeps goes through here, so nothing it prints or shows later can
    drive a terminal or reorder what is displayed.
    """
    for position, ch in enumerate(value, start=1):
        if ch in allowed:
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            label = f"U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip()
            raise InputError(
                f"{name} contains the character {label} at position {position}; remove it "
                "(names and labels are plain text)"
            )
