import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the first editor account with a random password and print how to log in. "
        "Does nothing to an account that already exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="editor")

    def handle(self, *args, username, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None:
            self.stdout.write(
                f"Editor login: http://127.0.0.1:8000/admin/ as “{username}”. "
                f"Forgot the password? Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created the editor account. Log in at http://127.0.0.1:8000/admin/ with\n"
                f"    username: {username}\n    password: {password}\n"
                "This password is shown only once; change it with "
                f".venv/bin/python manage.py changepassword {username}"
            )
        )
