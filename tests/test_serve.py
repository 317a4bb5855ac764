"""`forslag serve` driven as a person would: open the page, save a file, see the new page; a broken save
shows its errors, a fixed one recovers, Ctrl-C stops it. Generous timeouts, no timing assertions."""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from forslag.serve.watch import touched_by

from .conftest import DATA, ROOT
from .pdftext import flat

TIMEOUT = 180.0  # the shared test machine can be slow; nothing here measures speed


@dataclass
class Server:
    proc: subprocess.Popen[str]
    url: str
    src: Path
    out: Path
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    lines: list[str] = field(default_factory=list)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=TIMEOUT) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", errors="replace")

    def wait_for(self, name: str, kind: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=1)
            except queue.Empty:
                assert self.proc.poll() is None, f"the server stopped: {self.lines}"
                continue
            if event.get("name") == name and event.get("kind") == kind:
                return event
        raise AssertionError(f"no {kind} event for {name} within {TIMEOUT} s; output: {self.lines}")

    def listen(self) -> None:
        """Follow /events as the page's script does, into `events`."""
        ready = threading.Event()

        def follow() -> None:
            with urllib.request.urlopen(self.url + "events", timeout=TIMEOUT) as stream:
                ready.set()
                for raw in stream:
                    line = raw.decode().rstrip("\n")
                    if line.startswith("data: "):
                        self.events.put(json.loads(line[6:]))

        threading.Thread(target=follow, daemon=True).start()
        assert ready.wait(TIMEOUT)


def start_serve(src: Path, out: Path, cwd: Path) -> tuple[subprocess.Popen[str], list[str], queue.Queue[str]]:
    """`forslag serve` of `src` into `out` in a process of its own, its output lines gathered as they come;
    the first of them (the address it serves at) is also put in the queue."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "forslag.cli", "serve", str(src), "--out", str(out), "--jobs", "1"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    lines: list[str] = []
    first: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc, lines, first), daemon=True).start()
    return proc, lines, first


def _read_lines(proc: subprocess.Popen[str], into: list[str], first: queue.Queue[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        into.append(line.rstrip("\n"))
        first.put(line)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "valid", src)
    proc, lines, first = start_serve(src, out, tmp_path)
    try:
        line = first.get(timeout=TIMEOUT)
        assert line.startswith("serving http://127.0.0.1:"), line
        running = Server(proc, line.split()[1], src, out, lines=lines)
        running.listen()
        yield running
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)


def _wait_until_built(server: Server) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not (server.out / "minimal.pdf").exists():
        assert time.monotonic() < deadline, server.lines
        assert server.proc.poll() is None, server.lines
        time.sleep(0.2)


def test_a_save_reaches_the_page_and_the_pdf(server: Server) -> None:
    _wait_until_built(server)
    status, page = server.get("minimal.html")
    assert status == 200
    assert "Et lille forslag" in page
    assert 'new EventSource("/events")' in page  # the reload script, added to what is served...
    assert "EventSource" not in (server.out / "minimal.html").read_text()  # ...and never to the file

    source = server.src / "minimal.yaml"
    source.write_text(source.read_text().replace("Kort beskrivelse.", "En helt ny beskrivelse af forslaget."))
    server.wait_for("minimal", "html")
    assert "En helt ny beskrivelse af forslaget." in server.get("minimal.html")[1]
    server.wait_for("minimal", "pdf")
    assert "En helt ny beskrivelse af forslaget." in flat(server.out / "minimal.pdf")

    # A broken save: the page shows where and what, the last good output stays on disk.
    good = source.read_text()
    source.write_text(good.replace("title:", "titel:", 1))
    server.wait_for("minimal", "error")
    status, page = server.get("minimal.html")
    assert status == 200
    assert "minimal.yaml:1:1: unknown key &#x27;titel&#x27;; did you mean &#x27;title&#x27;?" in page
    assert "En helt ny beskrivelse af forslaget." not in page
    assert "En helt ny beskrivelse af forslaget." in (server.out / "minimal.html").read_text()
    assert "minimal.yaml:1:1" in server.get("")[1]  # the overview lists it too
    assert "minimal.yaml:1:1" in server.get("view/minimal.pdf")[1]

    # The fix: the page is the proposal again.
    source.write_text(good.replace("En helt ny beskrivelse", "En rettet beskrivelse"))
    server.wait_for("minimal", "html")
    page = server.get("minimal.html")[1]
    assert "En rettet beskrivelse af forslaget." in page and "titel" not in page
    server.wait_for("minimal", "pdf")
    assert "En rettet beskrivelse af forslaget." in flat(server.out / "minimal.pdf")

    # The bound case is brought up to date when a page asks for it (or when the writer pauses).
    status, index = server.get("overfoerselssagen-2025-2026.html")
    assert status == 200 and "Et lille forslag" in index, server.lines
    assert "En rettet beskrivelse af forslaget." in flat(server.out / "overfoerselssagen-2025-2026.pdf"), server.lines

    server.proc.send_signal(signal.SIGINT)
    assert server.proc.wait(TIMEOUT) == 0
    assert server.proc.stderr is not None
    err = server.proc.stderr.read()
    assert "Traceback" not in err
    assert "preview stopped" in err


def test_only_the_output_folder_is_served(server: Server) -> None:
    (server.out.parent / "secret.txt").write_text("not for the browser")
    for path in ("../secret.txt", "%2e%2e/secret.txt", "assets/../../secret.txt", ".forslag-cache/minimal.json"):
        status, body = server.get(path)
        assert status == 404, path
        assert "not for the browser" not in body
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(TIMEOUT) == 0


def test_a_figure_touches_the_proposals_that_show_it(tmp_path: Path) -> None:
    folder = tmp_path / "case"
    (folder / "figurer").mkdir(parents=True)
    (folder / "case.yaml").write_text("name: x\n")
    shows = folder / "a.yaml"
    shows.write_text("description: '![Faser](figurer/faser.svg \"Faserne\")'\n")
    other = folder / "b.yaml"
    other.write_text("description: Ingen figur.\n")
    sources, folders, templates = [shows, other], [folder.resolve()], [tmp_path / "templates"]
    figure = folder / "figurer" / "faser.svg"
    figure.write_text("<svg/>")

    touched = touched_by([figure], sources, folders, templates, tmp_path / "out")
    assert touched.proposals == {shows.resolve()}
    touched = touched_by([folder / "case.yaml"], sources, folders, templates, tmp_path / "out")
    assert touched.proposals == {shows.resolve(), other.resolve()} and touched.case_changed
    touched = touched_by([tmp_path / "templates" / "style.css"], sources, folders, templates, tmp_path / "out")
    assert touched.proposals == {shows.resolve(), other.resolve()}
    new = folder / "c.yaml"
    new.write_text("title: ny\n")
    touched = touched_by([new], sources, folders, templates, tmp_path / "out")
    assert touched.proposals == {new.resolve()} and touched.sources_changed
    touched = touched_by([tmp_path / "out" / "a.html"], sources, folders, templates, tmp_path / "out")
    assert not touched.anything


def test_the_preview_prints_within_the_limits_and_caches_nothing_over_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document that takes too long fails alone, in its own worker: its output is not cached (so a later
    build does not find it up to date), and the next save of another proposal is rendered and printed."""
    from forslag.batch import printing
    from forslag.batch.limits import Limits
    from forslag.batch.state import BuildOptions, Cache
    from forslag.serve.preview import Preview

    src = tmp_path / "src"
    shutil.copytree(DATA / "valid", src)
    slow = src / "slow.yaml"
    slow.write_text((src / "minimal.yaml").read_text().replace("Et lille forslag", "Et sløvt forslag"))
    real = printing.printer

    class Slow:  # the worker's printer, taking its time over the slow proposal
        def pdf_planned(self, html: str, *args: Any, **kwargs: Any) -> Any:
            if "Et sløvt forslag" in html:
                time.sleep(120)
            return real().pdf_planned(html, *args, **kwargs)

    monkeypatch.setattr(printing, "printer", Slow)  # the worker is forked: it carries this
    lines: list[str] = []
    out = tmp_path / "out"
    preview = Preview([src], BuildOptions(out=out, limits=Limits(seconds=6), jobs=1, bind=False), lines.append)
    try:
        started = time.monotonic()
        preview._html(slow)
        preview._print(slow, preview._pending.pop(slow))
        assert time.monotonic() - started < 90
        assert preview.errors["slow"] == [
            f"{slow}: printing its PDF took longer than the limit of 6 s per document and was stopped; shorten or "
            "simplify it (very long tables, very large figures, many scenarios or effects)"
        ]
        assert not (out / "slow.pdf").exists() and Cache(out).get("slow") is None
        minimal = src / "minimal.yaml"
        preview._html(minimal)
        preview._print(minimal, preview._pending.pop(minimal))
        assert "Et lille forslag" in flat(out / "minimal.pdf") and "minimal" not in preview.errors
    finally:
        preview.close()


def _raw(server: Server, path: str, headers: dict[str, str]) -> tuple[int, str]:
    import http.client

    host, port = server.url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
    conn.putrequest("GET", path, skip_host=True)
    for key, value in headers.items():
        conn.putheader(key, value)
    conn.endheaders()
    response = conn.getresponse()
    return response.status, response.read().decode("utf-8", errors="replace")


def test_only_the_printed_hosts_and_the_preview_itself_are_answered(server: Server) -> None:
    _wait_until_built(server)
    port = server.url.rstrip("/").rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        status, page = _raw(server, "/minimal.html", {"Host": host})
        assert status == 200 and "Et lille forslag" in page, host
    # A page that rebinds its own name to 127.0.0.1 sends that name; a missing Host is no better.
    for headers in ({"Host": f"evil.example:{port}"}, {"Host": "127.0.0.1"}, {"Host": f"127.0.0.1:{port}.evil"}, {}):
        status, page = _raw(server, "/minimal.html", headers)
        assert status == 403 and "Et lille forslag" not in page, headers
        assert f"answers only at http://127.0.0.1:{port}/" in page
    # Another site's request (an <img>, a fetch) starts no bind and reads nothing.
    host = {"Host": f"127.0.0.1:{port}"}
    for extra in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "http://evil.example"}):
        status, page = _raw(server, "/overfoerselssagen-2025-2026.pdf", {**host, **extra})
        assert status == 403, extra
    assert not any("bound" in line for line in server.lines), server.lines
    status, _ = _raw(server, "/", {**host, "Sec-Fetch-Site": "same-origin", "Origin": f"http://127.0.0.1:{port}"})
    assert status == 200
    # Only a proposal's own PDF is framed, never another origin's.
    status, page = server.get("view//evil.example/x.pdf")
    assert status == 404 and "evil.example" not in page
    status, page = server.get("view/minimal.pdf")
    assert status == 200 and 'src="/minimal.pdf?v=' in page
    with urllib.request.urlopen(server.url + "minimal.html", timeout=TIMEOUT) as response:
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_an_idle_connection_does_not_hold_up_sigterm(server: Server) -> None:
    import socket

    _wait_until_built(server)
    port = int(server.url.rstrip("/").rsplit(":", 1)[1])
    idle = socket.create_connection(("127.0.0.1", port))  # sends nothing, ever
    half = socket.create_connection(("127.0.0.1", port))
    half.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n")  # a request never finished
    time.sleep(1)
    started = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(TIMEOUT) == 0
    assert time.monotonic() - started < 10
    idle.close()
    half.close()


def test_names_build_refuses_are_neither_linked_nor_written(tmp_path: Path) -> None:
    """A source named `\\evil.example.yaml` is listed with its problem and no link; `/view//host/x.pdf` frames
    nothing; a name with '#' is linked percent-encoded."""
    from forslag.batch.state import BuildOptions
    from forslag.serve.http import index_page, pdf_view_page
    from forslag.serve.preview import Preview

    src, out = tmp_path / "src", tmp_path / "out"
    shutil.copytree(DATA / "valid", src)
    text = (src / "minimal.yaml").read_text()
    (src / "\\evil.example.yaml").write_text(text)
    (src / "esc\x1b[2J.yaml").write_text(text)
    (src / "a#b?c.yaml").write_text(text)
    (src / "minimal.yaml").unlink()
    preview = Preview([src], BuildOptions(out=out, formats=frozenset({"html"}), jobs=1), lambda line: None)
    try:
        preview._first_pass()
        for source in preview.sources:
            preview._html(source)
        written = sorted(p.name for p in out.iterdir() if p.is_file())
        assert written == ["a#b?c.html"], written
        page = index_page(preview).decode()
        assert 'href="/a%23b%3Fc.html"' in page and 'href="/view/a%23b%3Fc.pdf"' in page
        assert "\\evil.example" in page and 'href="/\\' not in page and 'href="//' not in page
        assert "characters a link cannot carry safely (U+005C)" in page
        assert 'src="/a%23b%3Fc.pdf?v=' in pdf_view_page("a#b?c", 3).decode()
    finally:
        preview.close()


def test_a_removed_and_recreated_folder_is_watched_again(server: Server) -> None:
    _wait_until_built(server)
    keep = server.src.parent / "keep"
    shutil.copytree(server.src, keep)
    shutil.rmtree(server.src)
    deadline = time.monotonic() + TIMEOUT
    gone = f"removed: {server.src / 'minimal.yaml'}; its outputs stay in {server.out} (minimal.pdf, minimal.html)"
    while not (any("was removed" in line for line in server.lines) and any(gone in line for line in server.lines)):
        assert time.monotonic() < deadline, "\n".join(server.lines)
        time.sleep(0.2)
    shutil.copytree(keep, server.src)
    while not any("is back; watching it again" in line for line in server.lines):
        assert time.monotonic() < deadline, server.lines
        time.sleep(0.2)
    # A save in the folder made again reaches the page.
    source = server.src / "minimal.yaml"
    source.write_text(source.read_text().replace("Kort beskrivelse.", "Efter at mappen kom igen."))
    while "Efter at mappen kom igen." not in server.get("minimal.html")[1]:
        assert time.monotonic() < deadline, server.lines
        time.sleep(0.3)
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(TIMEOUT) == 0
