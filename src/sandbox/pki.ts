/**
 * @module
 * Certificates and keys for one sandbox: a cluster CA, the apiserver's serving cert, an admin client
 * cert (system:masters), the kwok kubelet serving cert, a front-proxy CA and client for the
 * aggregation layer (metrics-server), and the service-account signing key. ECDSA P-256 throughout.
 */
import { webcrypto, type webcrypto as WebCrypto } from "node:crypto";

type CryptoKeyPair = WebCrypto.CryptoKeyPair;
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

export interface SandboxPki {
  readonly ca: PemPair;
  readonly apiserver: PemPair;
  readonly admin: PemPair;
  readonly kubelet: PemPair;
  readonly frontProxyCa: PemPair;
  readonly frontProxyClient: PemPair;
  readonly serviceAccount: { readonly publicKey: string; readonly privateKey: string };
}

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const day = 24 * 60 * 60 * 1000;

interface Issued {
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

function pem(label: string, der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, label) + "\n";
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  return pem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");
}

async function newKeys(): Promise<CryptoKeyPair> {
  return await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"]);
}

async function selfSignedCa(cn: string, now: Date): Promise<Issued> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${cn}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3650 * day),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

interface LeafSpec {
  readonly subject: string;
  readonly server: boolean;
  readonly client: boolean;
  readonly dns?: readonly string[];
  readonly ips?: readonly string[];
}

async function leaf(ca: Issued, spec: LeafSpec, now: Date): Promise<PemPair> {
  const keys = await newKeys();
  const usages: string[] = [];
  if (spec.server) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (spec.client) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  const names = [
    ...(spec.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: "ip" as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: spec.subject,
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3650 * day),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: alg,
    extensions,
  });
  return { cert: cert.toString("pem") + "\n", key: await keyPem(keys) };
}

/** Generates a fresh PKI for one sandbox. */
export async function generatePki(now: Date): Promise<SandboxPki> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const ca = await selfSignedCa("vigil-sandbox-ca", now);
  const fp = await selfSignedCa("vigil-sandbox-front-proxy-ca", now);
  const loopback = {
    dns: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"],
    ips: ["127.0.0.1", "10.0.0.1"],
  };
  const [apiserver, admin, kubelet, frontProxyClient] = await Promise.all([
    leaf(ca, { subject: "CN=kube-apiserver", server: true, client: true, ...loopback }, now),
    leaf(ca, { subject: "CN=vigil-admin, O=system:masters", server: false, client: true }, now),
    leaf(
      ca,
      { subject: "CN=kwok-kubelet", server: true, client: false, dns: ["localhost"], ips: ["127.0.0.1"] },
      now,
    ),
    leaf(fp, { subject: "CN=front-proxy-client", server: false, client: true }, now),
  ]);
  const sa = await newKeys();
  return {
    ca: { cert: ca.cert.toString("pem") + "\n", key: await keyPem(ca.keys) },
    apiserver,
    admin,
    kubelet,
    frontProxyCa: { cert: fp.cert.toString("pem") + "\n", key: await keyPem(fp.keys) },
    frontProxyClient,
    serviceAccount: {
      publicKey: pem("PUBLIC KEY", await webcrypto.subtle.exportKey("spki", sa.publicKey)),
      privateKey: await keyPem(sa),
    },
  };
}
