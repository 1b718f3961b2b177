"""Verifies deliveries from ClawNex in a receiver. Two header styles arrive on every delivery:

* Standard Webhooks: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature`` ("v1,<base64>"
  list), HMAC-SHA256 of "<id>.<timestamp>.<raw body>" keyed with the base64 part of "whsec_...".
  The timestamp is signed, so a replayed delivery older than the tolerance is refused.
* ``X-ClawNex-Signature: sha256=<hex>``, HMAC-SHA256 of the raw body keyed with the whole secret
  string. It carries no timestamp: it proves origin, not freshness (deduplicate on the event id).

During a secret rotation's overlap each header lists two signatures (new and old secret:
``webhook-signature`` space-separated, ``X-ClawNex-Signature`` comma-separated); one match
suffices, so a receiver verifies with whichever of the two secrets it holds.

Always verify the raw body bytes as received, before parsing the JSON."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any, Dict, Mapping, Optional, Union

from .errors import WebhookVerificationError

_HEX_SIGNATURE = re.compile(r"^sha256=([0-9a-fA-F]{64})$")


def _bytes(payload: Union[str, bytes]) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else payload


def _header(headers: Mapping[str, Any], name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, (list, tuple)) else str(value)
    return None


def verify_clawnex_signature(payload: Union[str, bytes], signature_header: Optional[str], secret: str) -> bool:
    """Checks the plain X-ClawNex-Signature of a raw body (no replay protection: see above): true
    when any ``sha256=<hex>`` entry of the comma-separated list matches."""
    matches = [_HEX_SIGNATURE.match(entry.strip()) for entry in (signature_header or "").split(",")]
    # A malformed list is refused as a whole rather than partly trusted.
    if not matches or any(m is None for m in matches):
        return False
    expected = hmac.new(secret.encode("utf-8"), _bytes(payload), hashlib.sha256).hexdigest()
    found = False
    for match in matches:
        # Every entry is compared (constant time each), so timing does not tell which one matched.
        found = hmac.compare_digest(expected, match.group(1).lower()) or found  # type: ignore[union-attr]
    return found


def verify_webhook(payload: Union[str, bytes], headers: Mapping[str, Any], secret: str, *, tolerance_seconds: int = 300, now: Optional[float] = None) -> Dict[str, Any]:
    """Verifies the Standard Webhooks signature and timestamp (and X-ClawNex-Signature when
    present) and returns the parsed event; raises WebhookVerificationError otherwise."""
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not re.fullmatch(r"\d{1,15}", timestamp):
        raise WebhookVerificationError("invalid webhook-timestamp")
    current = int(now if now is not None else time.time())
    sent = int(timestamp)
    if current - sent > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is too old (possible replay)")
    if sent - current > tolerance_seconds:
        raise WebhookVerificationError("webhook-timestamp is too far in the future")
    encoded = secret[len("whsec_"):] if secret.startswith("whsec_") else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not a whsec_ secret") from None
    body = _bytes(payload)
    signed = f"{msg_id}.{timestamp}.".encode("utf-8") + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")
    valid = False
    for candidate in signatures.split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            valid = True
            break
    if not valid:
        raise WebhookVerificationError("no valid webhook-signature")
    legacy = _header(headers, "x-clawnex-signature")
    if legacy is not None and not verify_clawnex_signature(body, legacy, secret):
        raise WebhookVerificationError("invalid X-ClawNex-Signature")
    try:
        event = json.loads(body.decode("utf-8"))
    except ValueError:
        raise WebhookVerificationError("the payload is not JSON") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("the payload is not a JSON object")
    return event
