"""The two editorial roles as groups (docs/editors.md).

Editors add and change encounters and their parts (they may remove a participant, source,
quote or discrepancy note from an encounter) and submit them for review. Publishers may also
publish, unpublish and delete. Re-running keeps the groups' permissions exactly as listed here.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PARTS = ["participation", "source", "quote", "discrepancy"]
RECORDS = ["encounter", "person", "place", "topic"]

EDITOR_PERMISSIONS = [
    f"{action}_{model}" for model in RECORDS + PARTS for action in ("add", "change", "view")
] + [f"delete_{model}" for model in PARTS]

PUBLISHER_PERMISSIONS = EDITOR_PERMISSIONS + [f"delete_{model}" for model in RECORDS] + [
    "publish_encounter"
]

GROUPS = {"Editors": EDITOR_PERMISSIONS, "Publishers": PUBLISHER_PERMISSIONS}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    for app_label in ("auth", "engagements"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = getattr(app_config, "models_module", None) or True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="engagements", codename__in=codenames
        )
        assert permissions.count() == len(set(codenames)), name
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("engagements", "0005_publish_permission"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
