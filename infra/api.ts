import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { sha256 } from "./compute";
import type { LoggingLevel, ThrottleConfig } from "./config";

export interface HelloApiArgs {
    /** The origin's base URL, e.g. `http://ec2-1-2-3-4.compute-1.amazonaws.com/`. */
    readonly originUrl: pulumi.Input<string>;
    readonly region: string;
    /** Stage the API is served from. Default: `prod`. */
    readonly stageName: string;
    /** Stage-wide throttling for every method (`*\/*`). */
    readonly throttle: ThrottleConfig;
    /** Execution logging level. */
    readonly loggingLevel: LoggingLevel;
    /** Retention of both the access and the execution log group. */
    readonly logRetentionDays: number;
    /** How long API Gateway waits for the origin, 50 to 29000 ms. */
    readonly integrationTimeoutMs: number;
    /**
     * What must exist before the stage may log: the account's CloudWatch role setting. Empty
     * when another stack or team owns that setting.
     */
    readonly loggingPrerequisites?: pulumi.Resource[];
    readonly tags?: Record<string, string>;
}

/**
 * One route of the API: a path, its method, and the HTTP_PROXY integration behind it. Generic
 * over the URI so the same spec both creates the resources (with an Output) and is hashed
 * into the deployment trigger (with the resolved string).
 */
export interface RouteSpec<Uri = string> {
    /** `""` for the root resource, otherwise one path segment. */
    readonly pathPart: string;
    readonly httpMethod: "GET";
    readonly authorization: "NONE";
    readonly integration: {
        readonly type: "HTTP_PROXY";
        readonly integrationHttpMethod: "GET";
        readonly uri: Uri;
        readonly timeoutMilliseconds: number;
        readonly passthroughBehavior: "WHEN_NO_MATCH";
    };
}

/** The API's routes: `GET /` and `GET /hello`, both proxied to the origin's root. */
export function routeSpecs<Uri>(originUrl: Uri, integrationTimeoutMs: number): RouteSpec<Uri>[] {
    return ["", "hello"].map((pathPart) => ({
        pathPart,
        httpMethod: "GET",
        authorization: "NONE",
        integration: {
            type: "HTTP_PROXY",
            integrationHttpMethod: "GET",
            uri: originUrl,
            timeoutMilliseconds: integrationTimeoutMs,
            passthroughBehavior: "WHEN_NO_MATCH",
        },
    }));
}

/**
 * The deployment's identity: a hash of every method and integration input. A deployment is a
 * snapshot, so any change to a route, the origin URL included, must produce a new one.
 */
export function deploymentTrigger(routes: readonly RouteSpec[]): string {
    return sha256(JSON.stringify(routes));
}

/** Fields of every access log line: one JSON object per request. */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    requestTime: "$context.requestTime",
    requestTimeEpoch: "$context.requestTimeEpoch",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    path: "$context.path",
    protocol: "$context.protocol",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationStatus: "$context.integration.status",
    integrationLatency: "$context.integration.latency",
    responseLatency: "$context.responseLatency",
    errorMessage: "$context.error.message",
};

export const ACCESS_LOG_FORMAT = JSON.stringify(ACCESS_LOG_FIELDS);

/** API Gateway's own name for a stage's execution log group; it creates it on first use. */
export function executionLogGroupName(restApiId: string, stageName: string): string {
    return `API-Gateway-Execution-Logs_${restApiId}/${stageName}`;
}

export function executeApiBaseUrl(restApiId: string, region: string, stageName: string): string {
    const dnsSuffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
    return `https://${restApiId}.execute-api.${region}.${dnsSuffix}/${stageName}`;
}

/**
 * A REGIONAL REST API that proxies GET requests to the origin, served from one throttled,
 * logged stage. Like CDK's `RestApi`, the deployment is derived from a hash of what it deploys
 * and the stage is a resource of its own.
 */
export class HelloApi extends pulumi.ComponentResource {
    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly invokeUrl: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;

    constructor(name: string, args: HelloApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:HelloApi", name, {}, opts);
        const tags = args.tags ?? {};

        const restApi = new aws.apigateway.RestApi(
            `${name}-api`,
            {
                name,
                description: "hello-gateway: GET / and GET /hello proxied to the EC2 origin",
                endpointConfiguration: { types: "REGIONAL" },
                tags,
            },
            { parent: this },
        );

        const routeResources: pulumi.Resource[] = [];
        for (const route of routeSpecs(args.originUrl, args.integrationTimeoutMs)) {
            const label = route.pathPart === "" ? "root" : route.pathPart;
            const resourceId =
                route.pathPart === ""
                    ? restApi.rootResourceId
                    : new aws.apigateway.Resource(
                          `${name}-${label}`,
                          { restApi: restApi.id, parentId: restApi.rootResourceId, pathPart: route.pathPart },
                          { parent: this },
                      ).id;
            const method = new aws.apigateway.Method(
                `${name}-${label}-${route.httpMethod.toLowerCase()}`,
                {
                    restApi: restApi.id,
                    resourceId,
                    httpMethod: route.httpMethod,
                    authorization: route.authorization,
                },
                { parent: this },
            );
            const integration = new aws.apigateway.Integration(
                `${name}-${label}-${route.httpMethod.toLowerCase()}-integration`,
                {
                    restApi: restApi.id,
                    resourceId,
                    httpMethod: method.httpMethod,
                    ...route.integration,
                },
                { parent: this },
            );
            routeResources.push(method, integration);
        }
        const trigger = pulumi
            .output(args.originUrl)
            .apply((url) => deploymentTrigger(routeSpecs(url, args.integrationTimeoutMs)));

        const deployment = new aws.apigateway.Deployment(
            `${name}-deployment`,
            {
                restApi: restApi.id,
                description: "hello-gateway routes; replaced whenever a route or the origin changes",
                triggers: { routes: trigger },
            },
            { parent: this, dependsOn: routeResources },
        );

        // Both log groups outlive the stack (skipDestroy): logs of a destroyed or replaced
        // API stay readable until their retention ends. Autonaming keeps a re-created stack
        // from colliding with the group a destroyed one left behind.
        const accessLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            {
                namePrefix: `/aws/apigateway/${name}/access-`,
                retentionInDays: args.logRetentionDays,
                skipDestroy: true,
                tags,
            },
            { parent: this },
        );
        const executionLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-execution-logs`,
            {
                name: restApi.id.apply((id) => executionLogGroupName(id, args.stageName)),
                retentionInDays: args.logRetentionDays,
                skipDestroy: true,
                tags,
            },
            { parent: this },
        );

        const loggingPrerequisites = args.loggingPrerequisites ?? [];
        const stage = new aws.apigateway.Stage(
            `${name}-stage`,
            {
                restApi: restApi.id,
                deployment: deployment.id,
                stageName: args.stageName,
                description: `hello-gateway ${args.stageName} stage`,
                accessLogSettings: { destinationArn: accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
                tags,
            },
            // The execution log group must exist first, or API Gateway creates one without retention.
            { parent: this, dependsOn: [executionLogGroup, ...loggingPrerequisites] },
        );

        new aws.apigateway.MethodSettings(
            `${name}-method-settings`,
            {
                restApi: restApi.id,
                stageName: stage.stageName,
                methodPath: "*/*",
                settings: {
                    throttlingRateLimit: args.throttle.rateLimit,
                    throttlingBurstLimit: args.throttle.burstLimit,
                    loggingLevel: args.loggingLevel,
                    metricsEnabled: true,
                    // Full request and response bodies in logs can carry personal data.
                    dataTraceEnabled: false,
                },
            },
            { parent: this, dependsOn: loggingPrerequisites },
        );

        this.restApiId = restApi.id;
        this.stageName = stage.stageName;
        this.invokeUrl = pulumi
            .all([restApi.id, stage.stageName])
            .apply(([id, stageName]) => `${executeApiBaseUrl(id, args.region, stageName)}/hello`);
        this.accessLogGroupName = accessLogGroup.name;
        this.executionLogGroupName = executionLogGroup.name;
        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            invokeUrl: this.invokeUrl,
            accessLogGroupName: this.accessLogGroupName,
            executionLogGroupName: this.executionLogGroupName,
        });
    }
}

export type ApiGatewayAccountLoggingArgs = {
    readonly tags?: Record<string, string>;
};

/** The AWS managed policy that lets API Gateway write to CloudWatch Logs. */
export const PUSH_TO_CLOUDWATCH_POLICY_ARN = aws.iam.ManagedPolicy.AmazonAPIGatewayPushToCloudWatchLogs;

/**
 * The region-wide API Gateway setting that names the role API Gateway logs with. It is one
 * value per account and region, shared by every API in it, so all three resources are kept on
 * destroy: destroying one environment must never take logging away from another.
 */
export class ApiGatewayAccountLogging extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly account: aws.apigateway.Account;

    constructor(name: string, args: ApiGatewayAccountLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:ApiGatewayAccountLogging", name, {}, opts);
        const kept = { parent: this, retainOnDelete: true };

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Lets API Gateway write execution and access logs to CloudWatch Logs",
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "apigateway.amazonaws.com" },
                            Action: "sts:AssumeRole",
                        },
                    ],
                }),
                tags: args.tags,
            },
            kept,
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-policy`,
            { role: role.name, policyArn: PUSH_TO_CLOUDWATCH_POLICY_ARN },
            kept,
        );
        // The role must carry its policy before the account points at it, or API Gateway
        // rejects the setting.
        this.account = new aws.apigateway.Account(
            `${name}-account`,
            { cloudwatchRoleArn: role.arn },
            { ...kept, dependsOn: [attachment] },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
