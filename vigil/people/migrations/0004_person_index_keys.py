from django.db import migrations


def rebuild(apps, schema_editor):  # noqa: ANN001, ANN201 - Django's migration signature
    from vigil.people.linking import rebuild_person_index

    rebuild_person_index(
        apps.get_model("people", "Person"), apps.get_model("people", "PersonAlias"), apps.get_model("people", "BlockingKey")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0003_encrypt_existing_rows'),
    ]

    # The person index's keys changed (a block too large is narrowed by a second key, which the
    # index stores; docs/linkage.md, "Blocking at scale"): every record's keys are made again.
    # Going back leaves the new keys; the older code would then find fewer candidates, never
    # wrong ones.
    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
