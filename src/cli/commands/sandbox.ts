/**
 * @module
 * `vigil sandbox up|down|status|list`: a real local control plane for trying and testing Vigil.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { z } from "zod";
import { loadKubeConfig } from "../../kube/index.js";
import { VigilError } from "../../model/index.js";
import * as sandbox from "../../sandbox/index.js";
import type { CliContext, CommandSpec } from "../context.js";
import { OutputFormat, renderData, renderTable } from "../output.js";

const UpFlags = z.object({
  name: sandbox.SandboxName,
  nodes: z.coerce.number().int().min(1).max(50),
  timeout: z.coerce.number().int().min(5).max(3600),
  binDir: z.string().optional(),
});

const NameFlags = z.object({ name: sandbox.SandboxName, output: OutputFormat });

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const r = schema.safeParse(raw);
  if (!r.success) throw new VigilError("Usage", z.prettifyError(r.error));
  return r.data;
}

/** Where this checkout's testbed binaries, sandbox manifests and CLI are: shared by every command that starts a sandbox. */
export function sandboxEnv(
  ctx: CliContext,
  binDir?: string,
  progress: (message: string) => void = (m) => {
    ctx.err(`sandbox: ${m}\n`);
  },
): sandbox.SandboxEnv {
  return {
    home: ctx.cfg.home,
    binDir: binDir ?? ctx.cfg.testbedBin ?? join(ctx.cfg.root, "testbed", "bin"),
    assetsDir: join(ctx.cfg.root, "deploy", "sandbox"),
    progress,
    selfCommand: [process.execPath, join(ctx.cfg.root, "dist", "cli", "main.js")],
  };
}

const nameOption = () => new Option("--name <name>", "sandbox name").default("default");

export const sandboxCommand: CommandSpec = {
  name: "sandbox",
  register(program: Command, ctx: CliContext) {
    const cmd = program
      .command("sandbox")
      .description(
        "run a real local Kubernetes control plane (etcd, apiserver, controller-manager, scheduler, kwok nodes, metrics-server)",
      );

    cmd
      .command("up")
      .description("start a sandbox and wait until its nodes are Ready; prints `export KUBECONFIG=…` last")
      .addOption(nameOption())
      .option("--nodes <n>", "number of fake nodes", "3")
      .option("--timeout <seconds>", "give up after this many seconds", "120")
      .option("--bin-dir <dir>", "testbed binaries (default: $VIGIL_TESTBED_BIN or testbed/bin)")
      .action(async (raw: unknown) => {
        const f = parse(UpFlags, raw);
        const env = sandboxEnv(ctx, f.binDir);
        if (!existsSync(env.binDir) && f.binDir === undefined && ctx.cfg.testbedBin === undefined) {
          throw new VigilError("TestbedMissing", `no testbed binaries at ${env.binDir}`, {
            hint: "build them once with: make testbed",
          });
        }
        const res = await sandbox.up(env, {
          name: f.name,
          nodes: f.nodes,
          timeoutMs: f.timeout * 1000,
          signal: ctx.signal,
        });
        ctx.err(
          `sandbox: "${f.name}" ready with ${f.nodes} nodes in ${res.seconds.toFixed(1)}s (apiserver https://127.0.0.1:${res.state.ports.apiserver})\n`,
        );
        ctx.out(`export KUBECONFIG=${res.state.kubeconfig}\n`);
      });

    cmd
      .command("down")
      .description("stop every process of a sandbox and remove its state")
      .addOption(nameOption())
      .action(async (raw: unknown) => {
        const f = parse(z.object({ name: sandbox.SandboxName }), raw);
        const res = await sandbox.down({ home: ctx.cfg.home }, f.name);
        if (!res.existed) {
          ctx.err(`sandbox: "${f.name}" does not exist; nothing to do\n`);
          return;
        }
        const summary = Object.entries(res.stopped)
          .map(([c, how]) => `${c}=${how}`)
          .join(" ");
        ctx.err(`sandbox: "${f.name}" removed (${summary})\n`);
      });

    cmd
      .command("status")
      .description("report each component of a sandbox")
      .addOption(nameOption())
      .addOption(new Option("-o, --output <format>", "table|json|yaml").default("table"))
      .action((raw: unknown) => {
        const f = parse(NameFlags, raw);
        const st = sandbox.status({ home: ctx.cfg.home }, f.name);
        if (f.output !== "table") {
          ctx.out(renderData(f.output, st));
        } else if (!st.exists) {
          ctx.out(`sandbox "${f.name}" does not exist (start it with: vigil sandbox up --name ${f.name})\n`);
        } else {
          ctx.out(
            `sandbox ${st.name}  apiserver ${st.apiserver ?? "-"}  kubeconfig ${st.kubeconfig ?? "-"}\n`,
          );
          ctx.out(
            renderTable(
              ["component", "status", "pid", "log"],
              st.components.map((c) => [
                c.name,
                c.pid === undefined ? "NotStarted" : c.running ? "Running" : "Exited",
                c.pid === undefined ? "-" : String(c.pid),
                c.log ?? "-",
              ]),
            ),
          );
          for (const c of st.components.filter((x) => x.pid !== undefined && !x.running)) {
            ctx.out(`\n${c.name} is not running; last lines of its log:\n${c.logTail}\n`);
          }
        }
        if (st.exists && st.components.some((c) => !c.running)) {
          throw new VigilError("SandboxDegraded", `sandbox "${f.name}" has components that are not running`);
        }
      });

    cmd
      .command("config-shim", { hidden: true })
      .description("internal: the sandbox's ConfigMap/Secret reference checker (runs as a sandbox component)")
      .requiredOption("--kubeconfig <path>", "kubeconfig of the sandbox")
      .action(async (raw: unknown) => {
        const f = parse(z.object({ kubeconfig: z.string() }), raw);
        await sandbox.runConfigShim(loadKubeConfig({ kubeconfig: f.kubeconfig }), ctx.signal);
      });

    cmd
      .command("list")
      .description("list sandboxes")
      .action(() => {
        const names = sandbox.list({ home: ctx.cfg.home });
        const rows = names.map((n) => {
          const st = sandbox.status({ home: ctx.cfg.home }, n);
          const running = st.components.filter((c) => c.running).length;
          return [n, `${running}/${st.components.length}`, st.kubeconfig ?? "-"];
        });
        ctx.out(renderTable(["name", "running", "kubeconfig"], rows));
      });
  },
};
