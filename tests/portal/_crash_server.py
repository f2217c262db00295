"""A server for the kill -9 trials: Django is set up once, then each trial forks a child that serves the
portal with waitress on a fresh socket, and the parent kills the child with SIGKILL after a given delay.

Protocol on standard input/output, one line each: ``trial`` -> ``port <n>`` (the child is serving); ``kill``
-> ``done`` once the child is killed with SIGKILL and reaped; ``quit`` ends the parent. The test decides
when to kill (after a number of answers), so the trials do not depend on the machine's speed."""

from __future__ import annotations

import os
import signal
import socket
import sys


def main() -> None:
    import logging

    from fjernarbeid.portal import setup_django

    logging.getLogger("waitress").setLevel(logging.ERROR)  # "task queue depth" notes during the bursts

    setup_django()
    from django.db import connections

    from fjernarbeid.portal.wsgi import application

    # Warm up in the parent (URLs, views, templates, translations), so each forked child answers at once.
    from django.test import Client

    warm = Client(HTTP_HOST="127.0.0.1")
    for path in ("/", "/spaces/s0/", "/me/", "/login/"):
        warm.get(path)

    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        connections.close_all()  # the child opens its own database connections
        pid = os.fork()
        if pid == 0:
            from waitress import serve

            try:
                serve(application, sockets=[sock], threads=4, _quiet=True)
            except BaseException as exc:  # noqa: BLE001  (reported; the trial then sees no server)
                print(f"child failed: {exc!r}", file=sys.stderr, flush=True)
            os._exit(0)
        print(f"port {sock.getsockname()[1]}", flush=True)
        sys.stdin.readline()  # "kill"
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sock.close()
        print("done", flush=True)


if __name__ == "__main__":
    main()
