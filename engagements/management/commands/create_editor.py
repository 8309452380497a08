"""Create (or update) an account for the admin, in the Editors or Publishers group.

    python manage.py create_editor --username ada --email ada@example.org --group publishers
The password is asked for interactively, or read from DJANGO_EDITOR_PASSWORD (for scripts).
Editors add and change encounters and submit them for review; publishers also publish,
unpublish, delete and import (groups created by migration 0006_editorial_groups).
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

GROUPS = {"editors": "Editors", "publishers": "Publishers"}


class Command(BaseCommand):
    help = "Create an editor or publisher account (staff, in the Editors or Publishers group)."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="Login name (asked for if omitted).")
        parser.add_argument("--email", default="", help="Email address.")
        parser.add_argument(
            "--group",
            choices=sorted(GROUPS),
            default="editors",
            help="editors (draft and submit for review) or publishers (also publish, "
            "unpublish, delete and import). Default: editors.",
        )
        parser.add_argument(
            "--superuser", action="store_true", help="Give every permission (site administrator)."
        )

    def handle(self, *args, username=None, email="", group="editors", superuser=False, **options):
        username = username or input("Username: ").strip()
        if not username:
            raise CommandError("A username is required.")
        password = os.environ.get("DJANGO_EDITOR_PASSWORD") or getpass.getpass("Password: ")
        user_model = get_user_model()
        try:
            validate_password(password, user_model(username=username, email=email))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        try:
            role = Group.objects.get(name=GROUPS[group])
        except Group.DoesNotExist as error:
            raise CommandError("The editorial groups are missing: run migrate first.") from error
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": email}
        )
        user.is_staff = True
        user.is_superuser = superuser or user.is_superuser
        user.set_password(password)
        user.save()
        # Exactly one role: moving someone from editor to publisher (or back) replaces it.
        user.groups.remove(*Group.objects.filter(name__in=GROUPS.values()))
        user.groups.add(role)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {group[:-1]} {username!r}. Log in at /admin/.")
        )
