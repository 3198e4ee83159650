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
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
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
    # One nginx and one app server for the module: its tests run on one xdist worker.
    pytest.mark.xdist_group("deploy"),
    pytest.mark.skipif(
        shutil.which("nginx") is None,
        reason="nginx is not installed (apt-get install nginx; .ci/run installs it)",
    ),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed"),
]


def _harness():
    """bench/harness.py, which runs `make serve` for the benchmarks."""
    if "bench_harness" in sys.modules:
        return sys.modules["bench_harness"]
    spec = importlib.util.spec_from_file_location("bench_harness", ROOT / "bench" / "harness.py")
    module = sys.modules["bench_harness"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render_config(text: str, *, cert: Path, key: Path, static_root: Path) -> str:
    """The shipped configuration on the test's loopback ports, certificate and static root."""
    replacements = [
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{HTTPS_PORT} ssl default_server;"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{HTTP_PORT} default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{HTTP_PORT};"),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{APP_PORT} "),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{DOWN_APP_PORT} "),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert)),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
        ("alias /srv/ssbtracker/staticfiles/;", f"alias {static_root}/;"),
    ]
    for old, new in replacements:
        assert old in text, f"{SHIPPED_CONFIG.name} no longer has {old!r}"
        text = text.replace(old, new)
    # IPv6 listeners: the test listens on 127.0.0.1 only.
    return "\n".join(line for line in text.splitlines() if "listen [::]" not in line)


def main_config(prefix: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, under a private prefix."""
    user = ""
    if os.geteuid() == 0:  # workers would otherwise switch to nobody, who cannot read the prefix
        user = "user root root;"
    temp_paths = "\n".join(
        f"    {kind}_temp_path {prefix}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {prefix}/access.log;
{temp_paths}
    include {site};
}}
"""


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-nodes", "-days", "1",
            "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-keyout", str(key), "-out", str(cert),
            "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nginx did not listen on {port}:\n{log.read_text()[-3000:]}")


class Front:
    """nginx on loopback in front of one `make serve`; requests to it and the app's log."""

    def __init__(self, cert: Path, server, prefix: Path):
        self.context = ssl.create_default_context(cafile=str(cert))
        self.server = server
        self.prefix = prefix

    def tls_socket(self, sni: str = HOST, timeout: float = 10) -> ssl.SSLSocket:
        sock = socket.create_connection(("127.0.0.1", HTTPS_PORT), timeout=timeout)
        return self.context.wrap_socket(sock, server_hostname=sni)

    def request(self, method, path, *, host=HOST, headers=None, body=None, timeout=10):
        """(status, headers, body) of one request over HTTPS, with SNI for `HOST`."""
        connection = http.client.HTTPConnection(host, HTTPS_PORT, timeout=timeout)
        connection.sock = self.tls_socket(timeout=timeout)
        try:
            connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

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
    cert, key = self_signed_certificate(folder)
    site = folder / "ssbtracker.conf"
    site.write_text(
        render_config(
            SHIPPED_CONFIG.read_text(), cert=cert, key=key, static_root=Path(settings.STATIC_ROOT)
        )
    )
    (folder / "nginx.conf").write_text(main_config(folder, site))
    nginx = ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", "stderr"]
    checked = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    harness = _harness()
    database = f"sqlite:///{folder / 'db.sqlite3'}"
    # /healthz answers 503 on an unmigrated database: migrate it (no page here needs data).
    migrated = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        env={**os.environ, "DATABASE_URL": database, "DEBUG": "1"},
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
    )
    assert migrated.returncode == 0, migrated.stderr
    server = harness.Server(
        env={
            "DATABASE_URL": database,
            "REDIS_URL": "",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            # An access log with the forwarded headers the app received.
            "GUNICORN_ARGS": "--access-logfile - --access-logformat "
            + """'%(h)s "%(r)s" %(s)s xff=%({x-forwarded-for}i)s proto=%({x-forwarded-proto}i)s'""",
        },
        port=APP_PORT,
    )
    nginx_log = folder / "nginx.out"
    process = None
    try:
        server.start()  # runs collectstatic, which fills STATIC_ROOT for nginx
        process = subprocess.Popen(
            nginx, stdout=nginx_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for_port(HTTPS_PORT, process, nginx_log)
        yield Front(cert, server, folder)
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
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
