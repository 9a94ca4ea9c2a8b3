"""Imports every feature's `jobs` module, which registers its jobs (in features.FEATURES order)."""

from ..features import feature_modules

feature_modules("jobs")
