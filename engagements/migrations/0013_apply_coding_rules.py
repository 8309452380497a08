"""Apply the coding rules to the rows already stored.

- Places get their time zone from their country or city where the table knows it.
- A start time without a zone was Washington's for a call and the place's for a meeting (the
  field's former help text): that zone is now stated.
- Washington's and Beijing's dates are computed where the rule determines them; a Beijing date
  typed earlier without a start time is kept.
- The level is derived from the leads' offices at the date (engagements/domain/ranks.py); a
  stored level that differs is replaced, since no override reason existed before.
"""

from django.db import migrations

from engagements.domain import capitals, ranks

BATCH = 2000
LEAD_ROLES = ["principal", "host", "visitor", "remote"]
REMOTE_KINDS = {"phone_call", "video_call"}


def apply(apps, schema_editor):
    Place = apps.get_model("engagements", "Place")
    Encounter = apps.get_model("engagements", "Encounter")
    Participation = apps.get_model("engagements", "Participation")

    zones = {}
    for place in Place.objects.all():
        if not place.timezone:
            place.timezone = capitals.default_place_zone(place.country, place.city)
            if place.timezone:
                place.save(update_fields=["timezone"])
        zones[place.pk] = place.timezone

    leads = {}
    rows = (
        Participation.objects.filter(role__in=LEAD_ROLES)
        .values_list("encounter_id", "side", "person__slug", "office")
        .iterator(chunk_size=BATCH)
    )
    for encounter_id, side, slug, office in rows:
        leads.setdefault(encounter_id, []).append((side, slug, office))

    fields = ["level", "derived_level", "time_zone", "washington_date", "beijing_date"]
    changed = []
    for encounter in Encounter.objects.only(
        "kind",
        "venue",
        "start_date",
        "date_precision",
        "local_start_time",
        "place_id",
        *fields,
    ).iterator(chunk_size=BATCH):
        remote = encounter.kind in REMOTE_KINDS or encounter.venue == "remote"
        place_zone = zones.get(encounter.place_id, "")
        if encounter.local_start_time and not encounter.time_zone:
            encounter.time_zone = capitals.CALL_ZONE if remote else place_zone
        dates = capitals.capital_dates(
            remote=remote,
            start_date=encounter.start_date,
            local_time=encounter.local_start_time,
            time_zone=encounter.time_zone,
            place_zone=place_zone,
            day_precision=encounter.date_precision == "day",
        )
        if dates.washington_computed:
            encounter.washington_date = dates.washington
        if dates.beijing_computed:
            encounter.beijing_date = dates.beijing
        derivation = ranks.derive_level(leads.get(encounter.pk, []), encounter.start_date)
        encounter.derived_level = derivation.level or ""
        if derivation.level:
            encounter.level = derivation.level
        changed.append(encounter)
        if len(changed) >= BATCH:
            Encounter.objects.bulk_update(changed, fields)
            changed = []
    Encounter.objects.bulk_update(changed, fields)


class Migration(migrations.Migration):
    dependencies = [("engagements", "0012_coding_rules")]

    operations = [migrations.RunPython(apply, migrations.RunPython.noop)]
