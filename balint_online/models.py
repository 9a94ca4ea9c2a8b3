"""Imports every feature's models so that SQLAlchemy and Alembic see the whole schema."""

from .features import feature_modules

feature_modules("models")
