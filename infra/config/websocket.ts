// `apiType: websocket`: the WebSocket API's routes (`"<routeKey> -> lambda:<name>"`), its
// `$connect` auth, and the refusal, by name, of every gateway key that means nothing to it.
import { DEFAULTS } from "../defaults";
import { HTTP_METHODS } from "../routes";
import { RawConfig, WEBSOCKET_AUTH_MODES, WebSocketAuthConfig, WebSocketConfig, WebSocketRoute } from "./types";
import { ConfigReader, DefaultedKey, ProblemList, shown } from "./reader";

/** What every WebSocket route message says is accepted. */
export const WEBSOCKET_ROUTE_SYNTAX = '"<routeKey> -> lambda:<name>" with routeKey $connect, $disconnect, $default or an action name';

/** The route keys API Gateway defines for every WebSocket API. */
export const PREDEFINED_ROUTE_KEYS = ["$connect", "$disconnect", "$default"] as const;

const ROUTE = /^(\S+)\s+->\s+(\S+)$/;
/** An action name: the value of `action` in a client's JSON message, matched exactly. */
const ACTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** `hello`, `chat/connect`: a path under functions/ without `.ts`. */
export const FUNCTION_NAME = /^[a-z0-9][a-z0-9_-]*(\/[a-z0-9][a-z0-9_-]*)*$/;
/** An SSM parameter name: letters, digits and . - _ /, hierarchies starting with / (SSM's PutParameter rules). */
const SSM_PARAMETER_NAME = /^(\/[A-Za-z0-9_.-]+)+$|^[A-Za-z0-9_.-]+$/;

/** The file a `lambda:<name>` target runs. */
export function functionFile(name: string): string {
    return `functions/${name}.ts`;
}

/**
 * Gateway keys a WebSocket API has no use for, each with the reason; set to anything but its
 * default, a key is refused before anything is created. The CLI merges Pulumi.yaml's defaults
 * under the stack file, so a default value is indistinguishable from an unset one.
 */
export const KEYS_WEBSOCKET_REFUSES: Readonly<Partial<Record<DefaultedKey, string>>> = {
    originStack: "a WebSocket API runs functions in this repository and reads no origin stack",
    originUrl: "a WebSocket API runs functions in this repository and forwards to no backend URL",
    originMode: "there is no origin: every route runs a Lambda function",
    routeThrottles: "HTTP method throttles: the stage's throttleRateLimit and throttleBurstLimit apply to every route",
    integrationTimeoutMs: "an origin timeout: each function has its own timeout, below API Gateway's 29 s",
    requiredQueryParameters: "REST request validation: check $connect's query string in the token authorizer instead",
    requiredHeaders: "REST request validation: browsers cannot set headers on a WebSocket handshake",
    cacheEnabled: "a REST stage cache: WebSocket messages are not cached",
    cacheSizeGb: "a REST stage cache: WebSocket messages are not cached",
    cacheTtlSeconds: "a REST stage cache: WebSocket messages are not cached",
    tracingEnabled: "X-Ray tracing, which API Gateway offers for REST APIs only",
    wafEnabled: "AWS WAF, which protects REST APIs but not WebSocket APIs",
    wafRateLimitPer5Minutes: "AWS WAF, which protects REST APIs but not WebSocket APIs",
    customDomainName: "the REST custom domain this project builds; a WebSocket custom domain is not built yet",
    certificateArn: "the REST custom domain this project builds; a WebSocket custom domain is not built yet",
    hostedZoneId: "the REST custom domain this project builds; a WebSocket custom domain is not built yet",
    authMode: "REST auth: set websocketAuth (none, iam or token) for a WebSocket API",
    apiKeyRateLimit: "a REST usage plan (authMode apiKey); set websocketAuth instead",
    apiKeyBurstLimit: "a REST usage plan (authMode apiKey); set websocketAuth instead",
    apiKeyQuotaPerDay: "a REST usage plan (authMode apiKey); set websocketAuth instead",
    cognitoUserPoolArn: "REST Cognito auth; set websocketAuth instead",
    corsAllowOrigins: "CORS, which browsers do not apply to WebSocket connections (they send Origin, and $connect may check it)",
    jwtIssuer: "an HTTP API's JWT authorizer; set websocketAuth instead",
    jwtAudience: "an HTTP API's JWT authorizer; set websocketAuth instead",
    alarmEmail: "the REST API's alarms; alarms on WebSocket metrics are not built yet",
    alarm5xxPer5Minutes: "the REST API's alarms; alarms on WebSocket metrics are not built yet",
    alarm4xxPer5Minutes: "the REST API's alarms; alarms on WebSocket metrics are not built yet",
    alarmP99LatencyMs: "the REST API's alarms; alarms on WebSocket metrics are not built yet",
};

/** Keys only a WebSocket API reads; a REST API refuses them when set. */
export const WEBSOCKET_ONLY_KEYS: readonly DefaultedKey[] = ["websocketAuth", "websocketTokenParameter"];

/** The default as the engine would hand it over: lists as JSON, everything else as text. */
function defaultText(key: DefaultedKey): string {
    const value = DEFAULTS[key];
    return Array.isArray(value) ? JSON.stringify(value) : String(value);
}

/** A key set to something other than its default (blank counts as unset, as the reader reads it). */
export function changedFromDefault(raw: RawConfig, key: DefaultedKey): boolean {
    const value = raw.values[key];
    if (value === undefined || value.trim() === "") {
        return false;
    }
    if (Array.isArray(DEFAULTS[key])) {
        try {
            return JSON.stringify(JSON.parse(value)) !== defaultText(key);
        } catch {
            return true;
        }
    }
    return value.trim() !== defaultText(key);
}

/** Parses the route table; each bad entry is one problem naming the entry. */
export function parseWebSocketRoutes(
    sources: readonly string[],
    readProjectFile: (relativePath: string) => string | undefined,
): { routes: WebSocketRoute[]; problems: { given: string; expected: string }[] } {
    const routes: WebSocketRoute[] = [];
    const problems: { given: string; expected: string }[] = [];
    const refuse = (source: string, expected: string) => problems.push({ given: shown(source), expected });
    for (const source of sources) {
        const entry = source.trim();
        const firstWord = entry.split(/\s+/)[0] ?? "";
        if ((HTTP_METHODS as readonly string[]).includes(firstWord.toUpperCase()) && /\s\//.test(entry)) {
            refuse(source, `${WEBSOCKET_ROUTE_SYNTAX}: a WebSocket API routes each message by its "action" field, not by HTTP method and path`);
            continue;
        }
        if (/\sbody=/.test(entry)) {
            refuse(source, `${WEBSOCKET_ROUTE_SYNTAX}, without body=: request body schemas are a REST API feature`);
            continue;
        }
        const match = ROUTE.exec(entry);
        if (!match || !match[2].startsWith("lambda:")) {
            refuse(source, `${WEBSOCKET_ROUTE_SYNTAX}: every WebSocket route runs a function of functions/`);
            continue;
        }
        const [, routeKey, target] = match;
        const functionName = target.slice("lambda:".length);
        if (routeKey.startsWith("$") ? !(PREDEFINED_ROUTE_KEYS as readonly string[]).includes(routeKey) : !ACTION_NAME.test(routeKey)) {
            refuse(source, `a route key of ${PREDEFINED_ROUTE_KEYS.join(", ")}, or an action name of 1 to 64 letters, digits, _ and -`);
            continue;
        }
        if (!FUNCTION_NAME.test(functionName)) {
            refuse(source, "lambda:<name> with a lower-case path under functions/ and no extension, such as lambda:chat/connect");
            continue;
        }
        if (readProjectFile(functionFile(functionName)) === undefined) {
            refuse(source, `a function that exists: ${functionFile(functionName)} was not found`);
            continue;
        }
        if (routes.some((route) => route.routeKey === routeKey)) {
            refuse(source, `each route key once (${routeKey} is already routed)`);
            continue;
        }
        routes.push({ source, routeKey, functionName });
    }
    if (sources.length > 0 && routes.length === 0 && problems.length === 0) {
        problems.push({ given: "no routes", expected: WEBSOCKET_ROUTE_SYNTAX });
    }
    return { routes, problems };
}

function parseAuth(reader: ConfigReader, problems: ProblemList, routes: readonly WebSocketRoute[] | undefined): WebSocketAuthConfig {
    const mode = reader.oneOf("websocketAuth", WEBSOCKET_AUTH_MODES, DEFAULTS.websocketAuth) ?? "none";
    const parameter = reader.optionalString("websocketTokenParameter");
    // Without a valid route table, its own problem says enough.
    if (mode !== "none" && routes !== undefined && !routes.some((route) => route.routeKey === "$connect")) {
        problems.add("websocketAuth", shown(mode), "none, or a $connect route as well: API Gateway authorizes a WebSocket API on $connect only");
    }
    if (mode !== "token") {
        if (parameter !== undefined) {
            problems.add("websocketTokenParameter", shown(parameter), "empty unless websocketAuth is token");
        }
        return { mode };
    }
    if (parameter === undefined || !SSM_PARAMETER_NAME.test(parameter) || parameter.length > 1011) {
        problems.add(
            "websocketTokenParameter",
            shown(parameter),
            "the name of an SSM SecureString parameter holding the token, such as /hello-gateway/chat/token (required with websocketAuth token; create it with aws ssm put-parameter --type SecureString)",
        );
        return { mode, tokenParameterName: "" };
    }
    return { mode, tokenParameterName: parameter };
}

/** Reads `apiType: websocket`'s keys and refuses the gateway keys it has no use for. */
export function parseWebSocket(reader: ConfigReader, problems: ProblemList, raw: RawConfig): WebSocketConfig {
    for (const [key, reason] of Object.entries(KEYS_WEBSOCKET_REFUSES) as [DefaultedKey, string][]) {
        if (changedFromDefault(raw, key)) {
            problems.add(key, shown(raw.values[key]), `its default (or unset) with apiType websocket: ${reason}`);
        }
    }
    const sources = reader.stringList("routes");
    let routes: WebSocketRoute[] | undefined;
    if (sources !== undefined) {
        if (!changedFromDefault(raw, "routes")) {
            problems.add("routes", "the REST API's default routes", `WebSocket routes, ${WEBSOCKET_ROUTE_SYNTAX} (required with apiType websocket)`);
        } else {
            const parsed = parseWebSocketRoutes(sources, raw.readProjectFile ?? (() => undefined));
            for (const problem of parsed.problems) {
                problems.add("routes", problem.given, problem.expected);
            }
            routes = parsed.problems.length === 0 ? parsed.routes : undefined;
        }
    }
    return { routes: routes ?? [], auth: parseAuth(reader, problems, routes) };
}

/** A REST API refuses the WebSocket-only keys, so a forgotten apiType does not silently ignore them. */
export function refuseWebSocketKeys(raw: RawConfig, problems: ProblemList): void {
    for (const key of WEBSOCKET_ONLY_KEYS) {
        if (changedFromDefault(raw, key)) {
            problems.add(key, shown(raw.values[key]), "its default (or unset): it applies to apiType websocket only");
        }
    }
}
