"""The database cache table that holds bulk-import uploads between dry run and confirmation.

Created by migration so that every deployment that migrates has it (web containers keep no
files between requests). See settings.CACHES["imports"].
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", "engagements_import_cache", database=schema_editor.connection.alias)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS engagements_import_cache")


class Migration(migrations.Migration):
    dependencies = [("engagements", "0006_editorial_groups")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
