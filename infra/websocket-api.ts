import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FunctionGrants, grantsOf } from "../functions/grants";
import { ENV as CHAT_ENV } from "../functions/chat/runtime-env";
import { TOKEN_PARAMETER_ENV, TOKEN_QUERY_PARAMETER } from "../functions/websocket/token-env";
import { ROUTE_SELECTION_EXPRESSION } from "../functions/websocket/route-selection";
import type { LoggingLevel, ThrottleConfig, WebSocketAuthConfig, WebSocketRoute } from "./config";
import { ConnectionsTable } from "./connections-table";

/** One IAM policy statement, as the functions' inline policies spell them. */
export type PolicyStatement = {
    readonly Effect: "Allow";
    readonly Action: string | string[];
    readonly Resource: string | string[];
};

/** What the API needs of a deployed function. */
export interface DeployedFunction {
    readonly functionName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations`. */
    readonly invokeArn: pulumi.Output<string>;
}

/** A function to build from `functions/<name>.ts`, with what it may do beyond writing its logs. */
export interface FunctionRequest {
    /** `chat/connect`. */
    readonly name: string;
    /** Logical name prefix for its resources. */
    readonly resourceName: string;
    readonly environment: Record<string, pulumi.Input<string>>;
    /** Extra statements for its role; empty for logs only. */
    readonly policyStatements: pulumi.Input<PolicyStatement[]>;
    readonly parent: pulumi.Resource;
}

/** Builds one Lambda function (the stack passes the project's LambdaFunction component). */
export type FunctionBuilder = (request: FunctionRequest) => DeployedFunction;

export interface WebSocketApiArgs {
    readonly region: string;
    /** The stage (config `stageName`). */
    readonly stageName: string;
    /** Both limits are always set: one alone leaves the other at 0 and throttles everything. */
    readonly throttle: ThrottleConfig;
    /** Execution logging level for every route (`defaultRouteSettings.loggingLevel`). */
    readonly loggingLevel: LoggingLevel;
    /** Retention of the access and execution log groups. */
    readonly logRetentionDays: number;
    /** A customer-managed KMS key for both log groups. Default: CloudWatch Logs' own encryption. */
    readonly logsKmsKeyArn?: pulumi.Input<string>;
    /** The account's CloudWatch role setting, which execution logs need. Default: none (owned elsewhere). */
    readonly loggingPrerequisites?: pulumi.Resource[];
    readonly routes: readonly WebSocketRoute[];
    readonly auth: WebSocketAuthConfig;
    readonly buildFunction: FunctionBuilder;
    readonly tags?: Record<string, string>;
}

/**
 * How long API Gateway waits for a route's function: its maximum for WebSocket APIs ("Integration
 * timeout: 50 milliseconds - 29 seconds", WebSocket API quotas). A broadcast to many connections
 * takes time; each function's own timeout is set a second below (LambdaFunction).
 */
export const WEBSOCKET_INTEGRATION_TIMEOUT_MS = 29_000;

/** The function the `token` mode runs as its REQUEST authorizer. */
export const TOKEN_AUTHORIZER_FUNCTION = "websocket/token-authorizer";

/** The access log: one JSON line per connection event and message. Never the query string (the token). */
export const WEBSOCKET_ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    connectionId: "$context.connectionId",
    routeKey: "$context.routeKey",
    eventType: "$context.eventType",
    status: "$context.status",
    errorMessage: "$context.error.message",
    integrationError: "$context.integration.error",
    authorizerError: "$context.authorizer.error",
    principalId: "$context.authorizer.principalId",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    requestTimeEpoch: "$context.requestTimeEpoch",
    integrationLatency: "$context.integrationLatency",
};
export const WEBSOCKET_ACCESS_LOG_FORMAT = JSON.stringify(WEBSOCKET_ACCESS_LOG_FIELDS);

/** The route a permission or a resource name speaks of: `connect` for `$connect`, `action-x` for x. */
export function routeLabel(routeKey: string): string {
    return routeKey.startsWith("$") ? routeKey.slice(1) : `action-${routeKey}`;
}

export function functionLabel(functionName: string): string {
    return functionName.replace(/\//g, "-");
}

/** `arn:...:execute-api:REGION:ACCOUNT:API/STAGE/POST/@connections/*`: this stage's connections only. */
export function manageConnectionsArn(executionArn: string, stageName: string): string {
    return `${executionArn}/${stageName}/POST/@connections/*`;
}

/** What API Gateway may invoke a route's function for: this API, this stage, this route key. */
export function routeSourceArn(executionArn: string, stageName: string, routeKey: string): string {
    return `${executionArn}/${stageName}/${routeKey}`;
}

/** `wss://API.execute-api.REGION.amazonaws.com/STAGE`, and the https base the management API uses. */
export function websocketUrls(apiId: string, region: string, stageName: string): { websocketUrl: string; managementEndpoint: string } {
    const host = `${apiId}.execute-api.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
    return { websocketUrl: `wss://${host}/${stageName}`, managementEndpoint: `https://${host}/${stageName}` };
}

/** The statements a function's role gets for its grants: table actions on the table, ManageConnections on this stage. */
export function grantStatements(grants: FunctionGrants, tableArn: string, connectionsArn: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [];
    if (grants.tableActions.length > 0) {
        statements.push({ Effect: "Allow", Action: [...grants.tableActions], Resource: tableArn });
    }
    if (grants.manageConnections) {
        statements.push({ Effect: "Allow", Action: "execute-api:ManageConnections", Resource: connectionsArn });
    }
    return statements;
}

/** `arn:aws:ssm:REGION:ACCOUNT:parameter/NAME` (the ARN drops a leading slash of the name). */
export function ssmParameterArn(partition: string, region: string, accountId: string, name: string): string {
    return `arn:${partition}:ssm:${region}:${accountId}:parameter/${name.replace(/^\//, "")}`;
}

/**
 * A WebSocket API whose routes run Lambda functions, like CDK's `WebSocketApi` +
 * `WebSocketStage`: the API with `$request.body.action` route selection, a connections table,
 * one function per `functions/` file with only its grants, one AWS_PROXY integration, route and
 * invoke permission per route, `$connect` auth, and one auto-deployed, throttled, logged stage.
 */
export class WebSocketApi extends pulumi.ComponentResource {
    readonly apiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly websocketUrl: pulumi.Output<string>;
    /** `https://.../STAGE/@connections`: where a backend posts to a client. */
    readonly callbackUrl: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;
    readonly connectionsTableName: pulumi.Output<string>;

    constructor(name: string, args: WebSocketApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:WebSocketApi", name, {}, opts);
        const tags = args.tags ?? {};
        const stageName = args.stageName;

        const api = new aws.apigatewayv2.Api(
            `${name}-api`,
            {
                name,
                protocolType: "WEBSOCKET",
                routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
                description: `hello-gateway WebSocket API: ${args.routes.map((route) => route.routeKey).join(", ")}`,
                tags,
            },
            { parent: this },
        );
        const urls = api.id.apply((id) => websocketUrls(id, args.region, stageName));
        const table = new ConnectionsTable(name, { tags }, { parent: this });
        const connectionsArn = api.executionArn.apply((arn) => manageConnectionsArn(arn, stageName));
        const actionKeys = args.routes.map((route) => route.routeKey).filter((key) => !key.startsWith("$"));

        // One function per file, however many routes it serves.
        const functions = new Map<string, DeployedFunction>();
        for (const functionName of [...new Set(args.routes.map((route) => route.functionName))]) {
            const grants = grantsOf(functionName);
            functions.set(
                functionName,
                args.buildFunction({
                    name: functionName,
                    resourceName: `${name}-${functionLabel(functionName)}`,
                    environment: {
                        [CHAT_ENV.table]: table.tableName,
                        [CHAT_ENV.callbackUrl]: urls.managementEndpoint,
                        [CHAT_ENV.actions]: actionKeys.join(","),
                    },
                    policyStatements: pulumi.all([table.tableArn, connectionsArn]).apply(([tableArn, arn]) => grantStatements(grants, tableArn, arn)),
                    parent: this,
                }),
            );
        }

        const authorizer = args.auth.mode === "token" ? this.tokenAuthorizer(name, api, args, args.auth.tokenParameterName) : undefined;

        const routes: aws.apigatewayv2.Route[] = [];
        for (const route of args.routes) {
            const fn = functions.get(route.functionName)!;
            const label = `${name}-${routeLabel(route.routeKey)}`;
            const integration = new aws.apigatewayv2.Integration(
                `${label}-integration`,
                {
                    apiId: api.id,
                    integrationType: "AWS_PROXY",
                    integrationMethod: "POST",
                    integrationUri: fn.invokeArn,
                    timeoutMilliseconds: WEBSOCKET_INTEGRATION_TIMEOUT_MS,
                    description: `${route.routeKey} -> functions/${route.functionName}.ts`,
                },
                { parent: this },
            );
            const isConnect = route.routeKey === "$connect";
            routes.push(
                new aws.apigatewayv2.Route(
                    `${label}-route`,
                    {
                        apiId: api.id,
                        routeKey: route.routeKey,
                        target: pulumi.interpolate`integrations/${integration.id}`,
                        // API Gateway authorizes a WebSocket API on $connect only.
                        authorizationType: isConnect ? (args.auth.mode === "iam" ? "AWS_IAM" : args.auth.mode === "token" ? "CUSTOM" : "NONE") : "NONE",
                        authorizerId: isConnect ? authorizer?.id : undefined,
                    },
                    { parent: this },
                ),
            );
            new aws.lambda.Permission(
                `${label}-invoke`,
                {
                    action: "lambda:InvokeFunction",
                    function: fn.functionName,
                    principal: "apigateway.amazonaws.com",
                    sourceArn: api.executionArn.apply((arn) => routeSourceArn(arn, stageName, route.routeKey)),
                },
                { parent: this },
            );
        }

        // Both log groups outlive the stack (skipDestroy), as the REST API's do.
        const accessLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-access-logs`,
            { namePrefix: `/aws/apigateway/${name}/access-`, retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn, skipDestroy: true, tags },
            { parent: this },
        );
        // API Gateway writes a WebSocket stage's execution logs to /aws/apigateway/API_ID/STAGE and
        // creates that group without retention unless it exists first.
        const executionLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-execution-logs`,
            {
                name: pulumi.interpolate`/aws/apigateway/${api.id}/${stageName}`,
                retentionInDays: args.logRetentionDays,
                kmsKeyId: args.logsKmsKeyArn,
                skipDestroy: true,
                tags,
            },
            { parent: this },
        );
        const stage = new aws.apigatewayv2.Stage(
            `${name}-stage`,
            {
                apiId: api.id,
                name: stageName,
                description: `hello-gateway ${stageName} stage`,
                // Each change to routes or integrations is deployed by API Gateway itself; an
                // explicit Deployment as well would be refused.
                autoDeploy: true,
                defaultRouteSettings: {
                    throttlingRateLimit: args.throttle.rateLimit,
                    throttlingBurstLimit: args.throttle.burstLimit,
                    loggingLevel: args.loggingLevel,
                    // Full message bodies in logs can carry personal data (and $connect's token).
                    dataTraceEnabled: false,
                    detailedMetricsEnabled: true,
                },
                accessLogSettings: { destinationArn: accessLogGroup.arn, format: WEBSOCKET_ACCESS_LOG_FORMAT },
                tags,
            },
            { parent: this, dependsOn: [...routes, executionLogGroup, ...(args.loggingPrerequisites ?? [])] },
        );

        this.apiId = api.id;
        this.stageName = stage.name;
        this.websocketUrl = urls.websocketUrl;
        this.callbackUrl = urls.managementEndpoint.apply((endpoint) => `${endpoint}/@connections`);
        this.accessLogGroupName = accessLogGroup.name;
        this.executionLogGroupName = executionLogGroup.name;
        this.connectionsTableName = table.tableName;
        this.registerOutputs({
            apiId: this.apiId,
            stageName: this.stageName,
            websocketUrl: this.websocketUrl,
            callbackUrl: this.callbackUrl,
            accessLogGroupName: this.accessLogGroupName,
            executionLogGroupName: this.executionLogGroupName,
            connectionsTableName: this.connectionsTableName,
        });
    }

    /** The `$connect` REQUEST authorizer: `?token=` against the SSM parameter, which only it may read. */
    private tokenAuthorizer(name: string, api: aws.apigatewayv2.Api, args: WebSocketApiArgs, parameterName: string): aws.apigatewayv2.Authorizer {
        // The partition and account come from the API's own ARN: no lookup.
        const parameterArn = api.executionArn.apply((arn) => {
            const [, partition, , , accountId] = arn.split(":");
            return ssmParameterArn(partition, args.region, accountId, parameterName);
        });
        const fn = args.buildFunction({
            name: TOKEN_AUTHORIZER_FUNCTION,
            resourceName: `${name}-${functionLabel(TOKEN_AUTHORIZER_FUNCTION)}`,
            environment: { [TOKEN_PARAMETER_ENV]: parameterName },
            // The aws/ssm key lets every principal of the account decrypt through SSM; a
            // customer managed key would need kms:Decrypt here as well (docs/websocket.md).
            policyStatements: parameterArn.apply((arn) => [{ Effect: "Allow" as const, Action: "ssm:GetParameter", Resource: arn }]),
            parent: this,
        });
        const authorizer = new aws.apigatewayv2.Authorizer(
            `${name}-token-authorizer`,
            {
                apiId: api.id,
                name: `${name}-token`,
                authorizerType: "REQUEST",
                authorizerUri: fn.invokeArn,
                identitySources: [`route.request.querystring.${TOKEN_QUERY_PARAMETER}`],
            },
            { parent: this },
        );
        new aws.lambda.Permission(
            `${name}-token-authorizer-invoke`,
            {
                action: "lambda:InvokeFunction",
                function: fn.functionName,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/${authorizer.id}`,
            },
            { parent: this },
        );
        return authorizer;
    }
}
