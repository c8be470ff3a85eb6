// The gateway layer's keys: the origin it reads, routes, stage, auth, cache, domain, alarms.
import { DEFAULTS } from "../defaults";
import { parseRouteThrottles, parseRoutes } from "../routes";
import { ORIGIN_STACK_SUFFIX, environmentOf } from "../stack-names";
import { AWS_FUNCTION_NAME, awsFunctionName } from "../lambda/source";
import { MIN_INTEGRATION_TIMEOUT_MS } from "../lambda/timeout";
import { ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT, AUTH_MODES, ApiType, AuthConfig, CACHE_SIZES_GB, CACHE_TTL_SECONDS, CacheConfig, CommonConfig, CustomDomainConfig, GatewayConfig, INTEGRATION_TIMEOUT_MS, LOGGING_LEVELS, ORIGIN_MODES, RawConfig, StackIdentity, ThrottleConfig } from "./types";
import { ConfigReader, ProblemList, parseLogRetention, parseMonitoring, shown } from "./reader";
import { checkHttpApi, parseApiType, parseCorsOrigins, parseJwtAudience, parseJwtIssuer } from "./http-api";
import { parseWebSocket, refuseWebSocketKeys } from "./websocket";
import { ACM_CERTIFICATE_ARN, BARE_STACK, DOMAIN_NAME, HEADER_NAME, HOSTED_ZONE_ID, QUALIFIED_STACK, QUERY_PARAMETER_NAME, STAGE_NAME, USER_POOL_ARN } from "./formats";

/** The origin stack a gateway reads when `originStack` is not set. */
export function defaultOriginStack(identity: StackIdentity): string {
    return `${identity.organization}/${identity.project}/${identity.stack}${ORIGIN_STACK_SUFFIX}`;
}

function parseAuth(reader: ConfigReader, problems: ProblemList, apiType: ApiType): AuthConfig {
    const mode = reader.oneOf("authMode", AUTH_MODES, DEFAULTS.authMode) ?? "none";
    if (mode !== "jwt" && mode !== "cognito") {
        // Read by nobody otherwise: a token setting that silently does nothing.
        if (reader.optionalString("jwtIssuer") !== undefined) {
            problems.add("jwtIssuer", shown(reader.optionalString("jwtIssuer")), `empty unless authMode is jwt (authMode is ${mode})`);
        }
        if ((reader.stringList("jwtAudience") ?? []).length > 0) {
            problems.add("jwtAudience", shown(reader.raw.values.jwtAudience), `empty unless authMode is jwt or cognito (authMode is ${mode})`);
        }
    }
    switch (mode) {
        case "jwt": {
            if (apiType === "rest") {
                // REST APIs have no native JWT authorizer: it would take a Lambda authorizer that
                // fetches and caches the issuer's keys, security code this project would own.
                problems.add(
                    "authMode",
                    '"jwt"',
                    'cognito, iam, apiKey or none with apiType "rest": REST APIs have no native JWT authorizer; set apiType "http" for jwt (docs/http-api.md)',
                );
            }
            const issuer = parseJwtIssuer(reader, problems) ?? "";
            return { mode, issuer, audience: parseJwtAudience(reader, problems, true) };
        }
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
            if (reader.optionalString("jwtIssuer") !== undefined) {
                problems.add("jwtIssuer", shown(reader.optionalString("jwtIssuer")), "empty with authMode cognito: the issuer is the user pool's own (https://cognito-idp.<region>.amazonaws.com/<pool id>)");
            }
            // An HTTP API authorizes Cognito tokens as JWTs, which needs the pool's app client ids;
            // only a pool the stack creates has a client id the program knows.
            const audience = parseJwtAudience(reader, problems, apiType === "http" && userPoolArn !== undefined);
            if (apiType === "rest" && audience.length > 0) {
                problems.add("jwtAudience", shown(reader.raw.values.jwtAudience), 'empty with apiType "rest": the REST API\'s Cognito authorizer accepts any app client of the pool');
            }
            return { mode, userPoolArn, audience };
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

/**
 * The gateway reads outputs only an origin stack of this project exports, and wires them into
 * its integrations: another environment's origin would serve this environment's traffic, and
 * a stack that does not exist fails only at deploy. A stack of this project is one whose stack
 * file, `Pulumi.<stack>.yaml`, is in the project directory with `layer: origin` (every stack
 * this project deploys has one there); another environment's origin is `<env>-origin` where
 * `<env>` is another gateway stack here, unless this stack is that environment's variant
 * (`<env>-<variant>`, such as prod-http in front of prod-origin). Without a way to read project files, only the project
 * part is checked.
 */
function checkOriginIsOfThisEnvironment(originStack: string, identity: StackIdentity, raw: RawConfig, problems: ProblemList): void {
    const parts = originStack.split("/");
    const [project, name] = parts.length === 3 ? [parts[1], parts[2]] : [identity.project, parts[0]];
    const ownOrigin = `${environmentOf(identity.stack)}${ORIGIN_STACK_SUFFIX}`;
    const suggested = parts.length === 3 ? `${parts[0]}/${identity.project}/${ownOrigin}` : ownOrigin;
    if (project !== identity.project) {
        problems.add("originStack", shown(originStack), `a stack of this project, ${identity.project}, such as ${suggested}: only its origin stacks export what the gateway reads`);
        return;
    }
    // A gateway in a stack named as an origin is refused for its layer already.
    if (name === ownOrigin || raw.readProjectFile === undefined || identity.stack.endsWith(ORIGIN_STACK_SUFFIX)) {
        return;
    }
    const stackFile = raw.readProjectFile(`Pulumi.${name}.yaml`);
    const otherEnvironment = environmentOf(name);
    // A variant of an environment, `<env>-<variant>` (prod-http), shares `<env>-origin`: the
    // same origin serves both of that environment's gateways (docs/http-api.md).
    const isVariantOf = identity.stack.startsWith(`${otherEnvironment}-`);
    if (name.endsWith(ORIGIN_STACK_SUFFIX) && otherEnvironment !== environmentOf(identity.stack) && !isVariantOf && raw.readProjectFile(`Pulumi.${otherEnvironment}.yaml`) !== undefined) {
        problems.add("originStack", shown(originStack), `${suggested}, this environment's origin: ${name} is the origin of the ${otherEnvironment} gateway`);
    } else if (stackFile === undefined) {
        problems.add("originStack", shown(originStack), `${suggested}, or another origin stack of this project: there is no Pulumi.${name}.yaml here`);
    } else if (!new RegExp(`^\\s*(${identity.project}:)?layer:\\s*["']?origin["']?\\s*(#.*)?$`, "m").test(stackFile)) {
        problems.add("originStack", shown(originStack), `an origin stack such as ${suggested}: Pulumi.${name}.yaml is not one (its layer is not origin)`);
    }
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

export function parseGateway(reader: ConfigReader, problems: ProblemList, common: CommonConfig, raw: RawConfig): GatewayConfig {
    const apiType = parseApiType(reader, problems);
    // A WebSocket API refuses the origin keys by name itself, and serves no REST route table.
    const websocket = apiType === "websocket" ? parseWebSocket(reader, problems, raw) : undefined;
    if (websocket === undefined) {
        refuseWebSocketKeys(raw, problems);
    }
    const originUrl = websocket ? undefined : parseOriginUrl(reader, problems);
    const configuredOriginStack = reader.optionalString("originStack");
    if (!websocket && reader.optionalString("originUrl") !== undefined && configuredOriginStack !== undefined) {
        problems.add(
            "originStack",
            shown(configuredOriginStack),
            "empty with originUrl set: originUrl names the backend itself, so the gateway reads no origin stack; set one of the two",
        );
    }
    const originStack = websocket || reader.optionalString("originUrl") !== undefined ? undefined : (configuredOriginStack ?? defaultOriginStack(common.identity));
    if (originStack !== undefined && !QUALIFIED_STACK.test(originStack) && !BARE_STACK.test(originStack)) {
        problems.add(
            "originStack",
            shown(originStack),
            "a fully qualified stack name org/project/stack, e.g. acme/hello-gateway/dev-origin, or a bare stack name such as dev-origin for a self-managed backend created before Pulumi CLI 3.61",
        );
    }
    if (originStack !== undefined && (QUALIFIED_STACK.test(originStack) || BARE_STACK.test(originStack))) {
        checkOriginIsOfThisEnvironment(originStack, common.identity, raw, problems);
    }
    const stageName = reader.string("stageName");
    // An HTTP API's `$default` stage is served at the root of its URL; REST APIs have none.
    if (!STAGE_NAME.test(stageName) && !(stageName === "$default" && apiType === "http")) {
        problems.add(
            "stageName",
            shown(stageName),
            stageName === "$default" ? '1 to 128 letters, digits, hyphens or underscores: $default is a stage of HTTP APIs only (apiType "http")' : "1 to 128 letters, digits, hyphens or underscores",
        );
    }
    const throttle: ThrottleConfig = {
        rateLimit: reader.integer("throttleRateLimit", 1, ACCOUNT_RATE_LIMIT, "requests per second") ?? 0,
        burstLimit: reader.integer("throttleBurstLimit", 1, ACCOUNT_BURST_LIMIT, "requests") ?? 0,
    };
    const config: GatewayConfig = {
        ...common,
        layer: "gateway",
        apiType,
        corsAllowOrigins: websocket ? [] : parseCorsOrigins(reader, problems),
        ...(websocket ? { websocket } : {}),
        originStack,
        originUrl,
        stageName,
        throttle,
        ...(websocket ? { routes: [], routeThrottles: [] } : parseRouteTable(reader, problems, raw, throttle)),
        loggingLevel: reader.oneOf("loggingLevel", LOGGING_LEVELS, DEFAULTS.loggingLevel) ?? DEFAULTS.loggingLevel,
        logRetentionDays: parseLogRetention(reader),
        encryptLogs: reader.boolean("encryptLogs") ?? false,
        lambda: { reservedConcurrency: reader.integer("lambdaReservedConcurrency", 0, 10_000, "concurrent executions (0 for none)") ?? 0 },
        manageAccountLogRole: reader.boolean("manageAccountLogRole") ?? false,
        integrationTimeoutMs:
            reader.integer("integrationTimeoutMs", INTEGRATION_TIMEOUT_MS.min, INTEGRATION_TIMEOUT_MS.max, "milliseconds") ?? 0,
        // A WebSocket API reads websocketAuth, and refuses the REST and HTTP auth keys itself.
        auth: websocket ? { mode: "none" } : parseAuth(reader, problems, apiType),
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
        customDomain: websocket ? undefined : parseCustomDomain(reader, problems, common.region || undefined),
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
    checkLambdaRoutes(config, problems);
    if (config.originUrl !== undefined && config.originMode === "private") {
        problems.add(
            "originMode",
            '"private"',
            "public with originUrl set: a VPC link needs the internal load balancer of an origin stack this project deploys, and originUrl is reached over the internet",
        );
    }
    checkHttpApi(config, problems);
    return config;
}

/** The name prefix of this gateway's resources, its functions' AWS names included. */
export function gatewayResourcePrefix(environment: string): string {
    return `hello-gateway-${environment}`;
}

/**
 * What `-> lambda:<name>` routes need of the rest of the config: an integration timeout a
 * function's whole-second timeout fits under, and an AWS function name Lambda accepts.
 */
function checkLambdaRoutes(config: GatewayConfig, problems: ProblemList): void {
    const lambdaRoutes = config.routes.filter((route) => route.lambda !== undefined);
    if (lambdaRoutes.length === 0) {
        return;
    }
    if (config.integrationTimeoutMs > 0 && config.integrationTimeoutMs < MIN_INTEGRATION_TIMEOUT_MS) {
        problems.add(
            "integrationTimeoutMs",
            shown(String(config.integrationTimeoutMs)),
            `at least ${MIN_INTEGRATION_TIMEOUT_MS} ms with a lambda: route (${JSON.stringify(lambdaRoutes[0].source)}): a function times out in whole seconds, at least one second below its integration`,
        );
    }
    for (const name of new Set(lambdaRoutes.map((route) => route.lambda!.name))) {
        const awsName = awsFunctionName(gatewayResourcePrefix(config.environment), name);
        if (!AWS_FUNCTION_NAME.test(awsName)) {
            const route = lambdaRoutes.find((candidate) => candidate.lambda!.name === name)!;
            problems.add(
                "routes",
                JSON.stringify(route.source),
                `a function name that, as ${JSON.stringify(awsName)} in AWS, fits Lambda's 64 characters: shorten lambda:${name} (rename functions/${name}.ts)`,
            );
        }
    }
}
