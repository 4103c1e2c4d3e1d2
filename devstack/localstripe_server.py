"""Run the ``localstripe`` fake Stripe API on 127.0.0.1, and start/stop it as a subprocess.

``python -m devstack.localstripe_server --port N`` serves it in the foreground. Unlike localstripe's
own ``start()``, it listens on IPv4 only (that one binds ``::``, which fails on hosts without
IPv6), always starts empty, and keeps its store in memory: localstripe would otherwise pickle
every change to ``/tmp/localstripe.pickle``, one path for every instance on the machine. It also
serves the Stripe Connect endpoints localstripe lacks (:mod:`devstack.local_connect`).

:func:`start_local_stripe` is what ``make run`` and the tests use: the parent binds the port
itself (a busy port fails at once, port 0 picks a free one without a race) and hands the listening
socket to the child, which also exits when its parent goes away.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlencode

from devstack.template import ROOT

DEFAULT_PORT = 8420
STARTUP_SECONDS = 20
WEBHOOK_ID = "platform"


class LocalStripeFailed(RuntimeError):
    pass


@dataclass
class LocalStripe:
    """A running localstripe subprocess at ``url``."""

    url: str
    process: subprocess.Popen[bytes]

    def register_webhook(self, url: str, secret: str, webhook_id: str = WEBHOOK_ID) -> None:
        """Have localstripe POST every event, signed with ``secret``, to ``url``."""
        data = urlencode({"url": url, "secret": secret}).encode()
        target = f"{self.url}/_config/webhooks/{webhook_id}"
        request = urllib.request.Request(target, data=data, method="POST")  # noqa: S310 - our own http URL
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own http URL
            if response.status != 200:
                raise LocalStripeFailed(f"registering the webhook answered {response.status}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def start_local_stripe(port: int = 0, *, output: IO[bytes] | int | None = None) -> LocalStripe:
    """Start localstripe on ``127.0.0.1:port`` (0: a free port) and wait until it answers.

    Raises :class:`OSError` when the port is taken and :class:`LocalStripeFailed` when the
    process does not come up.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        actual = int(listener.getsockname()[1])
        command = [sys.executable, "-m", "devstack.localstripe_server", "--parent-pid", str(os.getpid())]
        command += ["--fd", str(listener.fileno())]
        process = subprocess.Popen(  # noqa: S603 - our own module
            command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, pass_fds=(listener.fileno(),)
        )
    finally:
        listener.close()
    stripe = LocalStripe(f"http://127.0.0.1:{actual}", process)
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _answers(stripe.url):
        if process.poll() is not None:
            raise LocalStripeFailed(f"localstripe exited with {process.returncode}")
        if time.monotonic() > deadline:
            stripe.stop()
            raise LocalStripeFailed(f"localstripe did not answer within {STARTUP_SECONDS}s")
        time.sleep(0.1)
    return stripe


def _exit_with_parent(parent: int) -> None:
    """Stop when the process that started us is gone (it may have been killed, not stopped)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="localstripe on 127.0.0.1, in memory, from scratch")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket instead")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is no longer our parent")
    args = parser.parse_args(argv)

    import logging

    from aiohttp import web
    from localstripe.resources import Store  # type: ignore[import-untyped]
    from localstripe.server import app  # type: ignore[import-untyped]

    Store.dump_to_disk = lambda self: None
    from devstack.local_connect import install

    install(app)  # Stripe Connect: accounts, account links, transfers, reversals
    if args.parent_pid:
        _exit_with_parent(args.parent_pid)
    access = logging.getLogger("aiohttp.access")
    access.setLevel(logging.INFO)
    access.addHandler(logging.StreamHandler(sys.stdout))
    if args.fd is not None:
        sock = socket.socket(fileno=args.fd)
        web.run_app(app, sock=sock, access_log=access, print=None)
    else:
        web.run_app(app, host="127.0.0.1", port=args.port, access_log=access, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
