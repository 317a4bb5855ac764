"""Fuzzing the preview server's requests: any path, method line and headers a browser or an attacker sends
end in a page, a 403 or a 404 within a few seconds; never a 500, a file outside the output folder, a hang,
or a bind started by another site. One server for the whole run; a derandomized, fixed budget."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import DATA
from .test_serve import TIMEOUT, start_serve

SECRET = "not-for-the-browser"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, list[str], subprocess.Popen[str]]]:
    tmp = tmp_path_factory.mktemp("fuzz-serve")
    src, out = tmp / "src", tmp / "out"
    shutil.copytree(DATA / "valid", src)
    (tmp / "secret.txt").write_text(SECRET)
    proc, lines, first = start_serve(src, out, tmp)
    try:
        line = first.get(timeout=TIMEOUT)
        port = int(line.split()[1].rstrip("/").rsplit(":", 1)[1])
        deadline = time.monotonic() + TIMEOUT
        while not (out / "minimal.html").exists():
            assert time.monotonic() < deadline and proc.poll() is None, lines
            time.sleep(0.2)
        yield port, out, lines, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(TIMEOUT)


SEGMENTS = [
    "",
    ".",
    "..",
    "%2e%2e",
    "%2E%2E%2F",
    "..%2f",
    "%5c",
    "\\",
    "view",
    "events",
    "minimal.html",
    "minimal.pdf",
    "overfoerselssagen-2025-2026.pdf",
    "assets",
    ".forslag-cache",
    "secret.txt",
    "%00",
    "%ff%fe",
    "a#b",
    "?x=1",
    "//evil.example",
    "x" * 5000,
    "%",
]
path = st.lists(st.one_of(st.sampled_from(SEGMENTS), st.text(max_size=12)), max_size=6).map(
    lambda parts: "/" + "/".join(parts)
)
host = st.sampled_from(["127.0.0.1:{port}", "localhost:{port}", "evil.example", "127.0.0.1", "", "[::1]:{port}"])
site = st.sampled_from([None, "same-origin", "none", "cross-site", "same-site"])
method = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "BREW", "GET GET"])


def _ask(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(raw)
        chunks = []
        conn.settimeout(20)
        while True:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                if b"text/event-stream" in b"".join(chunks):
                    break  # the event stream stays open by design
                raise
            if not chunk:
                break
            chunks.append(chunk)
            if b"text/event-stream" in b"".join(chunks):
                break
        return b"".join(chunks)


@settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(method=method, path=path, host=host, site=site, junk=st.binary(max_size=64))
def test_any_request_gets_a_clean_answer(
    live: tuple[int, Path, list[str], subprocess.Popen[str]],
    method: str,
    path: str,
    host: str,
    site: str | None,
    junk: bytes,
) -> None:
    port, _out, lines, proc = live
    head = f"{method} {path} HTTP/1.0\r\n".encode("utf-8", "surrogateescape")
    if host:
        head += f"Host: {host.format(port=port)}\r\n".encode()
    if site:
        head += f"Sec-Fetch-Site: {site}\r\n".encode()
    started = time.monotonic()
    answer = _ask(port, head + b"X-Junk: " + junk.replace(b"\r", b"").replace(b"\n", b"") + b"\r\n\r\n")
    assert time.monotonic() - started < 20
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/"), answer[:200]
    status = int(status_line.split()[1])
    assert status in (200, 400, 403, 404, 414, 501), answer[:300]
    assert SECRET.encode() not in answer
    if status == 200:
        assert host.format(port=port) in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}")
        assert site in (None, "same-origin", "none")
    assert proc.poll() is None, lines
    assert not any("internal error" in line or "Traceback" in line for line in lines), lines
