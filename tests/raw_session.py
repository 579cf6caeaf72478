"""A Streamlit session driven by hand, as a hostile visitor drives it: no browser, loopback only.

``RawSession`` opens the app's websocket, runs the script once (the server sends the session id
as the run starts) and keeps the connection open until ``close()``. ``put_upload`` then PUTs bytes to
Streamlit's upload endpoint for that session, with no widget involved. ``parked_upload_bytes``
reads what the server's upload store holds from its ``/_stcore/metrics`` endpoint. For upload
tests and ``bench/uploads.py``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import requests
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import ClientConnection, connect

HOST = "127.0.0.1"
XSRF_COOKIE = "_streamlit_xsrf"
_UPLOAD_METRIC = re.compile(
    r'^cache_memory_bytes\{cache_type="UploadedFileManager"[^}]*\}\s+([0-9.e+]+)', re.MULTILINE
)


@dataclass
class RawSession:
    """One connected session of the app on ``port``; ``session_id`` is the server's id for it."""

    port: int
    session_id: str
    xsrf: str = field(repr=False)
    http: requests.Session = field(repr=False)
    ws: ClientConnection = field(repr=False)

    @classmethod
    def open(cls, port: int, timeout: float = 30.0) -> RawSession:
        """Connect, request a script run and return once it has finished, with the session id.

        Raises TimeoutError when the run does not finish within ``timeout`` seconds.
        """
        http = requests.Session()
        http.trust_env = False  # loopback: never a proxy
        http.get(f"http://{HOST}:{port}/_stcore/health", timeout=timeout)  # sets the XSRF cookie
        xsrf = http.cookies.get(XSRF_COOKIE) or ""
        ws = connect(
            f"ws://{HOST}:{port}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # type: ignore[list-item]
            additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"} if xsrf else None,
            open_timeout=timeout,
            max_size=None,
            proxy=None,
            legacy=True,  # kept open beyond one block: closed by close()
        )
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        rerun.rerun_script.page_script_hash = ""
        ws.send(rerun.SerializeToString())
        session_id = ""
        while True:  # the id comes as the run starts; return once the run has finished
            msg = ForwardMsg()
            msg.ParseFromString(ws.recv(timeout=timeout))  # type: ignore[arg-type]
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                session_id = msg.new_session.initialize.session_id
            elif kind == "script_finished" and session_id:
                return cls(port, session_id, xsrf, http, ws)

    def put_upload(self, data: bytes, name: str = "park.bin", timeout: float = 60.0) -> int:
        """PUT ``data`` as one file of this session, as the upload widget would; return the
        HTTP status (204 when stored)."""
        url = f"http://{HOST}:{self.port}/_stcore/upload_file/{self.session_id}/{uuid.uuid4()}"
        headers = {"X-Xsrftoken": self.xsrf} if self.xsrf else {}
        files = {"file": (name, data, "application/octet-stream")}
        return self.http.put(url, files=files, headers=headers, timeout=timeout).status_code

    def close(self) -> None:
        """Close the websocket, as a closed tab does."""
        self.ws.close()
        self.http.close()


def parked_upload_bytes(port: int, timeout: float = 10.0) -> int:
    """Return the bytes the server's upload store holds, from its metrics endpoint (0 if none)."""
    reply = requests.get(
        f"http://{HOST}:{port}/_stcore/metrics",
        params={"families": "cache_memory_bytes"},
        timeout=timeout,
        proxies={"http": "", "https": ""},
    )
    reply.raise_for_status()
    return sum(int(float(v)) for v in _UPLOAD_METRIC.findall(reply.text))
