#!/usr/bin/env node
/**
 * @module
 * The composition root: argv, environment, signals, exit codes. The only place that exits the process.
 */
import { Command, CommanderError } from "commander";
import { VigilError } from "../model/index.js";
import { analyzeCommand } from "./commands/analyze.js";
import { askCommand } from "./commands/ask.js";
import { benchCommand } from "./commands/bench.js";
import { demoCommand } from "./commands/demo.js";
import { runCommand } from "./commands/run.js";
import { forecastCommand } from "./commands/forecast.js";
import { incidentsCommand } from "./commands/incidents.js";
import { logsCommand } from "./commands/logs.js";
import { mcpCommand } from "./commands/mcp.js";
import { recommendCommand } from "./commands/recommend.js";
import { sandboxCommand } from "./commands/sandbox.js";
import { scenarioCommand } from "./commands/scenario.js";
import { packageVersion, versionCommand } from "./commands/version.js";
import { readProcessConfig } from "./config.js";
import type { CliContext, CommandSpec } from "./context.js";

const commands: readonly CommandSpec[] = [
  sandboxCommand,
  analyzeCommand,
  demoCommand,
  runCommand,
  scenarioCommand,
  forecastCommand,
  logsCommand,
  incidentsCommand,
  askCommand,
  mcpCommand,
  recommendCommand,
  benchCommand,
  versionCommand,
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
  for (const c of commands) c.register(program, ctx);
  try {
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
