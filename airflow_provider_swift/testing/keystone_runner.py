"""Serves Keystone's WSGI application on 127.0.0.1 (run by Keystone's own Python).

oslo.config parses ``sys.argv``, so the arguments are read and then cleared before
Keystone is imported; its configuration comes from ``OS_KEYSTONE_CONFIG_FILES``.

Usage: python keystone_runner.py PORT
"""

from __future__ import annotations

import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    port = int(sys.argv[1])
    sys.argv = sys.argv[:1]
    from keystone.wsgi.api import application

    server = make_server(
        "127.0.0.1", port, application, server_class=_Server, handler_class=_QuietHandler
    )
    server.serve_forever()


if __name__ == "__main__":
    main()
