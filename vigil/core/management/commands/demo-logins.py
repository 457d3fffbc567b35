from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.core.demo import logins_table


class Command(BaseCommand):
    help = "Print the demo users' logins. These passwords are for the demo only."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Demo logins (demo only — never use these anywhere else):")
        for username, password, role in logins_table():
            self.stdout.write(f"  {username:<15} {password:<28} {role}")
