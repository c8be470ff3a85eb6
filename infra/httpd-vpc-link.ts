/**
 * The origin's second vhost, for an HTTP API's VPC link only (docs/http-api.md).
 *
 * An HTTP API cannot present API Gateway's client certificate, which the 443 vhost requires,
 * and an HTTP API private integration can only verify a backend certificate's name
 * (`tlsConfig.serverNameToVerify`): AWS's API has no way to trust this project's private CA or
 * to skip verification on it. So this vhost speaks plain HTTP, on a port that only the NLB's
 * security group may reach on the instance, and that only the VPC link's security group may
 * reach on the NLB. The traffic never leaves the VPC; the VPC link is the stage's way in.
 *
 * Loads no Pulumi SDK, like httpd.ts.
 */

/** The parts of httpd.ts's layout this vhost needs (passed in, so the two modules import one way). */
export interface VpcLinkSiteLayout {
    readonly siteConfigPath: string;
    readonly documentRoot: string;
    readonly cgiDir: string;
}

/** The port the HTTP API's VPC link reaches httpd on, through its own NLB listener. */
export const VPC_LINK_HTTP_PORT = 8080;

/** Where the vhost goes: next to the site's own file, so the main config includes it too. */
export function vpcLinkSiteConfigPath(layout: VpcLinkSiteLayout): string {
    return layout.siteConfigPath.replace(/\.conf$/, "-vpc-link.conf");
}

/** The same document root and /echo as the 443 vhost, in plain HTTP on `port`. */
export function renderVpcLinkSiteConfig(layout: VpcLinkSiteLayout, echoScript: string, port: number): string {
    return [
        "# hello-gateway origin, HTTP API VPC-link path (written by the provisioning script).",
        "# Plain HTTP, reachable only through the NLB's VPC-link listener (security groups).",
        `Listen ${port} http`,
        "",
        `<VirtualHost _default_:${port}>`,
        `    DocumentRoot "${layout.documentRoot}"`,
        "    DirectoryIndex index.html",
        `    <Directory "${layout.documentRoot}">`,
        "        Options None",
        "        AllowOverride None",
        "        Require all granted",
        "    </Directory>",
        `    ScriptAliasMatch "^/echo(/.*)?$" "${echoScript}"`,
        `    <Directory "${layout.cgiDir}">`,
        "        Options None",
        "        AllowOverride None",
        "        Require all granted",
        "    </Directory>",
        "</VirtualHost>",
        "",
    ].join("\n");
}
