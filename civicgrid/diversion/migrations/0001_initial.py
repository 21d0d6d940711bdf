"""The ``diversion`` app was the ``hotline`` app: take over its table and its history.

A database that ran ``hotline`` keeps its rows: the table is renamed, the content type
keeps its permissions, and ``hotline``'s rows leave ``django_migrations``. A new database
gets the table created.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

OLD_TABLE = "hotline_diversion"


def take_over_or_create(apps, schema_editor):
    Diversion = apps.get_model("diversion", "Diversion")
    tables = schema_editor.connection.introspection.table_names()
    if OLD_TABLE in tables:
        schema_editor.alter_db_table(Diversion, OLD_TABLE, Diversion._meta.db_table)
    else:
        schema_editor.create_model(Diversion)
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="diversion", model="diversion").exists():
        ContentType.objects.filter(app_label="hotline", model="diversion").update(
            app_label="diversion"
        )
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["hotline"])


def drop(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("diversion", "Diversion"))


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0004_closed_recent_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        # The model enters the state here; the table is made (or taken over) below.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Diversion",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "incident_number",
                            models.CharField(
                                max_length=40, unique=True, verbose_name="110 incident number"
                            ),
                        ),
                        (
                            "received_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="diverted at"
                            ),
                        ),
                        (
                            "police_received_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="call taken by 110 at"
                            ),
                        ),
                        (
                            "case",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="diversion",
                                to="cases.case",
                                verbose_name="case",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "110 diversion",
                        "verbose_name_plural": "110 diversions",
                        "ordering": ["-received_at"],
                    },
                ),
            ],
        ),
        migrations.RunPython(take_over_or_create, drop),
    ]
