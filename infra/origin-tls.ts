import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ORIGIN_CA, SERVER_CERTIFICATE } from "./httpd";

export interface OriginCertificatesArgs {
    /**
     * Which API Gateway client certificate is current, from 1. Raising it by one is a rotation:
     * the next certificate is created while the current one is kept (and still trusted), so the
     * gateway can switch with no failed request; the one before is deleted. Default: 1.
     */
    readonly clientCertificateGeneration?: number;
    /**
     * The exact host of the URI the gateway's integrations call: the server certificate's
     * subject alternative name, which API Gateway checks. Required.
     */
    readonly serverHostName: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/** The generations the origin holds and trusts: the current one and, after a rotation, the one before. */
export function clientCertificateGenerations(current: number): number[] {
    if (!Number.isInteger(current) || current < 1) {
        throw new Error(`OriginCertificates: clientCertificateGeneration must be a whole number from 1, got ${current}`);
    }
    return current === 1 ? [1] : [current - 1, current];
}

/**
 * The certificates of the gateway-to-origin TLS connection, owned by the origin stack:
 *
 * - API Gateway's client certificate (`aws.apigateway.ClientCertificate`), a regional resource
 *   independent of any API, so the origin can trust it before any gateway exists and the two
 *   stacks stay free of a cycle. The gateway's stage presents it; httpd requires it.
 * - httpd's server certificate, for `serverHostName`, signed by a private root made here
 *   (ORIGIN_CA), with @pulumi/tls. The integrations set `insecureSkipVerification`, so API
 *   Gateway does not ask for a public CA, but it still checks the certificate's expiry, its
 *   hostname and that a root CA is present (API_TlsConfig); docs/origin-tls.md has the details.
 */
export class OriginCertificates extends pulumi.ComponentResource {
    /** The certificate the gateway's stage must present: the current generation's. */
    readonly clientCertificateId: pulumi.Output<string>;
    /**
     * When it expires (API Gateway client certificates last 365 days), as the provider writes it:
     * Go's time format, `2027-12-01 00:00:00 +0000 UTC` (tools/certificate-expiry.ts reads it).
     */
    readonly clientCertificateExpiration: pulumi.Output<string>;
    /** PEMs httpd accepts: every generation the stack holds. */
    readonly trustedClientCertificatePems: pulumi.Output<string[]>;
    /** httpd's certificate (the leaf), for `serverHostName`. */
    readonly serverCertificatePem: pulumi.Output<string>;
    /** The private root that signed it; httpd sends it after the leaf. */
    readonly caCertificatePem: pulumi.Output<string>;
    /** Secret. */
    readonly serverPrivateKeyPem: pulumi.Output<string>;

    constructor(name: string, args: OriginCertificatesArgs, opts?: pulumi.ComponentResourceOptions) {
        const generations = clientCertificateGenerations(args.clientCertificateGeneration ?? 1);
        super("hello-gateway:infra:OriginCertificates", name, {}, opts);
        const tags = args.tags ?? {};

        const clientCertificates = generations.map(
            (generation) =>
                new aws.apigateway.ClientCertificate(
                    `${name}-gateway-client-${generation}`,
                    { description: `${name}: API Gateway presents it to the origin, generation ${generation}`, tags },
                    { parent: this },
                ),
        );
        const current = clientCertificates[clientCertificates.length - 1];

        // The provider marks private keys secret; wrapping them says so in the program too.
        const caKey = new tls.PrivateKey(`${name}-origin-ca-key`, { algorithm: ORIGIN_CA.algorithm, ecdsaCurve: ORIGIN_CA.ecdsaCurve }, { parent: this });
        const caKeyPem = pulumi.secret(caKey.privateKeyPem);
        const caCertificate = new tls.SelfSignedCert(
            `${name}-origin-ca`,
            {
                privateKeyPem: caKeyPem,
                subject: { commonName: ORIGIN_CA.commonName, organization: ORIGIN_CA.organization },
                isCaCertificate: true,
                allowedUses: [...ORIGIN_CA.allowedUses],
                validityPeriodHours: ORIGIN_CA.validityHours,
                earlyRenewalHours: ORIGIN_CA.earlyRenewalHours,
            },
            { parent: this },
        );

        const serverKey = new tls.PrivateKey(
            `${name}-server-key`,
            { algorithm: SERVER_CERTIFICATE.algorithm, ecdsaCurve: SERVER_CERTIFICATE.ecdsaCurve },
            { parent: this },
        );
        const serverKeyPem = pulumi.secret(serverKey.privateKeyPem);
        const serverRequest = new tls.CertRequest(
            `${name}-server-request`,
            {
                privateKeyPem: serverKeyPem,
                subject: { commonName: SERVER_CERTIFICATE.commonName, organization: SERVER_CERTIFICATE.organization },
                dnsNames: [args.serverHostName],
            },
            { parent: this },
        );
        const serverCertificate = new tls.LocallySignedCert(
            `${name}-server-certificate`,
            {
                certRequestPem: serverRequest.certRequestPem,
                caPrivateKeyPem: caKeyPem,
                caCertPem: caCertificate.certPem,
                isCaCertificate: false,
                allowedUses: [...SERVER_CERTIFICATE.allowedUses],
                validityPeriodHours: SERVER_CERTIFICATE.validityHours,
                earlyRenewalHours: SERVER_CERTIFICATE.earlyRenewalHours,
            },
            {
                parent: this,
                // A client-certificate rotation (at least yearly) issues a new server certificate
                // too, so its renewal never rests on the provider's early-renewal check alone
                // (pulumi/pulumi-tls#39 reports `pulumi up` not acting on it).
                replacementTrigger: `client certificate generation ${generations[generations.length - 1]}`,
            },
        );

        this.clientCertificateId = current.id;
        this.clientCertificateExpiration = current.expirationDate;
        this.trustedClientCertificatePems = pulumi.all(clientCertificates.map((certificate) => certificate.pemEncodedCertificate));
        this.serverCertificatePem = serverCertificate.certPem;
        this.caCertificatePem = caCertificate.certPem;
        this.serverPrivateKeyPem = serverKeyPem;
        this.registerOutputs({
            clientCertificateId: this.clientCertificateId,
            clientCertificateExpiration: this.clientCertificateExpiration,
            serverCertificatePem: this.serverCertificatePem,
            caCertificatePem: this.caCertificatePem,
        });
    }
}

export interface BackendClientCertificateArgs {
    readonly tags?: Record<string, string>;
}

/**
 * An API Gateway client certificate for a backend this project does not deploy (`originUrl`):
 * the stage presents it, and the backend's owner can require it (its PEM is a stack output) the
 * way this project's httpd does. Rotating it is a replacement of this resource (365 days).
 */
export class BackendClientCertificate extends pulumi.ComponentResource {
    readonly id: pulumi.Output<string>;
    readonly pem: pulumi.Output<string>;
    readonly expiration: pulumi.Output<string>;

    constructor(name: string, args: BackendClientCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:BackendClientCertificate", name, {}, opts);
        const certificate = new aws.apigateway.ClientCertificate(
            `${name}-backend-client`,
            { description: `${name}: API Gateway presents it to the backend at originUrl`, tags: args.tags ?? {} },
            { parent: this },
        );
        this.id = certificate.id;
        this.pem = certificate.pemEncodedCertificate;
        this.expiration = certificate.expirationDate;
        this.registerOutputs({ id: this.id, pem: this.pem, expiration: this.expiration });
    }
}
