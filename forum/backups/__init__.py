"""Backups and restores: one archive with the database, config.py and uploads.

``flask --app forum backup [PATH]`` and ``flask --app forum restore PATH``
(see ``cli.py``); ``services.py`` does the work, ``database.py`` copies the
database out and in, ``archive.py`` writes and checks the tar.gz, and
``recovery.py`` rebuilds a missing search index.
"""

from forum.backups.database import BackupError

__all__ = ["BackupError"]
