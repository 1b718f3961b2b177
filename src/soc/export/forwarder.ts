// The syslog forwarder: follows the alert feed and the audit trail by seq, the way a polling SIEM
// would, and sends each new record once it is committed. Positions live in settings and advance
// only after a successful send, so a collector that is down gets everything when it is back
// (at-least-once over TCP/TLS; UDP is fire-and-forget by nature). A fresh forwarder starts at the
// current end of both feeds rather than replaying history.
import { hostname } from "node:os";
import type { Kysely } from "kysely";
import type { SettingsStore } from "../../settings/settings-store.ts";
import type { Database } from "../../store/schema.ts";
import type { AlertService } from "../alerts/alert-service.ts";
import type { Alert } from "../alerts/alert-types.ts";
import type { AuditFeed } from "../audit-feed.ts";
import type { SyslogConfig } from "../config-schema.ts";
import { withExcerpts } from "./excerpts.ts";
import { alertMessage, auditMessage, type SyslogHeader } from "./syslog-format.ts";
import { createTransport, type SyslogTransport } from "./syslog-transport.ts";

const ALERTS_POSITION = "soc.syslog.alerts_seq";
const AUDIT_POSITION = "soc.syslog.audit_seq";
const PAGE = 200;

export interface ForwarderDeps {
  db: Kysely<Database>;
  settings: SettingsStore;
  alerts: AlertService;
  audit: AuditFeed;
  config: SyslogConfig;
  includePromptText: boolean;
  onError(err: unknown): void;
  transport?: SyslogTransport;
}

export class SyslogForwarder {
  readonly #deps: ForwarderDeps;
  readonly #transport: SyslogTransport;
  readonly #header: SyslogHeader;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  sent = 0;
  pending = 0;

  constructor(deps: ForwarderDeps) {
    this.#deps = deps;
    const c = deps.config;
    this.#transport = deps.transport ?? createTransport({ transport: c.transport, host: c.host, port: c.port, tlsRejectUnauthorized: c.tlsRejectUnauthorized });
    this.#header = { facility: c.facility, hostname: c.hostname ?? hostname(), appName: c.appName, procId: String(process.pid) };
  }

  async start(): Promise<void> {
    if (this.#deps.config.alerts) await this.#deps.settings.setIfAbsent(ALERTS_POSITION, await this.#maxAlertSeq());
    if (this.#deps.config.audit) await this.#deps.settings.setIfAbsent(AUDIT_POSITION, await this.#deps.audit.maxSeq());
    this.#timer = setInterval(() => void this.tick(), this.#deps.config.pollIntervalMs);
    this.#timer.unref();
  }

  /** Sends what is new; overlapping calls share one run. */
  tick(): Promise<void> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#running) await this.#running;
    await this.#transport.close();
  }

  async #maxAlertSeq(): Promise<number> {
    const row = await this.#deps.db.selectFrom("soc_alerts").select((eb) => eb.fn.max("seq").as("max")).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  async #run(): Promise<void> {
    try {
      if (this.#deps.config.alerts) await this.#forwardAlerts();
      if (this.#deps.config.audit) await this.#forwardAudit();
    } catch (err) {
      this.#deps.onError(err);
    }
  }

  async #forwardAlerts(): Promise<void> {
    const from = Number((await this.#deps.settings.get<number>(ALERTS_POSITION)) ?? 0);
    const until = await this.#maxAlertSeq();
    this.pending = Math.max(0, until - from);
    let batch: Alert[] = [];
    for await (const alert of this.#deps.alerts.iterate(null, {}, from, until)) {
      batch.push(alert);
      if (batch.length >= PAGE) {
        await this.#sendAlerts(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await this.#sendAlerts(batch);
    this.pending = 0;
  }

  /** Sends one page and only then moves the position past it. */
  async #sendAlerts(alerts: Alert[]): Promise<void> {
    const exported = await withExcerpts(this.#deps.db, alerts, this.#deps.includePromptText);
    await this.#transport.send(exported.map((a) => alertMessage(this.#header, a)));
    this.sent += alerts.length;
    await this.#deps.settings.set(ALERTS_POSITION, alerts.at(-1)?.seq ?? 0);
  }

  async #forwardAudit(): Promise<void> {
    const from = Number((await this.#deps.settings.get<number>(AUDIT_POSITION)) ?? 0);
    const until = await this.#deps.audit.maxSeq();
    let batch: string[] = [];
    let last = from;
    for await (const event of this.#deps.audit.iterate(null, {}, from, until)) {
      batch.push(auditMessage(this.#header, event));
      last = event.seq;
      if (batch.length >= PAGE) {
        await this.#transport.send(batch);
        this.sent += batch.length;
        await this.#deps.settings.set(AUDIT_POSITION, last);
        batch = [];
      }
    }
    if (batch.length > 0) {
      await this.#transport.send(batch);
      this.sent += batch.length;
      await this.#deps.settings.set(AUDIT_POSITION, last);
    }
  }
}
