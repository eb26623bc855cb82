/**
 * @module
 * The only code that opens a Kubernetes client error. Its message embeds bodies and headers, so
 * Vigil never logs it; it keeps the HTTP status and the apiserver's reason.
 */
import { ApiException } from "@kubernetes/client-node";
import { VigilError } from "../model/index.js";

export type KubeReason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Forbidden"
  | "Unauthorized"
  | "Invalid"
  | "Expired"
  | "Unreachable"
  | "Timeout"
  | "Unknown";

export class KubeError extends VigilError {
  readonly reason: KubeReason;
  readonly status: number | undefined;
  constructor(
    reason: KubeReason,
    message: string,
    status: number | undefined,
    options?: ErrorOptions & { hint?: string },
  ) {
    super(`Kube${reason}`, message, options);
    this.reason = reason;
    this.status = status;
  }
}

const byStatus: Readonly<Record<number, KubeReason>> = {
  401: "Unauthorized",
  403: "Forbidden",
  404: "NotFound",
  409: "Conflict",
  410: "Expired",
  422: "Invalid",
  504: "Timeout",
};

function bodyMessage(body: unknown): string | undefined {
  if (typeof body === "string") {
    try {
      return bodyMessage(JSON.parse(body) as unknown);
    } catch {
      return undefined;
    }
  }
  if (typeof body === "object" && body !== null && "message" in body && typeof body.message === "string") {
    return body.message;
  }
  return undefined;
}

/** Converts anything a client call threw into a KubeError naming the operation and the object. */
export function toKubeError(err: unknown, op: string, what: string): KubeError {
  if (err instanceof KubeError) return err;
  if (err instanceof ApiException) {
    const status = err.code;
    let reason: KubeReason = byStatus[status] ?? "Unknown";
    const msg = bodyMessage(err.body);
    if (status === 409 && msg?.includes("already exists") === true) reason = "AlreadyExists";
    const hint =
      reason === "Forbidden" ? "check the RBAC permissions of the identity in your kubeconfig" : undefined;
    return new KubeError(reason, `${op} ${what}: ${msg ?? `HTTP ${status}`}`, status, {
      cause: err,
      ...(hint ? { hint } : {}),
    });
  }
  const code = typeof err === "object" && err !== null && "code" in err ? String(err.code) : "";
  if (["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ECONNRESET", "ETIMEDOUT"].includes(code)) {
    return new KubeError("Unreachable", `${op} ${what}: API server unreachable (${code})`, undefined, {
      cause: err,
      hint: "is the cluster running? check --kubeconfig / --context (for the sandbox: vigil sandbox status)",
    });
  }
  const m = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED|fetch failed|ENOTFOUND/.test(m)) {
    return new KubeError("Unreachable", `${op} ${what}: API server unreachable`, undefined, {
      cause: err,
      hint: "is the cluster running? check --kubeconfig / --context (for the sandbox: vigil sandbox status)",
    });
  }
  return new KubeError("Unknown", `${op} ${what}: ${m}`, undefined, { cause: err });
}
