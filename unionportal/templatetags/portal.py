from django import template

register = template.Library()


@register.filter
def css_string(value) -> str:
    """``value`` as the inside of a double-quoted CSS string (for @page margin boxes)."""
    text = str(value)
    return "".join(f"\\{ord(char):x} " if char in '"\\\n\r<>' else char for char in text)
