"""Readers report an error in a published encounter: /encounters/<slug>/report/.

What a report may do is kept small on purpose: anyone may send one, without an account; it is
stored as plain text (CorrectionRequest, engagements/domain/models.py) that the editors read in
the admin, is never rendered as markup, grants no access, and each address may send at most
CORRECTION_REQUESTS_PER_HOUR an hour (past that: 429 with a plain explanation).
"""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from engagements.infrastructure.proxies import client_ip
from engagements.models import CorrectionRequest, Encounter

WINDOW_SECONDS = 3600


class CorrectionRequestForm(forms.ModelForm):
    class Meta:
        model = CorrectionRequest
        fields = ["text", "contact"]
        labels = {"text": "What is wrong?", "contact": "Your email or name (optional)"}
        help_texts = {
            "text": "Say what the record gets wrong and, if you can, the source that says "
            "otherwise (a readout, an outlet, a date). Plain text; at most 4,000 characters.",
            "contact": "Only if you would like an answer. The editors see it; nobody else does.",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 8})}

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("Say what is wrong.")
        return text


def reports_from(address):
    return cache.get(report_key(address), 0)


def report_key(address):
    return f"correction-requests:{address}"


def count_report(address):
    key = report_key(address)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, WINDOW_SECONDS)


@never_cache
def report_error(request, slug):
    encounter = get_object_or_404(Encounter.objects.published(), slug=slug)
    form = CorrectionRequestForm(request.POST or None)
    context = {"encounter": encounter, "form": form, "sent": False}
    if request.method != "POST":
        return render(request, "engagements/report_error.html", context)
    address = client_ip(request)
    limit = settings.CORRECTION_REQUESTS_PER_HOUR
    if reports_from(address) >= limit:
        context["limited"] = limit
        response = render(request, "engagements/report_error.html", context, status=429)
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    if not form.is_valid():
        return render(request, "engagements/report_error.html", context, status=400)
    report = form.save(commit=False)
    report.encounter = encounter
    report.save()
    count_report(address)
    context["sent"] = True
    return render(request, "engagements/report_error.html", context)
