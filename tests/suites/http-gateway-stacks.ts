import { expect } from "chai";
import { GatewayConfig, ORIGIN_STACK_SUFFIX, gatewayResourcePrefix } from "../../infra/config";
import { awsFunctionName } from "../../infra/lambda/route-functions";
import { CORS_ALLOW_HEADERS, HTTP_ACCESS_LOG_FIELDS, corsAllowMethods, httpRouteKey, mappedOriginPath } from "../../infra/http/api";
import { ProgramRun, RecordedResource, resourcesRegisteredBefore } from "../../tools/mock-runtime";
import { committedStacks } from "../../tools/stack-files";
import { StackRunOptions, dependencyNames, gatewayConfigOf, originOutputsFor, resourcesOfType, runStack, theOne } from "../support";

export const STAGE = "aws:apigatewayv2/stage:Stage";
export const ROUTE = "aws:apigatewayv2/route:Route";
export const INTEGRATION = "aws:apigatewayv2/integration:Integration";

/** The origin the stack file's originStack names, as the tests' fixture deploys it. */
export function originOf(config: GatewayConfig, root: string): Record<string, unknown> {
    const environment = (config.originStack ?? "").split("/").pop()!.replace(ORIGIN_STACK_SUFFIX, "");
    return originOutputsFor(environment, root);
}

/** Fails the run; `registered` counts what was registered first other than the origin's StackReference (a read). */
export function integrationOf(run: ProgramRun, route: RecordedResource): RecordedResource {
    const integration = resourcesOfType(run, INTEGRATION).find((candidate) => route.inputs.target === `integrations/${candidate.id}`);
    expect(integration, `the integration of ${String(route.inputs.routeKey)}`).not.to.equal(undefined);
    return integration!;
}

/** The Lambda function a `lambda:<name>` route runs, by its AWS name. */
export function lambdaFunctionNamed(run: ProgramRun, config: GatewayConfig, name: string): RecordedResource {
    return resourcesOfType(run, "aws:lambda/function:Function").find((fn) => fn.inputs.name === awsFunctionName(gatewayResourcePrefix(config.environment), name))!;
}

export async function failedRun(stack: string, options: StackRunOptions): Promise<{ error: Error; registered: number }> {
    try {
        await runStack(stack, options);
    } catch (error) {
        return { error: error as Error, registered: resourcesRegisteredBefore(error).filter((resource) => resource.type !== "pulumi:pulumi:StackReference").length };
    }
    throw new Error(`expected stack ${stack} to fail`);
}

/** The HTTP API gateway stacks as their files say (prod-http), expectations from those files. */
export function describeHttpGatewayStacks(root: string, label: string): void {
    const httpStacks = committedStacks(root).filter((name) => !name.endsWith(ORIGIN_STACK_SUFFIX) && gatewayConfigOf(name, root).apiType === "http");
    for (const stack of httpStacks) {
        describe(`HTTP API gateway stack ${stack} (${label})`, () => {
            const config = gatewayConfigOf(stack, root);
            let run: ProgramRun;
            before(async () => {
                run = await runStack(stack, { root });
            });

            it("creates one HTTP API and nothing of a REST API: no deployment, no methods", () => {
                expect(theOne(run, "aws:apigatewayv2/api:Api").inputs.protocolType).to.equal("HTTP");
                for (const type of ["aws:apigateway/restApi:RestApi", "aws:apigateway/deployment:Deployment", "aws:apigatewayv2/deployment:Deployment", "aws:apigateway/method:Method"]) {
                    expect(resourcesOfType(run, type), type).to.have.length(0);
                }
            });

            it("serves every configured route under its route key, each to its own integration: HTTP_PROXY to the origin, AWS_PROXY 2.0 to a function", () => {
                const routes = resourcesOfType(run, ROUTE);
                expect(routes.map((route) => route.inputs.routeKey).sort()).to.deep.equal(config.routes.map(httpRouteKey).sort());
                for (const route of routes) {
                    const integration = integrationOf(run, route);
                    const definition = config.routes.find((candidate) => httpRouteKey(candidate) === route.inputs.routeKey)!;
                    if (definition.lambda) {
                        const fn = lambdaFunctionNamed(run, config, definition.lambda.name);
                        expect(integration.inputs).to.deep.equal({ apiId: theOne(run, "aws:apigatewayv2/api:Api").id, integrationType: "AWS_PROXY", integrationMethod: "POST", integrationUri: fn.state.invokeArn, payloadFormatVersion: "2.0", timeoutMilliseconds: config.integrationTimeoutMs });
                    } else {
                        expect(integration.inputs).to.include({ integrationType: "HTTP_PROXY", integrationMethod: definition.method, timeoutMilliseconds: config.integrationTimeoutMs, payloadFormatVersion: "1.0" });
                    }
                }
            });

            it("lets API Gateway invoke each function only for its own routes: this API, the route's method and path", () => {
                const api = theOne(run, "aws:apigatewayv2/api:Api");
                const lambdaRoutes = config.routes.filter((route) => route.lambda !== undefined);
                const permissions = resourcesOfType(run, "aws:lambda/permission:Permission");
                expect(permissions).to.have.length(lambdaRoutes.length);
                for (const route of lambdaRoutes) {
                    const fn = lambdaFunctionNamed(run, config, route.lambda!.name);
                    const expectedArn = `${api.state.executionArn}/*/${route.method === "ANY" ? "*" : route.method}${route.path.replace(/\{[^}]*\}/g, "*")}`;
                    const permission = permissions.find((candidate) => candidate.inputs.sourceArn === expectedArn);
                    expect(permission, expectedArn).not.to.equal(undefined);
                    expect(permission!.inputs).to.include({ action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", function: fn.state.name ?? fn.inputs.name });
                }
            });

            it(`authorizes every route with ${config.auth.mode}`, () => {
                const routes = resourcesOfType(run, ROUTE);
                if (config.auth.mode === "jwt") {
                    const authorizer = theOne(run, "aws:apigatewayv2/authorizer:Authorizer");
                    expect(authorizer.inputs).to.deep.include({
                        authorizerType: "JWT",
                        identitySources: ["$request.header.Authorization"],
                        jwtConfiguration: { issuer: config.auth.issuer, audiences: [...config.auth.audience] },
                    });
                    for (const route of routes) {
                        expect(route.inputs, String(route.inputs.routeKey)).to.include({ authorizationType: "JWT", authorizerId: authorizer.id });
                    }
                } else {
                    const expected = config.auth.mode === "iam" ? "AWS_IAM" : config.auth.mode === "cognito" ? "JWT" : "NONE";
                    for (const route of routes) {
                        expect(route.inputs.authorizationType).to.equal(expected);
                    }
                }
            });

            it("reaches the origin only through a VPC link in the origin's subnets and security group, to the listener it exports", () => {
                const origin = originOf(config, root);
                const link = theOne(run, "aws:apigatewayv2/vpcLink:VpcLink");
                expect(link.inputs.subnetIds).to.deep.equal(origin.originVpcLinkSubnetIds);
                expect(link.inputs.securityGroupIds).to.deep.equal([origin.originVpcLinkSecurityGroupId]);
                for (const integration of resourcesOfType(run, INTEGRATION).filter((candidate) => candidate.inputs.integrationType === "HTTP_PROXY")) {
                    expect(integration.inputs).to.include({ connectionType: "VPC_LINK", connectionId: link.id, integrationUri: origin.originNlbListenerArn });
                }
            });

            it("forwards each route to its origin path, never with the stage name in front", () => {
                for (const route of config.routes.filter((candidate) => candidate.lambda === undefined)) {
                    const integration = integrationOf(run, resourcesOfType(run, ROUTE).find((candidate) => candidate.inputs.routeKey === httpRouteKey(route))!);
                    expect(integration.inputs.requestParameters).to.deep.equal({ "overwrite:path": `/${mappedOriginPath(route.originPath)}` });
                }
            });

            it(`deploys automatically to stage ${config.stageName}, throttled with both limits (${config.throttle.rateLimit} rps, burst ${config.throttle.burstLimit}), detailed metrics on`, () => {
                const stage = theOne(run, STAGE);
                expect(stage.inputs).to.include({ name: config.stageName, autoDeploy: true });
                expect(stage.inputs).not.to.have.property("deploymentId");
                expect(stage.inputs.defaultRouteSettings).to.deep.equal({
                    throttlingRateLimit: config.throttle.rateLimit,
                    throttlingBurstLimit: config.throttle.burstLimit,
                    detailedMetricsEnabled: true,
                });
            });

            it("throttles each routeThrottles entry by its route key, the stage waiting for every route", () => {
                const stage = theOne(run, STAGE);
                expect(stage.inputs.routeSettings).to.deep.equal(
                    config.routeThrottles.map((throttle) => ({ routeKey: httpRouteKey(throttle), throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit, detailedMetricsEnabled: true })),
                );
                const routeKeys = new Set(resourcesOfType(run, ROUTE).map((route) => route.inputs.routeKey));
                for (const setting of stage.inputs.routeSettings as Array<{ routeKey: string }>) {
                    expect(routeKeys.has(setting.routeKey), setting.routeKey).to.equal(true);
                }
                expect(dependencyNames(run, stage)).to.include.members(resourcesOfType(run, ROUTE).map((route) => route.name));
            });

            it(`logs every request as JSON with the caller fields to a group kept ${config.logRetentionDays} days${config.encryptLogs ? ", encrypted with the stack's key" : ""}`, () => {
                const stage = theOne(run, STAGE);
                const group = resourcesOfType(run, "aws:cloudwatch/logGroup:LogGroup").find((candidate) => candidate.name.endsWith("-access-logs"))!;
                const settings = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
                expect(settings.destinationArn).to.equal(group.state.arn);
                expect(JSON.parse(settings.format)).to.deep.equal(HTTP_ACCESS_LOG_FIELDS);
                for (const field of ["$context.identity.sourceIp", "$context.requestId", "$context.routeKey", "$context.status", "$context.authorizer.claims.sub", "$context.integrationErrorMessage"]) {
                    expect(settings.format).to.contain(field);
                }
                expect(group.inputs).to.include({ retentionInDays: config.logRetentionDays, skipDestroy: true });
                if (config.encryptLogs) {
                    expect(group.inputs.kmsKeyId).to.equal(theOne(run, "aws:kms/key:Key").state.arn);
                }
                // HTTP APIs have no execution logs: no such group, no account logging role.
                expect(resourcesOfType(run, "aws:apigateway/account:Account")).to.have.length(0);
                expect(run.outputs).not.to.have.property("executionLogGroupName");
            });

            it(config.corsAllowOrigins.length > 0 ? `answers CORS for ${config.corsAllowOrigins.join(", ")} natively` : "sends no CORS headers", () => {
                const api = theOne(run, "aws:apigatewayv2/api:Api");
                if (config.corsAllowOrigins.length === 0) {
                    expect(api.inputs).not.to.have.property("corsConfiguration");
                    return;
                }
                expect(api.inputs.corsConfiguration).to.deep.equal({
                    allowOrigins: [...config.corsAllowOrigins],
                    allowMethods: corsAllowMethods(config.routes),
                    allowHeaders: [...CORS_ALLOW_HEADERS],
                    maxAge: 300,
                });
            });

            it("alarms on the stage's 5xx, 4xx and p99 latency with the HTTP API's metric names and dimensions", () => {
                const api = theOne(run, "aws:apigatewayv2/api:Api");
                const alarms = resourcesOfType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
                const t = config.monitoring.thresholds;
                expect(alarms.map((alarm) => [alarm.inputs.metricName, alarm.inputs.threshold]).sort()).to.deep.equal(
                    [["4xx", t.clientErrorsPer5Minutes], ["5xx", t.serverErrorsPer5Minutes], ["Latency", t.p99LatencyMs]].sort(),
                );
                for (const alarm of alarms) {
                    expect(alarm.inputs).to.deep.include({ namespace: "AWS/ApiGateway", dimensions: { ApiId: api.id, Stage: config.stageName }, treatMissingData: "notBreaching" });
                }
            });

            it("exports invokeUrl first and apiType http, nothing secret", () => {
                const api = theOne(run, "aws:apigatewayv2/api:Api");
                expect(Object.keys(run.outputs)[0]).to.equal("invokeUrl");
                expect(run.outputs.apiType).to.equal("http");
                const base = config.stageName === "$default" ? api.state.apiEndpoint : `${api.state.apiEndpoint}/${config.stageName}`;
                expect(run.outputs.stageUrl).to.equal(base);
                expect(String(run.outputs.invokeUrl).startsWith(String(base))).to.equal(true);
                expect(run.secretOutputs).to.deep.equal([]);
            });
        });
    }
}
