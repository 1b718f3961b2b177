"""The webhook verifier against the Standard Webhooks reference vector and forged inputs."""
import base64
import hashlib
import hmac
import json
import time
import unittest

import helpers  # noqa: F401  (puts the package on sys.path)
from clawnex import WebhookVerificationError, verify_clawnex_signature, verify_webhook

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret[len("whsec_"):])
    return "v1," + base64.b64encode(hmac.new(key, f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()).decode()


class VerifyTest(unittest.TestCase):
    def test_reference_vector(self) -> None:
        # The Standard Webhooks libraries' own test vector.
        headers = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330", "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
        event = verify_webhook('{"test": 2432232314}', headers, SECRET, now=1614265330)
        self.assertEqual(event, {"test": 2432232314})

    def test_accepts_any_listed_signature_and_both_header_styles(self) -> None:
        body = json.dumps({"id": "evt_1", "type": "task.created", "data": {}})
        now = int(time.time())
        headers = {
            "Webhook-Id": "evt_1",
            "Webhook-Timestamp": str(now),
            "Webhook-Signature": "v1,bm90IGl0 " + sign(SECRET, "evt_1", now, body),
            "X-ClawNex-Signature": "sha256=" + hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest(),
        }
        self.assertEqual(verify_webhook(body.encode(), headers, SECRET)["type"], "task.created")
        self.assertTrue(verify_clawnex_signature(body, headers["X-ClawNex-Signature"], SECRET))
        self.assertFalse(verify_clawnex_signature(body + " ", headers["X-ClawNex-Signature"], SECRET))
        self.assertFalse(verify_clawnex_signature(body, "sha256=zz", SECRET))

    def test_accepts_either_secret_during_a_rotation_overlap(self) -> None:
        old, new = SECRET, "whsec_" + base64.b64encode(b"n" * 32).decode()
        body = json.dumps({"id": "evt_9", "type": "task.completed", "data": {}})
        now = int(time.time())
        plain = lambda secret: "sha256=" + hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()  # noqa: E731
        headers = {
            "webhook-id": "evt_9",
            "webhook-timestamp": str(now),
            "webhook-signature": sign(new, "evt_9", now, body) + " " + sign(old, "evt_9", now, body),
            "x-clawnex-signature": plain(new) + ", " + plain(old),
        }
        for secret in (old, new):
            self.assertEqual(verify_webhook(body, headers, secret)["id"], "evt_9")
            self.assertTrue(verify_clawnex_signature(body, headers["x-clawnex-signature"], secret))
        other = "whsec_" + base64.b64encode(b"o" * 32).decode()
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(body, headers, other)
        self.assertFalse(verify_clawnex_signature(body, headers["x-clawnex-signature"], other))
        # A malformed entry spoils the list; so does an empty one.
        self.assertFalse(verify_clawnex_signature(body, plain(old) + ", sha256=zz", old))
        self.assertFalse(verify_clawnex_signature(body, plain(old) + ",", old))
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(body, {**headers, "x-clawnex-signature": plain(other) + ", " + plain(other)}, old)

    def test_rejects_forgeries_and_replays(self) -> None:
        body = '{"id":"evt_2","type":"task.failed","data":{}}'
        now = int(time.time())
        good = {"webhook-id": "evt_2", "webhook-timestamp": str(now), "webhook-signature": sign(SECRET, "evt_2", now, body)}
        cases = [
            (body.replace("failed", "faile"), good, SECRET),
            (body, {**good, "webhook-id": "evt_3"}, SECRET),
            (body, {**good, "webhook-timestamp": str(now + 1)}, SECRET),
            (body, good, "whsec_" + base64.b64encode(b"x" * 32).decode()),
            (body, {k: v for k, v in good.items() if k != "webhook-signature"}, SECRET),
            (body, {**good, "webhook-signature": "v2," + good["webhook-signature"][3:]}, SECRET),
            (body, {**good, "x-clawnex-signature": "sha256=" + "0" * 64}, SECRET),
        ]
        for payload, headers, secret in cases:
            with self.assertRaises(WebhookVerificationError):
                verify_webhook(payload, headers, secret)
        old = now - 600
        stale = {"webhook-id": "evt_2", "webhook-timestamp": str(old), "webhook-signature": sign(SECRET, "evt_2", old, body)}
        with self.assertRaisesRegex(WebhookVerificationError, "too old"):
            verify_webhook(body, stale, SECRET)
        self.assertEqual(verify_webhook(body, stale, SECRET, tolerance_seconds=900)["id"], "evt_2")


if __name__ == "__main__":
    unittest.main()
