import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { sha256 } from "./hash";
import type { CacheConfig, LoggingLevel, RequestValidationConfig, ThrottleConfig, UsagePlanConfig } from "./config";

export interface HelloApiArgs {
    /** The origin's base URL, e.g. `http://ec2-1-2-3-4.compute-1.amazonaws.com/`. */
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
    readonly tags?: Record<string, string>;
}

/** Who may call the API; the cognito pool may be one the stack creates. */
export type ApiAuth =
    | { readonly mode: "none" }
    | { readonly mode: "iam" }
    | { readonly mode: "apiKey"; readonly usagePlan: UsagePlanConfig }
    | { readonly mode: "cognito"; readonly userPoolArn: pulumi.Input<string> };

/** API Gateway's `authorization` value per mode; API keys are a separate switch on the method. */
export function methodAuthorization(mode: ApiAuth["mode"]): "NONE" | "AWS_IAM" | "COGNITO_USER_POOLS" {
    return mode === "iam" ? "AWS_IAM" : mode === "cognito" ? "COGNITO_USER_POOLS" : "NONE";
}

/**
 * The values a route refers to that only exist once other resources do: the origin URL, the
 * VPC link, the authorizer and the request validator. Generic so the same spec both creates
 * the resources (with Outputs) and is hashed into the deployment trigger (with strings).
 */
export interface RouteRefs<Ref> {
    readonly uri: Ref;
    readonly connectionId?: Ref;
    readonly authorizerId?: Ref;
    readonly requestValidatorId?: Ref;
}

/** What every route shares that is known when the program starts. */
export interface RouteOptions {
    readonly integrationTimeoutMs: number;
    readonly authorization: "NONE" | "AWS_IAM" | "COGNITO_USER_POOLS";
    readonly apiKeyRequired: boolean;
    readonly requestValidation: RequestValidationConfig;
    /** Whether the stage caches: required query parameters then become cache keys. */
    readonly cacheEnabled: boolean;
}

/** One route of the API: a path, its method, and the HTTP_PROXY integration behind it. */
export interface RouteSpec<Ref = string> {
    /** `""` for the root resource, otherwise one path segment. */
    readonly pathPart: string;
    readonly method: {
        readonly httpMethod: "GET";
        readonly authorization: RouteOptions["authorization"];
        readonly authorizerId?: Ref;
        readonly apiKeyRequired: boolean;
        readonly requestParameters: Record<string, boolean>;
        readonly requestValidatorId?: Ref;
    };
    readonly integration: {
        readonly type: "HTTP_PROXY";
        readonly integrationHttpMethod: "GET";
        readonly uri: Ref;
        readonly timeoutMilliseconds: number;
        readonly passthroughBehavior: "WHEN_NO_MATCH";
        readonly connectionType: "INTERNET" | "VPC_LINK";
        readonly connectionId?: Ref;
        readonly cacheKeyParameters: string[];
    };
}

/** The API's routes: `GET /` and `GET /hello`, both proxied to the origin's root. */
export function routeSpecs<Ref>(refs: RouteRefs<Ref>, options: RouteOptions): RouteSpec<Ref>[] {
    const queryParameters = options.requestValidation.queryParameters.map((name) => `method.request.querystring.${name}`);
    const headers = options.requestValidation.headers.map((name) => `method.request.header.${name}`);
    const requestParameters = Object.fromEntries([...queryParameters, ...headers].map((parameter) => [parameter, true]));
    return ["", "hello"].map((pathPart) => ({
        pathPart,
        method: {
            httpMethod: "GET",
            authorization: options.authorization,
            authorizerId: refs.authorizerId,
            apiKeyRequired: options.apiKeyRequired,
            requestParameters,
            requestValidatorId: refs.requestValidatorId,
        },
        integration: {
            type: "HTTP_PROXY",
            integrationHttpMethod: "GET",
            uri: refs.uri,
            timeoutMilliseconds: options.integrationTimeoutMs,
            passthroughBehavior: "WHEN_NO_MATCH",
            connectionType: refs.connectionId === undefined ? "INTERNET" : "VPC_LINK",
            connectionId: refs.connectionId,
            // Responses differ by required query parameters, so the cache must tell them apart.
            cacheKeyParameters: options.cacheEnabled ? queryParameters : [],
        },
    }));
}

/** RestApi settings that AWS applies to a stage only when it is deployed again. */
export interface RedeployingApiSettings {
    readonly disableExecuteApiEndpoint: boolean;
}

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
        const apiSettings: RedeployingApiSettings = { disableExecuteApiEndpoint: args.disableExecuteApiEndpoint ?? false };
        const requestValidation = args.requestValidation ?? { queryParameters: [], headers: [] };
        const cache: CacheConfig = args.cache ?? { enabled: false };

        const restApi = new aws.apigateway.RestApi(
            `${name}-api`,
            {
                name,
                description: "hello-gateway: GET / and GET /hello proxied to the EC2 origin",
                endpointConfiguration: { types: "REGIONAL" },
                disableExecuteApiEndpoint: apiSettings.disableExecuteApiEndpoint,
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

        const vpcLink =
            args.vpcLinkTargetArn === undefined
                ? undefined
                : new aws.apigateway.VpcLink(
                      `${name}-origin-link`,
                      { name: `${name}-origin`, description: "API Gateway to the origin's internal NLB", targetArn: args.vpcLinkTargetArn, tags },
                      { parent: this },
                  );

        const routeOptions: RouteOptions = {
            integrationTimeoutMs: args.integrationTimeoutMs,
            authorization: methodAuthorization(auth.mode),
            apiKeyRequired: auth.mode === "apiKey",
            requestValidation,
            cacheEnabled: cache.enabled,
        };
        const routeRefs: RouteRefs<pulumi.Input<string>> = {
            uri: args.originUrl,
            connectionId: vpcLink?.id,
            authorizerId: authorizer?.id,
            requestValidatorId: requestValidator?.id,
        };

        const routeResources: pulumi.Resource[] = [];
        for (const route of routeSpecs(routeRefs, routeOptions)) {
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
                `${name}-${label}-${route.method.httpMethod.toLowerCase()}`,
                { restApi: restApi.id, resourceId, ...route.method },
                { parent: this },
            );
            const integration = new aws.apigateway.Integration(
                `${name}-${label}-${route.method.httpMethod.toLowerCase()}-integration`,
                { restApi: restApi.id, resourceId, httpMethod: method.httpMethod, ...route.integration },
                { parent: this },
            );
            routeResources.push(method, integration);
        }
        const trigger = pulumi
            .all([routeRefs.uri, routeRefs.connectionId, routeRefs.authorizerId, routeRefs.requestValidatorId])
            .apply(([uri, connectionId, authorizerId, requestValidatorId]) =>
                deploymentTrigger(routeSpecs({ uri, connectionId, authorizerId, requestValidatorId }, routeOptions), apiSettings),
            );

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
                xrayTracingEnabled: args.tracingEnabled ?? false,
                cacheClusterEnabled: cache.enabled,
                cacheClusterSize: cache.enabled ? cache.sizeGb : undefined,
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
                    ...methodCacheSettings(cache),
                },
            },
            { parent: this, dependsOn: loggingPrerequisites },
        );

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
            .apply(([id, stageName]) => `${executeApiBaseUrl(id, args.region, stageName)}/hello`);
        this.accessLogGroupName = accessLogGroup.name;
        this.executionLogGroupName = executionLogGroup.name;
        this.registerOutputs({
            restApiId: this.restApiId,
            stageName: this.stageName,
            invokeUrl: this.invokeUrl,
            accessLogGroupName: this.accessLogGroupName,
            executionLogGroupName: this.executionLogGroupName,
            restApiName: this.restApiName,
            stageArn: this.stageArn,
            apiKeyValue: this.apiKeyValue,
        });
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
    readonly tags?: Record<string, string>;
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
        // Setting the role makes API Gateway write a test message to this group, creating it
        // without retention if it is missing; kept on destroy with the setting that writes to it.
        const welcomeLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-welcome-logs`,
            { name: WELCOME_LOG_GROUP, retentionInDays: args.welcomeLogRetentionDays ?? 30, tags: args.tags },
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
