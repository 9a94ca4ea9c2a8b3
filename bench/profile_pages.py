"""Benchmark: the CPU each page costs in one process, as a multiple of /healthz's, on the society's data.

Run from the repository root:  .venv/bin/python -m bench.profile_pages [--requests N] [--profile LABEL]

The served benchmark (bench_served.py) says which pages are slow under load; this one says where
their time goes, without a server, wrk or a second core in the way. The society of bench/dataset.py
is loaded into PostgreSQL as the served benchmark loads it, the app is built in production
configuration in this process, each person signs in through the real form, and every page is asked
for N times with Flask's test client after a few warm-up requests. Each figure is this process's CPU
per request (and the wall time, which adds the database's) and its ratio to /healthz's in the same
run; under the served benchmark's load a page's p95 follows its CPU ratio. Times vary on a shared
machine, so each page's Python function calls in one request are counted too: a measure of its work
that is the same from run to run.

`--profile LABEL` (a part of a page's label, e.g. "home") prints pyinstrument's profile of that
page's requests instead (pip install pyinstrument; not a dependency of the project).

Environment: PROFILE_DATABASE_URL names a PostgreSQL database to use and keep: loaded with the
society the first time, reused after (its dates are those of the day it was loaded), so repeated runs
skip the minutes of loading. Without it a scratch database on BENCH_DATABASE_URL's server is created
and dropped, as bench_served.py does.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from urllib.parse import urlsplit

from bench.bench_served import drop_database, load_society, scratch_database, timed_pages

WARM_UP = 3
HTTPS = {"X-Forwarded-Proto": "https"}


def served_env(url: str) -> dict[str, str]:
    """The served benchmark's production settings, on `url`, every page built: what building costs is
    what this measures (a kept page costs its sign-in's statement, pagecache)."""
    return {"BALINT_CONFIG": "production", "SECRET_KEY": "profile-" + "k" * 48, "DATABASE_URL": url,
            "BALINT_BASE_URL": "https://localhost", "BALINT_MAIL_URL": "outbox", "BALINT_PROXY_HOPS": "1",
            "BALINT_LOGIN_RATE_LIMIT": "1000 per minute", "BALINT_PAGE_CACHE_SECONDS": "0"}


def society(url: str, env: dict[str, str]) -> dict:
    """The ids the pages need: read back from a kept database, or from loading it."""
    import psycopg

    with psycopg.connect(url) as conn:
        loaded = conn.execute("SELECT to_regclass('users') IS NOT NULL").fetchone()[0] and \
            conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0
        if loaded:
            emails = {who: conn.execute("SELECT email FROM users WHERE email = %s", (f"{who}0@scale.balint.test",))
                      .fetchone()[0] for who in ("admin", "leader", "member")}
            big = conn.execute("SELECT id FROM series ORDER BY meeting_count DESC, id LIMIT 1").fetchone()[0]
            token = conn.execute("SELECT calendar_token FROM users WHERE email = %s", (emails["member"],)).fetchone()[0]
            return {"big": big, "token": token, "emails": emails}
    return load_society({**{k: v for k, v in os.environ.items() if not k.startswith("BALINT_")}, **env})


def targets(ids: dict) -> list[tuple[str, str, str]]:
    """(label, path, who) for every page the served benchmark times, /healthz first, and a few more."""
    catalogue, member_home, *others = timed_pages(ids["big"])
    return [
        ("/healthz (baseline)", "/healthz", "visitor"),
        ("feed, full", f"/calendar/{ids['token']}.ics", "visitor"),
        # The layout alone: every page's fixed cost, a visitor's and a signed-in leader's (menu, badge, footer).
        ("layout only (404), visitor", "/no-such-page", "visitor"),
        ("layout only (404), leader", "/no-such-page", "leader"),
        catalogue,
        ("catalogue, signed in", "/", "member"),
        member_home,
        ("leader home", "/home", "leader"),
        *others,
    ]


def signed_in(app, email: str):
    """A test client signed in through the real form, over the proxy's https."""
    from bench.dataset import PASSWORD

    client = app.test_client()
    form = client.get("/sign-in", headers=HTTPS)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text).group(1)
    answer = client.post("/sign-in", data={"email": email, "password": PASSWORD, "csrf_token": token},
                         headers={**HTTPS, "Referer": "https://localhost/sign-in"})
    assert answer.status_code == 302, answer.text[:300]
    return client


def fetch(client, path: str) -> None:
    response = client.get(path, headers=HTTPS)
    assert response.status_code == (404 if path == "/no-such-page" else 200), f"{path}: {response.status_code}"
    response.get_data()  # a streamed answer (the CSVs) does its work as it is read
    response.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page (default 30)")
    parser.add_argument("--profile", help="profile the pages whose label contains this text")
    parser.add_argument("--queries", help="list the statements (and their wall ms) of one request to the pages "
                                          "whose label contains this text")
    parser.add_argument("--only", help="time only the pages whose label contains this text (and /healthz)")
    args = parser.parse_args()

    kept = os.environ.get("PROFILE_DATABASE_URL")
    if kept:
        import psycopg

        parts = urlsplit(kept)
        server, url = parts._replace(path="/postgres").geturl(), kept
        with psycopg.connect(server, autocommit=True) as conn:
            name = parts.path.lstrip("/")
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')
    else:
        server, url = scratch_database()
    env = served_env(url)
    try:
        ids = society(url, env)
        os.environ.update(env)
        os.environ.pop("BALINT_FEED_CACHE_URL", None)
        from balint_online import create_app

        app = create_app()
        clients = {"visitor": app.test_client()}
        for who, email in ids["emails"].items():
            clients[who] = signed_in(app, email)
        chosen = [t for t in targets(ids) if t[1] == "/healthz" or not args.only or args.only in t[0]]
        if args.queries:
            statements(app, [t for t in chosen if args.queries in t[0]], clients)
            return
        if args.profile:
            profile([t for t in chosen if args.profile in t[0]], clients, args.requests)
            return
        results = []
        for label, path, who in chosen:
            for _ in range(WARM_UP):
                fetch(clients[who], path)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(args.requests):
                fetch(clients[who], path)
            results.append((label, (time.process_time() - cpu) * 1000 / args.requests,
                            (time.perf_counter() - wall) * 1000 / args.requests, calls(clients[who], path)))
    finally:
        if not kept:
            drop_database(server, url)
    base = results[0][1]
    print(f"CPU per request in one process ({args.requests} requests a page, production config, PostgreSQL)")
    print(f"  {'target':34} {'CPU ms':>8} {'x /healthz':>11} {'wall ms':>8} {'calls':>8} {'x /healthz':>11}")
    for label, cpu_ms, wall_ms, count in results:
        print(f"  {label:34} {cpu_ms:8.2f} {cpu_ms / base:11.1f} {wall_ms:8.2f} {count:8d} "
              f"{count / results[0][3]:11.1f}")


def calls(client, path: str) -> int:
    """Python function calls of one request: unlike time on a shared machine, the same from run to run."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fetch, client, path)
    return pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]


def statements(app, chosen, clients) -> None:
    from sqlalchemy import event

    from balint_online.extensions import db

    with app.app_context():
        engine = db.engine
    for label, path, who in chosen:
        fetch(clients[who], path)
        seen: list[tuple[float, str]] = []

        def before(conn, cursor, statement, *_):
            conn.info["started"] = time.perf_counter()

        def after(conn, cursor, statement, *_, seen=seen):
            seen.append(((time.perf_counter() - conn.info["started"]) * 1000, " ".join(statement.split())))

        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        try:
            fetch(clients[who], path)
        finally:
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        print(f"=== {label}: {path}: {len(seen)} statements, {sum(ms for ms, _ in seen):.1f} ms")
        for ms, statement in seen:
            print(f"  {ms:6.2f} ms  {statement[:400]}")


def profile(chosen, clients, requests: int) -> None:
    from pyinstrument import Profiler

    for label, path, who in chosen:
        for _ in range(WARM_UP):
            fetch(clients[who], path)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(requests):
            fetch(clients[who], path)
        profiler.stop()
        print(f"=== {label}: {path}")
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
