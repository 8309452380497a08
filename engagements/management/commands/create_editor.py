"""Create (or update) an editor account for the admin.

    python manage.py create_editor --username ada --email ada@example.org
The password is asked for interactively, or read from DJANGO_EDITOR_PASSWORD.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create an editor account (staff, with rights to edit encounters)."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="Login name (asked for if omitted).")
        parser.add_argument("--email", default="", help="Email address.")
        parser.add_argument(
            "--superuser", action="store_true", help="Give every permission (site administrator)."
        )

    def handle(self, *args, username=None, email="", superuser=False, **options):
        username = username or input("Username: ").strip()
        if not username:
            raise CommandError("A username is required.")
        password = os.environ.get("DJANGO_EDITOR_PASSWORD") or getpass.getpass("Password: ")
        user_model = get_user_model()
        user = user_model(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": email}
        )
        user.is_staff = True
        user.is_superuser = superuser or user.is_superuser
        user.set_password(password)
        user.save()
        grant_editor_permissions(user)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} editor {username!r}. Log in at /admin/."))


def grant_editor_permissions(user):
    from django.contrib.auth.models import Permission

    codenames = [
        f"{action}_{model}"
        for model in ("encounter", "participation", "source", "quote", "person", "place", "topic")
        for action in ("add", "change", "view")
    ]
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="engagements", codename__in=codenames)
    )
