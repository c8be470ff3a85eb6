import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiDeployment } from "./api-deployment";
import { ApiResourceTree, resourceLabel } from "./api-resource-tree";
import { ApiRoute } from "./api-route";
import { sha256 } from "./hash";
import type { CacheConfig, LoggingLevel, RequestValidationConfig, ThrottleConfig, UsagePlanConfig } from "./config";
import type { RouteDefinition, RouteThrottle } from "./routes";
import { serviceTrustPolicy } from "./trust-policy";
import { DEFAULT_ROUTES, RouteOptions, RouteRefs, RouteSpec, UriJoin, resolvedRouteSpecs, routeSpecs } from "./rest-route-spec";

export * from "./rest-route-spec";

export interface HelloApiArgs {
    /** The origin's base URL, e.g. `https://ec2-1-2-3-4.compute-1.amazonaws.com/`. */
    readonly originUrl: pulumi.Input<string>;
    readonly region: string;
    /** Stage the API is served from (the project's config defaults it to `prod`). */
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
    /** Who may call the API. Default: anyone (`none`). */
    readonly auth?: ApiAuth;
    /** Parameters API Gateway requires before it calls the origin. Default: none. */
    readonly requestValidation?: RequestValidationConfig;
    /** Stage cache. Default: off. */
    readonly cache?: CacheConfig;
    /** X-Ray tracing on the stage. Default: off. */
    readonly tracingEnabled?: boolean;
    /** Reach the origin through a VPC link to this internal NLB instead of the internet. */
    readonly vpcLinkTargetArn?: pulumi.Input<string>;
    /** Turn off the default execute-api endpoint (when a custom domain serves the API). Default: false. */
    readonly disableExecuteApiEndpoint?: boolean;
    /** What the description says the API proxies to. Default: `the EC2 origin`. */
    readonly originDescription?: string;
    /** The route table. Default: `GET /` and `GET /hello`, both to the origin's root (`DEFAULT_ROUTES`). */
    readonly routes?: readonly RouteDefinition[];
    /** Method-level throttles below the stage's; each names a route of `routes`. Default: none. */
    readonly routeThrottles?: readonly RouteThrottle[];
    /**
     * The API Gateway client certificate the stage presents to the origin (the origin stack's
     * `clientCertificateId`); the origin's httpd refuses any caller without it. Default: none.
     */
    readonly clientCertificateId?: pulumi.Input<string>;
    /**
     * The origin serves a self-signed certificate (this project's httpd): integrations skip
     * verifying it (docs/origin-tls.md). Default: false, the origin's certificate is verified.
     */
    readonly originServesSelfSignedCertificate?: boolean;
    /** A customer-managed KMS key for the access and execution log groups. Default: CloudWatch Logs' own encryption. */
    readonly logsKmsKeyArn?: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/** Who may call the API; the cognito pool may be one the stack creates. */
export type ApiAuth =
    | { readonly mode: "none" }
    | { readonly mode: "iam" }
    | { readonly mode: "apiKey"; readonly usagePlan: UsagePlanConfig }
    | { readonly mode: "cognito"; readonly userPoolArn: pulumi.Input<string> };

/**
 * API Gateway's `authorization` value per mode; API keys are a separate switch on the method.
 * `jwt` never reaches a REST API (the config refuses it: REST APIs have no JWT authorizer).
 */
export function methodAuthorization(mode: ApiAuth["mode"] | "jwt"): "NONE" | "AWS_IAM" | "COGNITO_USER_POOLS" {
    if (mode === "jwt") {
        throw new Error("authMode jwt needs apiType http: a REST API has no JWT authorizer");
    }
    return mode === "iam" ? "AWS_IAM" : mode === "cognito" ? "COGNITO_USER_POOLS" : "NONE";
}

/** RestApi settings that AWS applies to a stage only when it is deployed again. */
export interface RedeployingApiSettings {
    readonly disableExecuteApiEndpoint: boolean;
    readonly securityPolicy: string;
    readonly endpointAccessMode: string;
}

/**
 * The execute-api endpoint's TLS policy. Of the enhanced `SecurityPolicy_*` policies API
 * Gateway offers REGIONAL (and private) APIs, this one accepts TLS 1.3 and TLS 1.2 with
 * forward secrecy and post-quantum key exchange, so clients limited to TLS 1.2 keep working;
 * the `*_EDGE` policies are for edge-optimized endpoints only. Enhanced policies require an
 * endpoint access mode: BASIC is AWS's mode for moving an existing API over; STRICT also
 * requires SNI to match and is the step after (docs/security.md).
 */
export const EXECUTE_API_TLS = { securityPolicy: "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", endpointAccessMode: "BASIC" } as const;

/**
 * The deployment's identity: a hash of every method and integration input, and of the API
 * settings that only take effect on a new deployment. A deployment is a snapshot, so any such
 * change, the origin URL included, must produce a new one.
 */
export function deploymentTrigger(routes: readonly RouteSpec[], apiSettings: RedeployingApiSettings): string {
    return sha256(JSON.stringify({ routes, apiSettings }));
}

/** Method-level cache settings: encrypted, and clients may not bypass it unauthenticated. */
export function methodCacheSettings(cache: CacheConfig): Partial<aws.types.input.apigateway.MethodSettingsSettings> {
    if (!cache.enabled) {
        return { cachingEnabled: false };
    }
    return {
        cachingEnabled: true,
        cacheTtlInSeconds: cache.ttlSeconds,
        cacheDataEncrypted: true,
        requireAuthorizationForCacheControl: true,
        unauthorizedCacheControlHeaderStrategy: "SUCCEED_WITH_RESPONSE_HEADER",
    };
}

/** Fields of every access log line: one JSON object per request. */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
    requestId: "$context.requestId",
    extendedRequestId: "$context.extendedRequestId",
    ip: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    // Who called: the API key's id (never the key), the Cognito user's sub or an authorizer's
    // principal, the IAM caller's ARN. Fields that do not apply log "-".
    apiKeyId: "$context.identity.apiKeyId",
    cognitoSub: "$context.authorizer.claims.sub",
    principalId: "$context.authorizer.principalId",
    userArn: "$context.identity.userArn",
    wafResponseCode: "$context.wafResponseCode",
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
 * A REGIONAL REST API that proxies its route table to the origin, served from one throttled,
 * logged stage. It composes the pieces the way CDK's `RestApi` does: `ApiResourceTree` (shared
 * resources per path prefix), one `ApiRoute` per route (method, integration, body model),
 * `ApiDeployment` (identity from a hash of every route) and `ApiStage` (logs, stage, method
 * settings). Auth, validators and the VPC link are shared by every route and live here.
 */
export class HelloApi extends pulumi.ComponentResource {
    readonly restApiId: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    readonly invokeUrl: pulumi.Output<string>;
    /** The stage's base URL without a trailing slash; every route's path appends to it. */
    readonly stageUrl: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    readonly executionLogGroupName: pulumi.Output<string>;
    /** The RestApi's name: the `ApiName` dimension of its CloudWatch metrics. */
    readonly restApiName: pulumi.Output<string>;
    /** The stage's ARN, which WAF associates with. */
    readonly stageArn: pulumi.Output<string>;
    /** The client API key, secret; only in `apiKey` mode. */
    readonly apiKeyValue?: pulumi.Output<string>;

    constructor(name: string, args: HelloApiArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:HelloApi", name, {}, opts);
        const tags = args.tags ?? {};

        const auth: ApiAuth = args.auth ?? { mode: "none" };
        const apiSettings: RedeployingApiSettings = { disableExecuteApiEndpoint: args.disableExecuteApiEndpoint ?? false, ...EXECUTE_API_TLS };
        const requestValidation = args.requestValidation ?? { queryParameters: [], headers: [] };
        const cache: CacheConfig = args.cache ?? { enabled: false };

        const routes = args.routes ?? DEFAULT_ROUTES;
        const restApi = new aws.apigateway.RestApi(
            `${name}-api`,
            {
                name,
                description: restApiDescription(routes, args.originDescription ?? "the EC2 origin"),
                endpointConfiguration: { types: "REGIONAL" },
                disableExecuteApiEndpoint: apiSettings.disableExecuteApiEndpoint,
                securityPolicy: apiSettings.securityPolicy,
                endpointAccessMode: apiSettings.endpointAccessMode,
                tags,
            },
            { parent: this },
        );

        const authorizer =
            auth.mode === "cognito"
                ? new aws.apigateway.Authorizer(
                      `${name}-cognito`,
                      {
                          restApi: restApi.id,
                          type: "COGNITO_USER_POOLS",
                          providerArns: [auth.userPoolArn],
                          identitySource: "method.request.header.Authorization",
                      },
                      { parent: this },
                  )
                : undefined;
        const validatesParameters = requestValidation.queryParameters.length + requestValidation.headers.length > 0;
        const requestValidator = validatesParameters
            ? new aws.apigateway.RequestValidator(
                  `${name}-validator`,
                  { restApi: restApi.id, name: `${name}-parameters`, validateRequestParameters: true, validateRequestBody: false },
                  { parent: this },
              )
            : undefined;
        // Routes with `body=` check their body, and their required parameters as well.
        const bodyValidator = routes.some((route) => route.bodySchema !== undefined)
            ? new aws.apigateway.RequestValidator(
                  `${name}-body-validator`,
                  { restApi: restApi.id, name: `${name}-body`, validateRequestParameters: validatesParameters, validateRequestBody: true },
                  { parent: this },
              )
            : undefined;

        const vpcLink =
            args.vpcLinkTargetArn === undefined
                ? undefined
                : new aws.apigateway.VpcLink(
                      `${name}-origin-link`,
                      { name: `${name}-origin`, description: "API Gateway to the origin's internal NLB", targetArn: args.vpcLinkTargetArn, tags },
                      { parent: this },
                  );

        const routeOptions: RouteOptions = {
            routes,
            integrationTimeoutMs: args.integrationTimeoutMs,
            authorization: methodAuthorization(auth.mode),
            apiKeyRequired: auth.mode === "apiKey",
            requestValidation,
            cacheEnabled: cache.enabled,
            skipOriginCertificateCheck: args.originServesSelfSignedCertificate ?? false,
        };
        const routeRefs: RouteRefs<pulumi.Input<string>> = {
            uri: args.originUrl,
            connectionId: vpcLink?.id,
            authorizerId: authorizer?.id,
            requestValidatorId: requestValidator?.id,
            bodyValidatorId: bodyValidator?.id,
        };

        const tree = new ApiResourceTree({ restApiId: restApi.id, rootResourceId: restApi.rootResourceId, namePrefix: name, parent: this });
        const joinUri: UriJoin<pulumi.Input<string>> = (baseUrl, originPath) => pulumi.interpolate`${baseUrl}${originPath}`;
        const apiRoutes = routeSpecs(routeRefs, routeOptions, joinUri).map(
            (spec) => new ApiRoute({ restApiId: restApi.id, resourceId: tree.resourceIdOf(spec.path), spec, namePrefix: name, parent: this }),
        );
        const trigger = pulumi
            .all([routeRefs.uri, routeRefs.connectionId, routeRefs.authorizerId, routeRefs.requestValidatorId, routeRefs.bodyValidatorId])
            .apply(([uri, connectionId, authorizerId, requestValidatorId, bodyValidatorId]) =>
                deploymentTrigger(resolvedRouteSpecs({ uri, connectionId, authorizerId, requestValidatorId, bodyValidatorId }, routeOptions), apiSettings),
            );
        const { deployment } = new ApiDeployment({
            name: `${name}-deployment`,
            restApiId: restApi.id,
            trigger,
            routeResources: apiRoutes.flatMap((route) => route.resources),
            parent: this,
        });

        const { stage, accessLogGroup, executionLogGroup } = new ApiStage({
            name,
            restApiId: restApi.id,
            deploymentId: deployment.id,
            stageName: args.stageName,
            logRetentionDays: args.logRetentionDays,
            tracingEnabled: args.tracingEnabled ?? false,
            cache,
            throttle: args.throttle,
            loggingLevel: args.loggingLevel,
            routes,
            routeThrottles: args.routeThrottles ?? [],
            loggingPrerequisites: args.loggingPrerequisites ?? [],
            clientCertificateId: args.clientCertificateId,
            logsKmsKeyArn: args.logsKmsKeyArn,
            tags,
            parent: this,
        });

        if (auth.mode === "apiKey") {
            const key = new aws.apigateway.ApiKey(`${name}-key`, { name: `${name}-client`, enabled: true, tags }, { parent: this });
            const plan = new aws.apigateway.UsagePlan(
                `${name}-usage-plan`,
                {
                    name: `${name}-clients`,
                    apiStages: [{ apiId: restApi.id, stage: stage.stageName }],
                    throttleSettings: { rateLimit: auth.usagePlan.rateLimit, burstLimit: auth.usagePlan.burstLimit },
                    quotaSettings: { limit: auth.usagePlan.quotaPerDay, period: "DAY" },
                    tags,
                },
                { parent: this },
            );
            new aws.apigateway.UsagePlanKey(`${name}-usage-plan-key`, { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id }, { parent: this });
            this.apiKeyValue = pulumi.secret(key.value);
        }

        this.restApiId = restApi.id;
        this.restApiName = restApi.name;
        this.stageArn = stage.arn;
        this.stageName = stage.stageName;
        this.invokeUrl = pulumi
            .all([restApi.id, stage.stageName])
            .apply(([id, stageName]) => `${executeApiBaseUrl(id, args.region, stageName)}${invokePath(routes)}`);
        this.stageUrl = pulumi.all([restApi.id, stage.stageName]).apply(([id, stageName]) => executeApiBaseUrl(id, args.region, stageName));
        this.accessLogGroupName = accessLogGroup.name;
        this.executionLogGroupName = executionLogGroup.name;
        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            invokeUrl: this.invokeUrl,
            stageUrl: this.stageUrl,
            accessLogGroupName: this.accessLogGroupName,
            executionLogGroupName: this.executionLogGroupName,
            restApiName: this.restApiName,
            stageArn: this.stageArn,
            apiKeyValue: this.apiKeyValue,
        });
    }
}

/** The RestApi's description: the routes it serves, as long as they fit in a line. */
export function restApiDescription(routes: readonly RouteDefinition[], origin: string): string {
    const names = routes.map((route) => `${route.method} ${route.path}`);
    const listed = names.length <= 3 ? names.join(names.length === 2 ? " and " : ", ") : `${names.length} routes`;
    return `hello-gateway: ${listed} proxied to ${origin}`;
}

/**
 * The path `invokeUrl` points at: `/hello` when the table serves `GET /hello` (the seed's
 * URL), otherwise the first GET route without parameters, otherwise the stage's root.
 */
export function invokePath(routes: readonly RouteDefinition[]): string {
    const plainGets = routes.filter((route) => route.method === "GET" && route.pathParameters.length === 0);
    return (plainGets.find((route) => route.path === "/hello") ?? plainGets[0])?.path ?? "/";
}

/**
 * A method's path in MethodSettings: its resource path without the leading slash, then the
 * method (`orders/{id}/POST`); the root's resource path is `/`, escaped as `~1`. ANY becomes `*`:
 * an override for an ANY route covers every method of its resource.
 */
export function methodSettingsPath(route: Pick<RouteDefinition, "method" | "path">): string {
    const resourcePath = route.path === "/" ? "~1" : route.path.slice(1);
    return `${resourcePath}/${route.method === "ANY" ? "*" : route.method}`;
}

export interface ApiStageArgs {
    readonly name: string;
    readonly restApiId: pulumi.Input<string>;
    readonly deploymentId: pulumi.Input<string>;
    readonly stageName: string;
    readonly logRetentionDays: number;
    readonly tracingEnabled: boolean;
    readonly cache: CacheConfig;
    /** Stage-wide throttling (`*\/*`). */
    readonly throttle: ThrottleConfig;
    readonly loggingLevel: LoggingLevel;
    /** The routes the stage serves: non-GET routes opt out of the cache, per method. */
    readonly routes: readonly RouteDefinition[];
    /** Per-method throttles; each gets its own MethodSettings. */
    readonly routeThrottles: readonly RouteThrottle[];
    readonly loggingPrerequisites: pulumi.Resource[];
    /** The client certificate the stage presents to the origin. Default: none. */
    readonly clientCertificateId?: pulumi.Input<string>;
    /** A customer-managed KMS key for both log groups. Default: CloudWatch Logs' own encryption. */
    readonly logsKmsKeyArn?: pulumi.Input<string>;
    readonly tags: Record<string, string>;
    readonly parent: pulumi.Resource;
}

/**
 * The stage that serves a deployment, like CDK's `Stage`: its two log groups, the stage itself,
 * stage-wide MethodSettings and a per-method override for each route throttle and, with the
 * cache on, for each route that is not a GET (API Gateway caches only what the settings allow).
 */
export class ApiStage {
    readonly stage: aws.apigateway.Stage;
    readonly accessLogGroup: aws.cloudwatch.LogGroup;
    readonly executionLogGroup: aws.cloudwatch.LogGroup;

    constructor(args: ApiStageArgs) {
        const { name, tags, cache } = args;
        const parent = args.parent;
        // Both log groups outlive the stack (skipDestroy): logs of a destroyed or replaced
        // API stay readable until their retention ends. Autonaming keeps a re-created stack
        // from colliding with the group a destroyed one left behind.
        const accessLogGroup = new aws.cloudwatch.LogGroup(
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
        const executionLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-execution-logs`,
            {
                name: pulumi.output(args.restApiId).apply((id) => executionLogGroupName(id, args.stageName)),
                retentionInDays: args.logRetentionDays,
                kmsKeyId: args.logsKmsKeyArn,
                skipDestroy: true,
                tags,
            },
            { parent },
        );

        const loggingPrerequisites = args.loggingPrerequisites;
        const stage = new aws.apigateway.Stage(
            `${name}-stage`,
            {
                restApi: args.restApiId,
                deployment: args.deploymentId,
                stageName: args.stageName,
                description: `hello-gateway ${args.stageName} stage`,
                accessLogSettings: { destinationArn: accessLogGroup.arn, format: ACCESS_LOG_FORMAT },
                xrayTracingEnabled: args.tracingEnabled,
                cacheClusterEnabled: cache.enabled,
                cacheClusterSize: cache.enabled ? cache.sizeGb : undefined,
                clientCertificateId: args.clientCertificateId,
                tags,
            },
            // The execution log group must exist first, or API Gateway creates one without retention.
            { parent, dependsOn: [executionLogGroup, ...loggingPrerequisites] },
        );

        const stageWideSettings = {
            throttlingRateLimit: args.throttle.rateLimit,
            throttlingBurstLimit: args.throttle.burstLimit,
            loggingLevel: args.loggingLevel,
            metricsEnabled: true,
            // Full request and response bodies in logs can carry personal data.
            dataTraceEnabled: false,
        };
        new aws.apigateway.MethodSettings(
            `${name}-method-settings`,
            {
                restApi: args.restApiId,
                stageName: stage.stageName,
                methodPath: "*/*",
                settings: {
                    ...stageWideSettings,
                    ...methodCacheSettings(cache),
                },
            },
            { parent, dependsOn: loggingPrerequisites },
        );

        // An override replaces the stage-wide settings for its method, so it states all of them.
        for (const route of args.routes) {
            const throttle = args.routeThrottles.find((candidate) => candidate.method === route.method && candidate.path === route.path);
            const uncached = cache.enabled && route.method !== "GET";
            if (throttle === undefined && !uncached) {
                continue;
            }
            new aws.apigateway.MethodSettings(
                `${name}-${resourceLabel(route.path)}-${route.method.toLowerCase()}-settings`,
                {
                    restApi: args.restApiId,
                    stageName: stage.stageName,
                    methodPath: methodSettingsPath(route),
                    settings: {
                        ...stageWideSettings,
                        ...(throttle ? { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit } : {}),
                        ...methodCacheSettings(route.method === "GET" ? cache : { enabled: false }),
                    },
                },
                { parent, dependsOn: loggingPrerequisites },
            );
        }

        this.stage = stage;
        this.accessLogGroup = accessLogGroup;
        this.executionLogGroup = executionLogGroup;
    }
}

export interface ApiGatewayAccountLoggingArgs {
    /** Retention of `/aws/apigateway/welcome`, in days CloudWatch Logs accepts. Default: 30. */
    readonly welcomeLogRetentionDays?: number;
    /**
     * The welcome log group already exists (another stack or API Gateway made it): adopt it by
     * import instead of failing to create it. Default: false. See `welcomeLogGroupExists`.
     */
    readonly welcomeLogGroupExists?: boolean;
    /** A customer-managed KMS key for the welcome log group (`LogEncryptionKey.keyArn`). Default: none. */
    readonly welcomeLogKmsKeyArn?: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/** Who may assume the logging role: API Gateway, and only on behalf of this account (no confused deputy). */
export function apiGatewayLoggingTrustPolicy(accountId: string): Record<string, unknown> {
    return serviceTrustPolicy("apigateway.amazonaws.com", accountId);
}

/** API Gateway writes here once the account's CloudWatch role is set, with no retention. */
export const WELCOME_LOG_GROUP = "/aws/apigateway/welcome";

/**
 * Whether `/aws/apigateway/welcome` exists in the account and region. The lookup is by prefix,
 * so the exact name is compared.
 */
export async function welcomeLogGroupExists(): Promise<boolean> {
    const groups = await aws.cloudwatch.getLogGroups({ logGroupNamePrefix: WELCOME_LOG_GROUP });
    return groups.logGroupNames.includes(WELCOME_LOG_GROUP);
}

/**
 * Resource options for the welcome log group. When it exists, `import` adopts it (the engine
 * imports only when this stack's state does not hold it yet, and then applies the retention as an
 * update), so a second stack owning the account setting, or a group API Gateway made earlier,
 * does not fail the create with ResourceAlreadyExistsException.
 */
export function welcomeLogGroupOptions(exists: boolean): Pick<pulumi.CustomResourceOptions, "import" | "retainOnDelete"> {
    return exists ? { import: WELCOME_LOG_GROUP, retainOnDelete: true } : { retainOnDelete: true };
}

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

        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "Lets API Gateway write execution and access logs to CloudWatch Logs",
                assumeRolePolicy: accountId.apply((account) => JSON.stringify(apiGatewayLoggingTrustPolicy(account))),
                tags: args.tags,
            },
            kept,
        );
        const attachment = new aws.iam.RolePolicyAttachment(
            `${name}-policy`,
            { role: role.name, policyArn: PUSH_TO_CLOUDWATCH_POLICY_ARN },
            kept,
        );
        // Setting the role makes API Gateway write a test message to this group, creating it
        // without retention if it is missing; kept on destroy with the setting that writes to it.
        const welcomeLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-welcome-logs`,
            { name: WELCOME_LOG_GROUP, retentionInDays: args.welcomeLogRetentionDays ?? 30, kmsKeyId: args.welcomeLogKmsKeyArn, tags: args.tags },
            { parent: this, ...welcomeLogGroupOptions(args.welcomeLogGroupExists ?? false) },
        );
        // The role must carry its policy before the account points at it, or API Gateway
        // rejects the setting.
        this.account = new aws.apigateway.Account(
            `${name}-account`,
            { cloudwatchRoleArn: role.arn },
            { ...kept, dependsOn: [attachment, welcomeLogGroup] },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
