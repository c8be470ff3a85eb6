/**
 * The measured capacity of one origin, for docs/scaling.md: this project's rendered site on a
 * local Debian apache2 (the harness of the real-Apache spec), loaded with wrk over TLS on
 * loopback in bounded runs, and full TLS handshakes with a client certificate timed with
 * `openssl s_time`. Run it with `npm run capacity` on an otherwise quiet machine; it prints the
 * machine's core count and load average next to the figures, since both change them.
 *
 * wrk cannot present a client certificate, so its runs use the site without
 * `SSLVerifyClient require` (the spec's own control case). With keep-alive a connection pays its
 * handshake once, so steady-state requests per second do not depend on that directive; the
 * handshake runs measure what it costs per new connection, with API Gateway-like certificates.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ORIGIN_CA, SERVER_CERTIFICATE, type OriginSite } from "../../infra/httpd";
import { APACHE, LocalApaches, clientCertificate, hasOpenssl } from "./local-apache";
import { issueCertificate } from "./origin-pki";

/** Bounded runs: a few connection counts, ten seconds each, two wrk threads (one per core here). */
const CONNECTIONS = [1, 10, 50, 200];
const SECONDS = 10;

interface WrkResult {
    readonly connections: number;
    readonly requestsPerSecond: number;
    readonly p50: string;
    readonly p99: string;
    readonly errors: string;
}

function runWrk(url: string, connections: number): WrkResult {
    const output = execFileSync("wrk", ["-t", String(Math.min(2, connections)), "-c", String(connections), "-d", `${SECONDS}s`, "--latency", url], { encoding: "utf8" });
    const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]);
    const p50 = /^\s+50%\s+(\S+)/m.exec(output)?.[1] ?? "?";
    const p99 = /^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? "?";
    const errors = /Socket errors:.*|Non-2xx or 3xx responses: \d+/.exec(output)?.[0] ?? "none";
    return { connections, requestsPerSecond, p50, p99, errors };
}

/** New TLS connections per second, each a full handshake presenting the client certificate. */
function handshakesPerSecond(port: number, certificateFile: string, keyFile: string): number {
    const output = execFileSync(
        "openssl",
        ["s_time", "-connect", `127.0.0.1:${port}`, "-new", "-cert", certificateFile, "-key", keyFile, "-www", "/", "-time", String(SECONDS)],
        { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    const match = /(\d+) connections in ([\d.]+)s/.exec(output);
    if (!match) {
        throw new Error(`openssl s_time printed no rate:\n${output}`);
    }
    return Number(match[1]) / Number(match[2]);
}

async function main(): Promise<void> {
    if (APACHE === undefined || !hasOpenssl()) {
        throw new Error("needs apache2 and openssl (apt-get install -y apache2)");
    }
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "hello-gateway-capacity-"));
    fs.chmodSync(scratch, 0o755);
    // The origin's chain as the stacks make it (a P-256 leaf and its root), for a loopback name.
    const key = (parameters: { algorithm: string; ecdsaCurve: string }) => ({ algorithm: parameters.algorithm, ecdsaCurve: parameters.ecdsaCurve });
    const root = await issueCertificate(scratch, "root", {
        key: key(ORIGIN_CA),
        subject: { commonName: ORIGIN_CA.commonName, organization: ORIGIN_CA.organization },
        allowedUses: ORIGIN_CA.allowedUses,
        isCaCertificate: true,
        validityPeriodHours: ORIGIN_CA.validityHours,
    });
    const server = await issueCertificate(
        scratch,
        "server",
        {
            key: key(SERVER_CERTIFICATE),
            subject: { commonName: SERVER_CERTIFICATE.commonName, organization: SERVER_CERTIFICATE.organization },
            dnsNames: ["localhost"],
            allowedUses: SERVER_CERTIFICATE.allowedUses,
            isCaCertificate: false,
            validityPeriodHours: SERVER_CERTIFICATE.validityHours,
        },
        root,
    );
    const apiGateway = await clientCertificate(scratch, "api-gateway");
    const site: OriginSite = {
        helloMessage: "Hello from EC2 via API Gateway",
        serverCertificatePem: server.certificate,
        caCertificatePem: root.certificate,
        serverPrivateKeyPem: server.privateKey,
        trustedClientCertificatePems: [apiGateway.certificate],
    };
    const apaches = new LocalApaches(scratch);
    const start = (siteConfig?: (config: string) => string) => apaches.start(site, { siteConfig });
    try {
        console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
        const open = await start((config) => config.replace(/^\s*SSLVerifyClient require$/m, ""));
        console.log(`\nkeep-alive GET / over TLS, ${SECONDS} s per run (site without SSLVerifyClient; wrk has no client certificate)`);
        console.log("| connections | requests/s | p50 | p99 | errors |\n| ---: | ---: | ---: | ---: | --- |");
        for (const connections of CONNECTIONS) {
            const result = runWrk(`https://127.0.0.1:${open.port}/`, connections);
            console.log(`| ${result.connections} | ${Math.round(result.requestsPerSecond)} | ${result.p50} | ${result.p99} | ${result.errors} |`);
        }
        const verifying = await start();
        const certificateFile = path.join(scratch, "api-gateway.crt");
        const keyFile = path.join(scratch, "api-gateway.key");
        console.log(`\nfull TLS handshakes with API Gateway's client certificate (SSLVerifyClient require, as provisioned), one connection per request, ${SECONDS} s:`);
        console.log(`${Math.round(handshakesPerSecond(verifying.port, certificateFile, keyFile))} connections/s (openssl s_time -new, one client process)`);
        console.log(`\nload average after: ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    } finally {
        await apaches.stopAll();
        fs.rmSync(scratch, { recursive: true, force: true });
    }
}

main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
});
