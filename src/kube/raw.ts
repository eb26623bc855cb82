/**
 * @module
 * Raw JSON requests to the apiserver with the kubeconfig's credentials, for what the generated client
 * gets wrong: its model serializer drops JSON keys whose TypeScript names differ (`default`, `enum`,
 * `x-kubernetes-validations` in CRDs), so server-side apply of arbitrary objects goes through here.
 * Bodies are read up to a cap; nothing unbounded.
 */
import { request as httpRequest } from "node:http";
import { request, type RequestOptions as HttpsRequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";
import { KubeError, toKubeError } from "./errors.js";

const MAX_BODY = 32 * 1024 * 1024;

export interface RawResponse {
  readonly status: number;
  readonly body: unknown;
}

export async function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  opts: {
    body?: string;
    contentType?: string;
    timeoutMs?: number;
    signal?: AbortSignal;
    /** Largest body read, in bytes (default 32 MiB). */
    maxBody?: number;
  } = {},
): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new KubeError("Unknown", "the kubeconfig names no current cluster", undefined);
  const url = new URL(path, cluster.server);
  const options: HttpsRequestOptions = { method, headers: { Accept: "application/json" } };
  await kc.applyToHTTPSOptions(options);
  const headers = (options.headers ?? {}) as Record<string, string>;
  if (opts.body !== undefined) {
    headers["Content-Type"] = opts.contentType ?? "application/json";
    headers["Content-Length"] = String(Buffer.byteLength(opts.body));
  }
  options.headers = headers;
  const doRequest = url.protocol === "https:" ? request : httpRequest;
  return new Promise<RawResponse>((resolve, reject) => {
    const reqOpts: HttpsRequestOptions = { ...options, timeout: opts.timeoutMs ?? 30_000 };
    if (opts.signal !== undefined) reqOpts.signal = opts.signal;
    const req = doRequest(url, reqOpts, (res) => {
      const chunks: Buffer[] = [];
      const maxBody = opts.maxBody ?? MAX_BODY;
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxBody) {
          req.destroy(new Error(`response from ${path} exceeds ${maxBody} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = text.length > 0 ? (JSON.parse(text) as unknown) : undefined;
        } catch {
          // keep text
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    req.on("error", (err) => {
      reject(toKubeError(err, method, path));
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function statusMessage(body: unknown): string {
  if (typeof body === "object" && body !== null && "message" in body && typeof body.message === "string")
    return body.message;
  return typeof body === "string" ? body.slice(0, 500) : "";
}

export function expectOk(res: RawResponse, op: string, what: string): unknown {
  if (res.status >= 200 && res.status < 300) return res.body;
  const reason =
    res.status === 404
      ? "NotFound"
      : res.status === 409
        ? "Conflict"
        : res.status === 403
          ? "Forbidden"
          : res.status === 401
            ? "Unauthorized"
            : res.status === 422
              ? "Invalid"
              : "Unknown";
  throw new KubeError(
    reason,
    `${op} ${what}: ${statusMessage(res.body) || `HTTP ${res.status}`}`,
    res.status,
    {
      ...(reason === "Forbidden"
        ? { hint: "check the RBAC permissions of the identity in your kubeconfig" }
        : {}),
    },
  );
}

interface ApiResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

/** Resolves apiVersion+kind to its REST path segment via discovery; caches per KubeConfig call site. */
export class Discovery {
  readonly #kc: KubeConfig;
  readonly #cache = new Map<string, readonly ApiResource[]>();
  constructor(kc: KubeConfig) {
    this.#kc = kc;
  }
  async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    let list = this.#cache.get(apiVersion);
    if (list === undefined) {
      const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const body = expectOk(await rawRequest(this.#kc, "GET", base), "discover", apiVersion) as {
        resources?: ApiResource[];
      };
      list = (body.resources ?? []).filter((r) => !r.name.includes("/"));
      this.#cache.set(apiVersion, list);
    }
    const r = list.find((x) => x.kind === kind);
    if (r === undefined)
      throw new KubeError("NotFound", `the server has no resource of kind ${kind} in ${apiVersion}`, 404);
    return r;
  }
  forget(apiVersion: string): void {
    this.#cache.delete(apiVersion);
  }
}

export function objectPath(
  apiVersion: string,
  r: ApiResource,
  namespace: string | undefined,
  name: string | undefined,
): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? "default")}` : "";
  return `${base}${ns}/${r.name}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`;
}
