/**
 * A local Debian apache2 serving this project's rendered site (infra/httpd.ts) on a loopback
 * port. Shared by the real-Apache spec and the capacity measurement (tests/apache/capacity.ts);
 * the certificates come from tests/apache/origin-pki.ts.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { OriginSite, debianLayout, sitePaths, siteFiles } from "../../infra/httpd";
import { freePort, waitUntilListening } from "../../tools/free-port";
import { openssl } from "./openssl";

export const APACHE = ["/usr/sbin/apache2", "/usr/local/sbin/apache2"].find((candidate) => fs.existsSync(candidate));

export function hasOpenssl(): boolean {
    try {
        execFileSync("openssl", ["version"], { stdio: "ignore" });
        return true;
    } catch {
        return false;
    }
}

export interface KeyPair {
    readonly certificate: string;
    readonly privateKey: string;
}

/** A self-signed certificate made with openssl's own key generation. */
export async function selfSigned(dir: string, name: string, keyAlgorithm: string[], subject: string, days: number, extensions: readonly string[] = []): Promise<KeyPair> {
    const keyFile = path.join(dir, `${name}.key`);
    const certificateFile = path.join(dir, `${name}.crt`);
    fs.mkdirSync(dir, { recursive: true });
    await openssl(["req", "-x509", "-nodes", ...keyAlgorithm, "-keyout", keyFile, "-out", certificateFile, "-days", String(days), "-subj", subject, ...extensions.flatMap((extension) => ["-addext", extension])]);
    return { certificate: fs.readFileSync(certificateFile, "utf8"), privateKey: fs.readFileSync(keyFile, "utf8") };
}

/** A client certificate like API Gateway's: self-signed RSA, valid for 365 days (PULUMI-FACTS: API Gateway's generated ones). */
export function clientCertificate(dir: string, name: string): Promise<KeyPair> {
    return selfSigned(dir, name, ["-newkey", "rsa:2048"], `/CN=${name}`, 365);
}


function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
    return waitUntilListening(port, {
        timeoutMs: 10_000,
        // apache2 is usually up within tens of ms.
        pollMs: 5,
        giveUp: () =>
            child.exitCode === null
                ? undefined
                : new Error(`apache2 exited with ${child.exitCode}: ${[log, path.join(path.dirname(log), "stderr.log")].filter((file) => fs.existsSync(file)).map((file) => fs.readFileSync(file, "utf8")).join("\n")}`),
        timedOut: () => new Error(`apache2 did not listen on ${port} within 10 s`),
    });
}

export { freePort };

/** Departures from the site as rendered, for specs that show what a check catches. */
export interface SiteChanges {
    /** Rewrites the vhost. */
    readonly siteConfig?: (config: string) => string;
    /** Serves this chain file instead of the leaf and root the site names. */
    readonly serverChainPem?: string;
}

/**
 * How many workers apache2 keeps: the event MPM's compiled-in defaults (three processes of 25
 * threads; what a capacity measurement wants), or one process of four threads, enough for a
 * spec's few calls at a time and much cheaper to start and stop. TLS and the site do not change.
 */
export type ApacheWorkers = "defaults" | "few";

const WORKER_DIRECTIVES: Readonly<Record<ApacheWorkers, readonly string[]>> = {
    defaults: [],
    few: ["StartServers 1", "ServerLimit 1", "ThreadLimit 4", "ThreadsPerChild 4", "MaxRequestWorkers 4", "MinSpareThreads 1", "MaxSpareThreads 4"],
};

/** One apache2 in the foreground, serving the site from `root` on a loopback port. */
export class LocalApache {
    private child: ChildProcess | undefined;
    private stopped: Promise<void> | undefined;
    readonly errorLog: string;

    constructor(
        readonly root: string,
        readonly port: number,
        private readonly workers: ApacheWorkers = "defaults",
    ) {
        this.errorLog = path.join(root, "error.log");
    }

    /**
     * Writes the site and starts apache2. `changes` exist for the specs that show a judge can
     * fail: a transformed vhost, or another certificate chain file than the site's.
     */
    async start(site: OriginSite, changes: SiteChanges = {}): Promise<void> {
        const layout = debianLayout(this.root);
        const listen = `127.0.0.1:${this.port}`;
        const chainFile = sitePaths(layout).serverCertificate;
        for (const file of siteFiles(layout, site, listen)) {
            fs.mkdirSync(path.dirname(file.path), { recursive: true, mode: 0o755 });
            const content =
                file.path === layout.siteConfigPath && changes.siteConfig
                    ? changes.siteConfig(file.content)
                    : file.path === chainFile && changes.serverChainPem !== undefined
                      ? changes.serverChainPem
                      : file.content;
            fs.writeFileSync(file.path, content, { mode: parseInt(file.mode, 8) });
            fs.chmodSync(file.path, parseInt(file.mode, 8));
        }
        // The main config is Debian's part, not the site's: an MPM, a user, and where to keep
        // its runtime files. Everything the site needs, it loads itself.
        const runsAsRoot = process.getuid?.() === 0;
        const main = [
            `ServerRoot "${this.root}"`,
            "ServerName localhost",
            `PidFile "${this.root}/apache2.pid"`,
            `DefaultRuntimeDir "${this.root}"`,
            `ErrorLog "${this.errorLog}"`,
            "LogLevel warn",
            `LoadModule mpm_event_module ${layout.modulesDir}/mod_mpm_event.so`,
            ...WORKER_DIRECTIVES[this.workers],
            ...(runsAsRoot ? ["User www-data", "Group www-data"] : []),
            `Include "${layout.siteConfigPath}"`,
            "",
        ].join("\n");
        const mainConfig = path.join(this.root, "apache2.conf");
        fs.writeFileSync(mainConfig, main);
        const stderr = fs.openSync(path.join(this.root, "stderr.log"), "w");
        this.child = spawn(APACHE!, ["-f", mainConfig, "-DFOREGROUND"], { stdio: ["ignore", "ignore", stderr] });
        fs.closeSync(stderr);
        await waitForPort(this.port, this.child, this.errorLog);
    }

    /** Stops apache2 and resolves once it has exited; calling it again waits for the same exit. */
    stop(): Promise<void> {
        if (this.stopped === undefined) {
            const child = this.child;
            this.stopped =
                child && child.exitCode === null && child.signalCode === null
                    ? new Promise<void>((resolve) => {
                          child.once("exit", () => resolve());
                          child.kill("SIGTERM");
                      })
                    : Promise.resolve();
        }
        return this.stopped;
    }
}

/**
 * Apache servers, each in a fresh folder under one scratch folder, on a free loopback port.
 * Several may start at once: a port handed to one is never handed to another.
 */
export class LocalApaches {
    private readonly running: LocalApache[] = [];
    private readonly ports = new Set<number>();

    constructor(
        private readonly scratch: string,
        private readonly workers: ApacheWorkers = "defaults",
    ) {}

    async start(site: OriginSite, changes?: SiteChanges): Promise<LocalApache> {
        const root = fs.mkdtempSync(path.join(this.scratch, "apache-"));
        fs.chmodSync(root, 0o755);
        // freePort closes its probe before returning, so two concurrent calls may see the same port.
        let port = await freePort();
        while (this.ports.has(port)) port = await freePort();
        this.ports.add(port);
        const apache = new LocalApache(root, port, this.workers);
        this.running.push(apache);
        await apache.start(site, changes);
        return apache;
    }

    async stopAll(): Promise<void> {
        await Promise.all(this.running.splice(0).map((apache) => apache.stop()));
    }
}
