import * as pulumi from "@pulumi/pulumi";
import { ApiGatewayAccountLogging, welcomeLogGroupExists } from "../infra/api";
import { GatewayConfig, WebSocketConfig } from "../infra/config";
import { LambdaFunction } from "../infra/lambda/function";
import { bundleFunction, functionArchive, functionSourceFile } from "../infra/lambda/package";
import { LogEncryptionKey } from "../infra/log-encryption";
import { FunctionBuilder, WEBSOCKET_INTEGRATION_TIMEOUT_MS, WebSocketApi } from "../infra/websocket-api";

/** The outputs of an `apiType: websocket` gateway stack: what a client and the smoke test read. */
export interface WebSocketOutputs {
    readonly apiType: "websocket";
    /** `wss://API.execute-api.REGION.amazonaws.com/STAGE`: where clients connect. */
    readonly websocketUrl: pulumi.Output<string>;
    /** `https://API.execute-api.REGION.amazonaws.com/STAGE/@connections`: where a backend posts to a client. */
    readonly callbackUrl: pulumi.Output<string>;
    readonly apiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    /** The route table as configured, one `hello-gateway:routes` string each. */
    readonly routes: string[];
    readonly websocketAuth: string;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;
    readonly connectionsTableName: pulumi.Output<string>;
    readonly throttleRateLimit: number;
    readonly throttleBurstLimit: number;
}

/** A WebSocket API whose routes run functions of functions/, each bundled with its AWS SDK clients. */
export async function websocketProgram(config: GatewayConfig, websocket: WebSocketConfig): Promise<WebSocketOutputs> {
    const name = `hello-gateway-${config.environment}`;
    const tags = { ...config.tags };
    const logKey = config.encryptLogs ? new LogEncryptionKey(name, { region: config.region, tags }) : undefined;
    const accountLogging = config.manageAccountLogRole
        ? new ApiGatewayAccountLogging("apigateway-cloudwatch", {
              welcomeLogRetentionDays: config.logRetentionDays,
              welcomeLogGroupExists: await welcomeLogGroupExists(),
              welcomeLogKmsKeyArn: logKey?.keyArn,
              tags,
          })
        : undefined;

    const buildFunction: FunctionBuilder = (request) =>
        new LambdaFunction(
            request.resourceName,
            {
                functionName: request.resourceName,
                // The SDK clients are bundled at the versions package-lock.json pins, not taken
                // from the runtime, whose copy AWS updates on its own schedule.
                code: functionArchive(bundleFunction(functionSourceFile(request.name), undefined, { bundleAwsSdk: true })),
                integrationTimeoutMs: WEBSOCKET_INTEGRATION_TIMEOUT_MS,
                logRetentionDays: config.logRetentionDays,
                logsKmsKeyArn: logKey?.keyArn,
                environment: request.environment,
                policyStatements: request.policyStatements,
                tags,
            },
            { parent: request.parent },
        );

    const api = new WebSocketApi(name, {
        region: config.region,
        stageName: config.stageName,
        throttle: config.throttle,
        loggingLevel: config.loggingLevel,
        logRetentionDays: config.logRetentionDays,
        logsKmsKeyArn: logKey?.keyArn,
        loggingPrerequisites: accountLogging ? [accountLogging.account] : [],
        routes: websocket.routes,
        auth: websocket.auth,
        buildFunction,
        tags,
    });

    return {
        apiType: "websocket",
        websocketUrl: api.websocketUrl,
        callbackUrl: api.callbackUrl,
        apiId: api.apiId,
        stageName: api.stageName,
        routes: websocket.routes.map((route) => route.source),
        websocketAuth: websocket.auth.mode,
        accessLogGroupName: api.accessLogGroupName,
        executionLogGroupName: api.executionLogGroupName,
        connectionsTableName: api.connectionsTableName,
        throttleRateLimit: config.throttle.rateLimit,
        throttleBurstLimit: config.throttle.burstLimit,
    };
}
