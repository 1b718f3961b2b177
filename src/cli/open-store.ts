// Shared by CLI commands that touch the database directly (keys, audit, ...): one way to go
// from the environment to an open, migrated store, so every command honours the same config.
import { type Config, loadConfig } from "../config/config.ts";
import { openStore, type Store } from "../store/database.ts";

export type CliStore = Store & { config: Config };

/** Loads config from `env` (throws ConfigError on bad values) and opens the configured store. */
export async function openStoreFromEnv(env: NodeJS.ProcessEnv): Promise<CliStore> {
  const config = loadConfig(env);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  return { ...store, config };
}

/** Opens the store, runs `fn`, and always closes the store (so the process can exit). */
export async function withStoreFromEnv<T>(env: NodeJS.ProcessEnv, fn: (store: CliStore) => Promise<T>): Promise<T> {
  const store = await openStoreFromEnv(env);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
