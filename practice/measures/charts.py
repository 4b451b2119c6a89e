"""Progress charts as SVG, drawn on the server by matplotlib and cached by their data.

matplotlib is imported on first use, not at start-up, and the SVG is made deterministic (no
date, fixed ids) so that the same data always gives the same bytes, here and in PDF reports.
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache

from flask import Response

from practice.measures.definitions import MEASURES

PARTNER_COLOURS = ("#1f5fa8", "#c0562b")  # blue and orange: distinct for colour-blind readers
PARTNER_MARKERS = ("o", "s")


# matplotlib styles its SVG inline; a chart may use its own styles and nothing else.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def svg_response(svg: bytes) -> Response:
    """A chart sent as an SVG image, under its own narrow Content-Security-Policy."""
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


@lru_cache(maxsize=256)
def progress_chart(
    measure_key: str,
    series: tuple[tuple[str, tuple[tuple[date, float], ...]], ...],
    text_as_paths: bool = False,
) -> bytes:
    """Both partners' totals over time, with the measure's cutoff line, as SVG bytes.

    For PDFs the text is drawn as outlines (``text_as_paths``), so a report looks the same
    whatever fonts the machine has; on screen it stays text.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.dates import AutoDateLocator, DateFormatter
    from matplotlib.figure import Figure

    measure = MEASURES[measure_key]
    with matplotlib.rc_context(
        {
            "svg.fonttype": "path" if text_as_paths else "none",
            "svg.hashsalt": "practice",
            "font.family": "DejaVu Sans",
            "font.size": 10,
        }
    ):
        figure = Figure(figsize=(6.4, 3.0), dpi=100)
        axes = figure.add_subplot()
        for index, (name, points) in enumerate(series):
            if not points:
                continue
            days, totals = zip(*points, strict=True)
            axes.plot(
                days,
                totals,
                marker=PARTNER_MARKERS[index % 2],
                color=PARTNER_COLOURS[index % 2],
                linewidth=2,
                label=name,
            )
        if measure.cutoff is not None:
            axes.axhline(measure.cutoff, color="#6c757d", linestyle="--", linewidth=1)
            axes.annotate(
                f"cutoff {measure.cutoff:g}",
                xy=(1, measure.cutoff),
                xycoords=("axes fraction", "data"),
                xytext=(-4, 6),
                textcoords="offset points",
                ha="right",
                va="bottom",
                color="#495057",
                fontsize=8,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            )
        margin = (measure.maximum - measure.minimum) * 0.05
        axes.set_ylim(measure.minimum - margin, measure.maximum + margin)
        axes.set_ylabel(f"{measure.short_title} score")
        axes.grid(axis="y", color="#e9ecef")
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=6))
        axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
        if any(points for _name, points in series):
            axes.legend(loc="lower left", frameon=False, ncols=2)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()
