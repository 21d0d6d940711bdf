"""The role and scope fields leave the user: they live in its role grants now."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_one_grant_per_existing_user"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='user',
            name='department',
        ),
        migrations.RemoveField(
            model_name='user',
            name='regions',
        ),
        migrations.RemoveField(
            model_name='user',
            name='role',
        ),
    ]
