"""Charts as inline SVG, drawn on the server: no JavaScript library, no CDN."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from assessment.scoring import num

WIDTH, BAR_GAP = 560, 8


def column_chart(data: list[tuple[str, int]], *, title: str, height: int = 200) -> str:
    """Vertical bars (the distribution of totals): [(label, count)]."""
    top = max([count for _label, count in data] + [1])
    inner = height - 50
    width = (WIDTH - 40) / max(len(data), 1)
    bars = []
    for index, (label, count) in enumerate(data):
        h = inner * count / top
        x = 30 + index * width
        y = 20 + inner - h
        bars.append((f"{x + BAR_GAP / 2:.1f}", f"{y:.1f}", f"{width - BAR_GAP:.1f}", f"{h:.1f}",
                     f"{x + width / 2:.1f}", f"{y - 4:.1f}", count, height - 12, label))
    body = format_html_join(
        "", '<rect class="bar" x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>'
            '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((x, y, w, h, label, count, cx, vy, count, cx, ly, label)
         for x, y, w, h, cx, vy, count, ly, label in bars),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}"><line class="axis" x1="30" '
        'y1="{}" x2="{}" y2="{}"></line>{}</svg>', WIDTH, height, title, 20 + inner, WIDTH - 10,
        20 + inner, body)


def bar_chart(data: list[tuple[str, Decimal, Decimal]], *, title: str) -> str:
    """Horizontal bars of averages against their weight: [(label, average, weight)]."""
    if not data:
        return mark_safe("")
    row, label_width = 30, 150
    height = row * len(data) + 10
    span = WIDTH - label_width - 70
    parts = []
    for index, (label, average, weight) in enumerate(data):
        y = 5 + index * row
        full = span
        value = span * float(average / weight) if weight else 0
        parts.append((label_width - 6, y + 17, label, label_width, y + 4, f"{full:.1f}",
                      label_width, y + 4, f"{value:.1f}", label, average, weight,
                      label_width + value + 6, y + 17, num(average), num(weight)))
    body = format_html_join(
        "", '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<rect class="track" x="{}" y="{}" width="{}" height="18"></rect>'
            '<rect class="bar" x="{}" y="{}" width="{}" height="18"><title>{}: {} / {}</title></rect>'
            '<text class="value" x="{}" y="{}">{} / {}</text>', parts)
    return format_html('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}</svg>',
                       WIDTH, height, title, body)
