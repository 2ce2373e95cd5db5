"""What the home check says after a trial: the value, compared with the last time or the
clinic (a larger range is more, whichever its sign), and the target."""

from __future__ import annotations

import pytest

from romcam.home.words import Earlier, check_title, praise


@pytest.mark.parametrize(
    ("value", "earlier", "target", "said"),
    [
        (
            152.0,
            Earlier(148.0, "last time"),
            160.0,
            "Great — 152°, 4° more than last time. Your target is 160°: 8° to go.",
        ),
        (152.0, Earlier(152.4, "last time"), None, "Great — 152°, the same as last time."),
        (
            145.0,
            Earlier(150.0, "at the clinic"),
            None,
            "Great — 145°, 5° less than at the clinic: a day-to-day difference is normal, keep "
            "going.",
        ),
        (163.0, None, 160.0, "Great — 163°. You reached your target of 160°!"),
    ],
)
def test_praise_for_a_range(
    value: float, earlier: Earlier | None, target: float | None, said: str
) -> None:
    assert praise("shoulder_flexion_right", value, earlier, target) == said


def test_a_larger_range_of_a_negative_metric_is_more() -> None:
    """Extension is the minimum of the flexion column: -30° is more range than -25°."""
    said = praise("shoulder_flexion_right", -30.0, Earlier(-25.0, "last time"), -40.0)
    assert said == "Great — -30°, 5° more than last time. Your target is -40°: 10° to go."


def test_titles() -> None:
    assert check_title("Shoulder flexion", "right") == "Shoulder flexion, right"
    assert check_title("Neck flexion", None) == "Neck flexion"
