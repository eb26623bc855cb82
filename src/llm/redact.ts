/**
 * Redaction: everything bound for a provider passes through one Redactor. Secret values, tokens,
 * passwords, API keys, private keys, bearer credentials, credentials in URLs and (configurable) e-mails
 * and IPs become placeholders such as `[REDACTED-TOKEN-3]`. The same value always gets the same
 * placeholder within a session, so the model can still reason about it, and `restore` puts the originals
 * back into the answer shown locally. Pure: no IO, no clock.
 */
import type { RedactionConfig } from "./config.js";

export type RedactionKind =
  "SECRET" | "TOKEN" | "PASSWORD" | "KEY" | "PRIVATEKEY" | "CREDENTIAL" | "EMAIL" | "IP" | "CUSTOM";

export interface Redactor {
  /** Masks a string. */
  text(s: string): string;
  /** Masks a JSON-like value deeply: sensitive keys, env-var pairs, Secret data, then every string. */
  value(v: unknown): unknown;
  /** Registers values known to be secret (e.g. a Secret's data); they are masked wherever they appear. */
  learn(values: Iterable<string>): void;
  /** Puts the original values back (for local display only). */
  restore(s: string): string;
  /** How many distinct values are masked so far. */
  readonly size: number;
}

/** Learned values shorter than this are not matched as substrings (too many false hits). */
export const MIN_LEARNED_LENGTH = 6;

const PLACEHOLDER = /\[REDACTED-[A-Z]+-\d+\]/g;
const NOT_MASKED = String.raw`(?!\[REDACTED-)`;

/** Keys whose values are secret. Keys naming a reference (`secretName`, `secretKeyRef`, …) are not. */
const SENSITIVE_KEY =
  /(passw(or)?d|passwd|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credential|authorization|auth[-_]?token|session[-_]?id|cookie|signature|dsn|connection[-_]?string)/i;
const REFERENCE_KEY = /(name|ref|keyref|file|path|mount|volume|count|seconds|ttl|type|kind|length|expir)s?$/i;

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !REFERENCE_KEY.test(key);
}

interface Rule {
  readonly kind: RedactionKind;
  readonly re: RegExp;
  /** Index of the capture group to mask; 0 masks the whole match. */
  readonly group: number;
  /** Capture group holding a key name: a reference key (`secretName: x`) is left alone. */
  readonly keyGroup?: number;
}

const BASE_RULES: readonly Rule[] = [
  {
    kind: "PRIVATEKEY",
    re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g,
    group: 0,
  },
  // A line that is nothing but a long base64 run: key material, a certificate body, a token.
  { kind: "KEY", re: /^[A-Za-z0-9+/]{40,}={0,2}$/gm, group: 0 },
  // Authorization header values: `Bearer x`, `Basic x`, `Token x`.
  {
    kind: "TOKEN",
    re: new RegExp(String.raw`\b(?:Bearer|Basic|Token)\s+${NOT_MASKED}([A-Za-z0-9\-._~+/]{8,}=*)`, "gi"),
    group: 1,
  },
  // JSON Web Tokens.
  { kind: "TOKEN", re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g, group: 0 },
  // Well-known key formats: AWS, GitHub, GitLab, OpenAI/Anthropic, Slack, Google, Stripe.
  {
    kind: "KEY",
    re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}|\bglpat-[A-Za-z0-9_-]{20,}|\bsk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}|\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}/g,
    group: 0,
  },
  // Credentials in URLs: scheme://user:PASSWORD@host.
  {
    kind: "CREDENTIAL",
    re: new RegExp(String.raw`\b[a-z][a-z0-9+.-]*://[^\s:@/'"]+:${NOT_MASKED}([^\s@/'"]+)@`, "gi"),
    group: 1,
  },
  // key=value and key: value, in logs, env dumps, JSON and YAML text.
  {
    kind: "PASSWORD",
    re: new RegExp(
      String.raw`([\w.-]*(?:passw(?:or)?d|passwd|pwd|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|client[-_]?secret|credentials?|auth[-_]?token)[\w.-]*)(["']?\s*[:=]\s*["']?)${NOT_MASKED}([^\s"',;&}\]]{3,})`,
      "gi",
    ),
    group: 3,
    keyGroup: 1,
  },
];

const EMAIL_RULE: Rule = {
  kind: "EMAIL",
  re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
  group: 0,
};
const IPV4_RULE: Rule = {
  kind: "IP",
  re: /\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b/g,
  group: 0,
};
const IPV6_RULE: Rule = {
  kind: "IP",
  re: /\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}:?){1,6}\b/gi,
  group: 0,
};

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function createRedactor(cfg: RedactionConfig): Redactor {
  const byValue = new Map<string, string>();
  const byPlaceholder = new Map<string, string>();
  const counters = new Map<RedactionKind, number>();
  const learned = new Set<string>();
  let learnedRe: RegExp | undefined;
  const rules: Rule[] = [...BASE_RULES];
  if (cfg.emails) rules.push(EMAIL_RULE);
  if (cfg.ips) rules.push(IPV4_RULE, IPV6_RULE);
  for (const p of cfg.patterns) rules.push({ kind: "CUSTOM", re: new RegExp(p, "g"), group: 0 });

  const placeholder = (kind: RedactionKind, value: string): string => {
    const known = byValue.get(value);
    if (known !== undefined) return known;
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    const ph = `[REDACTED-${kind}-${n}]`;
    byValue.set(value, ph);
    byPlaceholder.set(ph, value);
    return ph;
  };

  const applyRule = (s: string, r: Rule): string =>
    s.replace(r.re, (...m: unknown[]) => {
      const whole = m[0] as string;
      if (r.group === 0) return whole.startsWith("[REDACTED-") ? whole : placeholder(r.kind, whole);
      const target = m[r.group] as string | undefined;
      const key = r.keyGroup !== undefined ? (m[r.keyGroup] as string | undefined) : undefined;
      if (key !== undefined && REFERENCE_KEY.test(key)) return whole;
      if (target === undefined || target === "") return whole;
      // Replace the last occurrence of the group within the match (the value sits at the end).
      const at = whole.lastIndexOf(target);
      return whole.slice(0, at) + placeholder(r.kind, target) + whole.slice(at + target.length);
    });

  const text = (s: string): string => {
    let out = s;
    if (learnedRe !== undefined) out = out.replace(learnedRe, (v) => placeholder("SECRET", v));
    for (const r of rules) out = applyRule(out, r);
    return out;
  };

  const maskWhole = (kind: RedactionKind, v: unknown): unknown => {
    if (typeof v === "string") return v === "" || v.startsWith("[REDACTED-") ? v : placeholder(kind, v);
    if (typeof v === "number" || typeof v === "boolean") return placeholder(kind, String(v));
    if (Array.isArray(v)) return v.map((x) => maskWhole(kind, x));
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskWhole(kind, x)]));
    }
    return v;
  };

  const value = (v: unknown): unknown => {
    if (typeof v === "string") return text(v);
    if (Array.isArray(v)) {
      // Lines of one text (log lines): mask them together, so a block that spans lines (a PEM key) is caught.
      if (v.length > 1 && v.every((x) => typeof x === "string")) return text(v.join("\n")).split("\n");
      return v.map(value);
    }
    if (typeof v !== "object" || v === null) return v;
    const o = v as Record<string, unknown>;
    const isSecret = o["kind"] === "Secret";
    // An env var or a name/value pair whose name says it is secret.
    const pairName =
      typeof o["name"] === "string" ? o["name"] : typeof o["key"] === "string" ? o["key"] : undefined;
    const pairSecret = pairName !== undefined && isSensitiveKey(pairName);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      if (isSecret && (k === "data" || k === "stringData")) out[k] = maskWhole("SECRET", x);
      else if (pairSecret && k === "value" && typeof x !== "object") out[k] = maskWhole("SECRET", x);
      else if (isSensitiveKey(k) && (typeof x === "string" || typeof x === "number"))
        out[k] = maskWhole("SECRET", x);
      else out[k] = value(x);
    }
    return out;
  };

  return {
    text,
    value,
    learn(values: Iterable<string>) {
      let changed = false;
      for (const v of values) {
        if (v.length >= MIN_LEARNED_LENGTH && !learned.has(v)) {
          learned.add(v);
          changed = true;
        }
      }
      if (changed) {
        const sorted = [...learned].sort((a, b) => b.length - a.length).map(escapeRe);
        learnedRe = new RegExp(sorted.join("|"), "g");
      }
    },
    restore(s: string): string {
      return s.replace(PLACEHOLDER, (ph) => byPlaceholder.get(ph) ?? ph);
    },
    get size() {
      return byValue.size;
    },
  };
}

/** The values of a Secret's `data` (base64, both encoded and decoded) and `stringData`, for `learn`. */
export function secretValues(secret: {
  readonly data?: Readonly<Record<string, string>> | undefined;
  readonly stringData?: Readonly<Record<string, string>> | undefined;
}): string[] {
  const out: string[] = [];
  for (const b64 of Object.values(secret.data ?? {})) {
    out.push(b64);
    const decoded = Buffer.from(b64, "base64").toString("utf8");
    // Multi-line values (certificates, config files): each non-trivial line as well.
    out.push(decoded.trim());
    for (const line of decoded.split("\n"))
      if (line.trim().length >= MIN_LEARNED_LENGTH) out.push(line.trim());
  }
  for (const v of Object.values(secret.stringData ?? {})) out.push(v.trim());
  return out;
}
