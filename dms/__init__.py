"""DMS project package: settings, URLs, Celery and the pieces every app shares."""

from dms.celery import app as celery_app

__all__ = ["celery_app"]
