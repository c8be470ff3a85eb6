import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AMAZON_LINUX_LAYOUT, OriginSite, heredocDelimiter, provisioningScript, renderIndexHtml } from "../infra/httpd";
import { MAX_HELLO_MESSAGE_LENGTH } from "../infra/config";

/**
 * Any one-line message the documentation allows (docs/configuration.md: one line of at most
 * 256 printable characters) is served as written. The real provisioning script runs under bash
 * in a sandbox: its absolute paths moved under a temporary root, and sudo, dnf, apachectl and
 * systemctl replaced by stand-ins, so every file-writing line runs as on the instance.
 */

const PEM = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const siteWith = (helloMessage: string): OriginSite => ({
    helloMessage,
    serverCertificatePem: PEM("CERTIFICATE", "c2VydmVy"),
    caCertificatePem: PEM("CERTIFICATE", "cm9vdA"),
    serverPrivateKeyPem: PEM("PRIVATE KEY", "a2V5"),
    trustedClientCertificatePems: [PEM("CERTIFICATE", "Y3VycmVudA")],
});

const HOSTILE_MESSAGES = [
    "HELLO_GATEWAY_FILE",
    "EOF",
    "$(reboot)",
    "`reboot`",
    "${HOME} $PATH",
    `it's "quoted" and 'single'`,
    "%s %d %n 100%",
    "back\\slash \\n \\\\ and \\",
    "Grüße, 世界 👋 — ünïcödé",
    "<script>alert('x')</script> & done",
    "'HELLO_GATEWAY_FILE'",
    "; rm -rf / #",
    "x".repeat(MAX_HELLO_MESSAGE_LENGTH),
];

/**
 * Stand-ins for the commands that need the instance, as shell functions ahead of the script:
 * sudo runs its command as this user; dnf, apachectl and systemctl succeed doing nothing.
 */
const STAND_INS = 'sudo() { "$@"; }; dnf() { :; }; apachectl() { :; }; systemctl() { :; }';

/** A temporary root with the one file the script edits in place. */
function sandboxRoot(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hg-provision-"));
    fs.mkdirSync(path.join(root, "etc/httpd/conf"), { recursive: true });
    fs.mkdirSync(path.join(root, "etc/httpd/conf.d"), { recursive: true });
    fs.writeFileSync(path.join(root, "etc/httpd/conf/httpd.conf"), "Listen 80\n");
    return root;
}

/** The script with /etc/httpd and /var/www moved under root, wherever a command names them. */
function relocated(script: string, root: string): string {
    return script.replace(/(?<=[\s'])\/(etc\/httpd|var\/www)\b/g, `${root}/$1`);
}

/**
 * Runs a script under bash with only PATH (and HOME) set. `--norc`: with `-c` and its input a
 * socket, as Node gives it, bash would take itself for an ssh session and read this machine's
 * ~/.bashrc, which is none of the script's business (and costs more than the script here).
 */
function runBash(script: string, env: NodeJS.ProcessEnv): Promise<void> {
    return new Promise((resolve, reject) =>
        execFile("bash", ["--norc", "-c", script], { env, maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) =>
            error ? reject(Object.assign(error, { message: `${error.message}\n${stderr}` })) : resolve(),
        ),
    );
}

/**
 * Provisions one sandbox per message with the real script, all in one bash process (a
 * subshell each, so `set -e` ends only that one), and returns each sandbox's root.
 */
async function provisionAll(messages: readonly string[]): Promise<string[]> {
    const roots = messages.map(() => sandboxRoot());
    const runs = messages.map((message, index) => `(\n${STAND_INS}\n${relocated(provisioningScript(siteWith(message)), roots[index])}\n) || echo "failed: ${index}" >&2`);
    await runBash(runs.join("\n"), { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.tmpdir() });
    return roots;
}

const inRoot = (root: string, absolute: string) => path.join(root, absolute.replace(/^\//, ""));

/**
 * The page-writing lines of the real script alone (its `install` and heredoc `tee` of
 * index.html), for each message in one bash process: the part a message could break.
 */
async function writePages(messages: readonly string[]): Promise<string[]> {
    const roots = messages.map(() => fs.mkdtempSync(path.join(os.tmpdir(), "hg-page-")));
    roots.forEach((root) => fs.mkdirSync(inRoot(root, AMAZON_LINUX_LAYOUT.documentRoot), { recursive: true }));
    const runs = messages.map((message, index) => {
        const lines = relocated(provisioningScript(siteWith(message)), roots[index]).split("\n");
        const page = `${roots[index]}${AMAZON_LINUX_LAYOUT.documentRoot}/index.html`;
        const start = lines.indexOf(`sudo install -m 0644 /dev/null ${page}`);
        const delimiter = /<<'([^']+)'$/.exec(lines[start + 1] ?? "")?.[1];
        const end = lines.indexOf(delimiter ?? "", start + 2);
        if (start < 0 || delimiter === undefined || end < 0) throw new Error(`no page-writing lines for message ${index}`);
        return `(\nset -euo pipefail\n${STAND_INS}\n${lines.slice(start, end + 1).join("\n")}\n) || echo "failed: ${index}" >&2`;
    });
    await runBash(runs.join("\n"), { PATH: process.env.PATH ?? "/usr/bin:/bin" });
    return roots;
}

describe("provisioning serves any one-line message as written", () => {
    /** The whole script runs for the messages that collided with its old delimiter; the page part for all. */
    const WHOLE_SCRIPT_MESSAGES = ["HELLO_GATEWAY_FILE", HOSTILE_MESSAGES.join(" ").slice(0, MAX_HELLO_MESSAGE_LENGTH)];
    let wholeScriptRoots: string[] = [];
    let pageRoots: string[] = [];
    before(async () => {
        // Two bash processes at once: the sandboxes are separate directories.
        [wholeScriptRoots, pageRoots] = await Promise.all([provisionAll(WHOLE_SCRIPT_MESSAGES), writePages(HOSTILE_MESSAGES)]);
    });
    after(() => [...wholeScriptRoots, ...pageRoots].forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

    HOSTILE_MESSAGES.forEach((message, index) => {
        it(`writes exactly the escaped page for ${JSON.stringify(message.length > 40 ? `${message.slice(0, 40)}…` : message)}`, () => {
            const page = fs.readFileSync(inRoot(pageRoots[index], `${AMAZON_LINUX_LAYOUT.documentRoot}/index.html`));
            expect(page.equals(Buffer.from(renderIndexHtml(message), "utf8")), page.toString("utf8")).to.equal(true);
        });
    });

    it("runs the whole script for the old delimiter and for every hostile fragment on one line: the page, the key (mode 0600) and httpd.conf as intended", () => {
        WHOLE_SCRIPT_MESSAGES.forEach((message, index) => {
            const root = wholeScriptRoots[index];
            const page = fs.readFileSync(inRoot(root, `${AMAZON_LINUX_LAYOUT.documentRoot}/index.html`));
            expect(page.equals(Buffer.from(renderIndexHtml(message), "utf8")), page.toString("utf8")).to.equal(true);
            const key = inRoot(root, `${AMAZON_LINUX_LAYOUT.tlsDir}/server.key`);
            expect(fs.readFileSync(key, "utf8")).to.equal(PEM("PRIVATE KEY", "a2V5"));
            expect(fs.statSync(key).mode & 0o777).to.equal(0o600);
            expect(fs.readFileSync(inRoot(root, "/etc/httpd/conf/httpd.conf"), "utf8")).to.equal("# Listen 80 (off: hello-gateway serves HTTPS only)\n");
        });
    });

    it("picks a heredoc delimiter that no line of the content equals, the same one each time", () => {
        const first = heredocDelimiter("Hello\n");
        expect(heredocDelimiter("Hello\n")).to.equal(first);
        const colliding = `${first}\nHello\n`;
        expect(colliding.split("\n")).not.to.include(heredocDelimiter(colliding));
    });
});
