"""The printable reports' gait chart: the knee and hip curves of two walks overlaid (matplotlib).

Each leg in its skeleton colour (left blue, right orange); the earlier walk dashed and lighter,
the later solid; the normative band grey (``core.gait_norms``: a labelled approximation).
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from romcam.core.gait_norms import SOURCE
from romcam.outcomes.gait_curves import JOINTS, SIDES, WalkCurves, overlay_frame

SIDE_COLOURS = {"left": "#2878ff", "right": "#ff8c1e"}
#: Line style and opacity of the earlier and the later walk.
_STYLES = (("--", 0.55), ("-", 1.0))


def gait_overlay_figure(walks: Sequence[WalkCurves]) -> Figure:
    """Knee and hip flexion (deg) over the gait cycle of one or two walks, both legs, on the
    normative band; the legend (below) names each walk and leg with its number of cycles."""
    data = overlay_frame(walks)
    fig = Figure(figsize=(7.5, 3.4), dpi=110, layout="constrained")
    axes = fig.subplots(1, 2)
    styles = _STYLES[-len(walks) :] if walks else ()
    for ax, joint in zip(axes, JOINTS, strict=True):
        band = data[(data["visit"] == "normal") & (data["joint"] == joint)]
        ax.fill_between(
            band["pct"],
            band["mean"] - band["sd"],
            band["mean"] + band["sd"],
            color="0.87",
            label="normal (approx.)",
        )
        for walk, (style, alpha) in zip(walks, styles, strict=True):
            for side in SIDES:
                if (side, joint) not in walk.curves:
                    continue
                mean, _, n = walk.curves[(side, joint)]
                ax.plot(
                    band["pct"],
                    mean,
                    ls=style,
                    alpha=alpha,
                    lw=1.8,
                    color=SIDE_COLOURS[side],
                    label=f"{walk.label}, {side} (n={n})",
                )
        ax.set_title(f"{joint.capitalize()} flexion (deg)", fontsize=9)
        ax.set_xlabel("% of gait cycle", fontsize=8)
        ax.set_xlim(0, 100)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    handles, labels = axes[0].get_legend_handles_labels()
    more = [(h, lab) for h, lab in zip(*axes[1].get_legend_handles_labels(), strict=True)]
    for h, lab in more:
        if lab not in labels:
            handles.append(h)
            labels.append(lab)
    fig.legend(handles, labels, loc="outside lower center", ncols=3, frameon=False, fontsize=7)
    return fig


#: The chart's caption in the reports.
GAIT_CAPTION = (
    "Knee and hip flexion over the gait cycle (heel strike to heel strike), mean of each leg's "
    f"whole cycles; the earlier walk dashed. Grey: {SOURCE}."
)
