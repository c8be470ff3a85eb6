// The typed configuration every layer reads: plain types and the value lists they allow.
import * as pulumi from "@pulumi/pulumi";
import { ProjectFileReader, RouteDefinition, RouteThrottle } from "../routes";

export const PROJECT_NAMESPACE = "hello-gateway";

export type Layer = "origin" | "gateway";
export const LAYERS: readonly Layer[] = ["origin", "gateway"];

export type LoggingLevel = "INFO" | "ERROR" | "OFF";
export const LOGGING_LEVELS: readonly LoggingLevel[] = ["INFO", "ERROR", "OFF"];

export type Architecture = "x86_64" | "arm64";

export type AuthMode = "none" | "apiKey" | "iam" | "cognito" | "jwt";
export const AUTH_MODES: readonly AuthMode[] = ["none", "apiKey", "iam", "cognito", "jwt"];

/** `rest`: API Gateway's REST API (HelloApi); `http`: an HTTP API (HttpGateway, docs/http-api.md). */
export type ApiType = "rest" | "http" | "websocket";
export const API_TYPES: readonly ApiType[] = ["rest", "http", "websocket"];

export type OriginMode = "public" | "private";
export const ORIGIN_MODES: readonly OriginMode[] = ["public", "private"];

/** The stage cache sizes API Gateway offers, in GB, as the API spells them. */
export const CACHE_SIZES_GB: readonly string[] = ["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];
export const CACHE_TTL_SECONDS = { min: 0, max: 3600 } as const;

/** Every retention CloudWatch Logs accepts, except 0 (never expire), which this project refuses. */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
    3653,
];

/** API Gateway's default account-level limits; a stage cannot be throttled above them. */
export const ACCOUNT_RATE_LIMIT = 10_000;
export const ACCOUNT_BURST_LIMIT = 5_000;

/** API Gateway's bounds for an integration timeout on a REST API (without a quota raise). */
export const INTEGRATION_TIMEOUT_MS = { min: 50, max: 29_000 } as const;

/** Who is running the program: the engine's project, stack and organization. */
export interface StackIdentity {
    readonly project: string;
    readonly stack: string;
    readonly organization: string;
}

/** Raw configuration: keys without namespace, values exactly as the engine gives them. */
export interface RawConfig {
    /** Every fully qualified key the stack sets, in any namespace: unknown ones are refused. */
    readonly keys: readonly string[];
    /** `hello-gateway:*` values, keyed by the short name (`layer`, `vpcCidr`, ...). */
    readonly values: Readonly<Record<string, string | undefined>>;
    /** `aws:region`, or the AWS_REGION the provider would fall back to. */
    readonly region: string | undefined;
    /** Short names of the keys the engine marked secret. */
    readonly secretKeys: ReadonlySet<string>;
    /** The `HELLO_GATEWAY_TAKE_NEWEST_AMI` environment variable, for this one run. Default: unset. */
    readonly takeNewestAmi?: string;
    /**
     * Reads a repository file by relative path (the routes' `body=` schemas). Absent: no file
     * can be read, so a route with `body=` is refused as naming a missing file.
     */
    readonly readProjectFile?: ProjectFileReader;
    /** Where the stack's keys are written, so an error can point at the line. Absent: the file alone is named. */
    readonly source?: ConfigSource;
}

/** The stack file a configuration was read from, and the 1-based line of each fully qualified key in it. */
export interface ConfigSource {
    readonly file: string;
    readonly keyLines: Readonly<Record<string, number>>;
}

export interface CommonConfig {
    readonly identity: StackIdentity;
    /** Where the keys were written: checks made later (against the origin's outputs) point at the line too. */
    readonly source?: ConfigSource;
    readonly region: string;
    /** `dev` for both `dev` and `dev-origin`. */
    readonly environment: string;
    /** Tags every taggable resource carries. */
    readonly tags: Readonly<Record<string, string>>;
}

export interface SshKeyMaterial {
    readonly publicKey: string;
    readonly privateKey: pulumi.Output<string>;
}

/** Where alarms go; shared by both layers. */
export interface MonitoringConfig {
    /** Absent: alarms are created without a notification target. */
    readonly alarmEmail: string | undefined;
}

export interface OriginConfig extends CommonConfig {
    readonly layer: "origin";
    /** `private` puts a Network Load Balancer in front of the instance for a VPC link. */
    readonly originMode: OriginMode;
    readonly monitoring: MonitoringConfig;
    readonly instanceType: string;
    readonly architecture: Architecture;
    readonly vpcCidr: string;
    readonly sshAllowedCidrs: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
    /** Absent: the stack generates an ED25519 key pair. */
    readonly sshKey: SshKeyMaterial | undefined;
    /** Absent: follow the AL2023 SSM parameter, ignoring later releases. */
    readonly amiId: string | undefined;
    /** This run boots the parameter's current release (`HELLO_GATEWAY_TAKE_NEWEST_AMI=true`). */
    readonly takeNewestAmi: boolean;
    readonly helloMessage: string;
    /** VPC flow logs to CloudWatch Logs. */
    readonly flowLogsEnabled: boolean;
    /** Every log group the stack creates is encrypted with a customer-managed KMS key. */
    readonly encryptLogs: boolean;
    /** Retention of the log groups the stack creates (flow logs). */
    readonly logRetentionDays: number;
    /** Which API Gateway client certificate is current; one more is a rotation (docs/origin-tls.md). */
    readonly clientCertificateGeneration: number;
    /** How many instances serve: one (`maxInstances` 1), or an Auto Scaling group (docs/scaling.md). */
    readonly fleet: FleetConfig;
}

/** The origin's size. `maxInstances` above 1 is group mode; 1 and 1 is the single instance. */
export interface FleetConfig {
    /** The fewest instances serving, and the group's starting desired capacity. */
    readonly minInstances: number;
    /** The most instances the target-tracking policy may scale out to. */
    readonly maxInstances: number;
    /** The average CPU percentage the group's target-tracking policy aims for. */
    readonly scaleOutCpuPercent: number;
}

/** Group mode: an image of the SSH-provisioned builder, run by an Auto Scaling group behind the NLB. */
export function isGroupMode(fleet: FleetConfig): boolean {
    return fleet.maxInstances > 1;
}

export interface ThrottleConfig {
    readonly rateLimit: number;
    readonly burstLimit: number;
}

export interface UsagePlanConfig {
    readonly rateLimit: number;
    readonly burstLimit: number;
    readonly quotaPerDay: number;
}

export type AuthConfig =
    | { readonly mode: "none" }
    | { readonly mode: "iam" }
    | { readonly mode: "apiKey"; readonly usagePlan: UsagePlanConfig }
    /**
     * No pool ARN: the stack creates a user pool. `audience`: the app client ids an HTTP API's
     * JWT authorizer accepts (`jwtAudience`); empty means the client of the pool the stack creates.
     */
    | { readonly mode: "cognito"; readonly userPoolArn: string | undefined; readonly audience: readonly string[] }
    /** An HTTP API's native JWT authorizer: tokens from `issuer` (https) for one of `audience`. */
    | { readonly mode: "jwt"; readonly issuer: string; readonly audience: readonly string[] };

export interface RequestValidationConfig {
    /** Query string parameters API Gateway requires before calling the origin. */
    readonly queryParameters: readonly string[];
    /** Headers API Gateway requires before calling the origin. */
    readonly headers: readonly string[];
}

export type CacheConfig =
    | { readonly enabled: false }
    | { readonly enabled: true; readonly sizeGb: string; readonly ttlSeconds: number };

export interface WafConfig {
    readonly enabled: boolean;
    /** Requests one client IP may make in any 5-minute window before WAF blocks it. */
    readonly rateLimitPer5Minutes: number;
}

export interface CustomDomainConfig {
    readonly domainName: string;
    /** An ACM certificate in the stack's region; absent: issued with DNS validation in hostedZoneId. */
    readonly certificateArn: string | undefined;
    /** Route 53 zone for the alias record (and the certificate's validation records). */
    readonly hostedZoneId: string | undefined;
}

export interface GatewayAlarmThresholds {
    /** 5XX responses in 5 minutes that raise the alarm. */
    readonly serverErrorsPer5Minutes: number;
    /** 4XX responses (throttling and validation failures included) in 5 minutes. */
    readonly clientErrorsPer5Minutes: number;
    /** p99 latency over 5 minutes, in milliseconds. */
    readonly p99LatencyMs: number;
}

export interface GatewayConfig extends CommonConfig {
    readonly layer: "gateway";
    /** Which kind of API serves the routes. Default: `rest`. */
    readonly apiType: ApiType;
    /** Origins browsers may call the API from (CORS); empty: no CORS headers at all. */
    readonly corsAllowOrigins: readonly string[];
    /** `apiType: websocket` only: its routes, functions and `$connect` auth (docs/websocket.md). */
    readonly websocket?: WebSocketConfig;
    readonly auth: AuthConfig;
    readonly requestValidation: RequestValidationConfig;
    readonly cache: CacheConfig;
    readonly tracingEnabled: boolean;
    readonly waf: WafConfig;
    /** Absent: the API is served from its execute-api endpoint. */
    readonly customDomain: CustomDomainConfig | undefined;
    /** Must match the origin stack's; `private` reaches it through a VPC link. */
    readonly originMode: OriginMode;
    readonly monitoring: MonitoringConfig & { readonly thresholds: GatewayAlarmThresholds };
    /** Fully qualified `org/project/stack` of the origin stack; undefined with `originUrl`. */
    readonly originStack: string | undefined;
    /** A backend this project does not deploy (`hello-gateway:originUrl`), ending in `/`. */
    readonly originUrl: string | undefined;
    /** The route table; the default is `GET /` and `GET /hello`, both to the origin's root. */
    readonly routes: readonly RouteDefinition[];
    /** Method-level throttles, each for a route of `routes` and within the stage's limits. */
    readonly routeThrottles: readonly RouteThrottle[];
    readonly stageName: string;
    readonly throttle: ThrottleConfig;
    readonly loggingLevel: LoggingLevel;
    readonly logRetentionDays: number;
    readonly manageAccountLogRole: boolean;
    readonly integrationTimeoutMs: number;
    /** Every log group the stack creates is encrypted with a customer-managed KMS key. */
    readonly encryptLogs: boolean;
    /** The functions `-> lambda:<name>` routes run. */
    readonly lambda: LambdaConfig;
}

export interface LambdaConfig {
    /** Concurrency reserved for each function; 0: none, the account's unreserved pool. */
    readonly reservedConcurrency: number;
}

export type StackConfig = OriginConfig | GatewayConfig;

/** A WebSocket route: a route key and the function in `functions/` that serves it. */
export interface WebSocketRoute {
    /** The route exactly as configured, for messages and the plan. */
    readonly source: string;
    /** `$connect`, `$disconnect`, `$default` or an action name. */
    readonly routeKey: string;
    /** `chat/connect`: the handler exported by `functions/chat/connect.ts`. */
    readonly functionName: string;
}

/** Who may open a connection; checked on `$connect` only, the one route AWS authorizes. */
export type WebSocketAuthConfig =
    | { readonly mode: "none" }
    | { readonly mode: "iam" }
    /** A Lambda REQUEST authorizer compares `?token=` with this SSM SecureString parameter. */
    | { readonly mode: "token"; readonly tokenParameterName: string };

export const WEBSOCKET_AUTH_MODES: readonly WebSocketAuthConfig["mode"][] = ["none", "iam", "token"];

export interface WebSocketConfig {
    readonly routes: readonly WebSocketRoute[];
    readonly auth: WebSocketAuthConfig;
}
