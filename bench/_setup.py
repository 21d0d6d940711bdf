"""Django for a benchmark that makes its own data: a new data folder, SQLite or the
``--database-url`` given, migrated. (Benchmarks that time a server or a grown database
set up Django their own way.)"""

import os
import sys
import tempfile
from pathlib import Path


def setup_django(database_url: str | None, name: str, *, data_dir: str = "", fresh=False) -> Path:
    """Set up Django on ``database_url`` (empty: SQLite in the data folder) and migrate;
    returns the data folder (``data_dir``, or a new temporary ``cg-<name>-bench-…``).

    ``fresh``: the benchmark makes its own people and cases, so passwords are hashed
    fast and a database that already holds cases is refused."""
    folder = Path(data_dir or tempfile.mkdtemp(prefix=f"cg-{name}-bench-"))
    os.environ["CIVICGRID_DATA_DIR"] = str(folder)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if fresh:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    if fresh:
        from civicgrid.cases.models import Case

        if Case.objects.exists():
            sys.exit("The database already holds cases: give the benchmark an empty database.")
    return folder
