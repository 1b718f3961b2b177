// The command dispatcher: unknown names are a usage error (exit 2), whatever they are called.
import assert from "node:assert/strict";
import { test } from "node:test";
import { main } from "../../src/cli/main.ts";
import { captureIo } from "../helpers/io.ts";

test("an unknown command, including one named like an Object property, exits 2 with the command list hint", async () => {
  for (const name of ["frobnicate", "constructor", "toString", "__proto__"]) {
    const io = captureIo({});
    assert.equal(await main([name], io), 2, name);
    assert.match(io.err(), new RegExp(`unknown command '${name}'`), name);
  }
});
