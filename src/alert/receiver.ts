/**
 * Alertmanager webhook receiver: an HTTP endpoint that accepts Alertmanager's webhook payload (a
 * `webhook_configs` URL) and hands the alerts to the caller as signals, so Prometheus alerts join Vigil's
 * incidents. Bodies are capped; an invalid payload is answered 400 and counted, never thrown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type AlertSignal, parseAlertmanagerWebhook } from "../incident/index.js";
import type { Clock } from "../model/index.js";
import { VigilError } from "../model/index.js";

export interface ReceiverOptions {
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly path?: string;
  readonly maxBytes?: number;
  readonly clock: Clock;
  /** Called once per accepted payload; must not throw. */
  readonly onSignals: (signals: readonly AlertSignal[]) => void;
  /** Called with a short reason for each rejected request (constant text, no body). */
  readonly onReject?: (fields: { status: number; reason: string }) => void;
}

export interface ReceiverStats {
  accepted: number;
  alerts: number;
  rejected: number;
}

export interface AlertReceiver {
  readonly url: string;
  readonly stats: ReceiverStats;
  close(): Promise<void>;
}

class TooLarge extends Error {}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        // Stop keeping data; the handler answers 413 and closes the connection.
        req.off("data", onData);
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on("data", onData);
    req.on("end", () => {
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

export async function startAlertReceiver(opts: ReceiverOptions, signal: AbortSignal): Promise<AlertReceiver> {
  const path = opts.path ?? "/alertmanager";
  const max = opts.maxBytes ?? 1024 * 1024;
  const stats: ReceiverStats = { accepted: 0, alerts: 0, rejected: 0 };
  const reject = (res: ServerResponse, status: number, reason: string) => {
    stats.rejected++;
    opts.onReject?.({ status, reason });
    reply(res, status, { error: reason });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz") {
      reply(res, 200, { ok: true });
      return;
    }
    if (url.pathname !== path) {
      reject(res, 404, "not found");
      return;
    }
    if (req.method !== "POST") {
      reject(res, 405, "POST only");
      return;
    }
    let text: string;
    try {
      text = await readBody(req, max);
    } catch (err) {
      if (err instanceof TooLarge) {
        res.setHeader("Connection", "close");
        res.on("finish", () => req.destroy());
        reject(res, 413, "body too large");
      } else reject(res, 400, "could not read the body");
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      reject(res, 400, "body is not JSON");
      return;
    }
    const parsed = parseAlertmanagerWebhook(json, opts.clock.now());
    if (parsed.kind === "invalid") {
      reject(res, 400, "not an Alertmanager webhook payload");
      return;
    }
    stats.accepted++;
    stats.alerts += parsed.signals.length;
    try {
      opts.onSignals(parsed.signals);
    } catch {
      // the handler must not throw; a throwing one loses this payload only
    }
    reply(res, 200, { accepted: parsed.signals.length });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, { error: "internal error" });
    });
  });
  await new Promise<void>((resolve, rejectListen) => {
    server.once("error", (err) => {
      rejectListen(
        new VigilError(
          "ReceiverPortBusy",
          `cannot listen on ${opts.host ?? "127.0.0.1"}:${String(opts.port)}`,
          {
            cause: err,
          },
        ),
      );
    });
    server.listen(opts.port, opts.host ?? "127.0.0.1", resolve);
  });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    });
  signal.addEventListener("abort", () => void close(), { once: true });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return { url: `http://${host}:${String(addr.port)}${path}`, stats, close };
}
