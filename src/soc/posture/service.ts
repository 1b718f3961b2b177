// The posture service: scans the host (one scan at a time; concurrent callers share it), keeps
// the runs, and hands scheduled runs' findings to the SOC.
import type { PostureFinding } from "./findings.ts";
import type { PostureReport } from "./scanner.ts";
import type { PostureStore, PostureTrigger, StoredPostureRun } from "./store.ts";

export interface PostureServiceDeps {
  store: PostureStore;
  scan(): Promise<PostureReport>;
  keepRuns: number;
  /** Called with each stored run's findings (the SOC ingest). */
  ingest?: ((findings: PostureFinding[], report: PostureReport) => Promise<void>) | undefined;
  /** A failed ingest is reported here; the run itself still counts. */
  onIngestError?: ((err: unknown) => void) | undefined;
}

export class PostureService {
  readonly #deps: PostureServiceDeps;
  #inflight: Promise<StoredPostureRun> | null = null;

  constructor(deps: PostureServiceDeps) {
    this.#deps = deps;
  }

  /** Runs a scan now, or joins the one already running. */
  run(trigger: PostureTrigger): Promise<StoredPostureRun> {
    this.#inflight ??= this.#scan(trigger).finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #scan(trigger: PostureTrigger): Promise<StoredPostureRun> {
    const report = await this.#deps.scan();
    const stored = await this.#deps.store.save(report, trigger, this.#deps.keepRuns);
    try {
      await this.#deps.ingest?.(report.findings, report);
    } catch (err) {
      this.#deps.onIngestError?.(err);
    }
    return stored;
  }

  /** The latest stored run; scans first when there is none yet. */
  async latest(): Promise<StoredPostureRun> {
    return (await this.#deps.store.latest()) ?? this.run("api");
  }
}
