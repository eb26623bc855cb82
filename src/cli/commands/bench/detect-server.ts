/**
 * @module
 * The API server of `vigil bench detect`'s full scan: serves the synthetic cluster's lists over HTTP on
 * loopback, paginated like kube-apiserver (`limit`, `continue`), and an empty list for every other kind. It
 * runs in the bench process (only src/sandbox starts processes), so it generates each page when it is asked
 * for: it holds one raw page and its JSON per list being read, never the cluster. Its memory and CPU count
 * against the measured analysis, so the measurement errs on the high side.
 */
import { createServer } from "node:http";
import { syntheticObjects } from "./detect-cluster.js";

/** List paths (all namespaces) of the kinds the synthetic cluster has, and the list key each serves. */
const PATHS: Readonly<Record<string, string>> = {
  "/api/v1/nodes": "nodes",
  "/api/v1/pods": "pods",
  "/api/v1/services": "services",
  "/api/v1/configmaps": "configMaps",
  "/api/v1/events": "events",
  "/apis/apps/v1/deployments": "deployments",
  "/apis/apps/v1/replicasets": "replicaSets",
  "/apis/autoscaling/v2/horizontalpodautoscalers": "horizontalPodAutoscalers",
};

export interface SyntheticServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the loopback API server of a synthetic cluster of `nodes` nodes and `pods` pods. */
export async function serveSyntheticCluster(nodes: number, pods: number): Promise<SyntheticServer> {
  /** Lists being read, by continue token: the generator resumes where the last page ended. */
  const open = new Map<string, Iterator<readonly [string, unknown]>>();
  let tokens = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const key = PATHS[url.pathname];
    const limit = Number(url.searchParams.get("limit") ?? "0") || Number.POSITIVE_INFINITY;
    const token = url.searchParams.get("continue");
    let it: Iterator<readonly [string, unknown]> | undefined;
    if (token !== null && token !== "") {
      it = open.get(token);
      open.delete(token);
      if (it === undefined) {
        res.writeHead(410, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            kind: "Status",
            apiVersion: "v1",
            status: "Failure",
            reason: "Expired",
            code: 410,
          }),
        );
        return;
      }
    } else if (key !== undefined) it = syntheticObjects(nodes, pods, (k) => k === key);
    const items: unknown[] = [];
    let next: string | undefined;
    if (it !== undefined) {
      for (;;) {
        const r = it.next();
        if (r.done === true) break;
        items.push(r.value[1]);
        if (items.length >= limit) {
          next = String(++tokens);
          open.set(next, it);
          break;
        }
      }
    }
    const body = JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      metadata: next !== undefined ? { continue: next } : {},
      items,
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(body);
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr !== null ? addr.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
