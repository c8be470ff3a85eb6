import { expect } from "chai";
import { VPC_LINK_HTTP_PORT } from "../infra/httpd-vpc-link";
import { ACCESS_LOG_FIELDS, EXECUTE_API_TLS, deploymentTrigger } from "../infra/api";
import { OriginConfig } from "../infra/config";
import { clientCertificateGenerations } from "../infra/origin-tls";
import { MOCK_ACCOUNT_ID, MOCK_ORGANIZATION, ProgramRun } from "../tools/mock-runtime";
import { COMMITTED_ROOT, PROJECT, SINGLE_INSTANCE, byName, publicOriginOutputsFor, resourcesOfType, runStack, theOne, parsedConfigOf, unwrapSecrets } from "./support";
import { ORIGIN_MODES, describeGatewayToOrigin } from "./suites/gateway-to-origin";

type Inputs = Record<string, unknown>;

describe("gateway to origin: TLS with API Gateway's client certificate, both environments, both modes", () => {
    describeGatewayToOrigin(COMMITTED_ROOT, "as committed");

    it("refuses an origin that still serves plain HTTP (deployed before TLS), naming its URL", async () => {
        const legacy = { ...publicOriginOutputsFor("dev"), originUrl: "http://ec2-198-51-100-10.compute-1.amazonaws.com/" };
        let message = "";
        try {
            await runStack("dev", { stackOutputs: { [`${MOCK_ORGANIZATION}/${PROJECT}/dev-origin`]: legacy } });
        } catch (error) {
            message = (error as Error).message;
        }
        expect(message).to.contain('exports originUrl "http://ec2-198-51-100-10.compute-1.amazonaws.com/"; expected an https URL');
    });
});

describe("a gateway in front of a backend of its own (originUrl)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("onprem");
    });

    it("presents a client certificate of its own, and exports its PEM and expiry for the backend's owner", () => {
        const certificate = theOne(run, "aws:apigateway/clientCertificate:ClientCertificate");
        expect(theOne(run, "aws:apigateway/stage:Stage").inputs.clientCertificateId).to.equal(certificate.id);
        expect(run.outputs.clientCertificatePem).to.equal(certificate.state.pemEncodedCertificate);
        expect(run.outputs.clientCertificateExpiration).to.equal(certificate.state.expirationDate);
    });

    it("verifies the backend's certificate: no integration skips it", () => {
        for (const integration of resourcesOfType(run, "aws:apigateway/integration:Integration")) {
            expect(integration.inputs, integration.name).not.to.have.property("tlsConfig");
        }
    });
});

describe("origin: nothing listens for the gateway on plain HTTP, both environments, both modes", () => {
    for (const stack of ["dev-origin", "prod-origin"]) {
        for (const mode of ORIGIN_MODES) {
            it(`${stack}, ${mode}: no security group admits port 80; 443 is open to ${mode === "public" ? "the internet" : "the NLB's security group only"}`, async () => {
                const run = await runStack(stack, { overrides: { originMode: mode, ...(mode === "public" ? SINGLE_INSTANCE : {}) } });
                const nlbGroupId = mode === "private" ? resourcesOfType(run, "aws:ec2/securityGroup:SecurityGroup").find((group) => group.name.endsWith("-nlb-sg"))!.id : undefined;
                for (const group of resourcesOfType(run, "aws:ec2/securityGroup:SecurityGroup")) {
                    const ingress = group.inputs.ingress as Array<{ protocol: string; fromPort: number; toPort: number; cidrBlocks?: string[]; securityGroups?: string[] }>;
                    expect(ingress.some((rule) => rule.protocol === "-1" || (rule.fromPort <= 80 && 80 <= rule.toPort)), group.name).to.equal(false);
                    const https = ingress.filter((rule) => rule.fromPort === 443 && rule.toPort === 443);
                    if (mode === "public") {
                        expect(https.map((rule) => rule.cidrBlocks)).to.deep.equal([["0.0.0.0/0"]]);
                    } else if (group.name.endsWith("-nlb-sg") || group.name.endsWith("-vpc-link-sg")) {
                        // REST's VPC link reaches the NLB over PrivateLink, which its inbound rules do not evaluate.
                        expect(https, group.name).to.deep.equal([]);
                    } else {
                        expect(https.map((rule) => rule.securityGroups), group.name).to.deep.equal([[nlbGroupId]]);
                    }
                }
                expect(resourcesOfType(run, "aws:lb/listener:Listener").map((listener) => listener.inputs.port)).to.deep.equal(mode === "private" ? [443, VPC_LINK_HTTP_PORT] : []);
                expect(run.outputs.originUrl).to.match(/^https:\/\//);
            });
        }
    }
});

describe("client certificate rotation (clientCertificateGeneration)", () => {
    it("holds one certificate at generation 1, the current and the previous one afterwards", () => {
        expect(clientCertificateGenerations(1)).to.deep.equal([1]);
        expect(clientCertificateGenerations(2)).to.deep.equal([1, 2]);
        expect(clientCertificateGenerations(7)).to.deep.equal([6, 7]);
        expect(() => clientCertificateGenerations(0)).to.throw(/clientCertificateGeneration must be a whole number from 1/);
    });

    it("after a raise, exports the new certificate, has httpd trust both, and re-provisions", async () => {
        const current = (parsedConfigOf("dev-origin") as OriginConfig).clientCertificateGeneration;
        const before = await runStack("dev-origin");
        const after = await runStack("dev-origin", { overrides: { clientCertificateGeneration: String(current + 1) } });
        const certificates = resourcesOfType(after, "aws:apigateway/clientCertificate:ClientCertificate");
        expect(certificates.map((certificate) => certificate.name)).to.deep.equal([`hello-dev-gateway-client-${current}`, `hello-dev-gateway-client-${current + 1}`]);
        const next = certificates[1];
        expect(after.outputs.clientCertificateId).to.equal(next.id);
        expect(after.outputs.clientCertificateExpiration).to.equal(next.state.expirationDate);
        // The certificate the gateway still presents is kept, with the same name, so it is not replaced.
        expect(byName(before, `hello-dev-gateway-client-${current}`).id).to.equal(certificates[0].id);
        const script = unwrapSecrets(byName(after, "hello-dev-install-httpd").inputs.create) as string;
        for (const certificate of certificates) {
            expect(script).to.contain((certificate.state.pemEncodedCertificate as string).trim());
        }
        const triggers = (run: ProgramRun) => byName(run, "hello-dev-install-httpd").inputs.triggers as string[];
        expect(triggers(after)[1]).not.to.equal(triggers(before)[1]);
    });
});

describe("execute-api endpoint TLS policy", () => {
    it("sets an enhanced SecurityPolicy_ policy made for REGIONAL endpoints, with its required access mode", async () => {
        const api = theOne(await runStack("dev"), "aws:apigateway/restApi:RestApi");
        expect(api.inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
        expect(api.inputs.securityPolicy).to.equal(EXECUTE_API_TLS.securityPolicy).and.to.match(/^SecurityPolicy_TLS13_/).and.not.to.match(/_EDGE$/);
        expect(api.inputs.endpointAccessMode).to.equal(EXECUTE_API_TLS.endpointAccessMode).and.to.be.oneOf(["BASIC", "STRICT"]);
    });

    it("is part of the deployment's identity, so a change of policy or mode redeploys", () => {
        const base = { disableExecuteApiEndpoint: false, ...EXECUTE_API_TLS };
        expect(deploymentTrigger([], { ...base, securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" })).not.to.equal(deploymentTrigger([], base));
        expect(deploymentTrigger([], { ...base, endpointAccessMode: "STRICT" })).not.to.equal(deploymentTrigger([], base));
    });
});

describe("access log: who called", () => {
    it("names the caller by API key id, Cognito sub, authorizer principal, IAM user ARN, user agent and the WAF result", () => {
        expect(ACCESS_LOG_FIELDS).to.include({
            apiKeyId: "$context.identity.apiKeyId",
            cognitoSub: "$context.authorizer.claims.sub",
            principalId: "$context.authorizer.principalId",
            userArn: "$context.identity.userArn",
            userAgent: "$context.identity.userAgent",
            wafResponseCode: "$context.wafResponseCode",
        });
    });

    it("logs no header values and no secrets: no request headers, no API key value, no tokens", () => {
        for (const [field, variable] of Object.entries(ACCESS_LOG_FIELDS)) {
            expect(variable, field).not.to.match(/\$(method\.request|input)\.|\.header\b|identity\.apiKey$|\.accessKey$|claims\.(?!sub$)/);
        }
    });

    it("is what the stage writes", async () => {
        const stage = theOne(await runStack("prod"), "aws:apigateway/stage:Stage");
        expect(JSON.parse((stage.inputs.accessLogSettings as { format: string }).format)).to.deep.equal(ACCESS_LOG_FIELDS);
    });
});

describe("the logging role's trust policy", () => {
    it("lets API Gateway assume it only on behalf of this account", async () => {
        const role = byName(await runStack("dev"), "apigateway-cloudwatch-role");
        const policy = JSON.parse(role.inputs.assumeRolePolicy as string) as { Statement: Array<Inputs> };
        expect(policy.Statement).to.deep.equal([
            {
                Effect: "Allow",
                Principal: { Service: "apigateway.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
            },
        ]);
    });
});
