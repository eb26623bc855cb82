/**
 * @module
 * `vigil version`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { CliContext, CommandSpec } from "../context.js";

export function packageVersion(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "unknown";
}

export const versionCommand: CommandSpec = {
  name: "version",
  register(program: Command, ctx: CliContext) {
    program
      .command("version")
      .description("print Vigil's version and the Node.js it runs on")
      .action(() => {
        ctx.out(`vigil ${packageVersion(ctx.cfg.root)} (node ${process.version})\n`);
      });
  },
};
