"""A preview session: the builder, the watcher and the web server started together and stopped together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from forslag.batch.state import BuildOptions
from forslag.errors import UsageError
from forslag.serve.http import PreviewServer
from forslag.serve.preview import Preview
from forslag.serve.watch import watch_files


def serve(paths: list[Path], options: BuildOptions, port: int, echo: Callable[[str], None]) -> None:
    """Serve until interrupted (KeyboardInterrupt, raised on Ctrl-C or SIGTERM), then stop every thread.

    The KeyboardInterrupt is re-raised once everything has stopped, for the command line to report.
    """
    preview = Preview(paths, options, echo)
    try:
        server = PreviewServer(port, preview)
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    listener = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="forslag-preview-http", daemon=True
    )
    listener.start()
    echo(f"serving {server.url} (Ctrl-C to stop)")
    roots = [*preview.folders, *(d for d in preview.template_dirs if d.is_dir())]
    watcher: threading.Thread | None = None
    try:
        preview.out.mkdir(parents=True, exist_ok=True)
        watcher = watch_files(roots, [preview.out], preview.changed, preview.stop, echo)
        preview.start()
        while not preview.stop.wait(0.5):
            pass
    finally:
        preview.stop.set()
        preview.events.close()  # ends every /events stream
        server.shutdown()
        server.server_close()  # waits for the request threads
        listener.join()
        preview.close()  # after the document being printed, if any
        if watcher is not None:
            watcher.join(10)
