"""The production front, deploy/nginx/ssbtracker.conf, run with real nginx on loopback.

Used by tests/test_deploy.py and bench/replay_findings.py. The shipped configuration is run
as it is, but for its ports, certificate and static root, which are replaced with the
caller's (every replacement must find its text, so a drifted file is refused, not half
rendered). nginx runs as the current user under a private prefix; everything listens on
127.0.0.1 only. Standard library only.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CONFIG = ROOT / "deploy" / "nginx" / "ssbtracker.conf"
HOST = "ssbtracker.example"


@dataclass(frozen=True)
class Ports:
    """Where nginx listens (HTTPS, HTTP) and the two app servers of its upstream."""

    https: int
    http: int
    app: int
    second_app: int


def render_config(text: str, *, ports: Ports, cert: Path, key: Path, static_root: Path) -> str:
    """The shipped configuration on loopback ports, with a certificate and static root."""
    replacements = [
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{ports.https} ssl default_server;"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{ports.https} ssl http2;"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{ports.http} default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{ports.http};"),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{ports.app} "),
        ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{ports.second_app} "),
        (f"/etc/letsencrypt/live/{HOST}/fullchain.pem", str(cert)),
        (f"/etc/letsencrypt/live/{HOST}/privkey.pem", str(key)),
        ("alias /srv/ssbtracker/staticfiles/;", f"alias {static_root}/;"),
    ]
    for old, new in replacements:
        if old not in text:
            raise ValueError(f"{SHIPPED_CONFIG.name} no longer has {old!r}")
        text = text.replace(old, new)
    # IPv6 listeners: loopback 127.0.0.1 only.
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


class Nginx:
    """nginx with the shipped site, in its own process group under `folder`."""

    def __init__(self, folder: Path, *, ports: Ports, static_root: Path):
        self.folder = folder
        self.ports = ports
        self.cert, self.key = self_signed_certificate(folder)
        site = folder / "ssbtracker.conf"
        site.write_text(
            render_config(
                SHIPPED_CONFIG.read_text(),
                ports=ports,
                cert=self.cert,
                key=self.key,
                static_root=static_root,
            )
        )
        (folder / "nginx.conf").write_text(main_config(folder, site))
        self.command = [
            "nginx",
            "-p",
            str(folder),
            "-c",
            str(folder / "nginx.conf"),
            "-e",
            "stderr",
        ]
        self.log_path = folder / "nginx.out"
        self.process: subprocess.Popen | None = None
        self.context = ssl.create_default_context(cafile=str(self.cert))

    def check(self) -> subprocess.CompletedProcess:
        """`nginx -t` on the rendered configuration."""
        return subprocess.run([*self.command, "-t"], capture_output=True, text=True)

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            self.command,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.ports.https, self.process, self.log_path)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def tls_socket(
        self, sni: str = HOST, timeout: float = 10, source: str = "127.0.0.1"
    ) -> ssl.SSLSocket:
        """A TLS connection to nginx from a loopback address (127.0.0.x: a client of its own)."""
        sock = socket.create_connection(
            ("127.0.0.1", self.ports.https), timeout=timeout, source_address=(source, 0)
        )
        return self.context.wrap_socket(sock, server_hostname=sni)

    def request(
        self, method, path, *, host=HOST, headers=None, body=None, timeout=10, source="127.0.0.1"
    ):
        """(status, headers, body) of one request over HTTPS, with SNI for `HOST`."""
        connection = http.client.HTTPConnection(host, self.ports.https, timeout=timeout)
        connection.sock = self.tls_socket(timeout=timeout, source=source)
        try:
            connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()
