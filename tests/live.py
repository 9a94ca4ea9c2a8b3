"""A real HTTP server on loopback serving a test app, for tests that need concurrent requests."""

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server


@contextmanager
def live_server(app):
    from balint_online.extensions import db

    # End the test's own transaction: on SQLite it would hold the write lock the server needs.
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown waits for the loop's next poll, half a second by default.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
