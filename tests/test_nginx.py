"""Production behind a buffering proxy (issue 16): Debian's nginx with the shipped proxy settings
(deploy/nginx/fangxin-proxy.conf) in front of gunicorn with gunicorn.conf.py. 50 slow connections sending
one header line a second do not delay a normal request by more than a second; straight at gunicorn, three
of them hold its three sync workers and a normal request waits for them (the problem the proxy solves)."""
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLOW_SECONDS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def get(port: int) -> tuple[float, bytes]:
    """(seconds, status line) of a plain GET /healthz."""
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return time.monotonic() - t0, data.split(b"\r\n", 1)[0]


def slow_clients(port: int, n: int, stop: threading.Event) -> list[threading.Thread]:
    """n connections that send a request's header lines one a second, never finishing, until stop."""
    def crawl():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n")
                while not stop.wait(1):
                    s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            pass  # dropped by the server: what a proxy may do
    threads = [threading.Thread(target=crawl, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return threads


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """(gunicorn port, nginx port), both running for the module."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.fail("nginx not found: install Debian's `nginx` package (.ci/run does it)")
    tmp = tmp_path_factory.mktemp("nginx")
    g_port, n_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/app.db", "INSTANCE_PATH": str(tmp),
           "SECRET_KEY": "nginx-test", "WEB_CONCURRENCY": "3"}
    env.pop("TEST_DATABASE_URL", None)
    app = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
                            "--bind", f"127.0.0.1:{g_port}", "wsgi:app"], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir()
    conf = tmp / "nginx.conf"
    conf.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
daemon off;
worker_processes 1;
error_log {tmp}/error.log;
pid {tmp}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
    upstream fangxin_app {{ server 127.0.0.1:{g_port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{n_port};
        include {ROOT}/deploy/nginx/fangxin-proxy.conf;
    }}
}}
""")
    proxy = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(conf)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    try:
        wait_port(g_port)
        wait_port(n_port)
        assert get(n_port)[1].endswith(b"200 OK")
        yield g_port, n_port
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(10)
        app.wait(30)


def test_fifty_slow_connections_through_nginx_do_not_delay_a_normal_request(servers):
    _, n_port = servers
    stop = threading.Event()
    crawlers = slow_clients(n_port, 50, stop)
    try:
        time.sleep(1.5)  # every slow connection open and crawling
        times = []
        for _ in range(5):
            seconds, status = get(n_port)
            assert status.endswith(b"200 OK"), status
            times.append(seconds)
    finally:
        stop.set()
    for t in crawlers:
        t.join(5)
    print(f"normal requests through nginx beside 50 slow connections: max {max(times) * 1000:.0f} ms")
    assert max(times) < 1.0, times


def test_three_slow_connections_straight_at_gunicorn_hold_every_worker(servers):
    """Why the proxy: without it the same request waits until the slow clients give up."""
    g_port, _ = servers
    stop = threading.Event()
    crawlers = slow_clients(g_port, 3, stop)
    time.sleep(1.5)
    timer = threading.Timer(SLOW_SECONDS, stop.set)
    timer.start()
    seconds, _ = get(g_port)
    timer.join()
    for t in crawlers:
        t.join(5)
    print(f"a normal request straight at gunicorn beside 3 slow connections: {seconds * 1000:.0f} ms")
    assert seconds > SLOW_SECONDS - 2
