"""What bench/run.py and bench/load.py share: the database, the server, wrk, and memory.

Standard library only (and psycopg, a project dependency), so that it runs with the
project's virtualenv: `.venv/bin/python bench/run.py`.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
#: The server runs behind a TLS proxy in production; wrk plays that proxy.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
#: What every browser sends as well (cached pages are kept gzipped).
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def manage(*args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PYTHON), "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=check,
        text=True,
        capture_output=True,
    )


# --- the database ---------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


def ensure_database(admin_url: str, name: str, *, recreate: bool) -> bool:
    """Create the database (dropping it first when asked); whether it was created."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not recreate:
            return False
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def synthetic_milestones(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            row = conn.execute(
                "SELECT count(*) FROM claims_milestone WHERE slug LIKE 'syn-%%'"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return row[0]


def vacuum_analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# --- the server -----------------------------------------------------------------------------


@dataclass
class Server:
    """`make serve` in its own process group, on a port of its own."""

    env: dict
    port: int
    workers: int = 2
    process: subprocess.Popen | None = None
    log_path: Path = field(default_factory=lambda: Path(tempfile.mkstemp(suffix=".log")[1]))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        env = {
            **os.environ,
            **self.env,
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(self.workers),
        }
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve"],
            cwd=ROOT,
            env=env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"make serve exited:\n{self.log_path.read_text()[-3000:]}")
            if len(self.worker_pids()) >= self.workers and get(self.url + "/robots.txt")[0] == 200:
                return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"make serve did not answer:\n{self.log_path.read_text()[-3000:]}")

    def master_pid(self) -> int | None:
        """gunicorn's master: make runs it with exec, so it is the process make started."""
        if not self.process:
            return None
        children = _children(self.process.pid)
        for pid in [self.process.pid, *children]:
            if "gunicorn" in _cmdline(pid):
                return pid
        return None

    def worker_pids(self) -> list[int]:
        master = self.master_pid()
        return _children(master) if master else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    """The peak resident memory of each of a server's workers, sampled every 0.1 s."""

    def __init__(self, server: Server):
        super().__init__(daemon=True)
        self.server = server
        self.peaks: dict[int, float] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for pid in self.server.worker_pids():
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), rss_mb(pid))
            self._halt.wait(0.1)

    def peak(self) -> float:
        return max(self.peaks.values(), default=0.0)

    def reset(self) -> None:
        self.peaks = {}

    def stop(self) -> None:
        self._halt.set()
        self.join()


# --- HTTP -----------------------------------------------------------------------------------


def etag_of(url: str) -> str:
    """The ETag a page carries (sent as a browser's If-None-Match when it asks again)."""
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, **BROWSER_HEADERS})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.headers["ETag"]


def get(url: str, headers: dict | None = None, timeout: float = 300) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET."""
    request = urllib.request.Request(url, headers={**PROXY_HEADERS, **(headers or {})})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
            return response.status, body, time.perf_counter() - start
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - start
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b"", time.perf_counter() - start


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int
    raw: str = ""


def wrk(
    url: str,
    *,
    seconds: int = 5,
    connections: int = 8,
    threads: int = 1,
    bust_cache: bool = False,
    paths: list[str] | None = None,
    timeout: int = 30,
    headers: dict | None = None,
) -> WrkResult:
    """Run wrk against a URL (or a list of paths, in turn); loopback only.

    bust_cache adds a distinct, ignored `_bust` parameter to every request, so that no
    response is served from the page cache; in `paths`, "{bust}" becomes a distinct value.
    """
    if not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValueError("wrk runs on loopback only")
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    script = _lua(bust_cache=bust_cache, paths=paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout}s",
        "--latency",
        "-s",
        f.name,
    ]
    for name, value in {**PROXY_HEADERS, **BROWSER_HEADERS, **(headers or {})}.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(f.name)
    return parse_wrk(out)


def _lua(*, bust_cache: bool, paths: list[str] | None) -> str:
    paths_lua = "{" + ", ".join(json.dumps(p) for p in paths or []) + "}"
    return f"""
local paths = {paths_lua}
local bust = {"true" if bust_cache else "false"}
local n = 0
local errors = 0
math.randomseed(os.time() + tonumber(tostring({{}}):sub(8), 16))
request = function()
  n = n + 1
  local path = wrk.path
  if #paths > 0 then path = paths[(n % #paths) + 1] end
  path = string.gsub(path, "{{bust}}", math.random(1, 2000000000) .. "-" .. n)
  if bust then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_bust=" .. math.random(1, 2000000000) .. "-" .. n
  end
  return wrk.format(nil, path)
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(out: str) -> WrkResult:
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        errors += sum(int(g) for g in m.groups())
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(percentiles["50"]),
        p90_ms=_ms(percentiles["90"]),
        p99_ms=_ms(percentiles["99"]),
        requests=requests,
        errors=errors,
        raw=out,
    )


def machine() -> str:
    """CPU, cores, memory, OS and the versions that matter, in one line."""
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    os_name = ""
    if Path("/etc/os-release").exists():
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    pg = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {int(mem) // 1024} MB RAM, {os_name}, "
        f"Python {sys.version.split()[0]}, {pg}"
    )
