"""Geometry for the server-drawn SVG bar chart (templates/admin/dashboard/_bar_chart.html)."""

from django import template

register = template.Library()

WIDTH, HEIGHT = 600, 200
TOP, BOTTOM, LEFT = 16, 28, 36


@register.simple_tag
def bar_chart_geometry(chart):
    """Bars scaled to the largest value, in a 600x200 viewBox with room for labels."""
    series = list(chart.get("series") or [])
    peak = max((float(point["value"]) for point in series), default=0) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(series), 1)
    label_every = max(1, len(series) // 6)
    bars = []
    for index, point in enumerate(series):
        height = float(point["value"]) / peak * plot_height
        bars.append(
            {
                "label": point["label"],
                "value": point["value"],
                "x": round(LEFT + index * slot + slot * 0.1, 2),
                "width": round(slot * 0.8, 2),
                "y": round(TOP + plot_height - height, 2),
                "height": round(height, 2),
                "label_x": round(LEFT + index * slot + slot / 2, 2),
                "show_label": index % label_every == 0,
            }
        )
    peak_label = int(peak) if float(peak).is_integer() else round(peak, 2)
    return {
        "bars": bars,
        "width": WIDTH,
        "height": HEIGHT,
        "baseline": HEIGHT - BOTTOM,
        "top": TOP,
        "left": LEFT,
        "label_y": HEIGHT - 8,
        "peak": peak_label if series else 0,
    }
