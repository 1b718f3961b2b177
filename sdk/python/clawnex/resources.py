"""One class per API area. Every method takes optional per-call transport options as keyword
arguments: headers, idempotency_key, timeout, max_retries."""
from __future__ import annotations

import time
import urllib.parse
from typing import Any, Dict, Iterable, Optional, Union

from ._transport import Multipart, Transport
from .pagination import Pager

JSON = Dict[str, Any]
_OPTIONS = ("headers", "idempotency_key", "timeout", "max_retries")


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class _Resource:
    #: Methods that return a Pager (the async client wraps them differently).
    paginated: Iterable[str] = ()

    def __init__(self, transport: Transport, prefix: str) -> None:
        self._t = transport
        self._prefix = prefix

    def _call(self, method: str, path: str, body: Any = None, query: Optional[Dict[str, Any]] = None, **options: Any) -> Any:
        return self._t.json(method, self._prefix + path, body=body, query=query, **{k: v for k, v in options.items() if k in _OPTIONS})

    def _pager(self, path: str, query: Dict[str, Any], **options: Any) -> Pager[JSON]:
        def fetch(cursor: Optional[str]) -> Dict[str, Any]:
            return self._call("GET", path, query={**query, **({"cursor": cursor} if cursor else {})}, **options)

        return Pager(fetch)


def _split(params: Dict[str, Any]) -> tuple:
    options = {k: params.pop(k) for k in _OPTIONS if k in params}
    return params, options


class Shield(_Resource):
    def scan(self, text: str, *, direction: Optional[str] = None, source: Optional[str] = None, metadata: Optional[JSON] = None, **options: Any) -> JSON:
        body: JSON = {"text": text}
        if direction is not None:
            body["direction"] = direction
        if source is not None:
            body["source"] = source
        if metadata is not None:
            body["metadata"] = metadata
        return self._call("POST", "/shield/scan", body, **options)

    def get_scan(self, scan_id: str, **options: Any) -> JSON:
        return self._call("GET", f"/shield/scans/{_q(scan_id)}", **options)

    def rules(self, **options: Any) -> JSON:
        return self._call("GET", "/shield/rules", **options)

    def mode(self, **options: Any) -> JSON:
        return self._call("GET", "/shield/mode", **options)

    def set_mode(self, mode: str, *, reason: Optional[str] = None, **options: Any) -> JSON:
        return self._call("PUT", "/shield/mode", {"mode": mode, **({"reason": reason} if reason else {})}, **options)


class Agents(_Resource):
    paginated = ("list",)

    def list(self, **params: Any) -> Pager[JSON]:
        """Filters: status, label, created_after, created_before, order, limit."""
        query, options = _split(params)
        return self._pager("/agents", query, **options)

    def create(self, *, name: str, model: str, **fields: Any) -> JSON:
        body, options = _split(fields)
        return self._call("POST", "/agents", {"name": name, "model": model, **body}, **options)

    def get(self, agent_id: str, **options: Any) -> JSON:
        return self._call("GET", f"/agents/{_q(agent_id)}", **options)

    def update(self, agent_id: str, **fields: Any) -> JSON:
        body, options = _split(fields)
        return self._call("PATCH", f"/agents/{_q(agent_id)}", body, **options)

    def delete(self, agent_id: str, **options: Any) -> JSON:
        return self._call("DELETE", f"/agents/{_q(agent_id)}", **options)


class Tasks(_Resource):
    paginated = ("list",)
    FINISHED = frozenset({"completed", "failed", "cancelled"})

    def list(self, **params: Any) -> Pager[JSON]:
        """Filters: state, agent_id, created_after, created_before, order, limit."""
        query, options = _split(params)
        return self._pager("/tasks", query, **options)

    def create(self, *, agent_id: str, instructions: str, **fields: Any) -> JSON:
        body, options = _split(fields)
        return self._call("POST", "/tasks", {"agent_id": agent_id, "instructions": instructions, **body}, **options)

    def get(self, task_id: str, **options: Any) -> JSON:
        return self._call("GET", f"/tasks/{_q(task_id)}", **options)

    def cancel(self, task_id: str, *, reason: Optional[str] = None, **options: Any) -> JSON:
        return self._call("POST", f"/tasks/{_q(task_id)}/cancel", {"reason": reason} if reason else {}, **options)

    def wait(self, task_id: str, *, interval: float = 0.5, timeout: float = 600.0) -> JSON:
        """Polls until the task is completed, failed or cancelled."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.get(task_id)
            if task.get("state") in self.FINISHED:
                return task
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {task_id} did not finish within {timeout} s")
            time.sleep(interval)


class Files(_Resource):
    paginated = ("list",)

    def list(self, **params: Any) -> Pager[JSON]:
        """Filters: scan_status, created_after, created_before, order, limit."""
        query, options = _split(params)
        return self._pager("/files", query, **options)

    def upload(self, content: Union[bytes, str], *, filename: str = "upload.bin", content_type: str = "application/octet-stream", **options: Any) -> JSON:
        """Uploads a file (multipart, up to 100 MB); it is scanned before it can be used."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        return self._call("POST", "/files", Multipart("file", filename, data, content_type), **options)

    def get(self, file_id: str, **options: Any) -> JSON:
        return self._call("GET", f"/files/{_q(file_id)}", **options)

    def content(self, file_id: str, **options: Any) -> bytes:
        """The file's bytes (409 while it is quarantined)."""
        return self._t.request("GET", f"{self._prefix}/files/{_q(file_id)}/content", headers={"accept": "application/octet-stream"}, **{k: v for k, v in options.items() if k != "headers"}).body

    def delete(self, file_id: str, **options: Any) -> JSON:
        return self._call("DELETE", f"/files/{_q(file_id)}", **options)


class Webhooks(_Resource):
    paginated = ("list", "deliveries")

    def list(self, **params: Any) -> Pager[JSON]:
        query, options = _split(params)
        return self._pager("/webhooks", query, **options)

    def create(self, *, url: str, events: Iterable[str], description: Optional[str] = None, enabled: Optional[bool] = None, **options: Any) -> JSON:
        """Registers a webhook; the answer's ``secret`` is shown only now: store it."""
        body: JSON = {"url": url, "events": list(events)}
        if description is not None:
            body["description"] = description
        if enabled is not None:
            body["enabled"] = enabled
        return self._call("POST", "/webhooks", body, **options)

    def get(self, webhook_id: str, **options: Any) -> JSON:
        return self._call("GET", f"/webhooks/{_q(webhook_id)}", **options)

    def update(self, webhook_id: str, **fields: Any) -> JSON:
        """Fields: url, events, description, enabled."""
        body, options = _split(fields)
        return self._call("PATCH", f"/webhooks/{_q(webhook_id)}", body, **options)

    def delete(self, webhook_id: str, **options: Any) -> JSON:
        return self._call("DELETE", f"/webhooks/{_q(webhook_id)}", **options)

    def rotate_secret(self, webhook_id: str, *, previous_secret_expires_in: Optional[int] = None, **options: Any) -> JSON:
        """A new signing secret, returned once, signing every attempt from now on. The old one
        co-signs for ``previous_secret_expires_in`` seconds (server default 24 h; 0: retire it now)."""
        body = None if previous_secret_expires_in is None else {"previous_secret_expires_in": previous_secret_expires_in}
        return self._call("POST", f"/webhooks/{_q(webhook_id)}/rotate-secret", body, **options)

    def test(self, webhook_id: str, **options: Any) -> JSON:
        """Queues a webhook.test event to this webhook; returns the queued delivery."""
        return self._call("POST", f"/webhooks/{_q(webhook_id)}/test", **options)

    def deliveries(self, webhook_id: str, **params: Any) -> Pager[JSON]:
        """Newest first, each with every attempt. Filters: status, limit."""
        query, options = _split(params)
        return self._pager(f"/webhooks/{_q(webhook_id)}/deliveries", query, **options)

    def get_delivery(self, webhook_id: str, delivery_id: str, **options: Any) -> JSON:
        return self._call("GET", f"/webhooks/{_q(webhook_id)}/deliveries/{_q(delivery_id)}", **options)

    def redeliver(self, webhook_id: str, delivery_id: str, **options: Any) -> JSON:
        return self._call("POST", f"/webhooks/{_q(webhook_id)}/deliveries/{_q(delivery_id)}/redeliver", **options)


class Traffic(_Resource):
    paginated = ("list",)

    def list(self, **params: Any) -> Pager[JSON]:
        """Gateway traffic, newest first. Filters: since, until, model, verdict, key_id, agent_id, route, outcome, limit."""
        query, options = _split(params)
        return self._pager("/traffic", query, **options)


class Costs(_Resource):
    def summary(self, **params: Any) -> JSON:
        """Tokens and cost by day, model, provider and key. Filters: since, until."""
        query, options = _split(params)
        return self._call("GET", "/costs/summary", query=query, **options)
