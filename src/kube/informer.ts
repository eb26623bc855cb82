/**
 * @module
 * The one wrapper around client-node's watch: list (paged) then watch with bookmarks, keep a slim cache,
 * and tell a handler which keys changed. It restarts after any error with jittered exponential backoff,
 * relists on 410 Gone and when nothing (no event, no bookmark) arrived for `staleAfterMs`, and treats
 * resourceVersion as an opaque string. Handlers are synchronous and must not throw; a throwing handler
 * is caught and counted.
 */
import { Watch, type KubeConfig } from "@kubernetes/client-node";
import { expectOk, rawRequest } from "./raw.js";

export type ObjectJson = Record<string, unknown> & {
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
  };
};

export interface InformerStats {
  events: number;
  relists: number;
  restarts: number;
  handlerErrors: number;
  malformed: number;
  lastEventAt: number | undefined;
}

export interface InformerOptions {
  /** Collection path, e.g. `/api/v1/pods` or `/apis/apps/v1/namespaces/shop/deployments`. */
  readonly path: string;
  readonly labelSelector?: string | undefined;
  readonly pageSize?: number;
  /** Relist when neither an event nor a bookmark arrived for this long. */
  readonly staleAfterMs?: number;
  /** Called with the key (`ns/name` or `name`) of every object that changed; `undefined` when deleted. */
  readonly onChange: (key: string, obj: ObjectJson | undefined) => void;
  /** Called once after each complete list (the cache is in sync). */
  readonly onSynced?: () => void;
  /** Log hook for restarts (constant message + fields). */
  readonly onRestart?: (fields: { path: string; reason: string; delayMs: number }) => void;
  /** Slims an object before it is cached; the default drops managedFields and the last-applied annotation. */
  readonly transform?: (obj: ObjectJson) => ObjectJson;
}

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

export function slim(obj: ObjectJson): ObjectJson {
  const meta = obj.metadata as
    (Record<string, unknown> & { annotations?: Record<string, string> }) | undefined;
  if (meta === undefined) return obj;
  const rest: Record<string, unknown> & { annotations?: Record<string, string> } = { ...meta };
  delete rest["managedFields"];
  if (rest.annotations?.[LAST_APPLIED] !== undefined) {
    rest.annotations = Object.fromEntries(
      Object.entries(rest.annotations).filter(([k]) => k !== LAST_APPLIED),
    );
  }
  return { ...obj, metadata: rest };
}

export function keyOf(obj: ObjectJson): string {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? "";
  return ns !== undefined && ns !== "" ? `${ns}/${name}` : name;
}

class Expired extends Error {}

export class Informer {
  readonly stats: InformerStats = {
    events: 0,
    relists: 0,
    restarts: 0,
    handlerErrors: 0,
    malformed: 0,
    lastEventAt: undefined,
  };
  readonly #kc: KubeConfig;
  readonly #opts: InformerOptions;
  readonly #cache = new Map<string, ObjectJson>();
  #synced = false;

  constructor(kc: KubeConfig, opts: InformerOptions) {
    this.#kc = kc;
    this.#opts = opts;
  }

  get synced(): boolean {
    return this.#synced;
  }

  get(key: string): ObjectJson | undefined {
    return this.#cache.get(key);
  }

  list(): ObjectJson[] {
    return [...this.#cache.values()];
  }

  get size(): number {
    return this.#cache.size;
  }

  #emit(key: string, obj: ObjectJson | undefined): void {
    try {
      this.#opts.onChange(key, obj);
    } catch {
      this.stats.handlerErrors++;
    }
  }

  async #listAll(signal: AbortSignal): Promise<string> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let rv = "";
    do {
      const q = new URLSearchParams({ limit: String(this.#opts.pageSize ?? 500) });
      if (cont !== undefined) q.set("continue", cont);
      if (this.#opts.labelSelector !== undefined) q.set("labelSelector", this.#opts.labelSelector);
      const res = await rawRequest(this.#kc, "GET", `${this.#opts.path}?${q.toString()}`, { signal });
      if (res.status === 410) throw new Expired("list continue token expired");
      const body = expectOk(res, "list", this.#opts.path) as {
        items?: ObjectJson[];
        metadata?: { continue?: string; resourceVersion?: string };
      };
      for (const raw of body.items ?? []) {
        const obj = (this.#opts.transform ?? slim)(raw);
        const key = keyOf(obj);
        seen.add(key);
        const old = this.#cache.get(key);
        this.#cache.set(key, obj);
        if (old?.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.#emit(key, obj);
      }
      cont =
        body.metadata?.continue !== undefined && body.metadata.continue !== ""
          ? body.metadata.continue
          : undefined;
      rv = body.metadata?.resourceVersion ?? rv;
    } while (cont !== undefined);
    for (const key of [...this.#cache.keys()]) {
      if (!seen.has(key)) {
        this.#cache.delete(key);
        this.#emit(key, undefined);
      }
    }
    this.stats.relists++;
    this.#synced = true;
    try {
      this.#opts.onSynced?.();
    } catch {
      this.stats.handlerErrors++;
    }
    return rv;
  }

  /** One watch from `rv` until it ends; resolves with the last resourceVersion, rejects Expired on 410. */
  async #watch(rv: string, signal: AbortSignal): Promise<string> {
    const staleAfter = this.#opts.staleAfterMs ?? 5 * 60_000;
    let last = rv;
    let lastActivity = performance.now();
    const w = new Watch(this.#kc);
    return new Promise<string>((resolve, reject) => {
      let ctrl: AbortController | undefined;
      let settled = false;
      const finish = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        signal.removeEventListener("abort", onAbort);
        ctrl?.abort();
        // client-node ends an idle watch after 30 s without data: a normal end, resumed from `last`.
        const idle = typeof err === "object" && err !== null && "name" in err && err.name === "TimeoutError";
        if (err instanceof Expired) reject(err);
        else if (idle) resolve(last);
        else if (err !== undefined && err !== null && !signal.aborted)
          reject(err instanceof Error ? err : new Error("watch ended with a non-Error value"));
        else resolve(last);
      };
      const onAbort = () => {
        finish(undefined);
      };
      signal.addEventListener("abort", onAbort);
      const timer = setInterval(
        () => {
          if (performance.now() - lastActivity > staleAfter)
            finish(new Expired("no event or bookmark: relisting"));
        },
        Math.min(staleAfter, 10_000),
      );
      const q: Record<string, string | boolean | number> = {
        allowWatchBookmarks: true,
        resourceVersion: rv,
        timeoutSeconds: 300,
      };
      if (this.#opts.labelSelector !== undefined) q["labelSelector"] = this.#opts.labelSelector;
      w.watch(
        this.#opts.path,
        q,
        (phase: string, apiObj: unknown) => {
          lastActivity = performance.now();
          if (typeof apiObj !== "object" || apiObj === null) {
            this.stats.malformed++;
            return;
          }
          const obj = apiObj as ObjectJson & { code?: number };
          if (phase === "ERROR") {
            finish(
              obj.code === 410
                ? new Expired("watch expired (410 Gone)")
                : new Error(`watch error ${String(obj.code)}`),
            );
            return;
          }
          const objRv = obj.metadata?.resourceVersion;
          if (objRv !== undefined) last = objRv;
          if (phase === "BOOKMARK") return;
          this.stats.events++;
          this.stats.lastEventAt = Date.now();
          const slimmed = (this.#opts.transform ?? slim)(obj);
          const key = keyOf(slimmed);
          if (phase === "DELETED") {
            this.#cache.delete(key);
            this.#emit(key, undefined);
          } else if (phase === "ADDED" || phase === "MODIFIED") {
            this.#cache.set(key, slimmed);
            this.#emit(key, slimmed);
          } else {
            this.stats.malformed++;
          }
        },
        (err: unknown) => {
          finish(err);
        },
      )
        .then((c) => {
          ctrl = c;
          if (settled) c.abort();
        })
        .catch((err: unknown) => {
          finish(err);
        });
    });
  }

  /** Lists, then watches until `signal` aborts; restarts with backoff after any failure. */
  async run(signal: AbortSignal): Promise<void> {
    let rv: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      try {
        rv ??= await this.#listAll(signal);
        rv = await this.#watch(rv, signal);
        failures = 0; // a watch that ended normally (server timeout) resumes from the last version
      } catch (err) {
        if (isAborted(signal)) break;
        const expired = err instanceof Expired;
        if (expired) rv = undefined;
        failures = expired ? 0 : failures + 1;
        this.stats.restarts++;
        const base = expired ? 0 : Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
        const delayMs = base === 0 ? 0 : Math.round(base * (0.5 + Math.random() / 2));
        this.#opts.onRestart?.({
          path: this.#opts.path,
          reason: err instanceof Error ? err.message : String(err),
          delayMs,
        });
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs)).catch(() => undefined);
      }
    }
  }
}

/** Read through a call so the type checker does not narrow an AbortSignal's state across awaits. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
