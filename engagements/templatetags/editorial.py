from django import template

from engagements.domain.editorial import public_change_log as build_public_change_log

register = template.Library()


@register.simple_tag
def public_change_log(encounter):
    """The short public change log of an encounter (see engagements/editorial.py)."""
    return build_public_change_log(encounter)
