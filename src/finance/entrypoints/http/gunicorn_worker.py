"""The gunicorn worker ``finance serve`` runs: gthread, with the answers gunicorn writes itself
(a request line, URL or header it refuses before the application sees the request) in the
API's JSON error shape instead of gunicorn's HTML page, and the cycle collector tuned once the
application is loaded."""

from __future__ import annotations

import json
import socket
import uuid
from http import HTTPStatus

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from finance.entrypoints.garbage_collection import collect_less_often

#: The value for gunicorn's ``--worker-class``.
WORKER_CLASS = f"{__name__}.JsonErrorWorker"


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    try:
        phrase = HTTPStatus(status_int).phrase
    except ValueError:
        phrase = reason
    message = mesg if status_int < 500 and mesg else f"{phrase}."
    body = json.dumps({"code": status_int, "status": phrase, "message": message}).encode()
    head = (
        f"HTTP/1.1 {status_int} {phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"X-Request-ID: {uuid.uuid4().hex}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc]
    def load_wsgi(self) -> None:
        super().load_wsgi()
        collect_less_often()

    def init_process(self) -> None:
        # gunicorn writes these answers through util.write_error from deep inside its request
        # handling, with no hook to replace it: this process serves only this application.
        util.write_error = write_json_error
        super().init_process()
