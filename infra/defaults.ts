import type { ApiType, AuthMode, LoggingLevel, OriginMode, WebSocketAuthConfig } from "./config/types";

// Kept apart from config.ts, which loads the Pulumi SDK, so the command-line tools can read
// the defaults without paying for it.

/**
 * The defaults the program applies when a key is absent. They match the `config:` block of
 * Pulumi.yaml (a test keeps the two equal), so a program run without the CLI's merge of
 * project defaults, such as the Automation API with an inline program, behaves the same.
 */
export const DEFAULTS = {
    instanceType: "t3.micro",
    vpcCidr: "10.0.0.0/16",
    sshAllowedCidrs: [] as string[],
    allowSshFromAnywhere: false,
    sshPublicKey: "",
    sshPrivateKey: "",
    amiId: "",
    helloMessage: "Hello from EC2 via API Gateway",
    websocketAuth: "none" as WebSocketAuthConfig["mode"],
    websocketTokenParameter: "",
    originStack: "",
    originUrl: "",
    routes: ["GET / -> /", "GET /hello -> /"] as string[],
    routeThrottles: [] as string[],
    stageName: "prod",
    throttleRateLimit: 10,
    throttleBurstLimit: 20,
    loggingLevel: "ERROR" as LoggingLevel,
    logRetentionDays: 30,
    manageAccountLogRole: true,
    integrationTimeoutMs: 10_000,
    lambdaReservedConcurrency: 0,
    originMode: "public" as OriginMode,
    alarmEmail: "",
    authMode: "none" as AuthMode,
    apiKeyRateLimit: 5,
    apiKeyBurstLimit: 10,
    apiKeyQuotaPerDay: 10_000,
    cognitoUserPoolArn: "",
    apiType: "rest" as ApiType,
    jwtIssuer: "",
    jwtAudience: [] as string[],
    corsAllowOrigins: [] as string[],
    requiredQueryParameters: [] as string[],
    requiredHeaders: [] as string[],
    cacheEnabled: false,
    cacheSizeGb: "0.5",
    cacheTtlSeconds: 300,
    tracingEnabled: false,
    wafEnabled: false,
    wafRateLimitPer5Minutes: 1000,
    customDomainName: "",
    certificateArn: "",
    hostedZoneId: "",
    alarm5xxPer5Minutes: 5,
    alarm4xxPer5Minutes: 100,
    alarmP99LatencyMs: 3000,
    flowLogsEnabled: false,
    encryptLogs: false,
    clientCertificateGeneration: 1,
    minInstances: 1,
    maxInstances: 1,
    scaleOutCpuPercent: 60,
} as const;

/**
 * Not a config key: set to `true` for a single `pulumi up` of an origin stack, it boots the AL2023
 * parameter's current release (replacing the instance when that image is newer). A config key
 * would stay set and replace the server on every later release.
 */
export const TAKE_NEWEST_AMI_ENV = "HELLO_GATEWAY_TAKE_NEWEST_AMI";
