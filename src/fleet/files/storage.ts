// Where uploaded bytes live: <dataDir>/files/<id>, written first to <dataDir>/files/tmp/. Paths
// are built only from ids this module generated (checked against their exact shape), never from a
// client's file name, so no upload can name a path outside the directory.
import { randomBytes } from "node:crypto";
import { createReadStream, mkdirSync, type ReadStream } from "node:fs";
import { readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";

const FILE_ID = /^file_[0-9A-Z]{26}$/;
const TEMP_NAME = /^[0-9a-f]{32}\.part$/;

export class FileStorage {
  readonly root: string;
  readonly #tmp: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, "files");
    this.#tmp = join(this.root, "tmp");
    mkdirSync(this.#tmp, { recursive: true, mode: 0o700 });
  }

  /** A fresh temporary path for an upload in progress. */
  tempPath(): string {
    return join(this.#tmp, `${randomBytes(16).toString("hex")}.part`);
  }

  pathFor(id: string): string {
    if (!FILE_ID.test(id)) throw new Error(`refusing a storage path for malformed file id ${JSON.stringify(id)}`);
    return join(this.root, id);
  }

  async commit(tempPath: string, id: string): Promise<void> {
    await rename(tempPath, this.pathFor(id));
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathFor(id), { force: true });
  }

  openRead(id: string): ReadStream {
    return createReadStream(this.pathFor(id));
  }

  async exists(id: string): Promise<boolean> {
    return stat(this.pathFor(id)).then(
      () => true,
      () => false,
    );
  }

  /** Removes uploads left half-written by a crash (called at start, before any upload runs). */
  async sweepTemp(): Promise<number> {
    const names = await readdir(this.#tmp).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      if (!TEMP_NAME.test(name)) continue;
      await rm(join(this.#tmp, name), { force: true });
      removed++;
    }
    return removed;
  }
}
