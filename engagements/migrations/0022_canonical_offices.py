"""One office string per post: variants written before engagements/domain/offices.py are
rewritten to the post's string, then the database refuses them.

The table is copied here, as it stood, so the migration does not change with later edits of the
module. A variant names the same post as its canonical string, so rewriting it loses nothing;
an office term whose canonical twin (same person and start) already exists is removed rather than
duplicated.
"""

from django.db import migrations, models

CANONICAL = {
    "Vice Premier": "Vice Premier of the State Council",
    "Vice-Premier": "Vice Premier of the State Council",
    "Director, Office of the Central Foreign Affairs Commission": (
        "Director of the Office of the Central Foreign Affairs Commission"
    ),
    "Director, Office of the Central Foreign Affairs Commission; Foreign Minister": (
        "Director of the Office of the Central Foreign Affairs Commission and Foreign Minister"
    ),
    "Premier": "Premier of the State Council",
    "Prime Minister": "Premier of the State Council",
    "US Trade Representative": "United States Trade Representative",
    "U.S. Trade Representative": "United States Trade Representative",
    "Treasury Secretary": "Secretary of the Treasury",
}


def canonical_offices(apps, schema_editor):
    Participation = apps.get_model("engagements", "Participation")
    OfficeTerm = apps.get_model("engagements", "OfficeTerm")
    for variant, canonical in CANONICAL.items():
        Participation.objects.filter(office=variant).update(office=canonical)
        for term in OfficeTerm.objects.filter(office=variant):
            twin = OfficeTerm.objects.filter(
                person_id=term.person_id, office=canonical, start_date=term.start_date
            )
            if twin.exists():
                term.delete()
            else:
                OfficeTerm.objects.filter(pk=term.pk).update(office=canonical)


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0021_hardening_limits"),
    ]

    operations = [
        migrations.RunPython(canonical_offices, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="officeterm",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "office__in",
                        [
                            "Director, Office of the Central Foreign Affairs Commission",
                            "Director, Office of the Central Foreign Affairs Commission; Foreign Minister",
                            "Premier",
                            "Prime Minister",
                            "Treasury Secretary",
                            "U.S. Trade Representative",
                            "US Trade Representative",
                            "Vice Premier",
                            "Vice-Premier",
                        ],
                    ),
                    _negated=True,
                ),
                name="officeterm_office_canonical",
                violation_error_message="Write the office as the record's one string for the post (engagements/domain/offices.py).",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "office__in",
                        [
                            "Director, Office of the Central Foreign Affairs Commission",
                            "Director, Office of the Central Foreign Affairs Commission; Foreign Minister",
                            "Premier",
                            "Prime Minister",
                            "Treasury Secretary",
                            "U.S. Trade Representative",
                            "US Trade Representative",
                            "Vice Premier",
                            "Vice-Premier",
                        ],
                    ),
                    _negated=True,
                ),
                name="participation_office_canonical",
                violation_error_message="Write the office as the record's one string for the post (engagements/domain/offices.py).",
            ),
        ),
    ]
