import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

USERNAME = "editor"


class Command(BaseCommand):
    help = (
        "With DEBUG on, make sure a local editor account exists and print how to log in to the "
        "admin. Does nothing when DEBUG is off."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options) -> None:
        if not settings.DEBUG:
            return
        User = get_user_model()
        user, created = User.objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
        if created:
            user.groups.add(Group.objects.get(name="Editors"))
        password = self._recall()
        if created or not password or not user.check_password(password):
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            self._remember(password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin for local editors: http://127.0.0.1:{port}/admin/  "
                f"user: {USERNAME}  password: {password}"
            )
        )

    def _path(self):
        return settings.BASE_DIR / ".local-editor-password"

    def _remember(self, password: str) -> None:
        self._path().write_text(password + "\n", encoding="utf-8")
        self._path().chmod(0o600)

    def _recall(self) -> str:
        path = self._path()
        return path.read_text(encoding="utf-8").strip() if path.exists() else ""
