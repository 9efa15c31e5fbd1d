from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, panel):
    """A dashboard panel's template rendered with the panel's own context (the contract)."""
    return render_to_string(
        panel["template"], panel.get("context") or {}, request=context.get("request")
    )
