/**
 * @module
 * `vigil bench …`: reproducible measurements. Each benchmark is one file in ./bench/ and one entry
 * in the list below; the numbers they print go to docs/benchmarks.md with the command.
 */
import type { Command } from "commander";
import type { CliContext, CommandSpec } from "../context.js";
import { loadEntries, type LazyEntry } from "../lazy.js";

/** A benchmark registers itself as a subcommand of `vigil bench`. */
export interface BenchSpec {
  readonly name: string;
  register(bench: Command, ctx: CliContext): void;
}

/** In help order; a benchmark's module is imported only when the command line names it (see ../lazy.ts). */
const benches: readonly LazyEntry<BenchSpec>[] = [
  { name: "detect", load: async () => (await import("./bench/detect.js")).detectBench },
  { name: "anomaly", load: async () => (await import("./bench/anomaly.js")).anomalyBench },
  { name: "alerts", load: async () => (await import("./bench/alerts.js")).alertsBench },
  { name: "logs", load: async () => (await import("./bench/logs.js")).logsBench },
  { name: "forecast", load: async () => (await import("./bench/forecast.js")).forecastBench },
  { name: "autoscale", load: async () => (await import("./bench/autoscale.js")).autoscaleBench },
  { name: "rightsize", load: async () => (await import("./bench/rightsize.js")).rightsizeBench },
  { name: "heal", load: async () => (await import("./bench/heal.js")).healBench },
];

export const benchCommand: CommandSpec = {
  name: "bench",
  async register(program: Command, ctx: CliContext, args: readonly string[]) {
    const bench = program
      .command("bench")
      .description("run a benchmark and print its numbers (-o json for machines)");
    for (const b of await loadEntries(benches, args)) b.register(bench, ctx);
  },
};
