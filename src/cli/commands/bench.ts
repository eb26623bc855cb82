/**
 * @module
 * `vigil bench …`: reproducible measurements. Each benchmark is one file in ./bench/ and one entry
 * in the list below; the numbers they print go to docs/benchmarks.md with the command.
 */
import type { Command } from "commander";
import type { CliContext, CommandSpec } from "../context.js";
import { autoscaleBench } from "./bench/autoscale.js";
import { forecastBench } from "./bench/forecast.js";
import { healBench } from "./bench/heal.js";
import { alertsBench } from "./bench/alerts.js";
import { anomalyBench } from "./bench/anomaly.js";
import { detectBench } from "./bench/detect.js";
import { logsBench } from "./bench/logs.js";
import { rightsizeBench } from "./bench/rightsize.js";

/** A benchmark registers itself as a subcommand of `vigil bench`. */
export interface BenchSpec {
  readonly name: string;
  register(bench: Command, ctx: CliContext): void;
}

const benches: readonly BenchSpec[] = [
  detectBench,
  anomalyBench,
  alertsBench,
  logsBench,
  forecastBench,
  autoscaleBench,
  rightsizeBench,
  healBench,
];

export const benchCommand: CommandSpec = {
  name: "bench",
  register(program: Command, ctx: CliContext) {
    const bench = program
      .command("bench")
      .description("run a benchmark and print its numbers (-o json for machines)");
    for (const b of benches) b.register(bench, ctx);
  },
};
