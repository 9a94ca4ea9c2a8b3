"""The app as production runs it, for tests that talk to it only over real HTTP.

`serve_production(...)` starts `gunicorn app:app` from the repository root with
`BALINT_CONFIG=production` and a fresh SECRET_KEY, serving TLS with a certificate from a
throw-away CA (trustme), so that the production-only Secure cookies travel as they do for users:
a client's cookie jar sends them back over https only. `fresh_database(...)` gives it a database
of its own, and `Served.cli(...)` runs the real `flask --app app ...` commands in the same
environment.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.browser import forms_on

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@contextmanager
def fresh_database(tmp_path: Path):
    """A new, empty database: on the PostgreSQL server TEST_DATABASE_URL names, else a SQLite file."""
    if not os.environ.get("TEST_DATABASE_URL"):
        yield f"sqlite:///{tmp_path / 'served.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"{server.database}_served_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def production_env(*, database_url: str, base_url: str, mail_url: str) -> dict:
    """The environment production is configured by (README, "Production"), and nothing the developer set."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("BALINT_") and name not in ("DATABASE_URL", "SECRET_KEY", "FLASK_APP")}
    redis = os.environ.get("TEST_REDIS_URL")
    env.update({
        "BALINT_CONFIG": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": database_url,
        "BALINT_BASE_URL": base_url,
        "BALINT_MAIL_URL": mail_url,
        # Several workers share throttling counters only through Redis; a prefix of its own keeps
        # this server's counters apart from other tests' and other runs'.
        "BALINT_RATELIMIT_STORAGE_URI": redis or "memory://",
        "BALINT_RATELIMIT_KEY_PREFIX": f"served-{secrets.token_hex(4)}",
    })
    return env


class Http(requests.Session):
    """A requests session on one base URL that trusts the test CA; with a token, an API client.

    Like a browser it keeps cookies, and sends Secure ones back over https only.
    """

    def __init__(self, base_url: str, ca_file: str, token: str | None = None):
        super().__init__()
        self.base_url = base_url
        self.ca_file = ca_file
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 15)
        # Per request: a session-wide `verify` loses to REQUESTS_CA_BUNDLE from the environment.
        kwargs.setdefault("verify", self.ca_file)
        # Redirects are answers to look at, never followed (requests' get() would follow them).
        kwargs["allow_redirects"] = False
        return super().request(method, self.base_url + url if url.startswith("/") else url, **kwargs)

    def submit(self, url: str, data: dict | None = None, *, page: str | None = None):
        """Post the form on `page` (default: `url`) that posts to `url`, as a browser does.

        Its hidden inputs (the CSRF token among them) go with the caller's fields, and so does the
        page's address as Referer: over https Flask-WTF also checks that the post came from this site.
        """
        page = page or url
        shown = self.get(page)
        assert shown.status_code == 200, f"GET {page} answered {shown.status_code}"
        forms = [f for f in forms_on(shown.text, page) if f["action"] == url]
        assert forms, f"no form on {page} posts to {url}"
        return self.post(url, data={**forms[0]["hidden"], **(data or {})}, headers={"Referer": self.base_url + page})


@dataclass
class Served:
    url: str
    env: dict
    ca_file: str
    log: Path

    def cli(self, *args: str) -> str:
        """Run `flask --app app ARGS` as an operator would; its standard output, after checking it succeeded."""
        done = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"flask {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def http(self, token: str | None = None) -> Http:
        return Http(self.url, self.ca_file, token)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _listening_socket() -> socket.socket:
    # Bound here and handed to gunicorn (fd://) so the port is known before it starts, with no race.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


@contextmanager
def serve_production(tmp_path: Path, *, database_url: str, mail_url: str,
                     setup: Callable[[Served], None] | None = None):
    """Serve the app on `database_url` with gunicorn over TLS until the block ends, migrated by the CLI.

    `setup(served)` runs (e.g. `served.cli("users", "create", ...)`) after the migration while
    the workers boot, to keep the test fast. Yields the Served once GET /readyz answers 200.
    gunicorn is always stopped, and its log is in the failure message when it does not come up.
    """
    import trustme

    ca = trustme.CA()
    ca_file, cert_file, key_file = (str(tmp_path / name) for name in ("ca.pem", "cert.pem", "key.pem"))
    ca.cert_pem.write_to_path(ca_file)
    issued = ca.issue_cert("127.0.0.1")
    issued.cert_chain_pems[0].write_to_path(cert_file)
    issued.private_key_pem.write_to_path(key_file)

    sock = _listening_socket()
    url = f"https://127.0.0.1:{sock.getsockname()[1]}"
    env = production_env(database_url=database_url, base_url=url, mail_url=mail_url)
    served = Served(url=url, env=env, ca_file=ca_file, log=tmp_path / "gunicorn.log")
    with served.log.open("w") as log:
        # Two worker processes, as production has several: what one request leaves for the next
        # (the signed session, its CSRF token) must not live in one process only.
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "app:app", "--bind", f"fd://{sock.fileno()}", "--workers", "2",
             "--certfile", cert_file, "--keyfile", key_file, "--graceful-timeout", "5", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, pass_fds=[sock.fileno()])
    sock.close()
    try:
        # As an operator deploys: migrate, then set up; the workers boot meanwhile (/readyz waits for both).
        served.cli("db", "upgrade")
        if setup is not None:
            setup(served)
        _wait_ready(served, process)
        yield served
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(served: Served, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with served.http() as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"gunicorn exited {process.returncode}:\n{served.log_tail()}")
            try:
                # The socket listens from the start: a request waits in its backlog until a worker is up.
                if http.get("/readyz", timeout=5).status_code == 200:
                    return
            except requests.exceptions.SSLError:
                raise
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.1)
    raise AssertionError(f"/readyz did not answer 200 within {timeout} s:\n{served.log_tail()}")
