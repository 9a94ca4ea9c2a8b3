"""Zone rules from the pinned ``tzdata`` package only.

``zoneinfo`` reads the host's zone files before the tzdata package, so the same series could
meet at different instants on machines with different tzdata releases (Africa/Casablanca in
2027 differs by an hour between 2025b and 2026f). Emptying the search path makes every
``ZoneInfo`` in the process, ours and the libraries', come from the version in requirements.txt.
This module is imported first by the package, before anything builds a ZoneInfo.
"""

import zoneinfo

import tzdata

zoneinfo.reset_tzpath(to=[])
zoneinfo.ZoneInfo.clear_cache()

# The IANA release the rules come from, e.g. "2026f".
RULES_VERSION: str = tzdata.IANA_VERSION
