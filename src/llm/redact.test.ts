import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { capText } from "./cap.js";
import { createRedactor, isSensitiveKey, secretValues } from "./redact.js";

const r0 = () => createRedactor({ emails: true, ips: true, patterns: ["ACME-\\d{6}"] });

describe("redactor", () => {
  it.each([
    ["Authorization: Bearer abcdefghijklmnop123", "abcdefghijklmnop123"],
    ["password=hunter2hunter2", "hunter2hunter2"],
    ['{"client_secret": "s3cr3t-value"}', "s3cr3t-value"],
    ["DB_PASSWORD: swordfish99", "swordfish99"],
    ["redis://default:topsecretpw@redis:6379/0", "topsecretpw"],
    ["key AKIAIOSFODNN7EXAMPLE loaded", "AKIAIOSFODNN7EXAMPLE"],
    ["token ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_0123456789abcdefghijABCDEFGHIJ012345"],
    ["OPENAI sk-proj-abcdefghijklmnopqrstuvwxyz", "sk-proj-abcdefghijklmnopqrstuvwxyz"],
    [
      "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    ],
    [
      "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7\n-----END PRIVATE KEY-----",
      "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7",
    ],
    ["mail alice@example.org now", "alice@example.org"],
    ["from 192.168.10.20:443", "192.168.10.20"],
    ["from fe80:0:0:0:200:f8ff:fe21:67cf", "fe80:0:0:0:200:f8ff:fe21:67cf"],
    ["ticket ACME-123456", "ACME-123456"],
  ])("masks %j", (input, secret) => {
    const r = r0();
    const out = r.text(input);
    expect(out).not.toContain(secret);
    expect(out).toMatch(/\[REDACTED-[A-Z]+-\d+\]/);
    expect(r.restore(out)).toBe(input);
  });

  it("keeps useful non-secrets", () => {
    const r = createRedactor({ emails: false, ips: false, patterns: [] });
    for (const s of [
      'configmap "app-config" not found',
      "Back-off restarting failed container app in pod checkout-7d9f-abcde_shop",
      "secretName: db-creds",
      "tokens used: 1532",
      "exit code 137 OOMKilled",
      "image registry.invalid/shop:does-not-exist",
      "mail alice@example.org from 10.0.0.1",
    ]) {
      expect(r.text(s)).toBe(s);
    }
  });

  it("same value, same placeholder; different values, different placeholders", () => {
    const r = r0();
    const a = r.text("password=aaaaaaa1 then password=aaaaaaa1 and password=bbbbbbb2");
    expect(a).toBe(
      "password=[REDACTED-PASSWORD-1] then password=[REDACTED-PASSWORD-1] and password=[REDACTED-PASSWORD-2]",
    );
  });

  it("masks structured values: sensitive keys, env pairs, Secret data; leaves references", () => {
    const r = r0();
    const v = r.value({
      kind: "Secret",
      data: { a: "c2VjcmV0LXZhbHVl" },
      spec: {
        env: [
          { name: "API_TOKEN", value: "plain-token-value" },
          { name: "LOG_LEVEL", value: "debug" },
          { name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        ],
        apiKey: "zzzzzzzz",
        secretName: "db-creds",
      },
    });
    const s = JSON.stringify(v);
    for (const x of ["c2VjcmV0LXZhbHVl", "plain-token-value", "zzzzzzzz"]) expect(s).not.toContain(x);
    for (const x of ["debug", "db-creds", '"key":"password"']) expect(s).toContain(x);
  });

  it("learns Secret values and masks them anywhere, decoded or encoded", () => {
    const r = r0();
    const secret = {
      data: {
        note: Buffer.from("opaque-value-42").toString("base64"),
        cert: Buffer.from("line-one-xyz\nline-two-xyz").toString("base64"),
      },
    };
    r.learn(secretValues(secret));
    const out = r.text(`echo opaque-value-42 ${secret.data.note} line-two-xyz`);
    expect(out).not.toMatch(/opaque-value-42|line-two-xyz/);
    expect(out).not.toContain(secret.data.note);
  });

  it("sensitive key names", () => {
    expect(
      ["password", "DB_PASSWORD", "clientSecret", "api-key", "AUTH_TOKEN", "authorization"].every(
        isSensitiveKey,
      ),
    ).toBe(true);
    expect(
      ["secretName", "secretKeyRef", "tokenExpirationSeconds", "passwordFile", "name"].some(isSensitiveKey),
    ).toBe(false);
  });

  it("property: a password in key=value text never survives", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9!#$%*+\-.:?@^_~]{6,40}$/),
        fc.constantFrom("password", "passwd", "DB_PASSWORD", "api_key", "secret", "token", "client-secret"),
        fc.constantFrom("=", ": ", '="', ":'"),
        fc.string({ maxLength: 30 }).filter((s) => !/[\n]/.test(s)),
        (secret, key, sep, prefix) => {
          const r = createRedactor({ emails: false, ips: false, patterns: [] });
          const out = r.text(`${prefix} ${key}${sep}${secret} trailing`);
          return !out.includes(secret) && r.restore(out) === `${prefix} ${key}${sep}${secret} trailing`;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: a learned secret never survives in any surrounding text", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 30 }), fc.string(), fc.string(), (secret, a, b) => {
        const r = createRedactor({ emails: false, ips: false, patterns: [] });
        r.learn([secret]);
        return !r.text(a + secret + b).includes(secret);
      }),
      { numRuns: 300 },
    );
  });
});

describe("capText", () => {
  it("keeps short text and cuts long text on a character boundary with a hint", () => {
    expect(capText("short", 100, "h")).toBe("short");
    const out = capText("é".repeat(1000), 200, "narrow it");
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(200);
    expect(out).toContain("narrow it");
    expect(out).not.toContain("\uFFFD");
  });
});
