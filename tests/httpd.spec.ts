import { expect } from "chai";
import {
    AMAZON_LINUX_LAYOUT,
    HttpdLayout,
    OriginSite,
    checkOriginSite,
    debianLayout,
    provisioningScript,
    renderSiteConfig,
    siteFiles,
    sitePaths,
} from "../infra/httpd";

const PEM = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const SITE: OriginSite = {
    helloMessage: "Hello <b>&</b> welcome",
    serverCertificatePem: PEM("CERTIFICATE", "c2VydmVy"),
    caCertificatePem: PEM("CERTIFICATE", "cm9vdA"),
    serverPrivateKeyPem: PEM("PRIVATE KEY", "a2V5"),
    trustedClientCertificatePems: [PEM("CERTIFICATE", "Y3VycmVudA"), PEM("CERTIFICATE", "bmV4dA")],
};

/** A layout's paths replaced by another's, so two renderings can be compared. */
function relocated(text: string, from: HttpdLayout, to: HttpdLayout): string {
    const pairs: Array<[string, string]> = [
        [from.siteConfigPath, to.siteConfigPath],
        [from.tlsDir, to.tlsDir],
        [from.documentRoot, to.documentRoot],
        [from.cgiDir, to.cgiDir],
        [from.modulesDir, to.modulesDir],
    ];
    return pairs.reduce((result, [a, b]) => result.split(a).join(b), text);
}

describe("origin server rendering (infra/httpd.ts)", () => {
    it("renders the same site for Amazon Linux and Debian: only the paths (and the listen address) differ", () => {
        const debian = debianLayout("/tmp/site");
        const onInstance = siteFiles(AMAZON_LINUX_LAYOUT, SITE, "443");
        const inSpec = siteFiles(debian, SITE, "443");
        expect(inSpec.map((file) => relocated(file.path, debian, AMAZON_LINUX_LAYOUT))).to.deep.equal(onInstance.map((file) => file.path));
        expect(inSpec.map((file) => file.mode)).to.deep.equal(onInstance.map((file) => file.mode));
        expect(inSpec.map((file) => relocated(file.content, debian, AMAZON_LINUX_LAYOUT))).to.deep.equal(onInstance.map((file) => file.content));
    });

    it("serves the leaf and then the root that signed it from SSLCertificateFile, so the chain API Gateway receives ends in a root", () => {
        const chain = siteFiles(AMAZON_LINUX_LAYOUT, SITE, "443").find((file) => file.path === sitePaths(AMAZON_LINUX_LAYOUT).serverCertificate);
        expect(chain?.content).to.equal(SITE.serverCertificatePem + SITE.caCertificatePem);
        expect(renderSiteConfig(AMAZON_LINUX_LAYOUT, "443")).to.contain(`SSLCertificateFile ${sitePaths(AMAZON_LINUX_LAYOUT).serverCertificate}\n`);
    });

    it("requires API Gateway's client certificate at the handshake, trusting every PEM it is given", () => {
        const config = renderSiteConfig(AMAZON_LINUX_LAYOUT, "443");
        expect(config).to.match(/^\s*SSLVerifyClient require$/m).and.to.match(/^\s*SSLVerifyDepth 1$/m);
        expect(config).to.contain(`SSLCACertificateFile ${AMAZON_LINUX_LAYOUT.tlsDir}/api-gateway-clients.pem`);
        const trusted = siteFiles(AMAZON_LINUX_LAYOUT, SITE, "443").find((file) => file.path.endsWith("api-gateway-clients.pem"))!;
        expect(trusted.content).to.equal(SITE.trustedClientCertificatePems.join(""));
        expect(config.match(/^Listen .*$/gm)).to.deep.equal(["Listen 443 https"]);
    });

    it("provisions idempotently: mod_ssl, no Listen 80, no stock ssl vhost, files written with their mode first, config checked before the restart", () => {
        const script = provisioningScript(SITE);
        expect(provisioningScript(SITE)).to.equal(script);
        const lines = script.split("\n");
        expect(lines).to.include("sudo dnf install -y httpd mod_ssl");
        expect(script).to.contain("s/^Listen 80$/# Listen 80");
        expect(script).to.contain("| sudo tee /etc/httpd/conf.d/ssl.conf");
        const key = `${AMAZON_LINUX_LAYOUT.tlsDir}/server.key`;
        const keyWrite = lines.findIndex((line) => line.startsWith(`sudo tee ${key} > /dev/null <<'HELLO_GATEWAY_FILE_`));
        expect(keyWrite).to.be.greaterThan(0);
        expect(lines.indexOf(`sudo install -m 0600 /dev/null ${key}`)).to.be.lessThan(keyWrite);
        expect(lines.indexOf("sudo apachectl configtest")).to.be.lessThan(lines.indexOf("sudo systemctl restart httpd"));
        expect(lines.indexOf("sudo systemctl is-active --quiet httpd")).to.be.lessThan(lines.indexOf("sync"));
        expect(lines.at(-2), "every write flushed to disk last: the fleet's image is taken without a reboot").to.equal("sync");
        expect(script).to.contain("\nHello &lt;b&gt;&amp;&lt;/b&gt; welcome\n");
    });

    it("refuses a site httpd could not serve safely, naming the field", () => {
        expect(() => checkOriginSite({ ...SITE, helloMessage: "two\nlines" })).to.throw(/helloMessage must be a single line/);
        expect(() => checkOriginSite({ ...SITE, trustedClientCertificatePems: [] })).to.throw(/trustedClientCertificatePems must hold API Gateway's client certificate/);
        expect(() => checkOriginSite({ ...SITE, serverPrivateKeyPem: "not a key" })).to.throw(/serverPrivateKeyPem/);
        expect(() => checkOriginSite({ ...SITE, trustedClientCertificatePems: ["junk"] })).to.throw(/trustedClientCertificatePems\[0\]/);
        expect(() => checkOriginSite({ ...SITE, caCertificatePem: "" })).to.throw(/caCertificatePem must be one PEM certificate/);
        expect(() => checkOriginSite({ ...SITE, serverCertificatePem: SITE.serverCertificatePem + SITE.caCertificatePem })).to.throw(/serverCertificatePem must be one PEM certificate/);
    });
});
