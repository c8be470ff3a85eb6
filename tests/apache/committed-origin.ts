/**
 * What the real-Apache judge serves and where it connects, taken from the program itself: the
 * origin stack runs on the mock runtime, the files its provisioning script writes are read
 * back out of the script, and the mock certificates and keys in them are swapped for real ones
 * made from the same @pulumi/tls inputs (tests/apache/origin-pki.ts). The gateway stack then
 * runs against that origin's outputs, and its integrations say which host API Gateway calls.
 */
import * as path from "node:path";
import { AMAZON_LINUX_LAYOUT, OriginSite, ORIGIN_HTTPS_PORT, renderIndexHtml, renderSiteConfig, sitePaths } from "../../infra/httpd";
import { MOCK_ORGANIZATION, ProgramRun, RecordedResource } from "../../tools/mock-runtime";
import { heredocFiles } from "../../tools/plan/origin-files";
import { PROJECT, StackRunOptions, gatewayConfigOf, resourcesOfType, runStack, theOne, unwrapSecrets } from "../support";
import { KeyPair, clientCertificate } from "./local-apache";
import { CertificateParameters, issueCertificate } from "./origin-pki";

/**
 * The files a provisioning script writes, by path, with the content they end up with: read by
 * the same heredoc reader the offline plan writes origin-files/ with, so the judge and the plan
 * never disagree on what provisioning writes.
 */
export function filesWrittenBy(script: string): Map<string, string> {
    return new Map(heredocFiles(script).map((file) => [file.target, file.content]));
}

/** The PEM blocks of a file, in order. */
export function pemBlocks(text: string): string[] {
    return [...text.matchAll(/-----BEGIN [A-Z ]+-----\n[\s\S]*?\n-----END [A-Z ]+-----\n?/g)].map((match) => match[0].replace(/\n?$/, "\n"));
}

export interface OriginPki {
    /** The root's parameters, as the program registered its tls.SelfSignedCert and key. */
    readonly rootParameters: CertificateParameters;
    /** The server certificate's, from its tls.CertRequest, tls.LocallySignedCert and key. */
    readonly serverParameters: CertificateParameters;
}

export interface JudgedOrigin extends OriginPki {
    readonly originStack: string;
    readonly origin: ProgramRun;
    /** The host of the URI every integration of the gateway wired to this origin calls. */
    readonly integrationHost: string;
    /** The site as provisioning writes it, with real certificates and keys. */
    readonly site: OriginSite;
    /**
     * server.crt exactly as provisioning writes it (with real certificates): what the judge
     * serves, whatever it holds, so a chain without its root reaches the judge's verdict.
     */
    readonly serverChainPem: string;
    readonly root: KeyPair;
    /** API Gateway's client certificates, as real ones, in the program's order (the current one last). */
    readonly apiGateway: readonly KeyPair[];
}

function byState(run: ProgramRun, type: string, key: string, value: unknown, what: string): RecordedResource {
    const found = resourcesOfType(run, type).filter((resource) => resource.state[key] === unwrapSecrets(value));
    if (found.length !== 1) {
        throw new Error(`${what}: expected one ${type} whose ${key} is wired in, found ${found.length}`);
    }
    return found[0];
}

/** The parameters of the origin's root and server certificate, read from the registered tls resources. */
export function originPki(run: ProgramRun): OriginPki & { readonly mocks: { root: string; leaf: string; serverKey: string } } {
    const leaf = theOne(run, "tls:index/locallySignedCert:LocallySignedCert");
    const root = byState(run, "tls:index/selfSignedCert:SelfSignedCert", "certPem", leaf.inputs.caCertPem, "the server certificate's caCertPem");
    const rootKey = byState(run, "tls:index/privateKey:PrivateKey", "privateKeyPem", root.inputs.privateKeyPem, "the root's privateKeyPem");
    if (unwrapSecrets(leaf.inputs.caPrivateKeyPem) !== rootKey.state.privateKeyPem) {
        throw new Error("the server certificate is signed with another key than the root's");
    }
    const request = byState(run, "tls:index/certRequest:CertRequest", "certRequestPem", leaf.inputs.certRequestPem, "the server certificate's certRequestPem");
    const serverKey = byState(run, "tls:index/privateKey:PrivateKey", "privateKeyPem", request.inputs.privateKeyPem, "the request's privateKeyPem");
    const keyOf = (resource: RecordedResource) => resource.inputs as CertificateParameters["key"];
    return {
        rootParameters: {
            key: keyOf(rootKey),
            subject: root.inputs.subject as CertificateParameters["subject"],
            allowedUses: root.inputs.allowedUses as string[],
            isCaCertificate: root.inputs.isCaCertificate === true,
            validityPeriodHours: root.inputs.validityPeriodHours as number,
        },
        serverParameters: {
            key: keyOf(serverKey),
            subject: request.inputs.subject as CertificateParameters["subject"],
            dnsNames: request.inputs.dnsNames as string[],
            allowedUses: leaf.inputs.allowedUses as string[],
            isCaCertificate: leaf.inputs.isCaCertificate === true,
            validityPeriodHours: leaf.inputs.validityPeriodHours as number,
        },
        mocks: { root: root.state.certPem as string, leaf: leaf.state.certPem as string, serverKey: serverKey.state.privateKeyPem as string },
    };
}

/** The one host every integration of a gateway run calls. */
export function integrationHostOf(gateway: ProgramRun): string {
    const hosts = new Set(resourcesOfType(gateway, "aws:apigateway/integration:Integration").map((integration) => new URL(String(integration.inputs.uri)).hostname));
    if (hosts.size !== 1) {
        throw new Error(`expected the integrations to call one host, found ${[...hosts].join(", ") || "none"}`);
    }
    return [...hosts][0];
}

/**
 * Runs program runs: the mock runtime is one per process, so runs that may be asked for at the
 * same time must go one after another.
 */
export type ProgramRuns = <T>(runs: () => Promise<T>) => Promise<T>;

/** A ProgramRuns that starts each batch of runs once the one before has settled. */
export function oneAtATime(): ProgramRuns {
    let previous: Promise<unknown> = Promise.resolve();
    return <T>(runs: () => Promise<T>): Promise<T> => {
        const next = previous.then(runs, runs);
        previous = next.catch(() => undefined);
        return next;
    };
}

/**
 * One committed origin stack (`dev-origin`, `prod-origin`), as the judge serves it: the program's
 * provisioned files with real key material, and the host its gateway's integrations call.
 * `clientCertificates` holds the real API Gateway certificates by resource name, shared by the
 * runs that pass the same map: a ClientCertificate two runs both hold (generation 1 before and
 * after a rotation) is one certificate in AWS, so it is one here too. `programRuns` runs the two
 * stacks; callers judging several origins at once pass one `oneAtATime()` to all of them.
 */
export async function committedOrigin(
    originStack: string,
    scratch: string,
    options: StackRunOptions = {},
    clientCertificates = new Map<string, Promise<KeyPair>>(),
    programRuns: ProgramRuns = (runs) => runs(),
): Promise<JudgedOrigin> {
    const dir = path.join(scratch, originStack);
    /** The root, the server certificate and API Gateway's certificates: openssl's work, in other processes. */
    const realKeyMaterial = (origin: ProgramRun, pki: OriginPki): Promise<[KeyPair, KeyPair, KeyPair[]]> => {
        const rootMade = issueCertificate(dir, "root", pki.rootParameters);
        const serverMade = issueCertificate(dir, "server", pki.serverParameters, rootMade);
        const clientsMade = Promise.all(
            resourcesOfType(origin, "aws:apigateway/clientCertificate:ClientCertificate").map((resource) => {
                let made = clientCertificates.get(resource.name);
                if (made === undefined) {
                    made = clientCertificate(dir, resource.name);
                    clientCertificates.set(resource.name, made);
                }
                return made;
            }),
        );
        const all = Promise.all([rootMade, serverMade, clientsMade]);
        // Awaited once the gateway has run; until then a failed openssl run is not unhandled.
        all.catch(() => undefined);
        return all;
    };
    const { origin, gateway, pki, made } = await programRuns(async () => {
        const origin = await runStack(originStack, options);
        const pki = originPki(origin);
        // Made while the gateway stack runs here.
        const made = realKeyMaterial(origin, pki);
        const gatewayStack = originStack.replace(/-origin$/, "");
        const reference = gatewayConfigOf(gatewayStack).originStack ?? `${MOCK_ORGANIZATION}/${PROJECT}/${originStack}`;
        const gateway = await runStack(gatewayStack, { root: options.root, stackOutputs: { [reference]: origin.outputs } });
        return { origin, gateway, pki, made };
    });
    const [root, server, apiGateway] = await made;
    const clientResources = resourcesOfType(origin, "aws:apigateway/clientCertificate:ClientCertificate");
    const real = new Map<string, string>([
        [pki.mocks.root, root.certificate],
        [pki.mocks.leaf, server.certificate],
        [pki.mocks.serverKey, server.privateKey],
        ...clientResources.map((resource, index) => [resource.state.pemEncodedCertificate as string, apiGateway[index].certificate] as [string, string]),
    ]);
    const realPem = (pem: string) => {
        const replacement = real.get(pem);
        if (replacement === undefined) throw new Error(`${originStack}: provisioning writes a PEM the program did not make:\n${pem}`);
        return replacement;
    };

    const install = resourcesOfType(origin, "command:remote:Command").find((command) => /-install-httpd$/.test(command.name));
    if (!install) throw new Error(`${originStack}: no install-httpd command`);
    const files = filesWrittenBy(unwrapSecrets(install.inputs.create) as string);
    const paths = sitePaths(AMAZON_LINUX_LAYOUT);
    const read = (file: string) => {
        const content = files.get(file);
        if (content === undefined) throw new Error(`${originStack}: provisioning writes no ${file}`);
        return content;
    };
    // The judge renders the vhost for Debian; the instance's must be the same renderer's output.
    if (read(AMAZON_LINUX_LAYOUT.siteConfigPath) !== renderSiteConfig(AMAZON_LINUX_LAYOUT, String(ORIGIN_HTTPS_PORT))) {
        throw new Error(`${originStack}: the provisioned vhost is not renderSiteConfig's`);
    }
    const helloMessage = String(origin.outputs.helloMessage);
    if (read(paths.index) !== renderIndexHtml(helloMessage)) {
        throw new Error(`${originStack}: the provisioned page is not the stack's helloMessage`);
    }
    const chain = pemBlocks(read(paths.serverCertificate)).map(realPem);
    const keys = pemBlocks(read(paths.serverPrivateKey)).map(realPem);
    if (chain.length === 0 || keys.length !== 1) {
        throw new Error(`${originStack}: server.crt holds ${chain.length} certificates and server.key ${keys.length} keys`);
    }
    return {
        originStack,
        origin,
        integrationHost: integrationHostOf(gateway),
        rootParameters: pki.rootParameters,
        serverParameters: pki.serverParameters,
        root,
        apiGateway,
        serverChainPem: chain.join(""),
        site: {
            helloMessage,
            serverCertificatePem: chain[0],
            // The site's shape needs a root; what is served is serverChainPem, below.
            caCertificatePem: chain[chain.length - 1],
            serverPrivateKeyPem: keys[0],
            trustedClientCertificatePems: pemBlocks(read(paths.trustedClientCertificates)).map(realPem),
        },
    };
}
