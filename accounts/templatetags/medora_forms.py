"""Form rendering helpers: tie help text and errors to their input for screen readers."""

from django import template

register = template.Library()


@register.simple_tag
def accessible_widget(field):
    """The field's widget with aria-describedby naming its help text and error list."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    if field.errors:
        described_by.append(f"{field.auto_id}_errors")
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
