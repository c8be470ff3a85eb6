import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ThrottleConfig } from "../config/types";
import type { RouteThrottle } from "../routes";
import { httpRouteKey } from "./route-spec";

/**
 * Fields of every HTTP API access log line, one JSON object per request. HTTP APIs have no
 * execution logs, so this line is all there is: who called (address, agent, the JWT's subject
 * and client, the IAM caller), what they asked (route key, path), what happened (status,
 * latencies, the integration's own status and error, the authorizer's error).
 */
export const HTTP_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    // Who called. Fields that do not apply log "-".
    jwtSub: "$context.authorizer.claims.sub",
    jwtClientId: "$context.authorizer.claims.client_id",
    principalId: "$context.authorizer.principalId",
    userArn: "$context.identity.userArn",
    authorizerError: "$context.authorizer.error",
    requestTime: "$context.requestTime",
    requestTimeEpoch: "$context.requestTimeEpoch",
    httpMethod: "$context.httpMethod",
    routeKey: "$context.routeKey",
    path: "$context.path",
    protocol: "$context.protocol",
    status: "$context.status",
    responseLength: "$context.responseLength",
    integrationStatus: "$context.integration.status",
    integrationLatency: "$context.integration.latency",
    integrationError: "$context.integration.error",
    integrationErrorMessage: "$context.integrationErrorMessage",
    responseLatency: "$context.responseLatency",
    errorMessage: "$context.error.message",
};

export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify(HTTP_ACCESS_LOG_FIELDS);

export interface HttpStageArgs {
    readonly name: string;
    readonly apiId: pulumi.Input<string>;
    /** A stage name, or `$default` (served at the API's root, no stage in the URL). */
    readonly stageName: string;
    /** Stage-wide throttling: both limits are always set (see `defaultRouteSettings`). */
    readonly throttle: ThrottleConfig;
    /** Per-route throttles, keyed by route key. Default: none. */
    readonly routeThrottles: readonly RouteThrottle[];
    /** The routes the stage serves: route settings name them, so the stage waits for them. */
    readonly routeResources: pulumi.Resource[];
    readonly logRetentionDays: number;
    /** A customer-managed KMS key for the access log group. Default: CloudWatch Logs' own encryption. */
    readonly logsKmsKeyArn?: pulumi.Input<string>;
    readonly tags: Record<string, string>;
    readonly parent: pulumi.Resource;
}

/**
 * An HTTP API stage, like CDK's `HttpStage`: automatic deployment (never an explicit Deployment
 * as well: AWS refuses a deployment id on an auto-deploying stage), throttling, detailed
 * metrics, and JSON access logs to a group kept after a destroy.
 */
export class HttpStage {
    readonly stage: aws.apigatewayv2.Stage;
    readonly accessLogGroup: aws.cloudwatch.LogGroup;

    constructor(args: HttpStageArgs) {
        const { name, tags, parent } = args;
        this.accessLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            {
                namePrefix: `/aws/apigateway/${name}/access-`,
                retentionInDays: args.logRetentionDays,
                kmsKeyId: args.logsKmsKeyArn,
                skipDestroy: true,
                tags,
            },
            { parent },
        );
        this.stage = new aws.apigatewayv2.Stage(
            `${name}-stage`,
            {
                apiId: args.apiId,
                name: args.stageName,
                description: `hello-gateway ${args.stageName} stage`,
                autoDeploy: true,
                // Both limits, always: a stage that sets only one gets 0 for the other, and 0
                // throttles every request (pulumi-aws#2363, terraform-provider-aws#14742).
                defaultRouteSettings: {
                    throttlingRateLimit: args.throttle.rateLimit,
                    throttlingBurstLimit: args.throttle.burstLimit,
                    detailedMetricsEnabled: true,
                },
                routeSettings: args.routeThrottles.map((throttle) => ({
                    routeKey: httpRouteKey(throttle),
                    throttlingRateLimit: throttle.rateLimit,
                    throttlingBurstLimit: throttle.burstLimit,
                    detailedMetricsEnabled: true,
                })),
                accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: HTTP_ACCESS_LOG_FORMAT },
                tags,
            },
            // Route settings name route keys, which must exist first.
            { parent, dependsOn: args.routeResources },
        );
    }
}
