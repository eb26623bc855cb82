#!/usr/bin/env node
/**
 * @module
 * The composition root: argv, environment, signals, exit codes. The only place that exits the process.
 */
import { Command, CommanderError } from "commander";
import { VigilError } from "../model/index.js";
import { packageVersion } from "./commands/version.js";
import { readProcessConfig } from "./config.js";
import type { CliContext, CommandSpec } from "./context.js";
import { loadEntries, type LazyEntry } from "./lazy.js";

/**
 * Every command, in help order. A command's module is imported only when the command line names it (see
 * ./lazy.ts), so `vigil --version` and each command load only the SDKs they use.
 */
const commands: readonly LazyEntry<CommandSpec>[] = [
  { name: "sandbox", load: async () => (await import("./commands/sandbox.js")).sandboxCommand },
  { name: "analyze", load: async () => (await import("./commands/analyze.js")).analyzeCommand },
  { name: "demo", load: async () => (await import("./commands/demo.js")).demoCommand },
  { name: "run", load: async () => (await import("./commands/run.js")).runCommand },
  { name: "scenario", load: async () => (await import("./commands/scenario.js")).scenarioCommand },
  { name: "forecast", load: async () => (await import("./commands/forecast.js")).forecastCommand },
  { name: "logs", load: async () => (await import("./commands/logs.js")).logsCommand },
  { name: "incidents", load: async () => (await import("./commands/incidents.js")).incidentsCommand },
  { name: "ask", load: async () => (await import("./commands/ask.js")).askCommand },
  { name: "mcp", load: async () => (await import("./commands/mcp.js")).mcpCommand },
  { name: "recommend", load: async () => (await import("./commands/recommend.js")).recommendCommand },
  { name: "bench", load: async () => (await import("./commands/bench.js")).benchCommand },
  { name: "version", load: async () => (await import("./commands/version.js")).versionCommand },
];

/** Exit codes: 0 ok, 1 failure, 2 usage error, 130 interrupted. */
function exitCodeFor(err: unknown): number {
  if (err instanceof VigilError) {
    if (err.code === "Usage") return 2;
    if (err.code === "Interrupted") return 130;
    if ("exitCode" in err && typeof err.exitCode === "number") return err.exitCode;
    return 1;
  }
  return 1;
}

export async function main(argv: readonly string[]): Promise<number> {
  const cfg = readProcessConfig(process.env);
  const stop = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`vigil: ${sig} received, cleaning up (again to force)\n`);
    stop.abort(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const ctx: CliContext = {
    cfg,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    signal: stop.signal,
  };
  const program = new Command("vigil")
    .description(
      "Vigil: AI-driven Kubernetes operations — knows what is wrong and why, heals, scales ahead, right-sizes.",
    )
    .version(packageVersion(cfg.root), "--version", "print the version")
    .option("-v, --verbose", "print stack traces and debug logs")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  try {
    const specs = await loadEntries(commands, argv, (a) => a.includes("--version"));
    for (const c of specs) await c.register(program, ctx, argv.slice(argv.indexOf(c.name) + 1));
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      )
        return 0;
      return err.exitCode === 0 ? 0 : 2;
    }
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    if (err instanceof VigilError) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err.hint !== undefined) process.stderr.write(`hint: ${err.hint}\n`);
      if (verbose) process.stderr.write(`${err.stack ?? ""}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      if (verbose && err instanceof Error) process.stderr.write(`${err.stack ?? ""}\n`);
      else process.stderr.write("(run with -v for details)\n");
    }
    return exitCodeFor(err);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

// Exit explicitly: open watches or sockets must not keep a finished command alive.
process.exit(await main(process.argv.slice(2)));
