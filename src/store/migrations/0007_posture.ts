// Tables of the posture module (src/soc/posture). Filled in by that module; until then a no-op.
import type { MigrationFactory } from "./types.ts";

export const migration: MigrationFactory = () => ({
  async up() {},
});
