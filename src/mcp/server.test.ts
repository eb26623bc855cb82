/**
 * The MCP server through the SDK's own client: in memory and over streamable HTTP on loopback.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it } from "vitest";
import * as llm from "../llm/index.js";
import { CORPUS, SECRETS } from "../llm/testdata/corpus.js";
import { RIGHTSIZE_OBJECTS } from "../llm/testdata/rightsize.js";
import { fakeCluster } from "../llm/testkit.js";
import { createMcpServer, serveHttp, type McpDeps } from "./server.js";

async function deps(): Promise<McpDeps> {
  const cluster = fakeCluster({ ...CORPUS, objects: [...CORPUS.objects, ...RIGHTSIZE_OBJECTS] });
  const redactor = llm.createRedactor({ emails: true, ips: true, patterns: [] });
  // As `vigil mcp` does at start: learn the Secret values in scope.
  await llm.learnSecrets(cluster, redactor, "shop", new AbortController().signal);
  return {
    tools: llm.ALL_TOOLS, // the server must drop the mutating one itself
    context: {
      cluster,
      findings: llm.rawStateFindings(cluster),
      defaultNamespace: "shop",
      now: () => new Date("2026-11-26T10:00:00Z"),
    },
    redactor,
    maxOutputBytes: 16 * 1024,
    version: "0.0.0-test",
  };
}

const text = (r: Awaited<ReturnType<Client["callTool"]>>) =>
  (r.content as { type: string; text: string }[]).map((c) => c.text).join("\n");

async function exercise(client: Client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  expect(names).toEqual(llm.READ_ONLY_TOOLS.map((t) => t.name).sort());
  for (const w of llm.WRITE_TOOLS) expect(names).not.toContain(w.name);
  expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  expect(tools.find((t) => t.name === "list_resources")?.inputSchema.required).toEqual(["kind"]);

  const pods = await client.callTool({
    name: "list_resources",
    arguments: { kind: "pods", namespace: "shop" },
  });
  expect(pods.isError).not.toBe(true);
  expect(text(pods)).toContain("CrashLoopBackOff");

  const findings = await client.callTool({ name: "get_findings", arguments: {} });
  expect(text(findings)).toContain("checkout-7d9f-abcde");

  const everything = await Promise.all([
    client.callTool({ name: "get_pod_logs", arguments: { pod: "checkout-7d9f-abcde", previous: true } }),
    client.callTool({ name: "get_resource", arguments: { kind: "deployment", name: "checkout" } }),
    client.callTool({ name: "get_events", arguments: {} }),
    client.callTool({ name: "get_resource", arguments: { kind: "secret", name: "db-creds" } }),
  ]);
  const all = everything.map(text).join("\n");
  expect(all).toContain("could not connect to database");
  for (const s of SECRETS) {
    expect(all, s).not.toContain(s);
  }

  const recs = await client.callTool({
    name: "get_recommendations",
    arguments: { namespace: "shop", name: "api" },
  });
  expect(recs.isError).not.toBe(true);
  const rec = JSON.parse(text(recs)) as { workloads: { name: string; status: string; patch: string }[] };
  expect(rec.workloads).toHaveLength(1);
  expect(rec.workloads[0]).toMatchObject({ name: "api", status: "resize" });
  expect(rec.workloads[0]?.patch).toContain('"resources"');
  const recSchema = tools.find((t) => t.name === "get_recommendations")?.inputSchema.properties;
  expect(Object.keys(recSchema ?? {})).toEqual(expect.arrayContaining(["namespace", "name", "limit"]));
  const noSuch = await client.callTool({ name: "get_recommendations", arguments: { name: "nope" } });
  expect(noSuch.isError).toBe(true);

  const bad = await client.callTool({ name: "list_resources", arguments: { kind: "widgets" } });
  expect(bad.isError).toBe(true);
  expect(text(bad)).toContain("unknown kind");
  const invalid = await client.callTool({
    name: "list_resources",
    arguments: { kind: "pods", limit: 100000 },
  });
  expect(invalid.isError).toBe(true);
  const plan = await client.callTool({ name: "plan_remediation", arguments: { namespace: "shop" } });
  expect(plan.isError).not.toBe(true);
  expect(text(plan)).toContain('"policy"');
  const write = await client.callTool({
    name: "rollback",
    arguments: { name: "checkout", reason: "x" },
  });
  expect(write.isError).toBe(true);
}

describe("vigil mcp", () => {
  it("serves the read-only tools in memory", async () => {
    const server = createMcpServer(await deps());
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: "test", version: "1" });
    await client.connect(b);
    try {
      await exercise(client);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("serves them over streamable HTTP (stateless), with a health endpoint", async () => {
    const stop = new AbortController();
    const srv = await serveHttp(await deps(), { host: "127.0.0.1", port: 0 }, stop.signal);
    try {
      const health = await fetch(srv.url.replace("/mcp", "/healthz"));
      expect(health.status).toBe(200);
      const client = new Client({ name: "test", version: "1" });
      await client.connect(new StreamableHTTPClientTransport(new URL(srv.url)));
      await exercise(client);
      await client.close();
    } finally {
      stop.abort();
      await srv.close();
    }
  });
});
