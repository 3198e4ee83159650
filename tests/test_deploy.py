"""The production front: real nginx, with deploy/nginx/ssbtracker.conf, in front of `make serve`.

The shipped configuration is run as it is, but for its ports, certificate and static root,
which are replaced with a test's own (every replacement must find its text, so the test
fails if the file drifts from it). nginx runs as the current user under a temporary prefix;
everything listens on 127.0.0.1 only. The upstream's second app server is left down: nginx
must send every request to the one that answers.
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import re
import secrets
import shutil
import ssl
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests import servers

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = ROOT / "deploy" / "nginx" / "ssbtracker.conf"
HOST = "ssbtracker.example"
HTTPS_PORT, HTTP_PORT = servers.port(servers.HTTPS), servers.port(servers.HTTP)
APP_PORT, DOWN_APP_PORT = servers.port(servers.APP), servers.port(servers.DOWN_APP)

pytestmark = [
    # One nginx and one app server for the module: its tests run on one xdist worker, with
    # the other tests that start `make serve` (its collectstatic writes the one STATIC_ROOT).
    pytest.mark.xdist_group("servers"),
    pytest.mark.skipif(
        shutil.which("nginx") is None,
        reason="nginx is not installed (apt-get install nginx; .ci/run installs it)",
    ),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]


def _bench(name: str):
    """A module of bench/: harness.py runs `make serve`, nginx_front.py runs nginx."""
    key = f"bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "bench" / f"{name}.py")
        module = sys.modules[key] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return sys.modules[key]


class Front:
    """nginx on loopback in front of one `make serve`; requests to it and the app's log."""

    def __init__(self, nginx, server):
        self.nginx = nginx
        self.server = server
        self.tls_socket = nginx.tls_socket
        self.request = nginx.request

    def app_log(self) -> str:
        """The app's log once the requests made so far are in it.

        gunicorn writes its access line after the response; a request made now, and waited
        for, comes after every earlier one that reached the app.
        """
        mark = secrets.token_hex(4)
        assert self.request("GET", f"/robots.txt?mark={mark}")[0] == 200
        for _ in range(100):
            log = self.server.log_path.read_text()
            if f"mark={mark}" in log:
                return log
            time.sleep(0.1)
        raise AssertionError(f"the app never logged its request:\n{log[-3000:]}")


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx")
    nginx = _bench("nginx_front").Nginx(
        folder,
        ports=_bench("nginx_front").Ports(
            https=HTTPS_PORT, http=HTTP_PORT, app=APP_PORT, second_app=DOWN_APP_PORT
        ),
        static_root=Path(settings.STATIC_ROOT),
    )
    checked = nginx.check()
    assert checked.returncode == 0, checked.stderr

    harness = _bench("harness")
    env = {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "REDIS_URL": "",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        # An access log with the forwarded headers the app received.
        "GUNICORN_ARGS": "--access-logfile - --access-logformat "
        + """'%(h)s "%(r)s" %(s)s xff=%({x-forwarded-for}i)s proto=%({x-forwarded-proto}i)s'""",
    }
    # Migrated, empty: /healthz is 503 on a database with unapplied migrations.
    harness.manage("migrate", "--no-input", env={**env, "DEBUG": "0"})
    server = harness.Server(env=env, port=APP_PORT)
    try:
        server.start()  # runs collectstatic, which fills STATIC_ROOT for nginx
        nginx.start()
        yield Front(nginx, server)
    finally:
        nginx.stop()
        server.stop()


def hashed_static_path(name: str) -> str:
    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"][name]


def test_pages_pass_through_over_https_with_the_host_and_scheme_the_app_trusts(front):
    status, headers, body = front.request("GET", "/robots.txt")
    # Not a redirect to HTTPS: the app saw X-Forwarded-Proto; not a 400: it saw the Host.
    assert status == 200
    assert b"Sitemap" in body or b"User-agent" in body
    assert "max-age=" in headers["Strict-Transport-Security"]
    assert re.search(r'"GET /robots.txt HTTP/1.[01]" 200', front.app_log())


def test_the_app_gets_the_clients_address_not_what_the_client_claims(front):
    status, _, _ = front.request(
        "GET", "/robots.txt?forged=1", headers={"X-Forwarded-For": "203.0.113.7"}
    )
    assert status == 200
    line = next(line for line in front.app_log().splitlines() if "forged=1" in line)
    assert "xff=127.0.0.1 proto=https" in line


def test_healthz_answers_while_slow_clients_dribble_their_headers(front):
    slow = [front.tls_socket() for _ in range(4)]
    for number, sock in enumerate(slow):
        sock.sendall(f"GET /?slow={number} HTTP/1.1\r\nHost: {HOST}\r\n".encode())
    stop = threading.Event()

    def dribble():
        for _ in range(10):  # a byte a second from each, never ending the header
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"x")
            if stop.wait(1):
                return

    dribbler = threading.Thread(target=dribble, daemon=True)
    dribbler.start()
    try:
        stop.wait(2)
        status, _, body = front.request("GET", "/healthz", timeout=5)
        assert status == 200
        assert json.loads(body)["status"] == "ok"
    finally:
        stop.set()
        dribbler.join()
        for sock in slow:
            sock.close()
    # Their incomplete requests never reached the app.
    assert "slow=" not in front.app_log()


def test_a_client_that_never_finishes_its_header_is_closed_by_nginx(front):
    """Within client_header_timeout (10 s); nginx's own default, 60 s, would outlast the wait."""
    sock = front.tls_socket(timeout=30)
    try:
        sock.sendall(f"GET /?unfinished=1 HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        try:
            closed = sock.recv(1024) == b""
        except TimeoutError:
            closed = False
        except OSError:
            closed = True
        assert closed
    finally:
        sock.close()
    assert "unfinished=1" not in front.app_log()


def read_status(sock: ssl.SSLSocket) -> int:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def test_a_100_mb_post_to_the_log_in_page_is_refused_before_the_app_sees_it(front):
    sock = front.tls_socket()
    try:
        sock.sendall(
            b"POST /admin/login/?huge=1 HTTP/1.1\r\n"
            + f"Host: {HOST}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=b\r\n"
            + f"Content-Length: {100 * 1024 * 1024}\r\n\r\n".encode()
            + b'--b\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n'
            + b"x" * 4096
        )
        assert read_status(sock) == 413
    finally:
        sock.close()
    assert "huge=1" not in front.app_log()


def test_bodies_over_1_mb_are_refused_outside_the_admin_and_allowed_in_it(front):
    two_mb = b"a=" + b"x" * (2 * 1024 * 1024)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, _ = front.request("POST", "/?outside=1", headers=form, body=two_mb)
    assert status == 413
    # Within the admin's 8 MB the body reaches the app, which refuses it for want of a
    # CSRF token.
    status, _, _ = front.request("POST", "/admin/login/?inside=1", headers=form, body=two_mb)
    assert status == 403
    log = front.app_log()
    assert "outside=1" not in log
    assert "inside=1" in log


def test_hashed_static_files_come_from_nginx_cached_for_a_year_and_gzipped(front):
    path = hashed_static_path("css/site.css")
    status, headers, body = front.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert path not in front.app_log()


def test_unhashed_static_names_are_cached_briefly(front):
    status, headers, _ = front.request("GET", "/static/css/site.css")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=60"


def test_head_of_a_static_file_answers_without_a_body(front):
    status, headers, body = front.request("HEAD", hashed_static_path("css/site.css"))
    assert status == 200
    assert int(headers["Content-Length"]) > 0
    assert body == b""


def test_head_of_healthz_answers_200_through_nginx(front):
    status, _, body = front.request("HEAD", "/healthz")
    assert status == 200
    assert body == b""


def test_an_unknown_host_is_closed_without_an_answer_and_never_reaches_the_app(front):
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        front.request("GET", "/?unknown=https", host="evil.example")
    # Over plain HTTP too.
    connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    try:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            connection.request("GET", "/?unknown=http", headers={"Host": "evil.example"})
            connection.getresponse()
    finally:
        connection.close()
    assert "unknown=" not in front.app_log()


def test_a_tls_client_asking_for_another_name_gets_no_certificate(front):
    with pytest.raises(ssl.SSLError):
        front.tls_socket(sni="evil.example").close()


def test_plain_http_for_the_site_redirects_to_https(front):
    connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=10)
    try:
        connection.request("GET", "/companies/?q=1", headers={"Host": HOST})
        response = connection.getresponse()
        assert response.status == 301
        assert response.headers["Location"] == f"https://{HOST}/companies/?q=1"
    finally:
        connection.close()
