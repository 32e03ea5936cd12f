from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def render_label(label):
    # ruleid: mark-safe-outside-charts
    return mark_safe(f"<b>{label}</b>")


def render_other(label):
    # ruleid: mark-safe-outside-charts
    return SafeString(label)


def render_escaped(label):
    # ok: mark-safe-outside-charts
    return format_html("<b>{}</b>", label)
