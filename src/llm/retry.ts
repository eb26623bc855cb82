/**
 * Retries with jittered exponential backoff on 408/409/429/5xx and network errors, honouring
 * `retry-after`. Vigil owns retries: the SDKs are built with `maxRetries: 0`, so every provider behaves
 * the same. Sleep and randomness are ports so tests run without waiting.
 */
import { VigilError } from "../model/index.js";
import type { ChatRequest, ChatResponse, Provider } from "./types.js";

export class LlmError extends VigilError {
  /** HTTP status when the provider answered; undefined for network errors and timeouts. */
  readonly status: number | undefined;
  readonly retryable: boolean;
  constructor(
    code: string,
    message: string,
    status: number | undefined,
    retryable: boolean,
    options?: ErrorOptions & { hint?: string },
  ) {
    super(code, message, options);
    this.status = status;
    this.retryable = retryable;
  }
}

export interface RetryPolicy {
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1). */
  readonly random: () => number;
}

const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);

function prop(err: unknown, key: string): unknown {
  return typeof err === "object" && err !== null && key in err
    ? (err as Record<string, unknown>)[key]
    : undefined;
}

function retryAfterMs(err: unknown): number | undefined {
  const headers = prop(err, "headers");
  let v: string | null | undefined;
  if (headers instanceof Headers) v = headers.get("retry-after");
  else if (typeof headers === "object" && headers !== null) {
    const h = (headers as Record<string, unknown>)["retry-after"];
    v = typeof h === "string" ? h : undefined;
  }
  if (v === undefined || v === null) return undefined;
  const s = Number(v);
  return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
}

/**
 * Classifies anything an SDK threw. SDK messages may embed request bodies, so only the status and the
 * error's class name are kept in the message; the original stays in `cause` (never logged).
 */
export function toLlmError(err: unknown, providerId: string): LlmError {
  if (err instanceof LlmError) return err;
  const name = err instanceof Error ? err.name : "";
  if (name === "AbortError" || name === "APIUserAbortError") {
    return new LlmError("Interrupted", `${providerId}: request aborted`, undefined, false, { cause: err });
  }
  const rawStatus = prop(err, "status") ?? prop(err, "code");
  const status = typeof rawStatus === "number" && rawStatus >= 100 && rawStatus < 600 ? rawStatus : undefined;
  if (status !== undefined) {
    const hint =
      status === 401 || status === 403
        ? "check the provider's API key"
        : status === 404
          ? "check the model name and the base URL"
          : undefined;
    return new LlmError("LlmHttp", `${providerId}: HTTP ${status}`, status, RETRYABLE_STATUS.has(status), {
      cause: err,
      ...(hint !== undefined ? { hint } : {}),
    });
  }
  const timeout =
    name === "APIConnectionTimeoutError" || name === "TimeoutError" || /timed? ?out/i.test(name);
  return new LlmError(
    timeout ? "LlmTimeout" : "LlmUnreachable",
    `${providerId}: ${timeout ? "request timed out" : "provider unreachable"}`,
    undefined,
    true,
    { cause: err, hint: "check VIGIL_LLM_BASE_URL and the network" },
  );
}

/** Backoff before retry `attempt` (1-based): base × 2^(attempt-1), capped, with full jitter in [½, 1]. */
export function backoffMs(
  attempt: number,
  p: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">,
): number {
  const exp = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exp * (0.5 + 0.5 * p.random()));
}

/** Wraps a provider so that each chat call is retried per the policy. Aborts are never retried. */
export function withRetries(inner: Provider, policy: RetryPolicy): Provider {
  return {
    id: inner.id,
    async chat(req: ChatRequest): Promise<ChatResponse> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await inner.chat(req);
        } catch (err) {
          const e = toLlmError(err, inner.id);
          if (req.signal.aborted || !e.retryable || attempt >= policy.retries) throw e;
          const wait = Math.min(policy.maxDelayMs, retryAfterMs(err) ?? backoffMs(attempt + 1, policy));
          await policy.sleep(wait, req.signal);
        }
      }
    },
  };
}
