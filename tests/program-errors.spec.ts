import { expect } from "chai";
import { ConfigError } from "../infra/config";
import { resourcesRegisteredBefore } from "../tools/mock-runtime";
import { StackRunOptions, originOutputsFor, publicOriginOutputs, publicOriginOutputsFor, runStack } from "./support";

/** Runs a committed stack that must fail; returns the error and what was registered first. */
async function failedRun(stack: string, options: StackRunOptions): Promise<{ error: Error; registered: number }> {
    try {
        await runStack(stack, options);
    } catch (error) {
        return { error: error as Error, registered: resourcesRegisteredBefore(error).length };
    }
    throw new Error(`expected stack ${stack} to fail`);
}

const BAD_CONFIGS: Array<{ stack: string; overrides: Record<string, string | undefined>; message: string }> = [
    { stack: "dev", overrides: { layer: undefined }, message: "hello-gateway:layer: got nothing; expected one of origin, gateway (required)" },
    { stack: "dev", overrides: { layer: "edge" }, message: 'hello-gateway:layer: got "edge"; expected one of origin, gateway' },
    { stack: "dev", overrides: { throttleBurstLimit: "-5" }, message: 'hello-gateway:throttleBurstLimit: got "-5"; expected a whole number of requests from 1 to 5000' },
    { stack: "prod", overrides: { throttleBurstLimit: "1.5" }, message: 'hello-gateway:throttleBurstLimit: got "1.5"' },
    { stack: "prod", overrides: { loggingLevel: "VERBOSE" }, message: 'hello-gateway:loggingLevel: got "VERBOSE"; expected one of INFO, ERROR, OFF' },
    { stack: "prod", overrides: { logRetentionDays: "45" }, message: 'hello-gateway:logRetentionDays: got "45"; expected a retention CloudWatch Logs accepts' },
    { stack: "dev-origin", overrides: { sshAllowedCidrs: '["10.0.0.300/32"]' }, message: 'hello-gateway:sshAllowedCidrs: got "10.0.0.300/32"' },
    { stack: "dev-origin", overrides: { sshAllowedCidrs: '["0.0.0.0/0"]' }, message: "allowSshFromAnywhere: true" },
    { stack: "prod-origin", overrides: { vpcCidr: "10.20.0.0/33" }, message: 'hello-gateway:vpcCidr: got "10.20.0.0/33"' },
    { stack: "prod-origin", overrides: { "aws:region": undefined }, message: "aws:region: got nothing" },
    // A key nobody reads is a typo the program would otherwise ignore, falling back to a default.
    { stack: "prod", overrides: { authmode: "apiKey" }, message: "hello-gateway:authmode: got an unknown key in Pulumi.prod.yaml; expected a key this program reads; did you mean hello-gateway:authMode?" },
    { stack: "dev", overrides: { throtleRateLimit: "20" }, message: "hello-gateway:throtleRateLimit: got an unknown key in Pulumi.dev.yaml; expected a key this program reads; did you mean hello-gateway:throttleRateLimit?" },
    { stack: "prod", overrides: { wafEnable: "true" }, message: "did you mean hello-gateway:wafEnabled?" },
    { stack: "prod", overrides: { "hello_gateway:authMode": "apiKey" }, message: "hello_gateway:authMode: got an unknown key in Pulumi.prod.yaml; expected a key this program reads; did you mean hello-gateway:authMode?" },
    { stack: "dev-origin", overrides: { "aws:regoin": "us-east-1" }, message: "aws:regoin: got an unknown key in Pulumi.dev-origin.yaml; expected a key this program reads; did you mean aws:region?" },
    { stack: "dev-origin", overrides: { "docker:host": "unix:///var/run/docker.sock" }, message: "a key in one of the namespaces this program reads (hello-gateway, aws, tls, pulumi)" },
    // Checked against the lists @pulumi/aws ships, not a pattern.
    { stack: "dev", overrides: { "aws:region": "us-east-9" }, message: 'aws:region: got "us-east-9"; expected an AWS region from the list @pulumi/aws 7.48.0 ships; did you mean us-east-1?' },
    { stack: "dev-origin", overrides: { instanceType: "t3.mircro" }, message: 'hello-gateway:instanceType: got "t3.mircro"; expected an EC2 instance type from the list @pulumi/aws 7.48.0 ships; did you mean t3.micro?' },
    { stack: "dev-origin", overrides: { instanceType: "t3.huge" }, message: "t3 comes in t3.2xlarge, t3.large, t3.medium, t3.micro, t3.nano, t3.small, t3.xlarge" },
];

describe("a bad configuration fails the program before any resource is registered", () => {
    for (const bad of BAD_CONFIGS) {
        it(`${bad.stack}: ${JSON.stringify(bad.overrides)}`, async () => {
            const { error, registered } = await failedRun(bad.stack, { overrides: bad.overrides });
            // A fresh copy of the program is loaded per run, so compare by name, not by class.
            expect(error.name).to.equal("ConfigError");
            expect(error.message).to.contain(bad.message);
            expect(error.message).to.contain(`Invalid configuration for stack "${bad.stack}"`);
            expect(registered).to.equal(0);
        });
    }

    it("names every bad key of a stack in the one error", async () => {
        const { error, registered } = await failedRun("prod", {
            overrides: { throttleRateLimit: "0", throttleBurstLimit: "-1", loggingLevel: "LOUD", logRetentionDays: "2" },
        });
        expect((error as ConfigError).problems.map((p) => p.key)).to.have.members([
            "hello-gateway:throttleRateLimit",
            "hello-gateway:throttleBurstLimit",
            "hello-gateway:loggingLevel",
            "hello-gateway:logRetentionDays",
        ]);
        expect(registered).to.equal(0);
    });
});

describe("a gateway in another region than its origin", () => {
    it("is refused in private mode, naming aws:region and both regions, before any resource", async () => {
        const origin = { ...originOutputsFor("prod"), originMode: "private", region: "us-east-1" };
        const { error, registered } = await failedRun("prod", {
            overrides: { "aws:region": "eu-west-1", originMode: "private" },
            stackOutputs: { "organization/hello-gateway/prod-origin": origin },
        });
        expect(error.name).to.equal("ConfigError");
        expect(error.message).to.contain('aws:region: got "eu-west-1"; expected "us-east-1", the region of stack organization/hello-gateway/prod-origin');
        expect(error.message).to.contain("cannot cross regions");
        // Only the StackReference itself is read before the check.
        expect(registered).to.be.at.most(1);
    });

    it("is refused in private mode when the origin exports no region yet, saying to update it first", async () => {
        const { region: _region, ...origin } = { ...originOutputsFor("prod"), originMode: "private" } as Record<string, unknown>;
        const { error } = await failedRun("prod", {
            overrides: { originMode: "private" },
            stackOutputs: { "organization/hello-gateway/prod-origin": origin },
        });
        expect(error.message).to.contain("does not export yet: run `pulumi up` on it first");
    });

    it("is refused in public mode as well, naming aws:region and the origin's client certificate, before any resource", async () => {
        // The stage presents the origin stack's clientCertificateId, which exists only in the origin's region.
        const originRegion = "us-east-1";
        const gatewayRegion = "eu-west-1";
        const { error, registered } = await failedRun("dev", {
            overrides: { "aws:region": gatewayRegion, originMode: "public" },
            stackOutputs: { "organization/hello-gateway/dev-origin": { ...publicOriginOutputs("dev", originRegion) } },
        });
        expect(error.name).to.equal("ConfigError");
        expect(error.message).to.contain(`aws:region: got "${gatewayRegion}"; expected "${originRegion}", the region of stack organization/hello-gateway/dev-origin`);
        expect(error.message).to.contain("client certificate (clientCertificateId), a regional resource");
        expect(registered).to.be.at.most(1);
    });

    it("is refused in public mode when the origin exports no region yet, saying to update it first", async () => {
        const { region: _region, ...origin } = publicOriginOutputsFor("dev") as Record<string, unknown>;
        const { error } = await failedRun("dev", { stackOutputs: { "organization/hello-gateway/dev-origin": origin } });
        expect(error.message).to.contain("aws:region");
        expect(error.message).to.contain("does not export yet: run `pulumi up` on it first");
    });

    it("is allowed in the origin's own region, in public mode", async () => {
        const run = await runStack("dev", {
            overrides: { "aws:region": "eu-west-1", originMode: "public" },
            stackOutputs: { "organization/hello-gateway/dev-origin": { ...publicOriginOutputs("dev", "eu-west-1") } },
        });
        expect(run.resources.some((r) => r.type === "aws:apigateway/restApi:RestApi")).to.equal(true);
    });
});

describe("a gateway whose origin is not deployed", () => {
    it("fails naming the origin stack and saying to deploy it first", async () => {
        // The region check reads the origin's outputs first; an origin with none is not deployed.
        const { error } = await failedRun("dev", { stackOutputs: { "organization/hello-gateway/dev-origin": {} } });
        expect(error.message).to.contain("stack organization/hello-gateway/dev-origin does not export yet: run `pulumi up` on it first");
    });

    it("fails with the missing output named when only originUrl is missing", async () => {
        const { originUrl: _url, ...origin } = publicOriginOutputsFor("dev") as Record<string, unknown>;
        const { error } = await failedRun("dev", { stackOutputs: { "organization/hello-gateway/dev-origin": origin } });
        expect(error.message).to.contain("originUrl");
    });

    it("fails when the origin exports something that is not a URL", async () => {
        const { error } = await failedRun("dev", {
            stackOutputs: { "organization/hello-gateway/dev-origin": { ...originOutputsFor("dev"), originUrl: "ec2-host" } },
        });
        expect(error.message).to.contain('exports originUrl "ec2-host"; expected an https URL');
    });
});
