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


REVIEW_LIST_LENGTH = 20


@register.inclusion_tag("admin/engagements/waiting_for_review.html")
def waiting_for_review(user):
    """The admin index's list of encounters in review, for those who may publish them."""
    from engagements.domain.editorial import can_publish
    from engagements.models import CorrectionRequest, Encounter

    open_reports = CorrectionRequest.objects.filter(status=CorrectionRequest.Status.OPEN)
    reports = {
        "reports": open_reports.count()
        if user.has_perm("engagements.view_correctionrequest")
        else None
    }
    if not can_publish(user):
        return {"shown": False, **reports}
    waiting = Encounter.objects.waiting_for_review()
    return {
        **reports,
        "shown": True,
        "encounters": list(waiting.only("id", "title", "start_date")[:REVIEW_LIST_LENGTH]),
        "count": waiting.count(),
    }
