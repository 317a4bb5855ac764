"""The preview's web server: the output folder on 127.0.0.1, a reload script in served pages, /events.

Small on purpose (the standard library's ThreadingHTTPServer): it serves files from the output folder only,
refuses any path that would leave it or name a hidden file, and adds the reload script to the HTML it sends,
never to the files on disk. A page learns of a rebuild from Server-Sent Events at /events.

Only the addresses it printed are answered (the Host header must be 127.0.0.1, localhost or [::1] with its
port), so a web page that points its own name at 127.0.0.1 cannot read drafts through the browser; a
request another site makes (Sec-Fetch-Site, Origin) is refused, so none can start a bind; no other site may
frame a page. Every connection has a read timeout, and stopping closes the idle ones instead of waiting.
"""

from __future__ import annotations

import contextlib
import json
import mimetypes
import socket
import threading
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from forslag.batch.names import unsafe_name
from forslag.serve.preview import CASE, Preview

HEARTBEAT = 10.0  # seconds between keep-alive comments on /events, so a closed tab is noticed
BIND_WAIT = 300.0  # how long a request for the bound case waits for binding
IDLE_TIMEOUT = 15.0  # seconds a connection may send nothing (or not read) before it is closed
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
SAFE_FETCH_SITES = ("same-origin", "none")  # Sec-Fetch-Site: the preview's own pages, or an address typed

# Reloads the page when an event concerns what it shows. `watch` names the proposal (or "*", or "case") and
# the kinds of event that change it.
_SCRIPT = """<script>/* forslag serve: reload on rebuild */(() => {{
  const watch = {watch};
  const source = new EventSource("/events");
  source.onmessage = (message) => {{
    const event = JSON.parse(message.data);
    if ((watch.name === "*" || event.name === watch.name || event.name === "*") && watch.kinds.includes(event.kind)) {{
      source.close();
      location.reload();
    }}
  }};
}})();</script>"""

_STYLE = """<style>
body { font-family: "Source Sans Pro", system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
.problems { border-left: 4px solid #b00020; background: #fff4f4; padding: 0.5rem 1rem; }
.problems li { font-family: ui-monospace, monospace; white-space: pre-wrap; margin: 0.3rem 0; }
table { border-collapse: collapse; } td, th { padding: 0.2rem 0.8rem 0.2rem 0; text-align: left; }
.ok { color: #1b5e20; } .bad { color: #b00020; }
iframe { width: 100%; height: 90vh; border: 1px solid #ccc; }
</style>"""


def reload_script(name: str, kinds: list[str]) -> str:
    # "<" escaped, so no name (a file name is the user's) can close the script element early.
    return _SCRIPT.format(watch=json.dumps({"name": name, "kinds": kinds}).replace("<", "\\u003c"))


def inject(html: str, script: str) -> str:
    """The page with the script before </body> (or at the end when a template left the tag out)."""
    at = html.rfind("</body>")
    return html[:at] + script + html[at:] if at >= 0 else html + script


def _page(title: str, body: str, script: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>{_STYLE}'
        f"</head><body>{body}{script}</body></html>"
    ).encode()


def problems_html(problems: list[str]) -> str:
    items = "".join(f"<li>{escape(p)}</li>" for p in problems)
    return f'<ul class="problems">{items}</ul>'


def error_page(name: str, problems: list[str], script: str) -> bytes:
    body = (
        f"<h1>{escape(name)}: the source does not validate</h1>{problems_html(problems)}"
        "<p>The last good output stays in the output folder. Save a fix and this page reloads.</p>"
        '<p><a href="/">All proposals</a></p>'
    )
    return _page(f"{name}: errors", body, script)


def href(name: str) -> str:
    """A link to a file of the output folder: every character but letters, digits and -._~ percent-encoded, so
    no name (a backslash, a '#', a '?') can point the browser at another host or part of a page."""
    return escape("/" + quote(name, safe=""))


def index_page(preview: Preview) -> bytes:
    sources, errors, case_errors = preview.snapshot()
    rows = []
    for source in sources:
        name = escape(source.stem)
        problems = errors.get(source.stem)
        state = (
            f'<span class="bad">{len(problems)} problem(s)</span>{problems_html(problems)}'
            if problems
            else '<span class="ok">ok</span>'
        )
        if unsafe_name(source.stem):  # as `build` refuses it: listed with its problem, never linked
            rows.append(f"<tr><td>{name}</td><td></td><td>{state}</td></tr>")
            continue
        rows.append(
            f'<tr><td><a href="{href(source.stem + ".html")}">{name}</a></td>'
            f'<td><a href="/view{href(source.stem + ".pdf")}">PDF</a></td><td>{state}</td></tr>'
        )
    cases = sorted(n for n in preview.case_outputs)
    case_links = " · ".join(f'<a href="{href(n)}">{escape(n)}</a>' for n in cases)
    body = (
        f"<h1>forslag serve</h1><p>Output folder <code>{escape(str(preview.out))}</code>; "
        "pages reload when you save.</p>"
        f"<table><tr><th>proposal</th><th></th><th></th></tr>{''.join(rows)}</table>"
        f"<h2>The bound case</h2><p>{case_links or 'none'} (bound when you pause or open it)</p>"
        + (problems_html(case_errors) if case_errors else "")
    )
    return _page("forslag serve", body, reload_script("*", ["html", "pdf", "error", "ready", "bound"]))


def pdf_view_page(name: str, version: int) -> bytes:
    """A page around a proposal's PDF, so it too can reload when the PDF is new (a PDF cannot hold a script)."""
    body = (
        f'<p><a href="/">All proposals</a> · <a href="{href(name + ".html")}">HTML</a> · '
        f'<a href="{href(name + ".pdf")}">PDF alone</a></p>'
        f'<iframe title="{escape(name)}.pdf" src="{href(name + ".pdf")}?v={version}"></iframe>'
    )
    return _page(f"{name}.pdf", body, reload_script(name, ["pdf", "error"]))


class Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers when the server stops
    timeout = IDLE_TIMEOUT  # on the socket: a client that sends (or reads) nothing is dropped, not waited for

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the preview's own lines say what matters; one line per request would drown them

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "SAMEORIGIN")  # no other site frames a draft
        self.send_header("Content-Security-Policy", "frame-ancestors 'self'")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _html(self, data: bytes, status: int = HTTPStatus.OK) -> None:
        self._send(status, data, "text/html; charset=utf-8")

    def parse_request(self) -> bool:
        ok = super().parse_request()
        if ok and self.request_version == "HTTP/0.9":  # no headers, so no Host to check: not answered
            self.request_version = "HTTP/1.0"  # for a status line on the refusal
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 is not answered")
            return False
        return ok

    def do_HEAD(self) -> None:
        self.do_GET()

    def _refusal(self) -> str | None:
        """Why this request is not answered: a Host the server did not print, or another site asking."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host not in self.server.hosts:
            return f"this preview answers only at {self.server.url} (the address it printed)"
        site = self.headers.get("Sec-Fetch-Site")
        if site is not None and site.strip().lower() not in SAFE_FETCH_SITES:
            return "another site asked; open the preview's own address instead"
        origin = self.headers.get("Origin")
        if origin is not None and origin.strip().lower() not in {f"http://{h}" for h in self.server.hosts}:
            return "another site asked; open the preview's own address instead"
        return None

    def do_GET(self) -> None:
        refusal = self._refusal()
        if refusal is not None:
            self._html(_page("Refused", f"<h1>Refused</h1><p>{escape(refusal)}</p>", ""), HTTPStatus.FORBIDDEN)
            return
        preview = self.server.preview
        path = unquote(urlsplit(self.path).path)
        if path == "/events":
            self._events()
        elif path in ("/", "/index.html"):
            self._html(index_page(preview))
        elif path.startswith("/view/") and path.endswith(".pdf"):
            name = path[len("/view/") : -len(".pdf")]
            sources, errors, _ = preview.snapshot()
            if name not in {s.stem for s in sources} or unsafe_name(name):  # only a proposal's own PDF is framed
                self._html(_page("Not found", "<h1>Not found</h1>", ""), HTTPStatus.NOT_FOUND)
                return
            script = reload_script(name, ["html", "pdf", "error"])
            if name in errors:
                self._html(error_page(name, errors[name], script))
            else:
                self._html(pdf_view_page(name, preview.events.last))
        else:
            self._file(path)

    def _file(self, path: str) -> None:
        preview = self.server.preview
        out = preview.out.resolve()
        parts = [p for p in path.split("/") if p]
        if not parts or any(p in (".", "..") or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            self._html(_page("Not found", "<h1>Not found</h1>", ""), HTTPStatus.NOT_FOUND)
            return
        target = out.joinpath(*parts).resolve()
        if not target.is_relative_to(out):
            self._html(_page("Not found", "<h1>Not found</h1>", ""), HTTPStatus.NOT_FOUND)
            return
        name = target.name
        stem, suffix = target.stem, target.suffix
        is_case = len(parts) == 1 and preview.is_case_output(name)
        if is_case:
            preview.bound_case(BIND_WAIT)
        _, errors, _ = preview.snapshot()
        script = reload_script(CASE, ["bound"]) if is_case else reload_script(stem, ["html", "error"])
        if len(parts) == 1 and suffix == ".html" and stem in errors:
            self._html(error_page(stem, errors[stem], script))
            return
        try:
            data = target.read_bytes()
        except (IsADirectoryError, FileNotFoundError, NotADirectoryError):
            if len(parts) == 1 and suffix in (".html", ".pdf") and not preview.ready.is_set():
                body = f"<h1>{escape(name)}</h1><p>Building; this page reloads when it is ready.</p>"
                self._html(_page(name, body, reload_script(stem, ["html", "pdf", "error", "ready"])))
            else:
                self._html(_page("Not found", f"<h1>Not found: {escape(path)}</h1>", ""), HTTPStatus.NOT_FOUND)
            return
        except OSError:
            self._html(_page("Not found", "<h1>Not found</h1>", ""), HTTPStatus.NOT_FOUND)
            return
        if suffix == ".html":
            self._html(inject(data.decode("utf-8", errors="replace"), script).encode())
            return
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, data, content_type)

    def _events(self) -> None:
        events = self.server.preview.events
        try:
            last = int(self.headers.get("Last-Event-ID") or events.last)
        except ValueError:
            last = events.last
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while not events.closed:
                got = events.after(last, HEARTBEAT)
                chunks = [f"id: {seq}\ndata: {json.dumps(event)}\n\n" for seq, event in got] or [": still here\n\n"]
                if got:
                    last = got[-1][0]
                if events.closed:
                    break
                self.wfile.write("".join(chunks).encode())
                self.wfile.flush()
        except OSError:
            pass  # the tab was closed or reloaded, stopped reading, or the server is stopping


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = False  # server_close() waits for every request thread: none is left behind
    block_on_close = True

    def __init__(self, port: int, preview: Preview) -> None:
        self.preview = preview
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)
        port = self.server_address[1]
        self.hosts = frozenset(f"{h}:{port}" for h in LOCAL_HOSTS)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Close every connection still open (an idle client, a page's event stream), then wait for the
        request threads, which now end at once."""
        with self._open_lock:
            for request in self._open:
                with contextlib.suppress(OSError):  # already closed by its client
                    request.shutdown(socket.SHUT_RDWR)
        super().server_close()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}/"
