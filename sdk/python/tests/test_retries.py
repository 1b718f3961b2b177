"""Retries against a local server that misbehaves on purpose: 429 with Retry-After, 5xx, dropped
connections and silence; one Idempotency-Key across the retries of a write."""
import unittest
from typing import List

from helpers import ScriptedAPI, header  # first: puts the package on sys.path

from clawnex import APIConnectionError, APITimeoutError, BadRequestError, Client, InternalServerError, RateLimitError, RetryInfo


def client_for(url: str, retries: List[RetryInfo], **options: object) -> Client:
    return Client(url, "cnx_test", initial_retry_delay=0.02, max_retry_delay=0.2, on_retry=retries.append, **options)  # type: ignore[arg-type]


class RetryTest(unittest.TestCase):
    def test_429_honours_retry_after_and_keeps_the_idempotency_key(self) -> None:
        api = ScriptedAPI([(429, {"retry-after": "1"}), (201, {})])
        retries: List[RetryInfo] = []
        try:
            client_for(api.url, retries).webhooks.create(url="https://example.com/", events=["task.created"])
            self.assertEqual(len(api.hits), 2)
            self.assertEqual([(r.status, r.delay_seconds) for r in retries], [(429, 1.0)])
            key = header(api.hits[0], "idempotency-key")
            self.assertTrue(key and key.startswith("sdk-"))
            self.assertEqual(key, header(api.hits[1], "idempotency-key"))
            self.assertEqual(retries[0].idempotency_key, key)
        finally:
            api.close()

    def test_5xx_backoff_with_jitter(self) -> None:
        api = ScriptedAPI([(503, {}), (502, {}), (500, {}), (200, {})])
        retries: List[RetryInfo] = []
        try:
            client_for(api.url, retries, max_retries=3).webhooks.get("wh_1")
            self.assertEqual([r.status for r in retries], [503, 502, 500])
            for n, r in enumerate(retries):
                ceiling = min(0.2, 0.02 * 2 ** n)
                self.assertTrue(ceiling / 2 <= r.delay_seconds <= ceiling, r.delay_seconds)
            self.assertIsNone(header(api.hits[0], "idempotency-key"), "reads carry no idempotency key")
        finally:
            api.close()

    def test_gives_up_with_typed_errors(self) -> None:
        api = ScriptedAPI([(500, {})])
        try:
            with self.assertRaises(InternalServerError) as caught:
                client_for(api.url, []).webhooks.get("wh_1")
            self.assertEqual(caught.exception.status, 500)
            self.assertEqual(caught.exception.request_id, "req_3")
            self.assertEqual(len(api.hits), 3)
        finally:
            api.close()
        limited = ScriptedAPI([(429, {"retry-after": "0"})])
        try:
            with self.assertRaises(RateLimitError) as caught_limit:
                client_for(limited.url, [], max_retries=1).webhooks.get("wh_1")
            self.assertEqual(caught_limit.exception.retry_after_seconds, 0.0)
            self.assertEqual(caught_limit.exception.code, "rate_limited")
        finally:
            limited.close()

    def test_other_4xx_are_not_retried(self) -> None:
        api = ScriptedAPI([(400, {})])
        try:
            with self.assertRaises(BadRequestError):
                client_for(api.url, []).webhooks.get("wh_1")
            self.assertEqual(len(api.hits), 1)
        finally:
            api.close()

    def test_network_errors_and_timeouts(self) -> None:
        api = ScriptedAPI(["drop", "drop", (200, {})])
        retries: List[RetryInfo] = []
        try:
            client_for(api.url, retries).webhooks.rotate_secret("wh_1")
            self.assertEqual(len(api.hits), 3)
            self.assertEqual([r.status for r in retries], [None, None])
            self.assertEqual(len({header(h, "idempotency-key") for h in api.hits}), 1)
        finally:
            api.close()
        silent = ScriptedAPI(["hang"])
        try:
            with self.assertRaises(APITimeoutError):
                client_for(silent.url, [], timeout=0.2, max_retries=0).webhooks.get("wh_1")
        finally:
            silent.close()
        with self.assertRaises(APIConnectionError):
            client_for("http://127.0.0.1:9", [], max_retries=1).webhooks.get("wh_1")


if __name__ == "__main__":
    unittest.main()
