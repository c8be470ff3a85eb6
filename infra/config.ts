import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { Region as AWS_REGIONS } from "@pulumi/aws/types/enums";
import { InstanceType as EC2_INSTANCE_TYPES } from "@pulumi/aws/types/enums/ec2";
import { PULUMI_ENGINE_KEYS, UNDECRYPTED_SECRET_PLACEHOLDER, closestKey } from "./config-keys";
import { DEFAULTS, TAKE_NEWEST_AMI_ENV } from "./defaults";
import { ProjectFileReader, RouteDefinition, RouteThrottle, parseRouteThrottles, parseRoutes } from "./routes";
import { ORIGIN_STACK_SUFFIX, environmentOf } from "./stack-names";

/**
 * The one place where stack configuration is read, validated and turned into typed objects.
 *
 * `parseConfig` is pure: it takes the raw strings the Pulumi engine hands a program and either
 * returns a typed config or throws one `ConfigError` that lists every bad key. The stack
 * programs call `readConfig`, which only collects the raw strings, so every rule here is
 * tested directly, without the engine.
 */

export const PROJECT_NAMESPACE = "hello-gateway";

export type Layer = "origin" | "gateway";
export const LAYERS: readonly Layer[] = ["origin", "gateway"];

export type LoggingLevel = "INFO" | "ERROR" | "OFF";
export const LOGGING_LEVELS: readonly LoggingLevel[] = ["INFO", "ERROR", "OFF"];

export type Architecture = "x86_64" | "arm64";

export type AuthMode = "none" | "apiKey" | "iam" | "cognito";
export const AUTH_MODES: readonly AuthMode[] = ["none", "apiKey", "iam", "cognito"];

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

export { ORIGIN_STACK_SUFFIX, environmentOf };

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
}

interface CommonConfig {
    readonly identity: StackIdentity;
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
    /** No pool ARN: the stack creates a user pool. */
    | { readonly mode: "cognito"; readonly userPoolArn: string | undefined };

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
}

export type StackConfig = OriginConfig | GatewayConfig;

export interface ConfigProblem {
    /** Fully qualified key, e.g. `hello-gateway:throttleBurstLimit`. */
    readonly key: string;
    /** What was given, already made safe to print (secrets are never echoed). */
    readonly given: string;
    /** What is accepted. */
    readonly expected: string;
}

/**
 * Thrown before any resource is registered. A RunError, so the CLI prints the message alone,
 * without a JavaScript stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

function formatProblems(stack: string, problems: readonly ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p) => `  - ${p.key}: got ${p.given}; expected ${p.expected}`);
    return [
        `Invalid configuration for stack "${stack}" (${problems.length} ${noun}):`,
        ...lines,
        `Set a value with \`pulumi config set <key> <value> --stack ${stack}\` or edit Pulumi.${stack}.yaml.`,
    ].join("\n");
}

/** Collects problems so that one error can name every bad key at once. */
class ProblemList {
    readonly problems: ConfigProblem[] = [];

    add(shortKey: string, given: string, expected: string): undefined {
        this.problems.push({ key: qualify(shortKey), given, expected });
        return undefined;
    }

    /** A problem with an environment variable the program reads, named as the shell spells it. */
    addVariable(name: string, given: string, expected: string): undefined {
        this.problems.push({ key: `environment variable ${name}`, given, expected });
        return undefined;
    }
}

export function qualify(shortKey: string): string {
    return shortKey.includes(":") ? shortKey : `${PROJECT_NAMESPACE}:${shortKey}`;
}

function shown(value: string | undefined): string {
    return value === undefined ? "nothing" : JSON.stringify(value);
}

export { DEFAULTS };

type DefaultedKey = keyof typeof DEFAULTS;

class ConfigReader {
    constructor(
        readonly raw: RawConfig,
        private readonly problems: ProblemList,
    ) {}

    /** The raw string, with the empty string treated as absent (the CLI's way to unset). */
    private text(key: string): string | undefined {
        const value = this.raw.values[key];
        return value === undefined || value.trim() === "" ? undefined : value.trim();
    }

    /** The value untouched (a private key needs its trailing newline); blank counts as absent. */
    verbatim(key: DefaultedKey): string | undefined {
        const value = this.raw.values[key];
        return value === undefined || value.trim() === "" ? undefined : value;
    }

    string(key: DefaultedKey): string {
        return this.text(key) ?? String(DEFAULTS[key]);
    }

    optionalString(key: DefaultedKey): string | undefined {
        return this.text(key);
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T | undefined {
        const value = this.text(key);
        if (value === undefined) {
            if (fallback !== undefined) {
                return fallback;
            }
            return this.problems.add(key, "nothing", `one of ${allowed.join(", ")} (required)`);
        }
        if ((allowed as readonly string[]).includes(value)) {
            return value as T;
        }
        return this.problems.add(key, shown(value), `one of ${allowed.join(", ")}`);
    }

    integer(key: DefaultedKey, min: number, max: number, unit: string): number | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return DEFAULTS[key] as number;
        }
        const expected = `a whole number of ${unit} from ${min} to ${max}`;
        if (!/^[+-]?\d+$/.test(value)) {
            return this.problems.add(key, shown(value), expected);
        }
        const parsed = Number(value);
        if (parsed < min || parsed > max) {
            return this.problems.add(key, shown(value), expected);
        }
        return parsed;
    }

    integerIn(key: DefaultedKey, allowed: readonly number[], what: string): number | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return DEFAULTS[key] as number;
        }
        if (/^\d+$/.test(value) && allowed.includes(Number(value))) {
            return Number(value);
        }
        return this.problems.add(key, shown(value), `${what}: ${allowed.join(", ")}`);
    }

    boolean(key: DefaultedKey): boolean | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return DEFAULTS[key] as boolean;
        }
        if (value === "true" || value === "false") {
            return value === "true";
        }
        return this.problems.add(key, shown(value), "true or false");
    }

    stringList(key: DefaultedKey): string[] | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return [...(DEFAULTS[key] as string[])];
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
            return this.problems.add(key, shown(value), "a list of strings (a YAML list in the stack file)");
        }
        return parsed as string[];
    }

    isSecret(key: string): boolean {
        return this.raw.secretKeys.has(key);
    }
}


/** The origin stack a gateway reads when `originStack` is not set. */
export function defaultOriginStack(identity: StackIdentity): string {
    return `${identity.organization}/${identity.project}/${identity.stack}${ORIGIN_STACK_SUFFIX}`;
}

/**
 * Graviton instance families carry a `g` right after their generation number (t4g, m7gd,
 * c6gn, hpc7g); a1 is the first generation. Everything else runs x86_64.
 */
export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/** Where the region and instance-type lists come from: the AWS provider package this program pins. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AWS_PACKAGE = `@pulumi/aws ${(require("@pulumi/aws/package.json") as { version: string }).version}`;
export const KNOWN_REGIONS: readonly string[] = Object.values(AWS_REGIONS);
export const KNOWN_INSTANCE_TYPES: readonly string[] = Object.values(EC2_INSTANCE_TYPES);

/**
 * What to say about an instance type the provider's list lacks: a close spelling, else the
 * sizes of its family. A type newer than the list is refused too; upgrading @pulumi/aws
 * brings the new list (docs/configuration.md).
 */
function instanceTypeExpectation(instanceType: string): string {
    const suggestion = closestKey(instanceType, KNOWN_INSTANCE_TYPES);
    const family = instanceType.split(".")[0];
    const sizes = KNOWN_INSTANCE_TYPES.filter((type) => type.startsWith(`${family}.`));
    const hint = suggestion ? `; did you mean ${suggestion}?` : sizes.length > 0 ? `; ${family} comes in ${sizes.join(", ")}` : "";
    return `an EC2 instance type from the list ${AWS_PACKAGE} ships${hint} (a type newer than that list needs a newer @pulumi/aws)`;
}
const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const QUALIFIED_STACK = /^[^/\s]+\/[^/\s]+\/[^/\s]+$/;
/** A bare stack name: what self-managed backends created before CLI 3.61 (not project-scoped) accept. */
const BARE_STACK = /^[A-Za-z0-9_.-]+$/;
const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;
const SSH_PRIVATE_KEY = /^-----BEGIN (OPENSSH|RSA) PRIVATE KEY-----[\s\S]+-----END (OPENSSH|RSA) PRIVATE KEY-----\s*$/;
const MAX_HELLO_MESSAGE_LENGTH = 256;
/** A bound that only catches typos: one rotation a year would take millennia to reach it. */
const MAX_CLIENT_CERTIFICATE_GENERATION = 10_000;
/** One address: a local part, a domain with a dot, no spaces or lists. */
export const EMAIL = /^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$/;
const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
const QUERY_PARAMETER_NAME = /^[A-Za-z0-9_.~-]{1,64}$/;
const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[a-z0-9-]+_[A-Za-z0-9]+$/;

type ParsedCidr = { readonly kind: "ipv4" | "ipv6"; readonly prefix: number; readonly address: ipaddr.IPv4 | ipaddr.IPv6 };

/** A CIDR in canonical form (host bits zero), IPv4 in four-part decimal; undefined otherwise. */
export function parseCidr(text: string): ParsedCidr | undefined {
    if (!ipaddr.isValidCIDR(text)) {
        return undefined;
    }
    const [address, prefix] = ipaddr.parseCIDR(text);
    if (address.kind() === "ipv4") {
        if (!ipaddr.IPv4.isValidFourPartDecimal(text.split("/")[0])) {
            return undefined;
        }
        const network = ipaddr.IPv4.networkAddressFromCIDR(text);
        return network.toString() === address.toString() ? { kind: "ipv4", prefix, address } : undefined;
    }
    const network = ipaddr.IPv6.networkAddressFromCIDR(text);
    return network.toString() === address.toString() ? { kind: "ipv6", prefix, address } : undefined;
}

function parseVpcCidr(reader: ConfigReader, problems: ProblemList): string {
    const value = reader.string("vpcCidr");
    const cidr = parseCidr(value);
    const privateRange =
        cidr?.kind === "ipv4" && (cidr.address as ipaddr.IPv4).range() === "private";
    if (!cidr || !privateRange || cidr.prefix < 16 || cidr.prefix > 24) {
        problems.add(
            "vpcCidr",
            shown(value),
            "a private IPv4 network in CIDR form (10/8, 172.16/12 or 192.168/16) with a prefix from /16 to /24, host bits zero, e.g. 10.0.0.0/16",
        );
    }
    return value;
}

function parseSshAllowedCidrs(reader: ConfigReader, problems: ProblemList): OriginConfig["sshAllowedCidrs"] {
    const cidrs = reader.stringList("sshAllowedCidrs");
    const allowAnywhere = reader.boolean("allowSshFromAnywhere");
    const result = { ipv4: [] as string[], ipv6: [] as string[] };
    if (cidrs === undefined) {
        return result;
    }
    if (cidrs.length === 0) {
        problems.add(
            "sshAllowedCidrs",
            "an empty list",
            "at least one CIDR that may reach port 22 for provisioning, e.g. [\"203.0.113.10/32\"] (required for the origin layer)",
        );
        return result;
    }
    for (const text of cidrs) {
        const cidr = parseCidr(text);
        if (!cidr) {
            problems.add("sshAllowedCidrs", shown(text), "an IPv4 or IPv6 CIDR with host bits zero, e.g. 203.0.113.10/32");
            continue;
        }
        if (cidr.prefix === 0 && allowAnywhere !== true) {
            problems.add(
                "sshAllowedCidrs",
                shown(text),
                "a narrower range; SSH from anywhere needs `hello-gateway:allowSshFromAnywhere: true`",
            );
            continue;
        }
        result[cidr.kind].push(text);
    }
    return result;
}

function parseSshKey(reader: ConfigReader, problems: ProblemList): SshKeyMaterial | undefined {
    const publicKey = reader.optionalString("sshPublicKey");
    const privateKey = reader.verbatim("sshPrivateKey");
    if (publicKey === undefined && privateKey === undefined) {
        return undefined;
    }
    let valid = true;
    if (publicKey === undefined) {
        valid = !!problems.add("sshPublicKey", "nothing", "the public half of sshPrivateKey (set both or neither)");
    } else if (!SSH_PUBLIC_KEY.test(publicKey)) {
        valid = !!problems.add(
            "sshPublicKey",
            shown(publicKey.slice(0, 40) + (publicKey.length > 40 ? "…" : "")),
            "an OpenSSH public key starting with ssh-ed25519 or ssh-rsa (the types EC2 imports)",
        );
    }
    if (privateKey === undefined) {
        valid = !!problems.add("sshPrivateKey", "nothing", "the private half of sshPublicKey, as a secret (set both or neither)");
    } else if (!reader.isSecret("sshPrivateKey")) {
        // Never echo the value: it would land in the CLI's output and CI logs.
        valid = !!problems.add(
            "sshPrivateKey",
            "a plain-text value (not shown)",
            "a secret: `pulumi config set --secret sshPrivateKey < key-file`",
        );
    } else if (privateKey !== UNDECRYPTED_SECRET_PLACEHOLDER && !SSH_PRIVATE_KEY.test(privateKey)) {
        valid = !!problems.add("sshPrivateKey", "a secret (not shown)", "a PEM/OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)");
    }
    if (!valid || publicKey === undefined || privateKey === undefined) {
        return undefined;
    }
    return { publicKey, privateKey: pulumi.secret(privateKey) };
}


function parseMonitoring(reader: ConfigReader, problems: ProblemList): MonitoringConfig {
    const alarmEmail = reader.optionalString("alarmEmail");
    if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
        problems.add("alarmEmail", shown(alarmEmail), "one email address such as ops@example.com, or empty for no notifications");
    }
    return { alarmEmail };
}

function parseAuth(reader: ConfigReader, problems: ProblemList): AuthConfig {
    const mode = reader.oneOf("authMode", AUTH_MODES, DEFAULTS.authMode) ?? "none";
    switch (mode) {
        case "apiKey":
            return {
                mode,
                usagePlan: {
                    rateLimit: reader.integer("apiKeyRateLimit", 1, ACCOUNT_RATE_LIMIT, "requests per second") ?? 0,
                    burstLimit: reader.integer("apiKeyBurstLimit", 1, ACCOUNT_BURST_LIMIT, "requests") ?? 0,
                    quotaPerDay: reader.integer("apiKeyQuotaPerDay", 1, 1_000_000_000, "requests per day") ?? 0,
                },
            };
        case "cognito": {
            const userPoolArn = reader.optionalString("cognitoUserPoolArn");
            if (userPoolArn !== undefined && !USER_POOL_ARN.test(userPoolArn)) {
                problems.add(
                    "cognitoUserPoolArn",
                    shown(userPoolArn),
                    "a Cognito user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<id>), or empty to create a pool",
                );
            }
            return { mode, userPoolArn };
        }
        default:
            return { mode };
    }
}

function parseNames(reader: ConfigReader, problems: ProblemList, key: "requiredQueryParameters" | "requiredHeaders", pattern: RegExp, what: string): string[] {
    const names = reader.stringList(key) ?? [];
    for (const name of names) {
        if (!pattern.test(name)) {
            problems.add(key, shown(name), what);
        }
    }
    return names;
}

function parseCache(reader: ConfigReader, problems: ProblemList): CacheConfig {
    const enabled = reader.boolean("cacheEnabled") ?? false;
    const sizeGb = reader.string("cacheSizeGb");
    if (!CACHE_SIZES_GB.includes(sizeGb)) {
        problems.add("cacheSizeGb", shown(sizeGb), `a cache size API Gateway offers, in GB: ${CACHE_SIZES_GB.join(", ")}`);
    }
    const ttlSeconds = reader.integer("cacheTtlSeconds", CACHE_TTL_SECONDS.min, CACHE_TTL_SECONDS.max, "seconds") ?? 0;
    return enabled ? { enabled, sizeGb, ttlSeconds } : { enabled };
}

function parseCustomDomain(reader: ConfigReader, problems: ProblemList, region: string | undefined): CustomDomainConfig | undefined {
    const domainName = reader.optionalString("customDomainName");
    const certificateArn = reader.optionalString("certificateArn");
    const hostedZoneId = reader.optionalString("hostedZoneId");
    if (domainName === undefined) {
        return undefined;
    }
    if (!DOMAIN_NAME.test(domainName)) {
        problems.add("customDomainName", shown(domainName), "a lower-case DNS name such as api.example.com");
    }
    if (certificateArn === undefined && hostedZoneId === undefined) {
        problems.add(
            "customDomainName",
            shown(domainName),
            "a certificate source as well: certificateArn (an ACM certificate in this region) or hostedZoneId (to issue one with DNS validation)",
        );
    }
    if (certificateArn !== undefined) {
        const certificateRegion = ACM_CERTIFICATE_ARN.exec(certificateArn)?.[1];
        if (certificateRegion === undefined) {
            problems.add("certificateArn", shown(certificateArn), "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)");
        } else if (region !== undefined && certificateRegion !== region) {
            problems.add("certificateArn", shown(certificateArn), `a certificate in ${region}: a REGIONAL custom domain needs one from its own region`);
        }
    }
    if (hostedZoneId !== undefined && !HOSTED_ZONE_ID.test(hostedZoneId)) {
        problems.add("hostedZoneId", shown(hostedZoneId), "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
    }
    return { domainName, certificateArn, hostedZoneId };
}

function parseTakeNewestAmi(value: string | undefined, amiId: string | undefined, problems: ProblemList): boolean {
    const text = value?.trim() ?? "";
    if (text === "" || text === "false") {
        return false;
    }
    if (text !== "true") {
        problems.addVariable(TAKE_NEWEST_AMI_ENV, shown(value), "true, false or unset (an environment variable for one `pulumi up`)");
        return false;
    }
    if (amiId !== undefined) {
        problems.addVariable(TAKE_NEWEST_AMI_ENV, '"true"', "unset while amiId pins the image: set the new id in amiId instead");
        return false;
    }
    return true;
}

function parseOrigin(reader: ConfigReader, problems: ProblemList, common: CommonConfig): OriginConfig {
    const instanceType = reader.string("instanceType");
    if (!KNOWN_INSTANCE_TYPES.includes(instanceType)) {
        problems.add("instanceType", shown(instanceType), instanceTypeExpectation(instanceType));
    }
    const amiId = reader.optionalString("amiId");
    if (amiId !== undefined && !AMI_ID.test(amiId)) {
        problems.add("amiId", shown(amiId), "an AMI id such as ami-0123456789abcdef0, or empty to follow the AL2023 parameter");
    }
    const takeNewestAmi = parseTakeNewestAmi(reader.raw.takeNewestAmi, amiId, problems);
    const helloMessage = reader.string("helloMessage");
    if (helloMessage.length > MAX_HELLO_MESSAGE_LENGTH || /[\u0000-\u001f\u007f]/.test(helloMessage)) {
        problems.add("helloMessage", shown(helloMessage), `one line of at most ${MAX_HELLO_MESSAGE_LENGTH} printable characters`);
    }
    return {
        ...common,
        layer: "origin",
        instanceType,
        architecture: architectureOf(instanceType),
        vpcCidr: parseVpcCidr(reader, problems),
        sshAllowedCidrs: parseSshAllowedCidrs(reader, problems),
        sshKey: parseSshKey(reader, problems),
        amiId,
        takeNewestAmi,
        helloMessage,
        originMode: reader.oneOf("originMode", ORIGIN_MODES, DEFAULTS.originMode) ?? "public",
        monitoring: parseMonitoring(reader, problems),
        flowLogsEnabled: reader.boolean("flowLogsEnabled") ?? false,
        encryptLogs: reader.boolean("encryptLogs") ?? false,
        logRetentionDays: parseLogRetention(reader),
        clientCertificateGeneration:
            reader.integer("clientCertificateGeneration", 1, MAX_CLIENT_CERTIFICATE_GENERATION, "certificate generations") ?? 1,
    };
}

function parseLogRetention(reader: ConfigReader): number {
    return (
        reader.integerIn("logRetentionDays", LOG_RETENTION_DAYS, "a retention CloudWatch Logs accepts, in days") ??
        DEFAULTS.logRetentionDays
    );
}

/**
 * `originUrl`: an http(s) base URL without credentials, query or fragment, returned with a
 * trailing `/` so route paths append to it. Undefined when the key is not set.
 */
function parseOriginUrl(reader: ConfigReader, problems: ProblemList): string | undefined {
    const value = reader.optionalString("originUrl");
    if (value === undefined) {
        return undefined;
    }
    const expected = "an http(s) URL of the backend such as https://api.example.com/ or https://192.0.2.10/base/, without credentials, query or fragment";
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return problems.add("originUrl", shown(value), expected);
    }
    if (!["http:", "https:"].includes(url.protocol) || url.hostname === "" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || /\s/.test(value)) {
        // Credentials in a URL would land in plain config, the integration URI and the logs.
        return problems.add("originUrl", url.username !== "" || url.password !== "" ? "a URL with credentials (not shown)" : shown(value), expected);
    }
    return url.pathname.endsWith("/") ? url.href : `${url.href}/`;
}

/** Reads the route table and the method throttles; every bad entry is one problem. */
function parseRouteTable(reader: ConfigReader, problems: ProblemList, raw: RawConfig, throttle: ThrottleConfig): Pick<GatewayConfig, "routes" | "routeThrottles"> {
    const sources = reader.stringList("routes");
    const parsed = parseRoutes(sources ?? [...DEFAULTS.routes], raw.readProjectFile ?? (() => undefined));
    for (const problem of parsed.problems) {
        problems.add("routes", problem.given, problem.expected);
    }
    const throttleSources = reader.stringList("routeThrottles") ?? [];
    // Without valid stage limits, any comparison with them would only repeat their own error.
    const stage = { rateLimit: throttle.rateLimit || ACCOUNT_RATE_LIMIT, burstLimit: throttle.burstLimit || ACCOUNT_BURST_LIMIT };
    const throttles = parseRouteThrottles(throttleSources, parsed.routes, stage);
    for (const problem of throttles.problems) {
        problems.add("routeThrottles", problem.given, problem.expected);
    }
    return { routes: parsed.routes, routeThrottles: throttles.throttles };
}

function parseGateway(reader: ConfigReader, problems: ProblemList, common: CommonConfig, raw: RawConfig): GatewayConfig {
    const originUrl = parseOriginUrl(reader, problems);
    const configuredOriginStack = reader.optionalString("originStack");
    if (reader.optionalString("originUrl") !== undefined && configuredOriginStack !== undefined) {
        problems.add(
            "originStack",
            shown(configuredOriginStack),
            "empty with originUrl set: originUrl names the backend itself, so the gateway reads no origin stack; set one of the two",
        );
    }
    const originStack = reader.optionalString("originUrl") !== undefined ? undefined : (configuredOriginStack ?? defaultOriginStack(common.identity));
    if (originStack !== undefined && !QUALIFIED_STACK.test(originStack) && !BARE_STACK.test(originStack)) {
        problems.add(
            "originStack",
            shown(originStack),
            "a fully qualified stack name org/project/stack, e.g. acme/hello-gateway/dev-origin, or a bare stack name such as dev-origin for a self-managed backend created before Pulumi CLI 3.61",
        );
    }
    const stageName = reader.string("stageName");
    if (!STAGE_NAME.test(stageName)) {
        problems.add("stageName", shown(stageName), "1 to 128 letters, digits, hyphens or underscores");
    }
    const throttle: ThrottleConfig = {
        rateLimit: reader.integer("throttleRateLimit", 1, ACCOUNT_RATE_LIMIT, "requests per second") ?? 0,
        burstLimit: reader.integer("throttleBurstLimit", 1, ACCOUNT_BURST_LIMIT, "requests") ?? 0,
    };
    const config: GatewayConfig = {
        ...common,
        layer: "gateway",
        originStack,
        originUrl,
        stageName,
        throttle,
        ...parseRouteTable(reader, problems, raw, throttle),
        loggingLevel: reader.oneOf("loggingLevel", LOGGING_LEVELS, DEFAULTS.loggingLevel) ?? DEFAULTS.loggingLevel,
        logRetentionDays: parseLogRetention(reader),
        encryptLogs: reader.boolean("encryptLogs") ?? false,
        manageAccountLogRole: reader.boolean("manageAccountLogRole") ?? false,
        integrationTimeoutMs:
            reader.integer("integrationTimeoutMs", INTEGRATION_TIMEOUT_MS.min, INTEGRATION_TIMEOUT_MS.max, "milliseconds") ?? 0,
        auth: parseAuth(reader, problems),
        requestValidation: {
            queryParameters: parseNames(reader, problems, "requiredQueryParameters", QUERY_PARAMETER_NAME, "query parameter names of letters, digits, _ . ~ -"),
            headers: parseNames(reader, problems, "requiredHeaders", HEADER_NAME, "header names of letters, digits and -"),
        },
        cache: parseCache(reader, problems),
        tracingEnabled: reader.boolean("tracingEnabled") ?? false,
        waf: {
            enabled: reader.boolean("wafEnabled") ?? false,
            rateLimitPer5Minutes: reader.integer("wafRateLimitPer5Minutes", 10, 2_000_000_000, "requests per 5 minutes per IP") ?? 0,
        },
        customDomain: parseCustomDomain(reader, problems, common.region || undefined),
        originMode: reader.oneOf("originMode", ORIGIN_MODES, DEFAULTS.originMode) ?? "public",
        monitoring: {
            ...parseMonitoring(reader, problems),
            thresholds: {
                serverErrorsPer5Minutes: reader.integer("alarm5xxPer5Minutes", 1, 1_000_000, "5XX responses") ?? 0,
                clientErrorsPer5Minutes: reader.integer("alarm4xxPer5Minutes", 1, 1_000_000, "4XX responses") ?? 0,
                p99LatencyMs: reader.integer("alarmP99LatencyMs", 1, 29_000, "milliseconds") ?? 0,
            },
        },
    };
    if (config.originUrl !== undefined && config.originMode === "private") {
        problems.add(
            "originMode",
            '"private"',
            "public with originUrl set: a VPC link needs the internal load balancer of an origin stack this project deploys, and originUrl is reached over the internet",
        );
    }
    return config;
}

/** Validates everything for the stack's layer and throws one ConfigError naming each bad key. */
export function parseConfig(raw: RawConfig, identity: StackIdentity): StackConfig {
    const problems = new ProblemList();
    checkKeysAreKnown(raw.keys, identity.stack, problems);
    const reader = new ConfigReader(withoutUndecryptedValues(raw, identity.stack, problems), problems);
    const layer = reader.oneOf("layer", LAYERS);
    if (layer === "gateway" && identity.stack.endsWith(ORIGIN_STACK_SUFFIX)) {
        problems.add("layer", shown(layer), `origin: the stack "${identity.stack}" is named as an origin stack`);
    }
    const region = raw.region?.trim();
    if (!region) {
        problems.add("aws:region", "nothing", "the AWS region to deploy to, e.g. us-east-1 (required)");
    } else if (!KNOWN_REGIONS.includes(region)) {
        const suggestion = closestKey(region, KNOWN_REGIONS);
        problems.add("aws:region", shown(region), `an AWS region from the list ${AWS_PACKAGE} ships${suggestion ? `; did you mean ${suggestion}?` : ", e.g. us-east-1"}`);
    }
    const environment = environmentOf(identity.stack);
    const common: CommonConfig = {
        identity,
        region: region ?? "",
        environment,
        tags: {
            Project: identity.project,
            Environment: environment,
            Stack: identity.stack,
            ManagedBy: "pulumi",
        },
    };
    let config: StackConfig | undefined;
    if (layer === "origin") {
        config = parseOrigin(reader, problems, common);
    } else if (layer === "gateway") {
        config = parseGateway(reader, problems, common, raw);
    }
    if (problems.problems.length > 0 || config === undefined) {
        throw new ConfigError(identity.stack, problems.problems);
    }
    return config;
}

/** Every `hello-gateway:` key the program reads; the Pulumi.yaml schema declares the same set. */
export const CONFIG_KEYS: readonly string[] = ["layer", ...Object.keys(DEFAULTS)];

/** The keys a provider package reads from its namespace: the getters of its `config` module. */
function providerConfigKeys(configModule: object): string[] {
    return Object.entries(Object.getOwnPropertyDescriptors(configModule))
        .filter(([, descriptor]) => descriptor.get !== undefined)
        .map(([name]) => name);
}

/**
 * Every key a stack may set, by namespace: this project's declared keys, the provider settings
 * of the two provider packages the program configures through stack config (@pulumi/aws and
 * @pulumi/tls; @pulumi/command and @pulumi/awsx read none), and the engine's own `pulumi:` keys.
 */
export function knownConfigKeys(): Readonly<Record<string, readonly string[]>> {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return {
        [PROJECT_NAMESPACE]: CONFIG_KEYS,
        aws: providerConfigKeys(require("@pulumi/aws/config")),
        tls: providerConfigKeys(require("@pulumi/tls/config")),
        pulumi: PULUMI_ENGINE_KEYS.map((key) => key.slice("pulumi:".length)),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * A misspelled key is otherwise read by nobody: the program would silently use the default
 * (an unauthenticated API for `authmode`). Each unknown key is refused with the closest known
 * one, a near-miss namespace included (`hello_gateway:` for `hello-gateway:`).
 */
function checkKeysAreKnown(keys: readonly string[], stack: string, problems: ProblemList): void {
    const known = knownConfigKeys();
    for (const key of keys) {
        const separator = key.indexOf(":");
        const namespace = separator < 0 ? PROJECT_NAMESPACE : key.slice(0, separator);
        const name = key.slice(separator + 1);
        if (known[namespace]?.includes(name)) {
            continue;
        }
        const likelyNamespace = known[namespace] ? namespace : closestKey(namespace, Object.keys(known));
        const likelyName = likelyNamespace === undefined ? undefined : closestKey(name, known[likelyNamespace]);
        const hint =
            likelyName !== undefined
                ? `did you mean ${likelyNamespace}:${likelyName}?`
                : known[namespace]
                  ? `one of the ${namespace}: keys in docs/configuration.md`
                  : `a key in one of the namespaces this program reads (${Object.keys(known).join(", ")})`;
        problems.add(key, `an unknown key in Pulumi.${stack}.yaml`, hint);
    }
}

/**
 * Offline, a `secure:` value arrives as a placeholder. The SSH private key is meant to be a
 * secret and is read as one without its value; any other key cannot be checked or used
 * without its value, so it is refused with what to do.
 */
function withoutUndecryptedValues(raw: RawConfig, stack: string, problems: ProblemList): RawConfig {
    const values: Record<string, string | undefined> = { ...raw.values };
    for (const [key, value] of Object.entries(raw.values)) {
        if (value === UNDECRYPTED_SECRET_PLACEHOLDER && key !== "sshPrivateKey") {
            problems.add(
                key,
                `an encrypted value in Pulumi.${stack}.yaml, which cannot be decrypted offline`,
                `a plain value for the offline plan and tests (only sshPrivateKey is meant to be a secret); \`pulumi preview --stack ${stack}\` decrypts and checks it`,
            );
            values[key] = undefined;
        }
    }
    return { ...raw, values };
}

/**
 * Raw configuration from the engine's full key/value map (`pulumi.runtime.allConfig()` under
 * the CLI, the offline loader's map in plan and tests): nothing is interpreted yet.
 */
export function rawConfigFrom(
    all: Readonly<Record<string, string>>,
    isSecret: (qualifiedKey: string) => boolean,
    environmentRegion?: string,
): RawConfig {
    const values: Record<string, string | undefined> = {};
    const secretKeys = new Set<string>();
    for (const key of CONFIG_KEYS) {
        values[key] = all[qualify(key)];
        if (isSecret(qualify(key))) {
            secretKeys.add(key);
        }
    }
    return { keys: Object.keys(all), values, region: all["aws:region"] ?? environmentRegion, secretKeys, readProjectFile: readRepositoryFile };
}

/** Reads the raw strings from the engine. Everything else happens in `parseConfig`. */
export function readConfig(): RawConfig {
    return {
        ...rawConfigFrom(pulumi.runtime.allConfig(), isConfigSecret, process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION),
        takeNewestAmi: process.env[TAKE_NEWEST_AMI_ENV],
    };
}

/** The repository root: route schemas are named relative to it, whatever the working directory. */
const REPOSITORY_ROOT = path.resolve(__dirname, "..");

/** A repository file's text, or undefined when there is no such file. */
export function readRepositoryFile(relativePath: string): string | undefined {
    const file = path.resolve(REPOSITORY_ROOT, relativePath);
    if (!file.startsWith(REPOSITORY_ROOT + path.sep)) {
        return undefined;
    }
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/**
 * Whether the engine marked a config key secret. The SDK keeps this check internal
 * (`runtime/config.isConfigSecret`); a missing function means a newer SDK moved it, and the
 * key then counts as secret so the program never refuses a correctly stored key.
 */
function isConfigSecret(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    return typeof runtimeConfig.isConfigSecret === "function" ? runtimeConfig.isConfigSecret(fullKey) : true;
}

export function currentIdentity(): StackIdentity {
    return {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        organization: pulumi.getOrganization(),
    };
}
