/**
 * Real key material for the real-Apache judge, made with openssl from the parameters the program
 * hands @pulumi/tls (subject, names, allowed uses, CA flag, lifetime), so the judge tests the
 * certificates a deployment would get rather than ones described twice. `openssl ca` is used
 * because it takes exact start and end times: the provider counts validity in hours, and the
 * expired case needs an end in the past.
 *
 * Asynchronous, so a spec can make all its certificates at once: each takes two openssl
 * processes (key and request, then signing).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KeyPair } from "./local-apache";
import { openssl } from "./openssl";

/** @pulumi/tls `allowedUses` names (terraform-provider-tls common_cert.go) and their openssl spelling. */
const KEY_USAGES: Readonly<Record<string, string>> = {
    digital_signature: "digitalSignature",
    content_commitment: "nonRepudiation",
    key_encipherment: "keyEncipherment",
    data_encipherment: "dataEncipherment",
    key_agreement: "keyAgreement",
    cert_signing: "keyCertSign",
    crl_signing: "cRLSign",
    encipher_only: "encipherOnly",
    decipher_only: "decipherOnly",
};
const EXTENDED_KEY_USAGES: Readonly<Record<string, string>> = {
    server_auth: "serverAuth",
    client_auth: "clientAuth",
    code_signing: "codeSigning",
    email_protection: "emailProtection",
    timestamping: "timeStamping",
    ocsp_signing: "OCSPSigning",
};

/** What the program asks @pulumi/tls for, in its own terms. */
export interface CertificateParameters {
    /** `tls.PrivateKey` inputs. */
    readonly key: { readonly algorithm: string; readonly ecdsaCurve?: string; readonly rsaBits?: number };
    readonly subject: { readonly commonName?: string; readonly organization?: string };
    readonly dnsNames?: readonly string[];
    readonly allowedUses: readonly string[];
    readonly isCaCertificate: boolean;
    readonly validityPeriodHours: number;
    /** When the certificate starts; default: now, as the provider does. */
    readonly notBefore?: Date;
}

/** `openssl req -newkey` arguments: openssl's own key generation, for the provider's key inputs. */
function opensslKeyArguments(key: CertificateParameters["key"]): string[] {
    if (key.algorithm === "ECDSA") {
        const curve = { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[key.ecdsaCurve ?? "P224"];
        if (curve === undefined) throw new Error(`unknown ecdsaCurve ${key.ecdsaCurve}`);
        return ["-newkey", "EC", "-pkeyopt", `ec_paramgen_curve:${curve}`];
    }
    if (key.algorithm === "RSA") {
        return ["-newkey", "RSA", "-pkeyopt", `rsa_keygen_bits:${key.rsaBits ?? 2048}`];
    }
    if (key.algorithm === "ED25519") {
        return ["-newkey", "ED25519"];
    }
    throw new Error(`unknown key algorithm ${key.algorithm}`);
}

/** The X.509 extensions the provider writes for these parameters (common_cert.go, createCertificate). */
export function extensionsFor(parameters: CertificateParameters): string[] {
    const unknown = parameters.allowedUses.filter((use) => KEY_USAGES[use] === undefined && EXTENDED_KEY_USAGES[use] === undefined);
    if (unknown.length > 0) {
        throw new Error(`origin-pki: no openssl spelling for allowedUses ${unknown.join(", ")}; add it to KEY_USAGES or EXTENDED_KEY_USAGES`);
    }
    const keyUsages = parameters.allowedUses.map((use) => KEY_USAGES[use]).filter((use): use is string => use !== undefined);
    const extendedKeyUsages = parameters.allowedUses.map((use) => EXTENDED_KEY_USAGES[use]).filter((use): use is string => use !== undefined);
    return [
        `basicConstraints = critical,CA:${parameters.isCaCertificate ? "TRUE" : "FALSE"}`,
        ...(keyUsages.length > 0 ? [`keyUsage = critical,${keyUsages.join(",")}`] : []),
        ...(extendedKeyUsages.length > 0 ? [`extendedKeyUsage = ${extendedKeyUsages.join(",")}`] : []),
        ...(parameters.dnsNames && parameters.dnsNames.length > 0 ? [`subjectAltName = ${parameters.dnsNames.map((name) => `DNS:${name}`).join(",")}`] : []),
        ...(parameters.isCaCertificate ? ["subjectKeyIdentifier = hash"] : []),
    ];
}

/** openssl ca's time format, to the second, UTC. */
function opensslTime(date: Date): string {
    return `${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`;
}

function subjectArgument(subject: CertificateParameters["subject"]): string {
    const parts = [subject.organization ? `/O=${subject.organization}` : "", subject.commonName ? `/CN=${subject.commonName}` : ""].join("");
    return parts === "" ? "/" : parts;
}

let issued = 0;

/**
 * A certificate for `parameters`, signed by `issuerMade` or (without one) by its own key: the
 * openssl counterpart of `tls.LocallySignedCert` and `tls.SelfSignedCert`.
 */
export async function issueCertificate(dir: string, name: string, parameters: CertificateParameters, issuerMade?: KeyPair | Promise<KeyPair>): Promise<KeyPair> {
    const work = path.join(dir, `pki-${name}-${++issued}`);
    fs.mkdirSync(path.join(work, "new"), { recursive: true });
    const file = (suffix: string) => path.join(work, suffix);
    fs.writeFileSync(file("index.txt"), "");
    // The key and the request in one process: req -newkey generates the key as genpkey would.
    await openssl(["req", "-new", "-nodes", ...opensslKeyArguments(parameters.key), "-keyout", file("key.pem"), "-subj", subjectArgument(parameters.subject), "-out", file("request.pem")]);
    fs.writeFileSync(
        file("openssl.cnf"),
        [
            "[ ca ]",
            "default_ca = judge",
            "[ judge ]",
            `database = ${file("index.txt")}`,
            `new_certs_dir = ${file("new")}`,
            "rand_serial = yes",
            "default_md = sha256",
            "policy = any_subject",
            "unique_subject = no",
            "email_in_dn = no",
            "[ any_subject ]",
            "organizationName = optional",
            "commonName = optional",
            "[ requested ]",
            ...extensionsFor(parameters),
            "",
        ].join("\n"),
    );
    // The key and request do not need the issuer: one still being made is awaited only now.
    const issuer = await issuerMade;
    if (issuer) {
        fs.writeFileSync(file("issuer.crt"), issuer.certificate);
        fs.writeFileSync(file("issuer.key"), issuer.privateKey, { mode: 0o600 });
    }
    const notBefore = parameters.notBefore ?? new Date();
    const notAfter = new Date(notBefore.getTime() + parameters.validityPeriodHours * 3_600_000);
    await openssl(
        [
            "ca", "-batch", "-config", file("openssl.cnf"), "-extensions", "requested", "-preserveDN", "-notext",
            "-in", file("request.pem"), "-out", file("certificate.pem"),
            "-startdate", opensslTime(notBefore), "-enddate", opensslTime(notAfter),
            ...(issuer ? ["-cert", file("issuer.crt"), "-keyfile", file("issuer.key")] : ["-selfsign", "-keyfile", file("key.pem")]),
        ],
    );
    return { certificate: fs.readFileSync(file("certificate.pem"), "utf8"), privateKey: fs.readFileSync(file("key.pem"), "utf8") };
}

/** One extension of a certificate as openssl prints it (`keyUsage`, `basicConstraints`, ...), or undefined. */
export async function extensionText(certificatePem: string, extension: string): Promise<string | undefined> {
    return (await extensionTexts(certificatePem, [extension]))[extension];
}

/** Several extensions in one openssl call, by name; a missing one is absent. */
export async function extensionTexts(certificatePem: string, extensions: readonly string[]): Promise<Record<string, string | undefined>> {
    const output = await openssl(["x509", "-noout", "-ext", extensions.join(",")], certificatePem);
    // openssl prints "X509v3 Key Usage: critical" and the values indented below it.
    const headings: Record<string, string> = { keyUsage: "X509v3 Key Usage", basicConstraints: "X509v3 Basic Constraints", subjectAltName: "X509v3 Subject Alternative Name", extendedKeyUsage: "X509v3 Extended Key Usage" };
    const result: Record<string, string | undefined> = {};
    let current: string | undefined;
    for (const line of output.split("\n")) {
        if (!/^\s/.test(line)) {
            current = extensions.find((name) => line.startsWith(headings[name] ?? name));
            continue;
        }
        if (current !== undefined && line.trim() !== "") {
            result[current] = [result[current], line.trim()].filter((part) => part !== undefined).join(" ");
        }
    }
    return result;
}
