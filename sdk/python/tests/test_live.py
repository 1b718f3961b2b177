"""The Python SDK against a live ClawNex (CLAWNEX_URL / CLAWNEX_API_KEY, an admin key, and a
server started with CLAWNEX_WEBHOOK_ALLOW_PRIVATE=true so loopback receivers are allowed).
test/sdk/python-sdk.test.ts starts such a server and runs these."""
import asyncio
import os
import time
import unittest
import uuid

from helpers import Receiver  # first: puts the package on sys.path

from clawnex import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    NotFoundError,
    UnprocessableEntityError,
    WebhookVerificationError,
    verify_clawnex_signature,
    verify_webhook,
)

LIVE = bool(os.environ.get("CLAWNEX_URL") and os.environ.get("CLAWNEX_API_KEY"))


@unittest.skipUnless(LIVE, "set CLAWNEX_URL and CLAWNEX_API_KEY to a running ClawNex (test/sdk/python-sdk.test.ts does)")
class LiveTest(unittest.TestCase):
    receiver: Receiver

    @classmethod
    def setUpClass(cls) -> None:
        cls.receiver = Receiver()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.receiver.close()

    def setUp(self) -> None:
        self.client = Client(initial_retry_delay=0.01)  # from CLAWNEX_URL / CLAWNEX_API_KEY

    def test_scan_and_typed_errors(self) -> None:
        self.assertEqual(self.client.shield.scan("please zz-block-me now")["verdict"], "BLOCK")
        self.assertEqual(self.client.shield.scan("what is the weather like")["verdict"], "ALLOW")
        with self.assertRaises(AuthenticationError) as caught:
            Client(api_key="cnx_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB").webhooks.list().first_page()
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthorized"))
        self.assertTrue((caught.exception.request_id or "").startswith("req_"))
        with self.assertRaises(NotFoundError):
            self.client.webhooks.get("wh_missing")
        with self.assertRaises(BadRequestError) as bad:
            self.client.webhooks.create(url="ftp://example.com/", events=["task.created"])
        self.assertEqual(bad.exception.code, "invalid_request")

    def test_pagination_across_pages(self) -> None:
        tag = uuid.uuid4().hex[:8]
        created = [self.client.webhooks.create(url=f"{self.receiver.url}/page-{tag}-{i}", events=["task.created"])["id"] for i in range(5)]
        first = self.client.webhooks.list(limit=2).first_page()
        self.assertEqual(len(first["data"]), 2)
        self.assertTrue(first["has_more"])
        seen = [w["id"] for w in self.client.webhooks.list(limit=2)]
        self.assertEqual(len(seen), len(set(seen)), "no webhook repeated")
        self.assertEqual([i for i in seen if i in created], created)

    def test_idempotency_key_replays_the_same_answer(self) -> None:
        key = f"py-{uuid.uuid4()}"
        url = f"{self.receiver.url}/idem-{uuid.uuid4().hex[:8]}"
        first = self.client.webhooks.create(url=url, events=["task.created"], idempotency_key=key)
        again = self.client.webhooks.create(url=url, events=["task.created"], idempotency_key=key)
        self.assertEqual(first["id"], again["id"])
        self.assertEqual(first["secret"], again["secret"])
        self.assertEqual(sum(1 for w in self.client.webhooks.list(limit=100) if w["url"] == url), 1)
        with self.assertRaises(UnprocessableEntityError) as conflict:
            self.client.webhooks.create(url=url + "x", events=["task.created"], idempotency_key=key)
        self.assertEqual(conflict.exception.code, "idempotency_conflict")

    def test_signed_delivery_verifies(self) -> None:
        path = f"/verify-{uuid.uuid4().hex[:8]}"
        hook = self.client.webhooks.create(url=self.receiver.url + path, events=["task.created"], description="python sdk")
        self.assertTrue(hook["secret"].startswith("whsec_"))
        self.assertNotIn("secret", self.client.webhooks.get(hook["id"]))
        delivery = self.client.webhooks.test(hook["id"])
        self.assertEqual(delivery["event_type"], "webhook.test")
        got = self.receiver.wait_for(path)
        event = verify_webhook(got["body"], got["headers"], hook["secret"])
        self.assertEqual(event["type"], "webhook.test")
        self.assertEqual(event["data"]["webhook_id"], hook["id"])
        self.assertTrue(verify_clawnex_signature(got["body"], got["headers"]["x-clawnex-signature"], hook["secret"]))
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(got["body"] + b" ", got["headers"], hook["secret"])
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(got["body"], got["headers"], hook["secret"], now=time.time() + 3600)
        rotated = self.client.webhooks.rotate_secret(hook["id"])
        with self.assertRaises(WebhookVerificationError):
            verify_webhook(got["body"], got["headers"], rotated["secret"])
        # During the overlap (24 h by default) a delivery verifies with the old and the new secret.
        self.assertIsNotNone(rotated["previous_secret_expires_at"])
        self.client.webhooks.test(hook["id"])
        during = self.receiver.wait_for(path, count=2)
        for secret in (hook["secret"], rotated["secret"]):
            self.assertEqual(verify_webhook(during["body"], during["headers"], secret)["type"], "webhook.test")
            self.assertTrue(verify_clawnex_signature(during["body"], during["headers"]["x-clawnex-signature"], secret))
        # Retired at once: only the newest secret verifies.
        newest = self.client.webhooks.rotate_secret(hook["id"], previous_secret_expires_in=0)
        self.assertIsNone(newest["previous_secret_expires_at"])
        self.client.webhooks.test(hook["id"])
        alone = self.receiver.wait_for(path, count=3)
        self.assertEqual(verify_webhook(alone["body"], alone["headers"], newest["secret"])["type"], "webhook.test")
        for secret in (hook["secret"], rotated["secret"]):
            with self.assertRaises(WebhookVerificationError):
                verify_webhook(alone["body"], alone["headers"], secret)
        deliveries = list(self.client.webhooks.deliveries(hook["id"]))
        self.assertIn(delivery["id"], [d["id"] for d in deliveries])
        self.assertEqual(self.client.webhooks.update(hook["id"], enabled=False)["enabled"], False)
        self.assertEqual(self.client.webhooks.delete(hook["id"])["id"], hook["id"])
        with self.assertRaises(NotFoundError):
            self.client.webhooks.get(hook["id"])

    def test_sandbox_webhooks_are_separate(self) -> None:
        hook = self.client.sandbox.webhooks.create(url=f"{self.receiver.url}/sandbox", events=["*"])
        self.assertTrue(hook["sandbox"])
        with self.assertRaises(NotFoundError):
            self.client.webhooks.get(hook["id"])
        self.assertIn(hook["id"], [w["id"] for w in self.client.sandbox.webhooks.list()])

    def test_fleet_when_present(self) -> None:
        doc = self.client.request("GET", "/api/v1/openapi.json")
        if "/api/v1/agents" not in doc["paths"]:
            self.skipTest("this server has no fleet API")
        agent = self.client.sandbox.agents.create(name=f"py-{uuid.uuid4().hex[:6]}", model="sim-model", labels=["python"])
        self.assertEqual(self.client.sandbox.agents.get(agent["id"])["name"], agent["name"])
        task = self.client.sandbox.tasks.create(agent_id=agent["id"], instructions="Say hello")
        self.assertEqual(self.client.sandbox.tasks.get(task["id"])["agent_id"], agent["id"])
        self.assertIn(agent["id"], [a["id"] for a in self.client.sandbox.agents.list(label="python")])
        with self.assertRaises(NotFoundError):
            self.client.agents.get(agent["id"])

    def test_async_client(self) -> None:
        async def run() -> None:
            async with AsyncClient(initial_retry_delay=0.01) as client:
                verdicts = await asyncio.gather(*(client.shield.scan(text) for text in ["hello there", "please zz-block-me now"]))
                self.assertEqual([v["verdict"] for v in verdicts], ["ALLOW", "BLOCK"])
                hook = await client.webhooks.create(url=f"{self.receiver.url}/async", events=["task.created"])
                ids = [w["id"] async for w in client.webhooks.list(limit=2)]
                self.assertIn(hook["id"], ids)
                self.assertEqual(len(ids), len(set(ids)))
                first = await client.webhooks.list(limit=1).first_page()
                self.assertEqual(len(first["data"]), 1)
                with self.assertRaises(NotFoundError):
                    await client.webhooks.get("wh_missing")

        asyncio.run(run())


if __name__ == "__main__":
    unittest.main()
