import { expect } from "chai";
import { GatewayConfig, RawConfig, parseConfig } from "../infra/config";
import { methodSettingsPath } from "../infra/api";
import { ProgramRun, resourcesRegisteredBefore } from "../tools/mock-runtime";
import { publicOriginOutputs, rawConfigOfStack, resourcesOfType, runStack, theOne } from "./support";

/** A committed stack's config as the program reads it, with overrides. */
function rawOf(stack: string, overrides: Record<string, string> = {}): RawConfig {
    return rawConfigOfStack(stack, overrides);
}

const identity = (stack: string) => ({ project: "hello-gateway", stack, organization: "organization" });

describe("gateway stack onprem (committed config): a backend this project does not deploy", () => {
    const config = parseConfig(rawOf("onprem"), identity("onprem")) as GatewayConfig;
    let run: ProgramRun;
    before(async () => {
        // Every origin stack it could name answers, so a reference, if the program made one,
        // would be recorded (a reference the mocks cannot answer fails without a record).
        const origin = publicOriginOutputs("onprem");
        const stackOutputs = Object.fromEntries(["dev-origin", "prod-origin", "onprem-origin"].map((stack) => [`organization/hello-gateway/${stack}`, origin]));
        run = await runStack("onprem", { stackOutputs });
    });

    it("is a gateway stack with originUrl set and no origin stack", () => {
        expect(config.layer).to.equal("gateway");
        expect(config.originUrl).to.match(/^https?:\/\/.+\/$/);
        expect(config.originStack).to.equal(undefined);
    });

    it("reads no StackReference and exports the configured URL as originUrl", () => {
        expect(resourcesOfType(run, "pulumi:pulumi:StackReference")).to.have.length(0);
        expect(run.resources.filter((resource) => resource.read)).to.have.length(0);
        expect(run.outputs.originUrl).to.equal(config.originUrl);
    });

    it("deploys with no origin stack in the backend at all", async () => {
        const alone = await runStack("onprem", { stackOutputs: {} });
        expect(resourcesOfType(alone, "aws:apigateway/stage:Stage")).to.have.length(1);
        expect(alone.outputs.invokeUrl).to.be.a("string");
    });

    it("serves every route of its stack file, each forwarded to originUrl plus the route's origin path", () => {
        const methods = resourcesOfType(run, "aws:apigateway/method:Method");
        const integrations = resourcesOfType(run, "aws:apigateway/integration:Integration");
        expect(methods).to.have.length(config.routes.length);
        expect(integrations.map((integration) => integration.inputs.uri)).to.have.members(config.routes.map((route) => `${config.originUrl}${route.originPath}`));
        for (const integration of integrations) {
            expect(integration.inputs).to.include({ type: "HTTP_PROXY", connectionType: "INTERNET" });
        }
        expect(run.outputs.routes).to.deep.equal(config.routes.map((route) => route.source));
    });

    it("has a model for each body= route and a MethodSettings for each route throttle", () => {
        expect(resourcesOfType(run, "aws:apigateway/model:Model")).to.have.length(config.routes.filter((route) => route.bodySchema).length);
        const paths = resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings").map((settings) => settings.inputs.methodPath);
        for (const throttle of config.routeThrottles) {
            expect(paths).to.include(methodSettingsPath(throttle));
        }
    });

    it("describes the API as proxying to that backend", () => {
        expect(theOne(run, "aws:apigateway/restApi:RestApi").inputs.description).to.contain(`the backend at ${config.originUrl}`);
    });
});

describe("originUrl: parsing and refusals", () => {
    it("adds the trailing slash a base URL needs and keeps a path prefix", () => {
        const parse = (originUrl: string) => (parseConfig(rawOf("onprem", { originUrl }), identity("onprem")) as GatewayConfig).originUrl;
        expect(parse("https://192.0.2.10")).to.equal("https://192.0.2.10/");
        expect(parse("https://api.example.com/base")).to.equal("https://api.example.com/base/");
        expect(parse("http://api.example.com:8080/base/")).to.equal("http://api.example.com:8080/base/");
    });

    it("is off by default: the gateway reads its origin stack", () => {
        const dev = parseConfig(rawOf("dev"), identity("dev")) as GatewayConfig;
        expect(dev.originUrl).to.equal(undefined);
        expect(dev.originStack).to.equal("organization/hello-gateway/dev-origin");
    });

    async function refusal(stack: string, overrides: Record<string, string>): Promise<string> {
        try {
            await runStack(stack, { overrides, stackOutputs: {} });
        } catch (error) {
            expect((error as Error).name).to.equal("ConfigError");
            expect(resourcesRegisteredBefore(error)).to.have.length(0);
            return (error as Error).message;
        }
        throw new Error(`expected ${JSON.stringify(overrides)} to be refused`);
    }

    it("refuses originUrl with originStack, saying why", async () => {
        const message = await refusal("onprem", { originStack: "acme/hello-gateway/dev-origin" });
        expect(message).to.contain('hello-gateway:originStack: got "acme/hello-gateway/dev-origin"; expected empty with originUrl set: originUrl names the backend itself, so the gateway reads no origin stack');
    });

    it("refuses originUrl with originMode private, saying why", async () => {
        const message = await refusal("onprem", { originMode: "private" });
        expect(message).to.contain('hello-gateway:originMode: got "private"; expected public with originUrl set: a VPC link needs the internal load balancer of an origin stack this project deploys');
    });

    for (const bad of ["ftp://192.0.2.10/", "192.0.2.10", "https://192.0.2.10/?debug=1", "https://192.0.2.10/#top"]) {
        it(`refuses ${bad}`, async () => {
            expect(await refusal("onprem", { originUrl: bad })).to.contain(`hello-gateway:originUrl: got ${JSON.stringify(bad)}; expected an http(s) URL of the backend`);
        });
    }

    it("refuses a URL with credentials without printing them", async () => {
        const message = await refusal("onprem", { originUrl: "https://admin:hunter2@192.0.2.10/" });
        expect(message).to.contain("hello-gateway:originUrl: got a URL with credentials (not shown)");
        expect(message).not.to.contain("hunter2");
    });

    it("allows authentication and WAF in front of it, as in front of a public EC2 origin (which requires API Gateway's client certificate)", () => {
        const onprem = parseConfig(rawOf("onprem", { authMode: "iam", wafEnabled: "true", originMode: "public" }), identity("onprem")) as GatewayConfig;
        expect(onprem.auth.mode).to.equal("iam");
        const dev = parseConfig(rawOf("dev", { authMode: "iam", originMode: "public" }), identity("dev")) as GatewayConfig;
        expect(dev.auth.mode).to.equal("iam");
    });
});
