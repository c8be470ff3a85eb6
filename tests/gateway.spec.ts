import { expect } from "chai";
import { ACCESS_LOG_FORMAT, PUSH_TO_CLOUDWATCH_POLICY_ARN, RouteOptions, deploymentTrigger, routeSpecs } from "../infra/api";
import { ProgramRun } from "../tools/mock-runtime";
import { byName, dependencyNames, originOutputsFor, publicOriginOutputs, resourcesOfType, runStack, theOne } from "./support";

const ENVIRONMENTS = [
    { stack: "dev", rate: 10, burst: 20, loggingLevel: "INFO", retention: 7, timeoutMs: 10_000, apiKey: false, originMode: "public", tracing: false },
    { stack: "prod", rate: 500, burst: 1000, loggingLevel: "ERROR", retention: 365, timeoutMs: 5_000, apiKey: true, originMode: "private", tracing: true },
];

/** Route options without auth, validation or cache (dev's); prod adds an API key. */
function plainRoutes(integrationTimeoutMs: number, apiKeyRequired = false): RouteOptions {
    return {
        integrationTimeoutMs,
        authorization: "NONE",
        apiKeyRequired,
        requestValidation: { queryParameters: [], headers: [] },
        cacheEnabled: false,
    };
}

const ACCOUNT_LOGGING = ["apigateway-cloudwatch-role", "apigateway-cloudwatch-policy", "apigateway-cloudwatch-welcome-logs", "apigateway-cloudwatch-account"];

for (const expected of ENVIRONMENTS) {
    describe(`gateway stack ${expected.stack} (committed config)`, () => {
        const originUrl = originOutputsFor(expected.stack).originUrl as string;
        let run: ProgramRun;
        before(async () => {
            run = await runStack(expected.stack);
        });

        it(`reads originUrl from organization/hello-gateway/${expected.stack}-origin through a StackReference`, () => {
            const reference = theOne(run, "pulumi:pulumi:StackReference");
            expect(reference.inputs.name).to.equal(`organization/hello-gateway/${expected.stack}-origin`);
            expect(run.outputs.originUrl).to.equal(originUrl);
        });

        it("creates a REGIONAL REST API", () => {
            const api = theOne(run, "aws:apigateway/restApi:RestApi");
            expect(api.inputs.endpointConfiguration).to.deep.equal({ types: "REGIONAL" });
            expect(run.outputs.restApiId).to.equal(api.id);
        });

        it("serves GET / and GET /hello, each an HTTP_PROXY GET to the origin URL with an explicit timeout", () => {
            const hello = theOne(run, "aws:apigateway/resource:Resource");
            expect(hello.inputs.pathPart).to.equal("hello");
            const methods = resourcesOfType(run, "aws:apigateway/method:Method");
            expect(methods.map((m) => [m.inputs.httpMethod, m.inputs.authorization, m.inputs.apiKeyRequired])).to.deep.equal([
                ["GET", "NONE", expected.apiKey],
                ["GET", "NONE", expected.apiKey],
            ]);
            const integrations = resourcesOfType(run, "aws:apigateway/integration:Integration");
            expect(integrations).to.have.length(2);
            for (const integration of integrations) {
                expect(integration.inputs).to.include({
                    type: "HTTP_PROXY",
                    integrationHttpMethod: "GET",
                    httpMethod: "GET",
                    uri: originUrl,
                    timeoutMilliseconds: expected.timeoutMs,
                    connectionType: expected.originMode === "private" ? "VPC_LINK" : "INTERNET",
                });
            }
            const api = theOne(run, "aws:apigateway/restApi:RestApi");
            const resourceIds = integrations.map((i) => i.inputs.resourceId).sort();
            expect(resourceIds).to.deep.equal([api.state.rootResourceId, hello.id].sort());
        });

        it("redeploys from a hash of every route input, the origin URL included", () => {
            const deployment = theOne(run, "aws:apigateway/deployment:Deployment");
            expect(deployment.inputs).not.to.have.property("stageName");
            const trigger = (deployment.inputs.triggers as Record<string, string>).routes;
            const connectionId = expected.originMode === "private" ? theOne(run, "aws:apigateway/vpcLink:VpcLink").id : undefined;
            const apiSettings = { disableExecuteApiEndpoint: false };
            expect(trigger).to.equal(deploymentTrigger(routeSpecs({ uri: originUrl, connectionId }, plainRoutes(expected.timeoutMs, expected.apiKey)), apiSettings));
            const deps = dependencyNames(run, deployment);
            for (const route of ["root-get", "hello-get", "root-get-integration", "hello-get-integration"]) {
                expect(deps).to.include(`hello-gateway-${expected.stack}-${route}`);
            }
        });

        it("serves a separate stage named prod from that deployment, with JSON access logs", () => {
            const stage = theOne(run, "aws:apigateway/stage:Stage");
            const deployment = theOne(run, "aws:apigateway/deployment:Deployment");
            expect(stage.inputs.stageName).to.equal("prod");
            expect(stage.inputs.deployment).to.equal(deployment.id);
            const accessLogs = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
            const accessGroup = byName(run, `hello-gateway-${expected.stack}-access-logs`);
            expect(accessLogs.destinationArn).to.equal(accessGroup.state.arn);
            expect(accessLogs.format).to.equal(ACCESS_LOG_FORMAT);
            const fields = Object.keys(JSON.parse(accessLogs.format));
            expect(fields).to.include.members([
                "requestId", "ip", "requestTime", "httpMethod", "resourcePath", "status",
                "responseLength", "integrationLatency", "responseLatency",
            ]);
        });

        it(`throttles every method at ${expected.rate} rps / burst ${expected.burst}, logs at ${expected.loggingLevel}, metrics on, data trace off`, () => {
            const settings = theOne(run, "aws:apigateway/methodSettings:MethodSettings");
            expect(settings.inputs.methodPath).to.equal("*/*");
            expect(settings.inputs.stageName).to.equal("prod");
            expect(settings.inputs.settings).to.deep.equal({
                throttlingRateLimit: expected.rate,
                throttlingBurstLimit: expected.burst,
                loggingLevel: expected.loggingLevel,
                metricsEnabled: true,
                dataTraceEnabled: false,
                cachingEnabled: false,
            });
        });

        it(`creates both log groups with ${expected.retention}-day retention, kept on destroy`, () => {
            const restApiId = run.outputs.restApiId as string;
            const execution = byName(run, `hello-gateway-${expected.stack}-execution-logs`);
            expect(execution.inputs.name).to.equal(`API-Gateway-Execution-Logs_${restApiId}/prod`);
            const access = byName(run, `hello-gateway-${expected.stack}-access-logs`);
            for (const group of [execution, access]) {
                expect(group.inputs.retentionInDays, group.name).to.equal(expected.retention);
                expect(group.inputs.skipDestroy, group.name).to.equal(true);
            }
            // The execution log group must exist before the stage first logs.
            expect(dependencyNames(run, theOne(run, "aws:apigateway/stage:Stage"))).to.include(execution.name);
        });

        it("owns the region's API Gateway CloudWatch role and keeps role, policy and account setting on destroy", () => {
            const role = byName(run, "apigateway-cloudwatch-role");
            expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).to.deep.equal({ Service: "apigateway.amazonaws.com" });
            const attachment = byName(run, "apigateway-cloudwatch-policy");
            expect(attachment.inputs.policyArn).to.equal(PUSH_TO_CLOUDWATCH_POLICY_ARN);
            expect(attachment.inputs.policyArn).to.equal("arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs");
            const account = byName(run, "apigateway-cloudwatch-account");
            expect(account.inputs.cloudwatchRoleArn).to.equal(role.state.arn);
            for (const name of ACCOUNT_LOGGING) {
                expect(byName(run, name).retainOnDelete, name).to.equal(true);
            }
            expect(dependencyNames(run, account)).to.include("apigateway-cloudwatch-policy");
        });

        it("sets the account's CloudWatch role before the stage logs", () => {
            expect(dependencyNames(run, theOne(run, "aws:apigateway/stage:Stage"))).to.include("apigateway-cloudwatch-account");
            expect(dependencyNames(run, theOne(run, "aws:apigateway/methodSettings:MethodSettings"))).to.include("apigateway-cloudwatch-account");
        });

        it("keeps everything else deletable (only the shared account setting is retained)", () => {
            const retained = run.resources.filter((r) => r.retainOnDelete).map((r) => r.name);
            expect(retained).to.have.members(ACCOUNT_LOGGING);
        });

        it("exports invokeUrl, restApiId, stageName and accessLogGroupName, nothing secret", () => {
            const restApiId = run.outputs.restApiId as string;
            expect(run.outputs.invokeUrl).to.equal(`https://${restApiId}.execute-api.us-east-1.amazonaws.com/prod/hello`);
            expect(run.outputs.stageName).to.equal("prod");
            expect(run.outputs.accessLogGroupName).to.equal(byName(run, `hello-gateway-${expected.stack}-access-logs`).state.name);
            expect(run.outputs.throttleBurstLimit).to.equal(expected.burst);
            // The API key is the only secret output, and only where the API requires one.
            expect(run.secretOutputs).to.deep.equal(expected.apiKey ? ["apiKeyValue"] : []);
        });

        it("parents every AWS resource under one of the project's components", () => {
            for (const resource of run.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
                const parent = run.resources.find((r) => r.urn === resource.parentUrn);
                expect(parent?.type, `${resource.type} ${resource.name}`).to.match(/^hello-gateway:infra:/);
            }
        });
    });
}

const triggerOf = (run: ProgramRun) => (theOne(run, "aws:apigateway/deployment:Deployment").inputs.triggers as Record<string, string>).routes;

describe("gateway stack variations", () => {
    it("a different origin URL gives a different deployment trigger, and new integration URIs", async () => {
        const first = await runStack("dev");
        const moved = await runStack("dev", {
            stackOutputs: { "organization/hello-gateway/dev-origin": { ...originOutputsFor("dev"), originUrl: "http://ec2-192-0-2-44.compute-1.amazonaws.com/" } },
        });
        expect(triggerOf(moved)).not.to.equal(triggerOf(first));
        for (const integration of resourcesOfType(moved, "aws:apigateway/integration:Integration")) {
            expect(integration.inputs.uri).to.equal("http://ec2-192-0-2-44.compute-1.amazonaws.com/");
        }
    });

    // Each of these changes what a deployment serves, so each must give a new deployment.
    const REDEPLOYING_CHANGES: Array<[string, Record<string, string>]> = [
        ["integration timeout", { integrationTimeoutMs: "2000" }],
        ["authorization (iam)", { authMode: "iam", originMode: "private" }],
        ["required query parameter", { requiredQueryParameters: '["lang"]' }],
        ["required header", { requiredHeaders: '["X-Request-Id"]' }],
        ["cache keys", { requiredQueryParameters: '["lang"]', cacheEnabled: "true" }],
        ["execute-api endpoint disabled by a custom domain", { customDomainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }],
    ];
    for (const [change, overrides] of REDEPLOYING_CHANGES) {
        it(`a change of ${change} gives a different deployment trigger`, async () => {
            const base = await runStack("dev", overrides.originMode ? { overrides: { originMode: "private" }, stackOutputs: { "organization/hello-gateway/dev-origin": originOutputsFor("prod") } } : {});
            const changed = await runStack("dev", {
                overrides,
                ...(overrides.originMode ? { stackOutputs: { "organization/hello-gateway/dev-origin": originOutputsFor("prod") } } : {}),
            });
            expect(triggerOf(changed)).to.match(/^[0-9a-f]{64}$/);
            expect(triggerOf(changed)).not.to.equal(triggerOf(base));
        });
    }

    it("the same configuration gives the same trigger, and stage-only settings (throttling, logging) do not redeploy", async () => {
        const again = await runStack("dev", { overrides: { stageName: "prod" } });
        const restaged = await runStack("dev", { overrides: { throttleRateLimit: "99", loggingLevel: "ERROR", logRetentionDays: "30" } });
        const committed = await runStack("dev");
        expect(triggerOf(again)).to.equal(triggerOf(committed));
        expect(triggerOf(restaged)).to.equal(triggerOf(committed));
    });

    it("reads an explicitly configured origin stack", async () => {
        const run = await runStack("dev", {
            overrides: { originStack: "team/hello-gateway/shared-origin" },
            stackOutputs: { "team/hello-gateway/shared-origin": publicOriginOutputs("shared") },
        });
        expect(theOne(run, "pulumi:pulumi:StackReference").inputs.name).to.equal("team/hello-gateway/shared-origin");
        expect(run.outputs.originUrl).to.equal(publicOriginOutputs("shared").originUrl);
    });

    it("leaves the account setting alone when manageAccountLogRole is false", async () => {
        const run = await runStack("prod", { overrides: { manageAccountLogRole: "false" } });
        for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:apigateway/account:Account"]) {
            expect(resourcesOfType(run, type), type).to.have.length(0);
        }
        expect(run.resources.filter((r) => r.retainOnDelete)).to.have.length(0);
        expect(dependencyNames(run, theOne(run, "aws:apigateway/stage:Stage"))).to.deep.equal(
            dependencyNames(run, theOne(run, "aws:apigateway/stage:Stage")).filter((name) => !name.startsWith("apigateway-cloudwatch")),
        );
    });

    it("serves a custom stage name in the invoke URL and the execution log group", async () => {
        const run = await runStack("dev", { overrides: { stageName: "v1" } });
        expect(run.outputs.invokeUrl).to.match(/\/v1\/hello$/);
        expect(byName(run, "hello-gateway-dev-execution-logs").inputs.name).to.equal(`API-Gateway-Execution-Logs_${run.outputs.restApiId}/v1`);
    });
});
