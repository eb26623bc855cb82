/**
 * @module
 * What every command receives from the composition root.
 */
import type { Command } from "commander";
import type { ProcessConfig } from "./config.js";

export interface CliContext {
  readonly cfg: ProcessConfig;
  readonly out: (text: string) => void;
  /** Progress and diagnostics: stderr. */
  readonly err: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

export interface CommandSpec {
  readonly name: string;
  /**
   * Adds the command to `program`. `args` are the command-line tokens after the command's name (a command
   * with lazily loaded subcommands, like `bench`, loads only the one they name).
   */
  register(program: Command, ctx: CliContext, args: readonly string[]): void | Promise<void>;
}
