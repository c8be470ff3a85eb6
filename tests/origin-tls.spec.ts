import { expect } from "chai";
import { ORIGIN_STACK_SUFFIX } from "../infra/config";
import { ORIGIN_CA, SERVER_CERTIFICATE } from "../infra/httpd";
import { MOCK_ORGANIZATION, ProgramRun } from "../tools/mock-runtime";
import { integrationHostOf } from "./apache/committed-origin";
import {
    PROJECT,
    SINGLE_INSTANCE,
    byName,
    dependencyNames,
    gatewayConfigOf,
    isSecretEnvelope,
    originConfigOf,
    resourcesOfType,
    runStack,
    theOne,
    unwrapSecrets,
} from "./support";

const ROOT = "tls:index/selfSignedCert:SelfSignedCert";
const REQUEST = "tls:index/certRequest:CertRequest";
const SERVER = "tls:index/locallySignedCert:LocallySignedCert";
const KEY = "tls:index/privateKey:PrivateKey";

/** Every way an origin is reached: the origin stack to start from and the overrides that make it that mode. */
const MODES = [
    { mode: "public", stack: "dev-origin", overrides: { originMode: "public", ...SINGLE_INSTANCE } },
    { mode: "private", stack: "dev-origin", overrides: { originMode: "private", ...SINGLE_INSTANCE } },
    { mode: "group", stack: "prod-origin", overrides: { originMode: "private", minInstances: "2", maxInstances: "3" } },
] as const;

/** The gateway stack of an origin stack, run against that origin's outputs: what API Gateway is told to call. */
async function gatewayOf(originStack: string, origin: ProgramRun): Promise<ProgramRun> {
    const gatewayStack = originStack.slice(0, -ORIGIN_STACK_SUFFIX.length);
    const reference = gatewayConfigOf(gatewayStack).originStack ?? `${MOCK_ORGANIZATION}/${PROJECT}/${originStack}`;
    // The gateway states the origin's mode too; it follows the origin run here.
    return runStack(gatewayStack, { overrides: { originMode: String(origin.outputs.originMode) }, stackOutputs: { [reference]: origin.outputs } });
}

describe("origin TLS: a private root and a server certificate for the integration host (infra/origin-tls.ts)", () => {
    for (const originStack of ["dev-origin", "prod-origin"]) {
        describe(`${originStack} (as its stack file says)`, () => {
            const name = `hello-${originConfigOf(originStack).environment}`;
            let run: ProgramRun;
            before(async () => {
                run = await runStack(originStack);
            });

            it("makes a root API Gateway accepts: CA:TRUE and keyCertSign (cert_signing), with its own ECDSA key", () => {
                const root = theOne(run, ROOT);
                const key = byName(run, `${name}-origin-ca-key`);
                expect(root.name).to.equal(`${name}-origin-ca`);
                expect(root.inputs).to.deep.include({
                    isCaCertificate: true,
                    subject: { commonName: ORIGIN_CA.commonName, organization: ORIGIN_CA.organization },
                    allowedUses: [...ORIGIN_CA.allowedUses],
                    validityPeriodHours: ORIGIN_CA.validityHours,
                    earlyRenewalHours: ORIGIN_CA.earlyRenewalHours,
                });
                expect(root.inputs.allowedUses).to.include("cert_signing");
                expect(key.inputs).to.include({ algorithm: ORIGIN_CA.algorithm, ecdsaCurve: ORIGIN_CA.ecdsaCurve });
                expect(unwrapSecrets(root.inputs.privateKeyPem)).to.equal(key.state.privateKeyPem);
            });

            it("signs httpd's certificate with that root: a CA:FALSE leaf for TLS servers, from a request with httpd's key", () => {
                const root = theOne(run, ROOT);
                const request = theOne(run, REQUEST);
                const server = theOne(run, SERVER);
                const serverKey = byName(run, `${name}-server-key`);
                expect(server.inputs).to.deep.include({
                    isCaCertificate: false,
                    allowedUses: [...SERVER_CERTIFICATE.allowedUses],
                    validityPeriodHours: SERVER_CERTIFICATE.validityHours,
                    earlyRenewalHours: SERVER_CERTIFICATE.earlyRenewalHours,
                });
                expect(server.inputs.caCertPem).to.equal(root.state.certPem);
                expect(unwrapSecrets(server.inputs.caPrivateKeyPem)).to.equal(byName(run, `${name}-origin-ca-key`).state.privateKeyPem);
                expect(server.inputs.certRequestPem).to.equal(request.state.certRequestPem);
                expect(request.inputs.subject).to.deep.equal({ commonName: SERVER_CERTIFICATE.commonName, organization: SERVER_CERTIFICATE.organization });
                expect(unwrapSecrets(request.inputs.privateKeyPem)).to.equal(serverKey.state.privateKeyPem);
                expect(serverKey.inputs).to.include({ algorithm: SERVER_CERTIFICATE.algorithm, ecdsaCurve: SERVER_CERTIFICATE.ecdsaCurve });
            });

            it("keeps every private key a secret wherever it is passed, and exports none", () => {
                expect(isSecretEnvelope(theOne(run, ROOT).inputs.privateKeyPem), "root's key").to.equal(true);
                expect(isSecretEnvelope(theOne(run, REQUEST).inputs.privateKeyPem), "request's key").to.equal(true);
                expect(isSecretEnvelope(theOne(run, SERVER).inputs.caPrivateKeyPem), "signing key").to.equal(true);
                expect(isSecretEnvelope(byName(run, `${name}-install-httpd`).inputs.create), "the script writing server.key").to.equal(true);
                const exported = JSON.stringify(run.outputs);
                for (const key of resourcesOfType(run, KEY)) {
                    expect(exported).not.to.contain(String(key.state.privateKeyPem).trim());
                }
            });

            it("issues a new server certificate with every client-certificate rotation, so renewal does not wait on the provider's early-renewal check", async () => {
                const generation = originConfigOf(originStack).clientCertificateGeneration;
                const current = theOne(run, SERVER).replacementTrigger;
                expect(current).to.equal(`client certificate generation ${generation}`);
                const rotated = await runStack(originStack, { overrides: { clientCertificateGeneration: String(generation + 1) } });
                expect(theOne(rotated, SERVER).replacementTrigger).to.be.a("string").and.not.equal(current);
            });
        });
    }

    it("lets no server certificate outlive the root that signed it: the root asks for renewal earlier than a server certificate lasts", () => {
        expect(ORIGIN_CA.earlyRenewalHours).to.be.at.least(SERVER_CERTIFICATE.validityHours);
        expect(ORIGIN_CA.validityHours).to.be.greaterThan(ORIGIN_CA.earlyRenewalHours);
        expect(SERVER_CERTIFICATE.validityHours).to.be.greaterThan(SERVER_CERTIFICATE.earlyRenewalHours);
        // A rotation (at least every 365 days, the client certificate's life) re-issues the leaf
        // well before its early-renewal window opens.
        expect(SERVER_CERTIFICATE.validityHours - SERVER_CERTIFICATE.earlyRenewalHours).to.be.greaterThan(365 * 24);
    });

    describe("the certificate names the exact host the gateway's integrations call, in every mode", () => {
        for (const { mode, stack, overrides } of MODES) {
            it(`${mode}: the subject alternative name is the integration URI's host (${mode === "public" ? "the Elastic IP's public DNS name" : "the NLB's DNS name"})`, async () => {
                const origin = await runStack(stack, { overrides });
                const dnsNames = theOne(origin, REQUEST).inputs.dnsNames;
                const expectedHost =
                    mode === "public" ? theOne(origin, "aws:ec2/eip:Eip").state.publicDns : theOne(origin, "aws:lb/loadBalancer:LoadBalancer").state.dnsName;
                expect(dnsNames).to.deep.equal([expectedHost]);
                expect(new URL(String(origin.outputs.originUrl)).hostname).to.equal(expectedHost);
                expect(integrationHostOf(await gatewayOf(stack, origin))).to.equal(expectedHost);
                // The request waits for what names the host, so the name is never a guess.
                const request = theOne(origin, REQUEST);
                expect(dependencyNames(origin, request)).to.include(mode === "public" ? `hello-${originConfigOf(stack).environment}-eip` : `hello-${originConfigOf(stack).environment}-nlb`);
            });
        }

        it("group: the builder, and so the fleet's image, is provisioned with the certificate for the NLB's name", async () => {
            const { stack, overrides } = MODES[2];
            const origin = await runStack(stack, { overrides });
            const name = `hello-${originConfigOf(stack).environment}`;
            const install = byName(origin, `${name}-install-httpd`);
            expect(dependencyNames(origin, install)).to.include(`${name}-server-certificate`);
            expect(unwrapSecrets(install.inputs.create)).to.contain(String(theOne(origin, SERVER).state.certPem).trim());
            expect(theOne(origin, REQUEST).inputs.dnsNames).to.deep.equal([theOne(origin, "aws:lb/loadBalancer:LoadBalancer").state.dnsName]);
            expect(resourcesOfType(origin, "aws:ec2/amiFromInstance:AmiFromInstance")).to.have.length(1);
        });
    });
});
