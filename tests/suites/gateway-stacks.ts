import { expect } from "chai";
import { ACCESS_LOG_FORMAT, EXECUTE_API_TLS, PUSH_TO_CLOUDWATCH_POLICY_ARN, RouteOptions, deploymentTrigger, methodAuthorization, methodCacheSettings, resolvedRouteSpecs } from "../../infra/api";
import { GatewayConfig, ORIGIN_STACK_SUFFIX } from "../../infra/config";
import { committedStacks } from "../../tools/stack-files";
import { ProgramRun } from "../../tools/mock-runtime";
import { byName, dependencyNames, gatewayConfigOf, originOutputsFor, resourcesOfType, runStack, theOne } from "../support";

/** The route options a gateway config gives every route. */
export function routeOptionsOf(config: GatewayConfig): RouteOptions {
    return {
        integrationTimeoutMs: config.integrationTimeoutMs,
        authorization: methodAuthorization(config.auth.mode),
        apiKeyRequired: config.auth.mode === "apiKey",
        requestValidation: config.requestValidation,
        cacheEnabled: config.cache.enabled,
        routes: config.routes,
        // Every gateway here fronts this project's origin, whose certificate comes from its private root.
        skipOriginCertificateCheck: true,
    };
}

export const ACCOUNT_LOGGING = ["apigateway-cloudwatch-role", "apigateway-cloudwatch-policy", "apigateway-cloudwatch-welcome-logs", "apigateway-cloudwatch-account"];

/**
 * The gateway stacks as their files say, expectations taken from those files (the user-edit
 * spec runs the same suite on an edited copy of them).
 */
export function describeGatewayStacks(root: string, label: string): void {
    // A gateway in front of a backend of its own (`originUrl`, the onprem example) reads no
    // origin stack: tests/origin-url.spec.ts covers it.
    // HTTP API stacks (prod-http) have their own suite: tests/http-gateway.spec.ts; a WebSocket
    // gateway (the chat example) has no origin at all: tests/websocket.spec.ts covers it.
    const readsAnOriginStack = (stack: string) => gatewayConfigOf(stack, root).originUrl === undefined;
    const isRest = (stack: string) => gatewayConfigOf(stack, root).apiType === "rest";
    for (const stack of committedStacks(root).filter((name) => !name.endsWith(ORIGIN_STACK_SUFFIX) && readsAnOriginStack(name) && isRest(name))) {
        describeGatewayStack(stack, root, label);
    }
}

export function describeGatewayStack(stack: string, root: string, label: string): void {
    describe(`gateway stack ${stack} (${label})`, () => {
        const config = gatewayConfigOf(stack, root);
        const expected = {
            stack,
            rate: config.throttle.rateLimit,
            burst: config.throttle.burstLimit,
            loggingLevel: config.loggingLevel,
            retention: config.logRetentionDays,
            timeoutMs: config.integrationTimeoutMs,
            apiKey: config.auth.mode === "apiKey",
            authorization: methodAuthorization(config.auth.mode),
            originMode: config.originMode,
            stageName: config.stageName,
        };
        const originUrl = originOutputsFor(config.environment, root).originUrl as string;
        let run: ProgramRun;
        before(async () => {
            run = await runStack(stack, { root });
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

        it("serves every configured route, each a method and an HTTP_PROXY integration to the origin with an explicit timeout", () => {
            const connectionId = expected.originMode === "private" ? theOne(run, "aws:apigateway/vpcLink:VpcLink").id : undefined;
            const specs = resolvedRouteSpecs({ uri: originUrl, connectionId }, routeOptionsOf(config));
            const methods = resourcesOfType(run, "aws:apigateway/method:Method");
            const integrations = resourcesOfType(run, "aws:apigateway/integration:Integration");
            const describeMethod = (m: { httpMethod: unknown; authorization: unknown; apiKeyRequired: unknown }) => `${m.httpMethod} ${m.authorization} ${m.apiKeyRequired}`;
            expect(methods.map((m) => describeMethod(m.inputs as never)).sort()).to.deep.equal(
                specs.map((spec) => describeMethod({ ...spec.method, authorization: expected.authorization, apiKeyRequired: expected.apiKey })).sort(),
            );
            expect(integrations).to.have.length(specs.length);
            for (const integration of integrations) {
                expect(integration.inputs).to.include({
                    type: "HTTP_PROXY",
                    timeoutMilliseconds: expected.timeoutMs,
                    connectionType: expected.originMode === "private" ? "VPC_LINK" : "INTERNET",
                });
                expect(integration.inputs.uri as string, "every integration goes to the origin").to.satisfy((uri: string) => uri.startsWith(originUrl));
            }
            expect(integrations.map((i) => `${i.inputs.httpMethod} ${i.inputs.uri}`).sort()).to.deep.equal(
                specs.map((spec) => `${spec.method.httpMethod} ${spec.integration.uri}`).sort(),
            );
        });

        it("redeploys from a hash of every route input, the origin URL included", () => {
            const deployment = theOne(run, "aws:apigateway/deployment:Deployment");
            expect(deployment.inputs).not.to.have.property("stageName");
            const trigger = (deployment.inputs.triggers as Record<string, string>).routes;
            const connectionId = expected.originMode === "private" ? theOne(run, "aws:apigateway/vpcLink:VpcLink").id : undefined;
            // A custom domain disables the execute-api endpoint, a setting AWS applies only on redeploy.
            const apiSettings = { disableExecuteApiEndpoint: config.customDomain !== undefined, ...EXECUTE_API_TLS };
            expect(trigger).to.equal(deploymentTrigger(resolvedRouteSpecs({ uri: originUrl, connectionId }, routeOptionsOf(config)), apiSettings));
            const deps = dependencyNames(run, deployment);
            const methodsAndIntegrations = run.resources.filter((r) => r.type === "aws:apigateway/method:Method" || r.type === "aws:apigateway/integration:Integration");
            for (const resource of methodsAndIntegrations) {
                expect(deps).to.include(resource.name);
            }
        });

        it(`serves a separate stage named ${config.stageName} from that deployment, with JSON access logs`, () => {
            const stage = theOne(run, "aws:apigateway/stage:Stage");
            const deployment = theOne(run, "aws:apigateway/deployment:Deployment");
            expect(stage.inputs.stageName).to.equal(expected.stageName);
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
            expect(settings.inputs.stageName).to.equal(expected.stageName);
            expect(settings.inputs.settings).to.deep.equal({
                throttlingRateLimit: expected.rate,
                throttlingBurstLimit: expected.burst,
                loggingLevel: expected.loggingLevel,
                metricsEnabled: true,
                dataTraceEnabled: false,
                ...methodCacheSettings(config.cache),
            });
        });

        it(`creates both log groups with ${expected.retention}-day retention, kept on destroy`, () => {
            const restApiId = run.outputs.restApiId as string;
            const execution = byName(run, `hello-gateway-${expected.stack}-execution-logs`);
            expect(execution.inputs.name).to.equal(`API-Gateway-Execution-Logs_${restApiId}/${expected.stageName}`);
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

        it("keeps everything else deletable (only the shared account setting and a log key that kept log groups need are retained)", () => {
            const retained = run.resources.filter((r) => r.retainOnDelete).map((r) => r.name);
            const encryptsLogs = config.encryptLogs;
            const logKey = encryptsLogs ? [`hello-gateway-${expected.stack}-logs-key`, `hello-gateway-${expected.stack}-logs-key-policy`] : [];
            expect(retained).to.have.members([...ACCOUNT_LOGGING, ...logKey]);
        });

        it("exports invokeUrl, restApiId, stageName and accessLogGroupName, nothing secret", () => {
            const restApiId = run.outputs.restApiId as string;
            expect(run.outputs.invokeUrl).to.equal(`https://${restApiId}.execute-api.${config.region}.amazonaws.com/${expected.stageName}/hello`);
            expect(run.outputs.stageName).to.equal(expected.stageName);
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
