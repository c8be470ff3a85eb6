/**
 * A client that calls the origin the way API Gateway calls an HTTPS backend of an HTTP or
 * HTTP_PROXY integration with `tlsConfig.insecureSkipVerification` (what this project's
 * integrations set), as AWS documents it:
 *
 * - API_TlsConfig (https://docs.aws.amazon.com/apigateway/latest/api/API_TlsConfig.html): the
 *   setting skips only the check that a supported (public) CA issued the certificate; API
 *   Gateway "still performs basic certificate validation": the certificate's expiration date,
 *   its hostname, and the presence of a root certificate authority.
 * - x-amazon-apigateway-integration.tlsConfig
 *   (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-extensions-integration-tls-config.html):
 *   the private root must have keyUsage keyCertSign and basicConstraints CA:TRUE.
 *
 * So the judge trusts the root the server presents (no public CA is asked for), checks that root
 * explicitly, and lets Node's own verification (OpenSSL's chain and date checks, then Node's
 * default `checkServerIdentity`) judge the rest against the integration URI's host, which it
 * sends as SNI and Host as an HTTPS client does. It connects to 127.0.0.1, where the local
 * apache2 listens, and presents API Gateway's client certificate. `scratch` holds the client
 * key files openssl reads.
 */
import { X509Certificate, createHash } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import * as tls from "node:tls";
import type { KeyPair } from "./local-apache";
import { OpensslError, openssl } from "./openssl";
import { extensionTexts } from "./origin-pki";

export type Outcome =
    | { readonly status: number; readonly body: string; readonly chain: readonly X509Certificate[] }
    | { readonly error: string; readonly chain?: readonly X509Certificate[] };

export interface Call {
    /** The host of the integration URI: SNI, Host header and the name the certificate must carry. */
    readonly integrationHost: string;
    readonly client?: KeyPair;
    readonly path?: string;
    readonly method?: string;
    readonly body?: string;
}

/** A chain as the server sent it, with what the judge reads from its root. */
export interface PresentedChain {
    readonly chain: readonly X509Certificate[];
    /** Why s_client failed, when it did (a refused caller, a timeout). */
    readonly failure?: string;
    /** The root's (last certificate's) extensions as openssl prints them. */
    readonly rootExtensions: Readonly<Record<string, string | undefined>>;
}

/**
 * The certificates the server sends, in the order it sends them (`openssl s_client -showcerts`).
 * Node's `getPeerCertificate(true)` is no substitute: it links issuers with OpenSSL's
 * X509_check_issued, which already drops a root without keyCertSign, so a judge reading it could
 * not say why a chain fails.
 */
async function presentedChain(port: number, call: Call, dir: string, rootExtensionsOf: (rootPem: string) => Promise<PresentedChain["rootExtensions"]>): Promise<PresentedChain> {
    const clientArguments: string[] = [];
    if (call.client) {
        const certificateFile = path.join(dir, `client-${createHash("sha256").update(call.client.certificate).digest("hex").slice(0, 12)}`);
        // Written once, each file whole (renamed into place): another s_client may be reading it.
        for (const [file, content, mode] of [[`${certificateFile}.crt`, call.client.certificate, 0o644], [`${certificateFile}.key`, call.client.privateKey, 0o600]] as const) {
            if (!fs.existsSync(file)) {
                fs.writeFileSync(`${file}.partial`, content, { mode });
                fs.renameSync(`${file}.partial`, file);
            }
        }
        clientArguments.push("-cert", `${certificateFile}.crt`, "-key", `${certificateFile}.key`);
    }
    // s_client exits non-zero when the server then refuses the caller; what it printed still stands.
    let failure: string | undefined;
    const stdout = await openssl(["s_client", "-connect", `127.0.0.1:${port}`, "-servername", call.integrationHost, "-showcerts", ...clientArguments], "", 5_000).catch((error: unknown) => {
        if (!(error instanceof OpensslError)) throw error;
        failure = error.message;
        return error.stdout;
    });
    const pems = stdout.match(/-----BEGIN CERTIFICATE-----\n[\s\S]*?\n-----END CERTIFICATE-----/g) ?? [];
    const chain = pems.map((pem) => new X509Certificate(pem));
    // Read from the extensions themselves: Node's `ca` is OpenSSL's X509_check_ca, which also wants keyCertSign.
    const rootExtensions = chain.length === 0 ? {} : await rootExtensionsOf(chain[chain.length - 1].toString());
    return { chain, rootExtensions, failure };
}

/** What API Gateway would object to in a presented chain, in words; empty when nothing. */
export function judgeChain({ chain, rootExtensions }: PresentedChain, integrationHost: string, now = new Date()): string[] {
    if (chain.length === 0) return ["no certificate presented"];
    const problems: string[] = [];
    const root = chain[chain.length - 1];
    // Names and signatures only: OpenSSL's checkIssued also wants keyCertSign, checked on its own below.
    const signedBy = (certificate: X509Certificate, issuer: X509Certificate) => certificate.issuer === issuer.subject && certificate.verify(issuer.publicKey);
    if (!signedBy(root, root)) {
        problems.push(`the chain does not end in a root: its last certificate (${root.subject.replace(/\n/g, ", ")}) is not self-signed`);
    }
    if (!(rootExtensions.basicConstraints ?? "").includes("CA:TRUE")) {
        problems.push("the root is not a CA: basicConstraints lacks CA:TRUE");
    }
    if (!(rootExtensions.keyUsage ?? "").includes("Certificate Sign")) {
        problems.push("the root's keyUsage lacks keyCertSign");
    }
    for (let index = 0; index + 1 < chain.length; index++) {
        if (!signedBy(chain[index], chain[index + 1])) {
            problems.push(`certificate ${index} is not signed by certificate ${index + 1}`);
        }
    }
    for (const certificate of chain) {
        if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
            problems.push(`${certificate.subject.replace(/\n/g, ", ")} is not valid now (${certificate.validFrom} to ${certificate.validTo})`);
        }
    }
    // Node's default hostname check, on the leaf as Node describes a peer certificate.
    const identity = tls.checkServerIdentity(integrationHost, chain[0].toLegacyObject());
    if (identity) {
        problems.push(`hostname: ${identity.message}`);
    }
    return problems;
}

/** The HTTPS request, verified by Node against the presented root as the only trust anchor. */
function verifiedRequest(port: number, call: Call, root: X509Certificate, chain: readonly X509Certificate[]): Promise<Outcome> {
    return new Promise((resolve) => {
        const req = https.request(
            {
                host: "127.0.0.1",
                port,
                servername: call.integrationHost,
                path: call.path ?? "/",
                method: call.method ?? "GET",
                agent: false,
                ca: root.toString(),
                rejectUnauthorized: true,
                // Node's default checkServerIdentity runs against `servername`.
                cert: call.client?.certificate,
                key: call.client?.privateKey,
                headers: {
                    host: call.integrationHost,
                    ...(call.body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(call.body) }),
                },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (chunk: Buffer) => chunks.push(chunk));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), chain }));
                res.on("error", (error) => resolve({ error: error.message, chain }));
            },
        );
        req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, chain }));
        req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
        req.end(call.body);
    });
}

/**
 * Calls origins as API Gateway does. The chain a server presents for a name is read once per
 * server (port) and name and reused by later calls: a TLS server sends its Certificate message
 * before it asks for or sees the caller's certificate, so the chain does not depend on the
 * caller, and the servers the judge starts keep their files until they stop. Every call still
 * makes its own verified HTTPS request.
 */
export class ApiGatewayClient {
    private readonly chains = new Map<string, Promise<PresentedChain>>();
    /** By root PEM: several servers present the same root. */
    private readonly rootExtensions = new Map<string, Promise<PresentedChain["rootExtensions"]>>();

    /** `scratch` holds the client key files openssl reads. */
    constructor(private readonly scratch: string) {}

    /** The chain the server on `port` presents for `integrationHost`, read on first use. */
    presented(port: number, call: Call): Promise<PresentedChain> {
        const key = `${port} ${call.integrationHost}`;
        let presented = this.chains.get(key);
        if (presented === undefined) {
            presented = presentedChain(port, call, this.scratch, (rootPem) => this.rootExtensionsOf(rootPem));
            this.chains.set(key, presented);
        }
        return presented;
    }

    private rootExtensionsOf(rootPem: string): Promise<PresentedChain["rootExtensions"]> {
        let extensions = this.rootExtensions.get(rootPem);
        if (extensions === undefined) {
            extensions = extensionTexts(rootPem, ["basicConstraints", "keyUsage"]);
            this.rootExtensions.set(rootPem, extensions);
        }
        return extensions;
    }

    /**
     * One request as API Gateway makes it. Any objection to the presented chain is an error
     * naming it (and Node's own verdict, which runs as well, so both checks show).
     */
    async call(port: number, call: Call): Promise<Outcome> {
        const presented = await this.presented(port, call);
        const { chain } = presented;
        if (chain.length === 0) return { error: `no certificate presented${presented.failure === undefined ? "" : ` (${presented.failure})`}` };
        const problems = judgeChain(presented, call.integrationHost);
        const outcome = await verifiedRequest(port, call, chain[chain.length - 1], chain);
        if (problems.length === 0) return outcome;
        return { error: [...problems, "error" in outcome ? `node: ${outcome.error}` : `node: accepted (${outcome.status})`].join("; "), chain };
    }
}
