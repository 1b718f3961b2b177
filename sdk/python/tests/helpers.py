"""Local HTTP servers for the tests: a webhook receiver and a scripted misbehaving API."""
from __future__ import annotations

import http.server
import os
import sys
import json
import threading
from typing import Any, Dict, List, Optional, Tuple, Union

# Lets `python3 -m unittest discover -s sdk/python/tests` import the package from any directory.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

Step = Union[Tuple[int, Dict[str, str]], str]


class _Server:
    def __init__(self, handler: type) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Receiver(_Server):
    """Records every POST (path, lower-cased headers, raw body) and answers 200."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.arrived = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with outer.arrived:
                    outer.received.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                    outer.arrived.notify_all()
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)

    def wait_for(self, path: str, timeout: float = 10.0, count: int = 1) -> Dict[str, Any]:
        """The count-th delivery to path (1: the first), once it has arrived."""
        with self.arrived:
            found = self.arrived.wait_for(lambda: sum(1 for r in self.received if r["path"] == path) >= count, timeout)
            if not found:
                raise AssertionError(f"fewer than {count} deliveries to {path}")
            return [r for r in self.received if r["path"] == path][count - 1]


class ScriptedAPI(_Server):
    """Answers request n with script[n] (the last step repeats): (status, headers), "drop" or "hang"."""

    def __init__(self, script: List[Step]) -> None:
        self.hits: List[Dict[str, Any]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                outer.hits.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
                step = script[min(len(outer.hits) - 1, len(script) - 1)]
                if step == "drop":
                    self.connection.close()
                    self.close_connection = True
                    return
                if step == "hang":
                    threading.Event().wait(5)
                    return
                status, headers = step  # type: ignore[misc]
                body = json.dumps({"id": "wh_1", "ok": True} if status < 300 else {"error": {"code": "rate_limited" if status == 429 else "internal_error", "message": "scripted", "request_id": f"req_{len(outer.hits)}"}}).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(Handler)


def header(hit: Dict[str, Any], name: str) -> Optional[str]:
    return hit["headers"].get(name)
