from django import template

from engagements.domain.editorial import public_change_log as build_public_change_log

register = template.Library()


@register.simple_tag
def public_change_log(encounter):
    """The short public change log of an encounter (engagements/domain/editorial.py)."""
    return build_public_change_log(encounter)


@register.filter
def machine_datetime(value):
    """A datetime as HTML's <time datetime> accepts it: whole seconds and the UTC offset.

    Python's isoformat() (and the `date:"c"` filter) give six digits of fractions of a second,
    which HTML does not allow (it takes at most three).
    """
    if not value:
        return ""
    return value.isoformat(timespec="seconds")
