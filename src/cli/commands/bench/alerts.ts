/**
 * @module
 * `vigil bench alerts [--dir DIR] [-o json]`: replays the recorded signal streams of the sandbox's fault
 * scenarios (`src/incident/testdata/*.recording.json`, recorded by src/incident/record.int.test.ts) through
 * correlation and the default alert policy with a fake clock, and compares the notifications Vigil sends with
 * the raw Warning events a per-event forwarder would send.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import * as incident from "../../../incident/index.js";
import { VigilError } from "../../../model/index.js";
import type { BenchSpec } from "../bench.js";
import type { CliContext } from "../../context.js";
import { OutputFormat, renderData, renderTable } from "../../output.js";

const Flags = z.object({
  dir: z.string().min(1).optional(),
  output: OutputFormat,
  step: z.coerce.number().int().min(1).max(300),
});

export interface AlertsBenchReport {
  readonly raw_warning_events: number;
  readonly notifications_sent: number;
  readonly incidents: number;
  readonly incidents_notified_once: number;
}

export function readRecordings(dir: string): incident.Recording[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".recording.json"))
      .sort();
  } catch (err) {
    throw new VigilError("InvalidInput", `${dir}: not a directory`, { cause: err });
  }
  if (files.length === 0) throw new VigilError("InvalidInput", `${dir}: no *.recording.json files`);
  return files.map((f) => {
    const path = join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (err) {
      throw new VigilError("InvalidInput", `cannot read ${path} as JSON`, { cause: err });
    }
    const r = incident.Recording.safeParse(json);
    if (!r.success) throw new VigilError("InvalidInput", `${path}: ${z.prettifyError(r.error)}`);
    return r.data;
  });
}

export function runAlertsBench(
  recordings: readonly incident.Recording[],
  step: number,
): { report: AlertsBenchReport; results: incident.ReplayResult[] } {
  const results = recordings.map((r) =>
    incident.replay(r, incident.defaultIncidentConfig, incident.defaultAlertPolicy, step),
  );
  const sum = (f: (x: incident.ReplayResult) => number) => results.reduce((s, x) => s + f(x), 0);
  return {
    report: {
      raw_warning_events: sum((x) => x.rawWarningEvents),
      notifications_sent: sum((x) => x.notifications.length),
      incidents: sum((x) => x.incidents.length),
      incidents_notified_once: sum((x) => x.tallies.filter((t) => t.notifiedOnce).length),
    },
    results,
  };
}

function renderReport(report: AlertsBenchReport, results: readonly incident.ReplayResult[]): string {
  const rows = results.map((r) => [
    r.scenario,
    String(r.rawWarningEvents),
    String(r.notifications.length),
    String(r.incidents.length),
    String(r.tallies.filter((t) => t.notifiedOnce).length),
    r.incidents.map((i) => `${i.title} [${i.severity}, ${i.status}]`).join("; "),
  ]);
  const fewer = (sent: number) =>
    report.raw_warning_events > 0 ? 100 * (1 - sent / report.raw_warning_events) : 0;
  const reduction = fewer(report.notifications_sent);
  // The least a policy can send when each incident gets its own notification plus one for its resolution.
  const floor = results.reduce(
    (n, r) => n + r.incidents.reduce((m, i) => m + (i.status === "resolved" ? 2 : 1), 0),
    0,
  );
  return (
    renderTable(
      ["scenario", "raw warnings", "notifications", "incidents", "notified once", "incidents (title)"],
      [
        ...rows,
        [
          "total",
          String(report.raw_warning_events),
          String(report.notifications_sent),
          String(report.incidents),
          String(report.incidents_notified_once),
          "",
        ],
      ],
    ) +
    `\nnotifications vs raw warning events: ${reduction.toFixed(1)}% fewer\n` +
    `floor (one notification per incident plus one per resolution): ${String(floor)} (${fewer(floor).toFixed(1)}% fewer)\n`
  );
}

export const alertsBench: BenchSpec = {
  name: "alerts",
  register(bench: Command, ctx: CliContext) {
    bench
      .command("alerts")
      .description("replay recorded fault streams: raw warning events vs Vigil's incident notifications")
      .option("--dir <dir>", "directory of *.recording.json streams (default: src/incident/testdata)")
      .option("--step <seconds>", "replay clock step", "5")
      .option("-o, --output <format>", "table|json|yaml", "table")
      .action((raw: unknown) => {
        const r = Flags.safeParse(raw);
        if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
        const dir = r.data.dir ?? join(ctx.cfg.root, "src", "incident", "testdata");
        const started = performance.now();
        const recordings = readRecordings(dir);
        ctx.err(`bench alerts: replaying ${String(recordings.length)} recordings from ${dir}\n`);
        const { report, results } = runAlertsBench(recordings, r.data.step);
        ctx.err(`bench alerts: done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
        ctx.out(
          r.data.output === "table" ? renderReport(report, results) : renderData(r.data.output, report),
        );
      });
  },
};
