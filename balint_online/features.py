"""The feature packages and the conventional modules each may hold.

The factory wires a feature up from whichever of these modules it has, so adding a capability
means adding its package and naming it here:

- `models.py`   SQLAlchemy models (imported before migrations or queries run)
- `views.py`    `bp`: the feature's pages
- `api.py`      `bp`: endpoints under /api/v1, documented by their decorators (core/api.py)
- `schemas.py`  the pydantic schemas those endpoints read and answer with
- `jobs.py`     scheduled jobs, registered with `@job(...)` on import
- `hooks.py`    receivers of the signals in core/signals.py, connected on import
- `home.py`     sections of the person's home page, in the order homepage.py gives
"""

import importlib
from importlib.util import find_spec
from types import ModuleType

# Order matters for jobs (run in this order); the home page's order is homepage.py's.
FEATURES = ("accounts", "audit", "series", "enrollment", "pricing", "invoicing", "aid", "rotation", "calendar", "video",
            "notifications", "certificates", "admin", "privacy", "workspace")


def feature_modules(kind: str) -> list[ModuleType]:
    modules = []
    for feature in FEATURES:
        name = f"balint_online.{feature}.{kind}"
        if find_spec(f"balint_online.{feature}") is not None and find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules
