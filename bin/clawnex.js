#!/usr/bin/env node
// Entry point for the `clawnex` CLI. ClawNex needs Node 24 (type stripping, node:sqlite, zstd);
// the `node` npm dependency ships it, so when an older system Node runs this file we re-execute
// ourselves with the bundled one instead of failing on syntax or missing built-ins.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const major = Number(process.versions.node.split(".")[0]);

if (major < 24) {
  const bundled = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(bundled)) {
    process.stderr.write(`clawnex: Node >= 24 is required (found ${process.versions.node}); run \`npm ci\` first.\n`);
    process.exit(2);
  }
  const result = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
} else {
  const { main } = await import(join(root, "src", "cli", "main.ts"));
  process.exitCode = await main(process.argv.slice(2));
}
