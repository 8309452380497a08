"""Helpers to submit admin forms the way a browser would: what the page shows, then edits."""

import datetime

from django import forms
from django.urls import reverse


def field_value(value):
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if value is None:
        return ""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def add_form(data, form):
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            data[form.add_prefix(name)] = field_value(value or [])
            continue
        data[form.add_prefix(name)] = field_value(value)


def form_data(response):
    """The POST data of an admin change page as loaded: main form and every inline."""
    data = {}
    add_form(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        add_form(data, formset.management_form)
        for form in formset.forms:
            add_form(data, form)
    return data


def change_url(encounter):
    return reverse("admin:engagements_encounter_change", args=[encounter.pk])


def add_inline_row(data, prefix, **fields):
    """Append a new row to an inline formset's POST data."""
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for name, value in fields.items():
        data[f"{prefix}-{total}-{name}"] = field_value(value)
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data
