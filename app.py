"""Entry point for `flask --app app` and `gunicorn app:app`."""

from balint_online import create_app

app = create_app()
