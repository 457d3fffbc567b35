"""gunicorn's settings for Vigil in production (the README's production section):

    gunicorn -c config/gunicorn.conf.py config.wsgi

Synchronous workers: each request is a short database transaction, and Django's ORM is
synchronous, so processes (not threads or an event loop) use the cores; a worker that dies is
replaced by the master. Behind a TLS-terminating proxy, bind to the loopback address and let
the proxy set X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); gunicorn can also serve TLS
itself with --certfile/--keyfile.
"""

import multiprocessing
import os
from typing import Any

bind = os.environ.get("VIGIL_WEB_BIND", "127.0.0.1:8000")
# (2 x cores) + 1 is gunicorn's rule for synchronous workers.
workers = int(os.environ.get("VIGIL_WEB_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"
# A request that takes longer than this is stuck: its worker is killed and replaced.
timeout = int(os.environ.get("VIGIL_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Replace each worker after a while, so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("VIGIL_WEB_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Load the application in the master: workers start fast and share memory (copy on write).
preload_app = True
forwarded_allow_ips = os.environ.get("VIGIL_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("VIGIL_WEB_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("VIGIL_WEB_LOG_LEVEL", "warning")
proc_name = "vigil-web"


def post_fork(server: Any, worker: Any) -> None:  # noqa: ARG001
    # Connections opened in the master (while preloading) must not be shared with a worker.
    from django.db import connections

    for connection in connections.all():
        connection.close()
