"""The feature packages and the conventional modules each may hold.

The factory wires a feature up from whichever of these modules it has, so adding a capability
means adding its package and naming it here:

- `models.py`   SQLAlchemy models (imported before migrations or queries run)
- `views.py`    `bp`: the feature's pages
- `api.py`      `bp`: endpoints under /api/v1, documented by their decorators (core/api.py)
- `schemas.py`  the pydantic schemas those endpoints read and answer with
- `services.py` the only place that changes state; services flush and never commit
- `jobs.py`     scheduled jobs, registered with `@job(...)` on import
- `home.py`     sections of the person's home page, in the order homepage.py gives

Conventions:

- The unit of work is the request, the job or the CLI command: a view, an endpoint, a job or a
  command commits what it means to keep (the series lock is held until then), and whatever a
  request leaves uncommitted is rolled back when it ends (create_app). A commit in the middle of
  one is deliberate and says why: a job claiming its work, mail marked as being sent before the
  server is called, no transaction held while a video provider or Stripe answers.
- A service says what it causes. What one change causes in other features is called, in order,
  by a flow in `flows/` (flows/series.py: publishing, edits, meeting changes, a cancellation;
  flows/applications.py: accepting, declining, withdrawing, the waiting list's offers;
  flows/payments.py: a payment or an ending settled, the credit note; flows/memberships.py: the
  free year), which pages, endpoints and jobs call. No feature reacts to another through signals connected by importing
  it, and no step's failure is swallowed: it undoes the whole change and is logged.
- A lower feature never imports a higher one (core, accounts, series, enrollment, the other
  features, flows, the pages and API that start flows (catalogue, applications), workspace/admin/
  payments, web/api), not even inside a function.
"""

import importlib
from importlib.util import find_spec
from types import ModuleType

# Order matters for jobs (run in this order): notifications comes last, so that mail delivery sends what
# the other jobs queued in the same run. The home page's order is homepage.py's.
FEATURES = ("accounts", "pagecache", "audit", "series", "catalogue", "enrollment", "applications", "pricing",
            "payments", "invoicing", "aid", "rotation", "calendar", "video", "certificates", "admin", "privacy",
            "workspace", "notifications")


def feature_modules(kind: str) -> list[ModuleType]:
    modules = []
    for feature in FEATURES:
        name = f"balint_online.{feature}.{kind}"
        if find_spec(f"balint_online.{feature}") is not None and find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules
