"""Names and labels the store takes are plain text: no terminal escapes, no bidi overrides."""

from __future__ import annotations

import re

import pytest

from romcam.errors import InputError
from romcam.store.records import check_label
from romcam.text import check_plain_text


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("bell\x07\x1b[31mred", "U+0007"),
        ("\x1b[2Jcleared", "U+001B"),
        ("del\x7f", "U+007F"),
        ("csi\x9b31m", "U+009B"),
        ("Ann\u202etxt.exe", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\u202aembedded", "U+202A LEFT-TO-RIGHT EMBEDDING"),
        ("iso\u2066late", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("pop\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    ],
)
def test_labels_refuse_control_and_bidi_override_characters(text: str, named: str) -> None:
    with pytest.raises(InputError) as caught:
        check_label("therapist", text, max_length=120)
    message = str(caught.value)
    assert message.startswith("therapist contains the character " + named)
    assert "remove it" in message
    # The message itself never carries the character it refuses.
    assert message.isprintable()


@pytest.mark.parametrize(
    "text", ["Zoë Müller", "山田 太郎", "O'Brien-Smith", "\u05e9\u05e8\u05d4\u200f", "محمد"]
)
def test_real_names_in_any_script_are_kept(text: str) -> None:
    assert check_label("client name", text, max_length=120) == text


def test_notes_keep_line_breaks_and_tabs_but_not_escapes() -> None:
    check_plain_text("notes", "left shoulder\r\n\tpain 3/10", allowed="\r\n\t")
    refused = re.escape("notes contains the character U+001B at position 5")
    with pytest.raises(InputError, match=refused):
        check_plain_text("notes", "pain\x1b[31m", allowed="\r\n\t")
    with pytest.raises(InputError, match="one line"):
        check_label("phase", "before\nafter")
