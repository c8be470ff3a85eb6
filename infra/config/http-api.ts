// The keys that choose and shape the API type: apiType, the JWT issuer and audience, CORS, and
// the rules that keep REST-only features off an HTTP API (docs/http-api.md).
import { closestKey } from "../config-keys";
import { DEFAULTS } from "../defaults";
import { API_TYPES, ApiType, GatewayConfig } from "./types";
import { ConfigReader, ProblemList, shown } from "./reader";

export function parseApiType(reader: ConfigReader, problems: ProblemList): ApiType {
    const value = reader.optionalString("apiType");
    if (value === undefined) {
        return DEFAULTS.apiType;
    }
    if ((API_TYPES as readonly string[]).includes(value)) {
        return value as ApiType;
    }
    const suggestion = closestKey(value, API_TYPES);
    problems.add("apiType", shown(value), `one of ${API_TYPES.join(", ")}${suggestion !== undefined ? `; did you mean ${suggestion}?` : ""}`);
    return DEFAULTS.apiType;
}

/** An https issuer URL without credentials, query or fragment, as a JWT's `iss` claim carries it; undefined when bad (a problem is added). */
export function parseJwtIssuer(reader: ConfigReader, problems: ProblemList): string | undefined {
    const value = reader.optionalString("jwtIssuer");
    const expected = "the token issuer's https URL, exactly as the tokens' iss claim spells it, e.g. https://example.eu.auth0.com/ or https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123";
    if (value === undefined) {
        return problems.add("jwtIssuer", "nothing", `${expected} (required with authMode jwt)`);
    }
    let url: URL | undefined;
    try {
        url = new URL(value);
    } catch {
        url = undefined;
    }
    if (url === undefined || url.protocol !== "https:" || url.hostname === "" || url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "" || /\s/.test(value)) {
        return problems.add("jwtIssuer", shown(value), expected);
    }
    return value;
}

/** The audiences (`aud` or Cognito's `client_id`) an authorizer accepts. */
export function parseJwtAudience(reader: ConfigReader, problems: ProblemList, required: boolean): string[] {
    const audience = reader.stringList("jwtAudience") ?? [];
    for (const entry of audience) {
        if (entry.trim() === "" || /\s/.test(entry)) {
            problems.add("jwtAudience", shown(entry), "audience values without spaces (an API identifier or an app client id)");
        }
    }
    if (required && audience.length === 0) {
        problems.add("jwtAudience", "an empty list", "at least one audience the tokens carry in aud (or Cognito access tokens in client_id): an authorizer with no audience accepts no token");
    }
    return audience;
}

/** `*` or a browser origin: scheme, host and optional port, nothing else. */
export function parseCorsOrigins(reader: ConfigReader, problems: ProblemList): string[] {
    const origins = reader.stringList("corsAllowOrigins") ?? [];
    for (const origin of origins) {
        if (origin === "*") {
            continue;
        }
        let url: URL | undefined;
        try {
            url = new URL(origin);
        } catch {
            url = undefined;
        }
        // A browser sends Origin as scheme://host[:port]; anything more never matches.
        if (url === undefined || !["http:", "https:"].includes(url.protocol) || url.origin !== origin) {
            problems.add("corsAllowOrigins", shown(origin), "browser origins such as https://app.example.com or http://localhost:3000 (scheme, host and port only, no path or trailing slash), or *");
        }
    }
    if (origins.includes("*") && origins.length > 1) {
        problems.add("corsAllowOrigins", shown(JSON.stringify(origins)), "either * alone or a list of origins: * already admits every origin");
    }
    return origins;
}

/**
 * Keys an HTTP API cannot honour, refused by name with the reason and what to do instead. AWS's
 * "Choose between REST APIs and HTTP APIs" lists HTTP APIs without WAF, API keys and usage plans,
 * caching, request validation, X-Ray tracing and client certificates
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html).
 */
export function checkHttpApi(config: GatewayConfig, problems: ProblemList): void {
    if (config.apiType !== "http") {
        return;
    }
    const useRest = 'or apiType "rest"';
    if (config.auth.mode === "apiKey") {
        problems.add("authMode", '"apiKey"', `jwt, cognito, iam or none with apiType "http": HTTP APIs have no API keys or usage plans (${useRest} for keys)`);
    }
    if (config.waf.enabled) {
        problems.add("wafEnabled", "true", `false with apiType "http": AWS WAF cannot be associated with an HTTP API stage (put CloudFront with WAF in front, ${useRest})`);
    }
    if (config.cache.enabled) {
        problems.add("cacheEnabled", "true", `false with apiType "http": HTTP APIs have no stage cache (${useRest})`);
    }
    if (config.requestValidation.queryParameters.length > 0) {
        problems.add(
            "requiredQueryParameters",
            shown(JSON.stringify(config.requestValidation.queryParameters)),
            `an empty list with apiType "http": HTTP APIs do not validate requests, so the backend must check its own parameters (${useRest})`,
        );
    }
    if (config.requestValidation.headers.length > 0) {
        problems.add(
            "requiredHeaders",
            shown(JSON.stringify(config.requestValidation.headers)),
            `an empty list with apiType "http": HTTP APIs do not validate requests, so the backend must check its own headers (${useRest})`,
        );
    }
    if (config.tracingEnabled) {
        problems.add("tracingEnabled", "true", `false with apiType "http": HTTP API stages cannot be traced with X-Ray (${useRest}; a Lambda route can still trace inside the function)`);
    }
    for (const route of config.routes) {
        if (route.bodySchema !== undefined) {
            problems.add(
                "routes",
                shown(route.source),
                `the route without body=${route.bodySchema.file} with apiType "http": HTTP APIs do not validate request bodies; validate in the backend ${useRest}`,
            );
        }
    }
    if (config.originStack !== undefined && config.originMode === "public") {
        problems.add(
            "originMode",
            '"public"',
            `"private" with apiType "http": an HTTP API cannot present API Gateway's client certificate, which a public origin requires of every caller, so it reaches this project's origin only through a VPC link to a private origin (or set apiType "rest")`,
        );
    }
}
