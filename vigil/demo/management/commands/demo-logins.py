from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigil.core.models import User
from vigil.core.otp import code_for_seed, demo_seed, ensure_demo_totp
from vigil.demo.data import logins_table


class Command(BaseCommand):
    help = "Print the demo users' logins and TOTP seeds. These are for the demo only."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Demo logins (demo only — never use these anywhere else).")
        self.stdout.write("Add the seed to an authenticator app, or type the code shown (it changes every 30 seconds).")
        for username, password, role in logins_table():
            user = User.objects.filter(username=username).first()
            # Demo users get their fixed seed here too, so the demo works even if it was
            # built before seeds existed.
            seed = ensure_demo_totp(user) if user is not None else demo_seed(username)
            self.stdout.write(f"  {username:<15} {password:<28} {role:<40} seed {seed}  code now {code_for_seed(seed)}")
