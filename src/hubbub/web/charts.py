"""The pages' charts: :mod:`hubbub.charts`, kept there so the report draws the same ones.

The report (layer 5) may not import ``web``; the chart functions are pure, so they live
one level down and this module only names them for the routes.
"""

from __future__ import annotations

from hubbub.charts import (
    PALETTE,
    SENTIMENT_COLORS,
    Bar,
    Line,
    bar_chart,
    column_chart,
    line_chart,
    nice_ticks,
    stacked_bar,
)

__all__ = [
    "PALETTE",
    "SENTIMENT_COLORS",
    "Bar",
    "Line",
    "bar_chart",
    "column_chart",
    "line_chart",
    "nice_ticks",
    "stacked_bar",
]
