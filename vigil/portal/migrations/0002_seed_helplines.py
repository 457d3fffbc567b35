"""Seed the helpline directory. Administrators edit it afterwards in the admin.

Opening hours are as published when this was written; each entry asks people to check the
service's own website for current hours rather than relying on ours."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CHECK = "Check the service's own website for current hours."

HELPLINES: list[dict[str, Any]] = [
    {
        "order": 10,
        "name": "999: police, in an emergency",
        "for_whom": "Anyone in danger now, or if the person you are afraid of is near you or on the way.",
        "phone": "999",
        "opening_hours": "24 hours a day, every day. Free.",
        "notes": (
            "If you cannot speak, call 999 from a mobile, listen to the questions and cough or tap the phone if you can. "
            "If you are asked to, press 55: this is the Silent Solution, and it tells the operator you need the police. "
            "From a landline, stay on the line even if you cannot speak. "
            "If you are deaf or cannot speak on the phone, you can register for emergencySMS by texting 'register' to 999, "
            "then text 999 in an emergency."
        ),
    },
    {
        "order": 20,
        "name": "National Domestic Abuse Helpline (run by Refuge)",
        "for_whom": "Women experiencing domestic abuse, and family, friends and others who want to help them.",
        "phone": "0808 2000 247",
        "website": "https://www.nationaldahelpline.org.uk/",
        "opening_hours": "24 hours a day, every day. Free.",
        "notes": "You do not have to give your name. The website also has a form to ask for a safe time to be called back. "
        + CHECK,
    },
    {
        "order": 30,
        "name": "Women's Aid",
        "for_whom": "Women and children experiencing domestic abuse, and people supporting them.",
        "email": "helpline@womensaid.org.uk",
        "web_chat": "https://chat.womensaid.org.uk/",
        "website": "https://www.womensaid.org.uk/",
        "opening_hours": "Email: replies can take a few working days. Live chat: set hours on weekdays. " + CHECK,
        "notes": "Email and live chat, if talking on the phone is not safe. In an emergency call 999.",
    },
    {
        "order": 40,
        "name": "Men's Advice Line",
        "for_whom": "Men experiencing domestic abuse, and family, friends and professionals supporting them.",
        "phone": "0808 8010 327",
        "website": "https://mensadviceline.org.uk/",
        "opening_hours": "Weekdays. Free. " + CHECK,
        "notes": "Confidential. The website also offers email and web chat.",
    },
    {
        "order": 50,
        "name": "National Stalking Helpline (run by Suzy Lamplugh Trust)",
        "for_whom": "Anyone being stalked or harassed, and the people who support them.",
        "phone": "0808 802 0300",
        "website": "https://www.suzylamplugh.org/",
        "opening_hours": "Weekdays, daytime. Free. " + CHECK,
        "notes": "Advice on staying safe, recording what happens, and what the police and courts can do.",
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    Helpline = apps.get_model("portal", "Helpline")
    for entry in HELPLINES:
        if not Helpline.objects.filter(name=entry["name"]).exists():
            Helpline.objects.create(**entry)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_helplines_reporting_access_submissions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
