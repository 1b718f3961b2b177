import assert from "node:assert/strict";
import { test } from "node:test";
import { hasScope, isScope, SCOPES } from "../../src/auth/scopes.ts";

test("the scope list is the documented one", () => {
  assert.deepEqual([...SCOPES].sort(), [
    "admin",
    "agents:read",
    "agents:write",
    "alerts:read",
    "alerts:write",
    "audit:read",
    "chat",
    "files:read",
    "files:write",
    "fleet:read",
    "shield:scan",
    "tasks:read",
    "tasks:write",
    "webhooks:manage",
  ]);
});

test("hasScope grants exactly the listed scopes", () => {
  assert.equal(hasScope(["shield:scan"], "shield:scan"), true);
  assert.equal(hasScope(["shield:scan"], "chat"), false);
  assert.equal(hasScope([], "shield:scan"), false);
  // No prefix or wildcard tricks.
  assert.equal(hasScope(["agents:read"], "agents:write"), false);
  assert.equal(hasScope(["agents"], "agents:read"), false);
  assert.equal(hasScope(["*"], "agents:read"), false);
  assert.equal(hasScope(["ADMIN"], "agents:read"), false);
});

test("admin implies every scope", () => {
  for (const scope of SCOPES) assert.equal(hasScope(["admin"], scope), true, scope);
});

test("isScope recognises only known scopes", () => {
  assert.equal(isScope("fleet:read"), true);
  assert.equal(isScope("fleet:write"), false);
  assert.equal(isScope(""), false);
});
