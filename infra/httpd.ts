/**
 * The origin server: what httpd serves and how, rendered from one source for two layouts.
 *
 * Amazon Linux 2023 (the instance) and Debian (the real-Apache spec, tests/apache/) lay httpd
 * out differently, but they run the same mod_ssl directives. Everything that decides who may
 * connect (the TLS vhost, `SSLVerifyClient require`, the trusted client certificates) and what
 * is served (the hello page, the `/echo` CGI script) comes from `siteFiles` and
 * `renderSiteConfig` here; only the paths differ per layout. The provisioning script writes
 * exactly those files, and the spec writes the same files for a local apache2, so the spec tests
 * what the instance gets.
 *
 * This module loads no Pulumi SDK: the spec and the provisioning both use it with plain strings.
 */
import { renderVpcLinkSiteConfig, vpcLinkSiteConfigPath } from "./httpd-vpc-link";

/** Where httpd keeps things on one distribution. */
export interface HttpdLayout {
    readonly distribution: "amazon-linux" | "debian";
    /** Where the `mod_*.so` files are: relative to ServerRoot or absolute. */
    readonly modulesDir: string;
    /** The file the site's vhost is written to; the main config includes it. */
    readonly siteConfigPath: string;
    /** The server certificate, its key and the trusted client certificates. */
    readonly tlsDir: string;
    readonly documentRoot: string;
    /** Holds the `/echo` CGI script, outside the document root so it is never served as text. */
    readonly cgiDir: string;
}

/** Amazon Linux 2023's httpd (dnf packages httpd and mod_ssl). */
export const AMAZON_LINUX_LAYOUT: HttpdLayout = {
    distribution: "amazon-linux",
    modulesDir: "modules",
    siteConfigPath: "/etc/httpd/conf.d/hello-gateway.conf",
    tlsDir: "/etc/httpd/hello-gateway-tls",
    documentRoot: "/var/www/html",
    // The stock CGI directory: SELinux labels it for scripts httpd may run.
    cgiDir: "/var/www/cgi-bin",
};

/** Debian's apache2, rooted in a scratch directory (the real-Apache spec). */
export function debianLayout(root: string): HttpdLayout {
    return {
        distribution: "debian",
        modulesDir: "/usr/lib/apache2/modules",
        siteConfigPath: `${root}/sites/hello-gateway.conf`,
        tlsDir: `${root}/tls`,
        documentRoot: `${root}/html`,
        cgiDir: `${root}/cgi`,
    };
}

/** The port the gateway reaches httpd on, on the instance: HTTPS only. */
export const ORIGIN_HTTPS_PORT = 443;

/**
 * How the origin's server certificate is made: @pulumi/tls on the instance's side, `openssl` in
 * the real-Apache spec, with the same algorithm, curve, subject and lifetime.
 */
export const SERVER_CERTIFICATE = {
    algorithm: "ECDSA",
    ecdsaCurve: "P256",
    /** OpenSSL's name for the same curve. */
    opensslCurve: "prime256v1",
    commonName: "hello-gateway-origin",
    /** A leaf for TLS servers only: @pulumi/tls `allowedUses`, and the same as openssl extensions. */
    allowedUses: ["digital_signature", "server_auth"],
    opensslExtensions: ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "extendedKeyUsage=serverAuth"],
    organization: "hello-gateway",
    /** Ten years: API Gateway skips verifying it (see docs/security.md), so expiry would only break the origin. */
    validityHours: 87_600,
} as const;

/** What one origin serves and whom it trusts. */
export interface OriginSite {
    /** The one line `index.html` serves (HTML-escaped here). */
    readonly helloMessage: string;
    /** PEM of httpd's server certificate. */
    readonly serverCertificatePem: string;
    /** PEM of its private key; the provisioning script carrying it must be a secret. */
    readonly serverPrivateKeyPem: string;
    /**
     * PEMs of the client certificates httpd accepts: API Gateway's current one, and during a
     * rotation also the one it replaces, so no request fails while the gateway switches.
     */
    readonly trustedClientCertificatePems: readonly string[];
    /**
     * A private origin's second vhost for an HTTP API's VPC link, plain HTTP on this port
     * (httpd-vpc-link.ts). Default: none, httpd listens on 443 only.
     */
    readonly vpcLinkHttpPort?: number;
}

/** One file of the site: where it goes, its mode, its content. */
export interface SiteFile {
    readonly path: string;
    /** Octal, as `chmod` takes it. */
    readonly mode: "0644" | "0600" | "0755";
    readonly content: string;
}

export interface SitePaths {
    readonly serverCertificate: string;
    readonly serverPrivateKey: string;
    readonly trustedClientCertificates: string;
    readonly index: string;
    readonly echoScript: string;
}

export function sitePaths(layout: HttpdLayout): SitePaths {
    return {
        serverCertificate: `${layout.tlsDir}/server.crt`,
        serverPrivateKey: `${layout.tlsDir}/server.key`,
        trustedClientCertificates: `${layout.tlsDir}/api-gateway-clients.pem`,
        index: `${layout.documentRoot}/index.html`,
        echoScript: `${layout.cgiDir}/echo`,
    };
}

function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[\s\S]+?\r?\n-----END CERTIFICATE-----\s*$/;
const PEM_PRIVATE_KEY = /^-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----\r?\n[\s\S]+?\r?\n-----END (?:[A-Z]+ )?PRIVATE KEY-----\s*$/;

/** Throws an error naming the field when the site cannot be served as asked. */
export function checkOriginSite(site: OriginSite): void {
    if (/[\r\n]/.test(site.helloMessage)) {
        throw new Error("helloMessage must be a single line");
    }
    if (!PEM_CERTIFICATE.test(site.serverCertificatePem.trim())) {
        throw new Error("serverCertificatePem must be one PEM certificate");
    }
    if (!PEM_PRIVATE_KEY.test(site.serverPrivateKeyPem.trim())) {
        throw new Error("serverPrivateKeyPem must be one PEM private key");
    }
    if (site.trustedClientCertificatePems.length === 0) {
        throw new Error("trustedClientCertificatePems must hold API Gateway's client certificate: without one, httpd would refuse every caller");
    }
    site.trustedClientCertificatePems.forEach((pem, index) => {
        if (!PEM_CERTIFICATE.test(pem.trim())) {
            throw new Error(`trustedClientCertificatePems[${index}] must be one PEM certificate`);
        }
    });
}

/** JSON escapes for every control character a string may hold, for the echo script's sed. */
function controlCharacterEscapes(): string[] {
    const named: Record<number, string> = { 8: "\\\\b", 9: "\\\\t", 10: "\\\\n", 12: "\\\\f", 13: "\\\\r" };
    const escapes: string[] = [];
    for (let code = 1; code < 0x20; code++) {
        const hex = code.toString(16).padStart(2, "0");
        escapes.push(`s/\\x${hex}/${named[code] ?? `\\\\u00${hex}`}/g`);
    }
    escapes.push("s/\\x7f/\\\\u007f/g");
    return escapes;
}

/**
 * The `/echo` CGI script: method, path, query string and body back as one JSON object, with
 * nothing but POSIX sh, head and GNU sed (both distributions ship them), so the origin needs no
 * application runtime. The body is read up to CONTENT_LENGTH and returned as text; sed -z
 * treats the whole body as one record, so newlines survive.
 */
export function renderEchoScript(): string {
    const sedProgram = ["s/\\\\/\\\\\\\\/g", 's/"/\\\\"/g', ...controlCharacterEscapes()].map((expression) => `-e '${expression}'`).join(" ");
    return [
        "#!/bin/sh",
        "# hello-gateway /echo: the request back as JSON (written by the provisioning script).",
        "json_string() {",
        `    printf '"'; printf '%s' "$1" | LC_ALL=C sed -z ${sedProgram}; printf '"'`,
        "}",
        'length="${CONTENT_LENGTH:-0}"',
        'case "$length" in (*[!0-9]*|"") length=0;; esac',
        'if [ "$length" -gt 0 ]; then body=$(head -c "$length"; printf x); body="${body%x}"; else body=""; fi',
        'path="${REQUEST_URI%%\\?*}"',
        "printf 'Content-Type: application/json\\r\\n\\r\\n'",
        `printf '{"method":%s,"path":%s,"query":%s,"body":%s}\\n' "$(json_string "$REQUEST_METHOD")" "$(json_string "$path")" "$(json_string "\${QUERY_STRING:-}")" "$(json_string "$body")"`,
        "",
    ].join("\n");
}

export function renderIndexHtml(helloMessage: string): string {
    return `${escapeHtml(helloMessage)}\n`;
}

/** The modules the vhost needs, loaded only where the distribution's main config has not already. */
const SITE_MODULES: ReadonlyArray<{ readonly name: string; readonly file: string; readonly unlessLoaded?: readonly string[] }> = [
    { name: "ssl_module", file: "mod_ssl.so" },
    { name: "alias_module", file: "mod_alias.so" },
    { name: "dir_module", file: "mod_dir.so" },
    { name: "authz_core_module", file: "mod_authz_core.so" },
    // Amazon Linux loads mod_cgid with the event MPM and mod_cgi with prefork; either will do.
    { name: "cgid_module", file: "mod_cgid.so", unlessLoaded: ["cgi_module"] },
];

/**
 * The site's vhost: TLS only, on `listen` (`443` on the instance, `127.0.0.1:<port>` in the
 * spec), with the client certificate required at the handshake. A caller without one of the
 * trusted certificates never gets an HTTP response.
 */
export function renderSiteConfig(layout: HttpdLayout, listen: string): string {
    const paths = sitePaths(layout);
    const loads = SITE_MODULES.flatMap((module) => {
        const conditions = [module.name, ...(module.unlessLoaded ?? [])];
        // httpd reads one directive a line, section tags included.
        return [
            ...conditions.map((name, depth) => `${"    ".repeat(depth)}<IfModule !${name}>`),
            `${"    ".repeat(conditions.length)}LoadModule ${module.name} ${layout.modulesDir}/${module.file}`,
            ...conditions.map((_name, depth) => `${"    ".repeat(conditions.length - 1 - depth)}</IfModule>`),
        ];
    });
    return [
        "# hello-gateway origin (written by the provisioning script; edits are overwritten).",
        ...loads,
        "",
        "# The only port httpd listens on: HTTPS. Nothing answers plain HTTP.",
        `Listen ${listen} https`,
        "",
        `<VirtualHost _default_:${listen.split(":").pop()}>`,
        "    SSLEngine on",
        "    # API Gateway calls backends over TLS 1.2; TLS 1.3 stays open to anything newer.",
        "    SSLProtocol -all +TLSv1.2 +TLSv1.3",
        "    SSLHonorCipherOrder off",
        `    SSLCertificateFile ${paths.serverCertificate}`,
        `    SSLCertificateKeyFile ${paths.serverPrivateKey}`,
        "    # Only API Gateway's client certificate (self-signed, so it is its own trust anchor).",
        `    SSLCACertificateFile ${paths.trustedClientCertificates}`,
        "    SSLVerifyClient require",
        "    SSLVerifyDepth 1",
        "",
        `    DocumentRoot "${layout.documentRoot}"`,
        "    DirectoryIndex index.html",
        `    <Directory "${layout.documentRoot}">`,
        "        Options None",
        "        AllowOverride None",
        "        Require all granted",
        "    </Directory>",
        "",
        "    # /echo and anything below it: the request back as JSON.",
        `    ScriptAliasMatch "^/echo(/.*)?$" "${paths.echoScript}"`,
        `    <Directory "${layout.cgiDir}">`,
        "        Options None",
        "        AllowOverride None",
        "        Require all granted",
        "    </Directory>",
        "</VirtualHost>",
        "",
    ].join("\n");
}

/** Every file the site consists of, with its content: what provisioning writes, and the spec too. */
export function siteFiles(layout: HttpdLayout, site: OriginSite, listen: string): SiteFile[] {
    checkOriginSite(site);
    const paths = sitePaths(layout);
    const pemFile = (pem: string) => `${pem.trim()}\n`;
    return [
        { path: paths.serverCertificate, mode: "0644", content: pemFile(site.serverCertificatePem) },
        { path: paths.serverPrivateKey, mode: "0600", content: pemFile(site.serverPrivateKeyPem) },
        { path: paths.trustedClientCertificates, mode: "0644", content: site.trustedClientCertificatePems.map(pemFile).join("") },
        { path: paths.index, mode: "0644", content: renderIndexHtml(site.helloMessage) },
        { path: paths.echoScript, mode: "0755", content: renderEchoScript() },
        { path: layout.siteConfigPath, mode: "0644", content: renderSiteConfig(layout, listen) },
        ...(site.vpcLinkHttpPort !== undefined
            ? [{ path: vpcLinkSiteConfigPath(layout), mode: "0644" as const, content: renderVpcLinkSiteConfig(layout, paths.echoScript, site.vpcLinkHttpPort) }]
            : []),
    ];
}

const HEREDOC_DELIMITER = "HELLO_GATEWAY_FILE";

/**
 * Shell that writes one file as root, with its mode set before the content lands (the key is
 * never readable by others, not even briefly). The quoted heredoc keeps the shell from
 * interpreting the content.
 */
function writeFileCommand(file: SiteFile): string[] {
    if (file.content.split("\n").includes(HEREDOC_DELIMITER)) {
        throw new Error(`${file.path}: content contains the heredoc delimiter ${HEREDOC_DELIMITER}`);
    }
    return [
        `sudo install -m ${file.mode} /dev/null ${file.path}`,
        `sudo tee ${file.path} > /dev/null <<'${HEREDOC_DELIMITER}'`,
        file.content.replace(/\n$/, ""),
        HEREDOC_DELIMITER,
    ];
}

/**
 * The idempotent provisioning script for Amazon Linux 2023: running it twice leaves the same
 * server. It installs httpd with mod_ssl, turns off everything that would answer plain HTTP or
 * serve mod_ssl's default certificate, writes the site, checks the config and restarts httpd.
 * It carries the server's private key: pass it to the remote command as a secret.
 */
export function provisioningScript(site: OriginSite): string {
    const layout = AMAZON_LINUX_LAYOUT;
    const files = siteFiles(layout, site, String(ORIGIN_HTTPS_PORT));
    return [
        "set -euo pipefail",
        "sudo dnf install -y httpd mod_ssl",
        "# Plain HTTP off: the stock Listen 80 goes; hello-gateway.conf listens on 443 only.",
        "sudo sed -i -E 's/^Listen 80$/# Listen 80 (off: hello-gateway serves HTTPS only)/' /etc/httpd/conf/httpd.conf",
        "# mod_ssl's own vhost would Listen 443 a second time with a throwaway certificate.",
        "echo '# Replaced by hello-gateway.conf (hello-gateway provisioning).' | sudo tee /etc/httpd/conf.d/ssl.conf > /dev/null",
        `sudo install -d -m 0755 ${layout.tlsDir} ${layout.cgiDir} ${layout.documentRoot}`,
        ...files.flatMap(writeFileCommand),
        "sudo apachectl configtest",
        "sudo systemctl enable httpd",
        "sudo systemctl restart httpd",
        "sudo systemctl is-active --quiet httpd",
        "",
    ].join("\n");
}
