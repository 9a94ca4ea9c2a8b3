"""Benchmark: feeds and pages at a society's scale, served as production serves them.

Run from the repository root:  make bench   (or .venv/bin/python -m bench.bench_served)

The society of bench/dataset.py (10,000 members, 1,000 series over five years, a series with
300 applicants and 40 meetings, five years of payments) is loaded into a fresh PostgreSQL
database; gunicorn serves the app in production configuration with 2 workers; wrk loads each
target in turn over loopback with the same connections and duration. Every figure is a ratio to
/healthz measured the same way in the same run, so the ratios, unlike the absolute rates,
carry over between machines:

- req/s as a fraction of /healthz's (the issue's targets: feed 304 >= 0.6, full feed >= 0.25);
- p50 and p95 latency as multiples of /healthz's p95 (target: every page within 10x).

Each page is measured twice: kept (the same reader asking the same address again, as a repeat
visit does: the page kept since nothing was saved, pagecache) and built (every request a new
address, as the first visit after a change saved is).

/healthz is measured again just before each target, and each ratio is to that neighbour: a shared
machine drifts over the minutes a run takes, and one baseline at the start let the drift fall on the
targets measured last.

Environment: BENCH_DATABASE_URL (a PostgreSQL server URL; default the local one, database
`postgres`, in which a scratch database is created and dropped), BENCH_SECONDS (per target,
default 5), BENCH_CONNECTIONS (default 8), BENCH_ROUNDS (default 1: how many times every target is
measured on the same server and data; more than one prints each ratio's median and range, since one
round on a shared machine moves by a third). Needs wrk (Debian's package `wrk`).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %d\\n", latency:percentile(50), latency:percentile(95),
                         summary.requests, summary.errors.status + summary.errors.connect + summary.errors.timeout))
end
"""


# Every request to a new address (an extra query parameter the pages ignore): each page is built, as
# after a change saved, where the plain run repeats one address and measures the page kept.
WRK_BUILT = """
counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "built=" .. counter)
end
""" + WRK_REPORT


def scratch_database() -> tuple[str, str]:
    """(server URL, scratch database URL): a fresh database on the benchmark's PostgreSQL server."""
    import psycopg

    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"balint_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server)
    return server, urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(server: str, url: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_society(env: dict) -> dict:
    """Migrate and fill the database in a child process with the served environment."""
    script = (
        "import json, sys\n"
        "from datetime import date\n"
        "from flask_migrate import upgrade\n"
        "from app import app\n"
        "from bench.dataset import Scale, build\n"
        "from balint_online.accounts.models import User\n"
        "from balint_online.extensions import db\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    built = build(Scale(), date.fromisoformat(sys.argv[1]))\n"
        "    db.session.execute(db.text('ANALYZE'))  # the planner's statistics, as autovacuum would keep them\n"
        "    db.session.commit()\n"
        "    member = db.session.get(User, built.member_id)\n"
        "    emails = {who: db.session.get(User, getattr(built, who + '_id')).email\n"
        "              for who in ('admin', 'leader', 'member')}\n"
        "    print(json.dumps({'big': built.big_series_id, 'token': member.calendar_token, 'emails': emails}))\n"
    )
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, date.today().isoformat()], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    print(f"  society loaded in {time.perf_counter() - started:.0f} s")
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


# What every request of the benchmark sends, wrk's included: one browser, behind the proxy's https. The
# same User-Agent throughout, as a browser sends: a session used by another one is marked no longer
# fresh (Flask-Login's session protection), which changes the session and so the page every time.
BROWSER = {"X-Forwarded-Proto": "https", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) balint-bench/1"}


class Browser:
    """Cookies carried by hand, as a browser keeps them: they are Secure, and the benchmark talks plain
    HTTP to gunicorn, as a TLS-terminating proxy would."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def ask(self, method: str, path: str, headers: dict | None = None, **kwargs) -> requests.Response:
        sent = {**BROWSER, "Cookie": self.cookie, **(headers or {})}
        answer = requests.request(method, self.base + path, headers=sent, allow_redirects=False, **kwargs)
        self.cookies.update((c.name, c.value) for c in answer.cookies)
        return answer


def settled_cookie(base: str, email: str | None) -> str:
    """The cookie of a browser that signed in through the real form (or, for None, a visitor's) and then
    looked around, as a reader's browser holds it by their next page: the welcome shown, the session
    settled."""
    from bench.dataset import PASSWORD

    browser = Browser(base)
    if email is not None:
        form = browser.ask("GET", "/sign-in")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
        answer = browser.ask("POST", "/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token},
                             headers={"Referer": f"https://{urlsplit(base).netloc}/sign-in"})
        assert answer.status_code == 302, answer.text[:300]
        assert "Welcome back" in browser.ask("GET", "/account").text
    for _ in range(2):
        assert browser.ask("GET", "/").status_code == 200
    return browser.cookie


def timed_pages(big: int) -> list[tuple[str, str, str]]:
    """(label, path, who) for every page the benchmarks time: issue 19's, at the big series."""
    return [
        ("catalogue", "/", "visitor"),
        ("member home", "/home", "member"),
        ("leader roster (300 applicants)", f"/lead/series/{big}/applications", "leader"),
        ("rotation page (40 meetings)", f"/series/{big}/rotation", "leader"),
        ("admin people search", "/admin/people?q=scale", "admin"),
        ("admin dashboard", "/admin/", "admin"),
        ("ledger", f"/admin/series/{big}/ledger", "admin"),
        ("roster CSV", f"/lead/series/{big}/roster.csv", "leader"),
        ("ledger CSV", f"/admin/series/{big}/ledger.csv", "admin"),
        ("attendance CSV", f"/lead/series/{big}/attendance.csv", "leader"),
    ]


def wrk(url: str, headers: dict[str, str], script: Path) -> tuple[float, float, float, int]:
    """(req/s, p50 ms, p95 ms, failed requests) for one target under the benchmark's load."""
    args = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(script)]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50, p95, _, errors = (int(v) for v in re.search(r"BENCH (\d+) (\d+) (\d+) (\d+)", out).groups())
    return rate, p50 / 1000, p95 / 1000, errors


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    server, url = scratch_database()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALINT_")}
    env.update({"BALINT_CONFIG": "production", "SECRET_KEY": secrets.token_urlsafe(48), "DATABASE_URL": url,
                "BALINT_BASE_URL": base, "BALINT_MAIL_URL": "outbox", "BALINT_PROXY_HOPS": "1",
                "BALINT_LOGIN_RATE_LIMIT": "1000 per minute"})
    gunicorn = None
    try:
        print("Balint Online at a society's scale: gunicorn (2 workers, production config), PostgreSQL, wrk "
              f"(1 thread, {CONNECTIONS} connections, {SECONDS} s a target)")
        ids = load_society(env)
        gunicorn = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "app:app", "--workers", "2", "--bind",
                                     f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
        for _ in range(100):
            try:
                if requests.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:  # still starting
                pass
            time.sleep(0.2)
        cookies = {who: settled_cookie(base, email) for who, email in {**ids["emails"], "visitor": None}.items()}
        feed = f"{base}/calendar/{ids['token']}.ics"
        etag = requests.get(feed).headers["ETag"]
        pages = timed_pages(ids["big"])
        # (label, path, who, headers, script): each page kept (asked again by the same reader, as a
        # repeat visit is) and built (as the first visit after a change saved is).
        targets = [
            ("/healthz (baseline)", "/healthz", None, {}, "report"),
            ("feed, 304", feed, None, {"If-None-Match": etag}, "report"),
            ("feed, full", feed, None, {}, "report"),
            *((f"{label}, kept", path, who, {}, "report") for label, path, who in pages),
            *((f"{label}, built", path, who, {}, "built") for label, path, who in pages),
        ]
        scripts = {}
        for name, text in (("report", WRK_REPORT), ("built", WRK_BUILT)):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(text)
            scripts[name] = Path(script.name)
        results: dict[str, list] = {label: [] for label, *_ in targets}
        for _ in range(ROUNDS):
            for label, path, who, headers, script in targets:
                target = path if path.startswith("http") else base + path
                headers = {**headers, **BROWSER}
                if who:
                    headers["Cookie"] = cookies[who]
                check = requests.get(target, headers=headers, allow_redirects=False)
                assert check.status_code in (200, 304), f"{label}: {check.status_code}"
                assert not (who and "Set-Cookie" in check.headers), f"{label}: the browser's session is not settled"
                baseline = wrk(base + "/healthz", BROWSER, scripts["report"])
                results[label].append((*wrk(target, headers, scripts[script]), baseline))
        for script_path in scripts.values():
            os.unlink(script_path)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        drop_database(server, url)

    if ROUNDS == 1:
        print(f"  {'target':34} {'req/s':>8} {'of /healthz':>12} {'p50':>8} {'p95':>8} {'p95 / healthz p95':>18}"
              f"   (/healthz just before: req/s, p95)")
        for label, [(rate, p50, p95, errors, (base_rate, _, base_p95, _))] in results.items():
            failed = f"  ({errors} failed or timed out)" if errors else ""
            print(f"  {label:34} {rate:8.0f} {rate / base_rate:12.2f} {p50:7.1f}ms {p95:7.1f}ms "
                  f"{p95 / base_p95:18.1f}   ({base_rate:.0f}, {base_p95:.1f}ms){failed}")
        return
    print(f"  {ROUNDS} rounds over every target; each figure the median, with the lowest and highest")
    print(f"  {'target':34} {'req/s of /healthz':>22} {'p95 / healthz p95':>22}")
    for label, measured in results.items():
        errors = sum(m[3] for m in measured)
        failed = f"  ({errors} failed or timed out)" if errors else ""
        rates = [rate / baseline[0] for rate, _, _, _, baseline in measured]
        p95s = [p95 / baseline[2] for _, _, p95, _, baseline in measured]
        print(f"  {label:34} {spread(rates, '.2f'):>22} {spread(p95s, '.1f'):>22}{failed}")


def spread(values: list[float], form: str) -> str:
    """`median (lowest-highest)`: how a figure moved between rounds, which one round cannot show."""
    return f"{statistics.median(values):{form}} ({min(values):{form}}-{max(values):{form}})"


if __name__ == "__main__":
    main()
