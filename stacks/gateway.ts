import * as pulumi from "@pulumi/pulumi";
import { ApiGatewayAccountLogging, HelloApi } from "../infra/api";
import type { GatewayConfig } from "../infra/config";

/** The gateway stack's outputs: a public contract users and the smoke test read. */
export interface GatewayOutputs {
    readonly invokeUrl: pulumi.Output<string>;
    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;
    readonly originUrl: pulumi.Output<string>;
    readonly throttleRateLimit: number;
    readonly throttleBurstLimit: number;
}

export function gatewayProgram(config: GatewayConfig): GatewayOutputs {
    const origin = new pulumi.StackReference("origin", { name: config.originStack });
    const originUrl = origin.requireOutput("originUrl").apply((value: unknown) => {
        if (typeof value !== "string" || !/^https?:\/\/[^/\s]+\/$/.test(value)) {
            throw new pulumi.RunError(
                `Stack ${config.originStack} exports originUrl ${JSON.stringify(value)}; expected an http(s) URL ending in "/". Deploy the origin stack first.`,
            );
        }
        return value;
    });

    const accountLogging = config.manageAccountLogRole
        ? new ApiGatewayAccountLogging("apigateway-cloudwatch", { tags: { ...config.tags } })
        : undefined;

    const api = new HelloApi(`hello-gateway-${config.environment}`, {
        originUrl,
        region: config.region,
        stageName: config.stageName,
        throttle: config.throttle,
        loggingLevel: config.loggingLevel,
        logRetentionDays: config.logRetentionDays,
        integrationTimeoutMs: config.integrationTimeoutMs,
        loggingPrerequisites: accountLogging ? [accountLogging.account] : [],
        tags: { ...config.tags },
    });

    return {
        invokeUrl: api.invokeUrl,
        restApiId: api.restApiId,
        stageName: api.stageName,
        accessLogGroupName: api.accessLogGroupName,
        executionLogGroupName: api.executionLogGroupName,
        originUrl,
        throttleRateLimit: config.throttle.rateLimit,
        throttleBurstLimit: config.throttle.burstLimit,
    };
}
