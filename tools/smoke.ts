/**
 * `npm run smoke -- <env> [--expect "<text>"]`
 *
 * Checks a deployed environment from the outside, the way a client sees it:
 *  1. GET the gateway's invokeUrl: 200 with the hello text (the origin stack's
 *     helloMessage output, unless --expect names another; a gateway-only stack
 *     such as onprem has no origin stack, so only --expect gives it a text);
 *  2. every other GET route of the gateway's `routes` output: 200 (with the
 *     hello text where the route goes to the origin's root);
 *  3. each POST route with a body schema: a valid body must not get 400, an
 *     invalid one must get API Gateway's own 400 "Invalid request body";
 *  4. a bounded burst above the stage's throttleBurstLimit: some requests
 *     must come back 429, or throttling is not in effect.
 * Prints the count of each status and p50/p95 latency; exits non-zero on failure.
 *
 * The HTTP logic takes plain URLs and limits, so the tests run it against a
 * server on 127.0.0.1; only the entry point reads the stack outputs.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import { helloPageText } from "../infra/httpd";
import type { RouteDefinition } from "../infra/routes";
import { GREETING } from "../functions/hello";
// Loaded where they are used, not here: the route parser and the body generator bring Ajv and
// the WebSocket check brings `ws`, about half of this command's start-up; a mistyped command
// line, or a gateway that needs neither, is answered without loading them.
import type { ChatSmokeReport, WebSocketLimits } from "./smoke-websocket";
import {
    Environment,
    ENVIRONMENTS,
    findPulumiCli,
    GATEWAY_ONLY_STACKS,
    HelpRequested,
    MISSING_PULUMI_CLI,
    parseCommandLine,
    parseEnvironment,
    PulumiCli,
    REPO_ROOT,
    runAsProcess,
    stacksOf,
    summarizeEngineError,
    UserFacingError,
} from "./cli-env";

const TARGETS = [...ENVIRONMENTS, ...GATEWAY_ONLY_STACKS].join("|");

export const USAGE = [
    `usage: npm run smoke -- <${TARGETS}> [--expect "<text>"]`,
    "  Calls the deployed gateway: GET invokeUrl must answer 200 with the hello text, every GET route",
    "  200, body validation 400 for an invalid body, and a bounded burst must be throttled (429).",
    "  The text is the origin stack's helloMessage output as its page spells it (HTML-escaped), unless",
    "  --expect names the text exactly as the response holds it (a gateway-only",
    "  stack has no origin stack: without --expect only the status is checked). Needs the Pulumi CLI,",
    "  logged in to the stacks' backend.",
    "  A JWT-authorized API (authMode jwt): with a token in HELLO_GATEWAY_JWT every check runs with it as a bearer",
    "  token; without one, an unauthenticated GET must answer 401. A WebSocket gateway (chat) gets two connections",
    "  instead: a sendmessage from one must reach the other, $default must answer, both must close; with token",
    `  auth the token comes from ${"$"}HELLO_GATEWAY_CHAT_TOKEN and a connection without it must be refused.`,
].join("\n");

export interface SmokeRequest {
    /** An environment, or a gateway-only stack such as `onprem`. */
    env: Environment | (typeof GATEWAY_ONLY_STACKS)[number];
    /** Absent: the text the origin stack says it serves (its helloMessage output). */
    expectedText?: string;
}

/**
 * The text the response must contain: --expect as given (the backend's own text), else the
 * origin stack's helloMessage as its page spells it. httpd serves index.html with the message
 * HTML-escaped (infra/httpd.ts renderIndexHtml), so `Tom & Jerry` is looked for as
 * `Tom &amp; Jerry`. A gateway-only stack has no origin page, so no text.
 */
async function expectedTextFor(request: SmokeRequest, deps: SmokeDeps): Promise<string> {
    if (request.expectedText !== undefined) {
        return request.expectedText;
    }
    if ((GATEWAY_ONLY_STACKS as readonly string[]).includes(request.env)) {
        return "";
    }
    const origin = stacksOf(request.env as Environment).origin;
    return helloPageText(expectedTextFromOrigin(origin, await deps.readOutputs(origin)));
}

/** The gateway stack the smoke test reads: an environment's gateway, or the stack itself. */
export function gatewayStackOf(env: SmokeRequest["env"]): string {
    return (GATEWAY_ONLY_STACKS as readonly string[]).includes(env) ? env : stacksOf(env as Environment).gateway;
}

export function parseSmokeArgs(argv: readonly string[]): SmokeRequest {
    const parsed = parseCommandLine(argv, { options: ["--expect"] });
    const [env, ...extra] = parsed.positionals;
    if (extra.length > 0) {
        throw new UserFacingError(`unexpected argument "${extra[0]}": ${USAGE.split("\n")[0]}`);
    }
    const expectedText = parsed.options.get("--expect");
    if (expectedText !== undefined && expectedText.trim() === "") {
        throw new UserFacingError("--expect needs a non-empty text");
    }
    const usage = USAGE.split("\n")[0];
    const target: SmokeRequest["env"] = (GATEWAY_ONLY_STACKS as readonly string[]).includes(env ?? "")
        ? (env as SmokeRequest["env"])
        : parseEnvironment(env, usage, GATEWAY_ONLY_STACKS);
    return expectedText === undefined ? { env: target } : { env: target, expectedText };
}

/** The hello text the origin stack was deployed with: its helloMessage output. */
export function expectedTextFromOrigin(stack: string, outputs: Record<string, unknown>): string {
    const { helloMessage } = outputs;
    if (typeof helloMessage !== "string" || helloMessage === "") {
        throw new UserFacingError(
            `stack ${stack} exports no helloMessage output: run \`npm run deploy\` for it once, or pass --expect "<text>"`,
        );
    }
    return helloMessage;
}

// ---------------------------------------------------------------------------
// Pure pieces

/** What the smoke test needs out of the gateway stack's outputs. */
export interface SmokeTarget {
    invokeUrl: string;
    throttleBurstLimit: number;
    throttleRateLimit: number;
    /** The gateway's authMode output; `none` for stacks deployed before it existed. */
    authMode: string;
    /** Sent with every request: the API key in `apiKey` mode, the bearer token in `jwt` mode. */
    headers: Record<string, string>;
    /** A credential-mode gateway for which the smoke test holds a credential (a JWT): the full check runs. */
    hasCredentials?: boolean;
    /** The tightest burst limit a client meets: the stage's, or its usage plan's if lower. */
    burstLimit: number;
    /** Which output that limit came from, for the report. */
    burstLimitName: "throttleBurstLimit" | "usagePlanBurstLimit";
    /** The stage's base URL (`stageUrl` output); absent for stacks deployed before routes existed. */
    stageUrl?: string;
    /** The route table (`routes` output), parsed; absent with `stageUrl`. */
    routes?: RouteDefinition[];
}

/** Reads a body schema the way the program did: from the repository, by relative path. */
function readRepositoryFile(relativePath: string): string | undefined {
    const file = path.resolve(REPO_ROOT, relativePath);
    return file.startsWith(REPO_ROOT + path.sep) && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

function routesFromOutputs(stack: string, outputs: Record<string, unknown>): Pick<SmokeTarget, "stageUrl" | "routes"> {
    const { stageUrl, routes } = outputs;
    if (stageUrl === undefined && routes === undefined) {
        return {};
    }
    if (typeof stageUrl !== "string" || !/^https?:\/\//.test(stageUrl) || !Array.isArray(routes) || !routes.every((route) => typeof route === "string")) {
        throw new UserFacingError(`stack ${stack} exports stageUrl ${JSON.stringify(stageUrl)} and routes ${JSON.stringify(routes)}; expected a URL and a list of route strings`);
    }
    const { parseRoutes } = require("../infra/routes") as typeof import("../infra/routes"); // see the imports
    const parsed = parseRoutes(routes, readRepositoryFile);
    if (parsed.problems.length > 0) {
        throw new UserFacingError(`stack ${stack}'s routes do not parse here: ${parsed.problems.map((problem) => `${problem.given}: expected ${problem.expected}`).join("; ")}`);
    }
    return { stageUrl: stageUrl.replace(/\/$/, ""), routes: parsed.routes };
}

/** Modes whose requests the smoke test cannot make itself (SigV4 signing, a user's token). */
const CREDENTIAL_MODES = ["iam", "cognito", "jwt"];

/** The environment variable holding a bearer token for a `jwt` gateway (from its identity provider). */
export const JWT_TOKEN_ENV = "HELLO_GATEWAY_JWT";

export function smokeTargetFromOutputs(stack: string, outputs: Record<string, unknown>, jwtToken?: string): SmokeTarget {
    const { invokeUrl, throttleBurstLimit, throttleRateLimit } = outputs;
    if (typeof invokeUrl !== "string" || !/^https?:\/\//.test(invokeUrl)) {
        throw new UserFacingError(
            `stack ${stack} has no usable invokeUrl output (got ${JSON.stringify(invokeUrl)}): ` +
                `deploy it first (npm run deploy -- ${stack})`,
        );
    }
    for (const [name, value] of Object.entries({ throttleBurstLimit, throttleRateLimit })) {
        if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
            throw new UserFacingError(`stack ${stack} output ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
        }
    }
    const authMode = typeof outputs.authMode === "string" ? outputs.authMode : "none";
    const headers: Record<string, string> = {};
    if (authMode === "apiKey") {
        if (typeof outputs.apiKeyValue !== "string" || outputs.apiKeyValue === "") {
            throw new UserFacingError(`stack ${stack} requires an API key but exports no apiKeyValue output`);
        }
        headers["x-api-key"] = outputs.apiKeyValue;
    }
    // A token for a JWT authorizer: every request carries it, and the full check runs.
    const bearer = authMode === "jwt" && jwtToken !== undefined && jwtToken.trim() !== "";
    if (bearer) {
        headers.authorization = `Bearer ${jwtToken!.trim()}`;
    }
    const planBurst = outputs.usagePlanBurstLimit;
    const planIsTighter = authMode === "apiKey" && typeof planBurst === "number" && planBurst < (throttleBurstLimit as number);
    return {
        invokeUrl,
        throttleBurstLimit: throttleBurstLimit as number,
        throttleRateLimit: throttleRateLimit as number,
        authMode,
        headers,
        ...(bearer ? { hasCredentials: true } : {}),
        burstLimit: planIsTighter ? planBurst : (throttleBurstLimit as number),
        burstLimitName: planIsTighter ? "usagePlanBurstLimit" : "throttleBurstLimit",
        ...routesFromOutputs(stack, outputs),
    };
}

/** A concrete URL for a route: parameters filled with `1`, a greedy one with `smoke`. */
export function routeUrl(stageUrl: string, route: RouteDefinition): string {
    const segments = route.segments.map((segment) => (segment.kind === "literal" ? segment.text : segment.kind === "parameter" ? "1" : "smoke"));
    return `${stageUrl}/${segments.join("/")}`;
}

/** GET every GET route but the invoke URL (already checked): 200, with the hello text from the origin's root. */
export async function checkGetRoutes(target: SmokeTarget, expectedText: string, limits: SmokeLimits): Promise<SmokeReport> {
    const lines: string[] = [];
    let passed = true;
    for (const route of (target.routes ?? []).filter((candidate) => candidate.method === "GET")) {
        const url = routeUrl(target.stageUrl!, route);
        if (route.lambda) {
            const result = await checkLambdaRoute(url, route.lambda.name, limits, target.headers);
            passed &&= result.ok;
            lines.push(result.ok ? `GET ${url} (${route.source}): 200 ${result.summary} in ${Math.round(result.latencyMs ?? 0)} ms` : `FAIL: ${route.source}: ${result.problem}`);
            continue;
        }
        if (url === target.invokeUrl) {
            continue;
        }
        const toOriginRoot = route.originPath === "";
        const result = await checkHello(url, toOriginRoot ? expectedText : "", { ...limits, firstRequestAttempts: 1 }, target.headers);
        if (result.ok) {
            lines.push(`GET ${url} (${route.source}): 200${toOriginRoot ? ` "${expectedText}"` : ""} in ${Math.round(result.latencyMs ?? 0)} ms`);
        } else {
            passed = false;
            lines.push(`FAIL: ${route.source}: ${result.problem}`);
        }
    }
    return { passed, lines };
}

/** What a Lambda route answered: ok with a one-line summary, or the problem. */
export interface LambdaRouteResult extends FirstRequestResult {
    readonly summary?: string;
}

/**
 * GET a `-> lambda:<name>` route: it must answer 200 with a JSON object holding a `message`
 * (for `hello`, its greeting) and API Gateway's `requestId`, as functions/hello.ts does. A 5xx
 * is retried like the first request (a cold start of a new function); anything else is final.
 */
export async function checkLambdaRoute(url: string, functionName: string, limits: SmokeLimits, headers: Record<string, string> = {}): Promise<LambdaRouteResult> {
    let last: LambdaRouteResult = { ok: false, problem: "no request was made" };
    for (let attempt = 1; attempt <= Math.max(1, limits.firstRequestAttempts); attempt++) {
        if (attempt > 1) {
            await new Promise((resolve) => setTimeout(resolve, limits.firstRequestRetryDelayMs));
        }
        const started = performance.now();
        try {
            const response = await fetch(url, { headers, signal: AbortSignal.timeout(limits.requestTimeoutMs) });
            const text = await response.text();
            const latencyMs = performance.now() - started;
            if (response.status !== 200) {
                last = { ok: false, status: response.status, latencyMs, problem: `GET ${url} answered ${response.status}, expected 200 from lambda:${functionName}: ${JSON.stringify(clip(text))}` };
                if (response.status < 500) {
                    return last;
                }
                continue;
            }
            return { ...judgeLambdaAnswer(url, functionName, response.headers.get("content-type"), text), status: 200, latencyMs };
        } catch (error) {
            last = { ok: false, problem: `GET ${url} failed: ${describeFetchError(error)}` };
        }
    }
    return last;
}

/** Whether a 200 from a Lambda route is the JSON greeting the function promises. */
export function judgeLambdaAnswer(url: string, functionName: string, contentType: string | null, text: string): LambdaRouteResult {
    const fail = (why: string): LambdaRouteResult => ({ ok: false, problem: `GET ${url} (lambda:${functionName}) answered 200 but ${why}: ${JSON.stringify(clip(text))}` });
    if (!/^application\/json\b/i.test(contentType ?? "")) {
        return fail(`with content-type ${JSON.stringify(contentType)}, not application/json`);
    }
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        return fail("not with JSON");
    }
    const { message, requestId } = (typeof body === "object" && body !== null ? body : {}) as { message?: unknown; requestId?: unknown };
    const expectedMessage = functionName === "hello" ? GREETING : undefined;
    if (typeof message !== "string" || message === "" || (expectedMessage !== undefined && message !== expectedMessage)) {
        return fail(`without the message ${expectedMessage ? JSON.stringify(expectedMessage) : "string"}`);
    }
    if (typeof requestId !== "string" || requestId === "") {
        return fail("without API Gateway's requestId");
    }
    return { ok: true, summary: `${JSON.stringify(message)}, request ${requestId}` };
}

/** API Gateway's answer to a body its validator refuses. */
export const INVALID_BODY_MESSAGE = "Invalid request body";

/** For each POST route with a schema: a valid body passes the validator, an invalid one gets the gateway's 400. */
export async function checkBodyValidation(target: SmokeTarget, limits: SmokeLimits): Promise<SmokeReport> {
    const lines: string[] = [];
    let passed = true;
    const { bodiesFor } = require("./request-bodies") as typeof import("./request-bodies"); // see the imports
    for (const route of (target.routes ?? []).filter((candidate) => candidate.method === "POST" && candidate.bodySchema)) {
        const bodies = bodiesFor(route.bodySchema!.text);
        if ("problem" in bodies) {
            passed = false;
            lines.push(`FAIL: ${route.source}: ${bodies.problem} (${route.bodySchema!.file})`);
            continue;
        }
        const url = routeUrl(target.stageUrl!, route);
        for (const [kind, body] of [["valid", bodies.valid], ["invalid", bodies.invalid]] as const) {
            let status: number;
            let text: string;
            try {
                const response = await fetch(url, {
                    method: "POST",
                    headers: { ...target.headers, "content-type": "application/json" },
                    body,
                    signal: AbortSignal.timeout(limits.requestTimeoutMs),
                });
                status = response.status;
                text = await response.text();
            } catch (error) {
                passed = false;
                lines.push(`FAIL: POST ${url} with the ${kind} body failed: ${describeFetchError(error)}`);
                continue;
            }
            const refusedByGateway = status === 400 && text.includes(INVALID_BODY_MESSAGE);
            if (kind === "invalid" && !refusedByGateway) {
                passed = false;
                lines.push(`FAIL: POST ${url} with the invalid body ${body} answered ${status} ${JSON.stringify(clip(text))}; expected the gateway's 400 "${INVALID_BODY_MESSAGE}"`);
            } else if (kind === "valid" && (status < 200 || status >= 300)) {
                passed = false;
                lines.push(`FAIL: POST ${url} with the valid body ${body} answered ${status} ${JSON.stringify(clip(text))}; expected 2xx`);
            } else {
                lines.push(`POST ${url} with ${kind === "valid" ? "a valid" : "an invalid"} body: ${status}${kind === "invalid" ? ` "${INVALID_BODY_MESSAGE}" from the gateway` : ""}`);
            }
        }
    }
    return { passed, lines };
}

export const MAX_BURST_REQUESTS = 500;

/**
 * Twice the bucket plus a margin empties API Gateway's token bucket even
 * while it refills; the cap keeps a generous prod limit from turning the
 * smoke test into a load test (and a bill).
 */
export function burstRequestCount(throttleBurstLimit: number): number {
    return Math.min(Math.ceil(throttleBurstLimit) * 2 + 20, MAX_BURST_REQUESTS);
}

/** Nearest-rank percentile (p in (0, 100]) of the samples; undefined when there are none. */
export function percentile(samples: readonly number[], p: number): number | undefined {
    if (!(p > 0 && p <= 100)) {
        throw new RangeError(`percentile must be in (0, 100], got ${p}`);
    }
    if (samples.length === 0) {
        return undefined;
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

// ---------------------------------------------------------------------------
// HTTP

export interface SmokeLimits {
    /** Per-request timeout. */
    requestTimeoutMs: number;
    /** Hard cap on the whole burst: no request starts after it, and those in flight are cut off. */
    burstTimeCapMs: number;
    /** Requests in flight at once during the burst. */
    burstConcurrency: number;
    /** Tries of the first GET, which a just-deployed origin may answer with 5xx while it boots. */
    firstRequestAttempts: number;
    firstRequestRetryDelayMs: number;
}

export const DEFAULT_LIMITS: SmokeLimits = {
    requestTimeoutMs: 10_000,
    burstTimeCapMs: 20_000,
    burstConcurrency: 50,
    firstRequestAttempts: 3,
    firstRequestRetryDelayMs: 3_000,
};

export interface FirstRequestResult {
    ok: boolean;
    status?: number;
    latencyMs?: number;
    /** Why it failed, when it did. */
    problem?: string;
}

/** GET the invoke URL until it answers something other than 5xx or a network error. */
export async function checkHello(
    url: string,
    expectedText: string,
    limits: SmokeLimits,
    headers: Record<string, string> = {},
): Promise<FirstRequestResult> {
    let last: FirstRequestResult = { ok: false, problem: "no request was made" };
    for (let attempt = 1; attempt <= Math.max(1, limits.firstRequestAttempts); attempt++) {
        if (attempt > 1) {
            await new Promise((resolve) => setTimeout(resolve, limits.firstRequestRetryDelayMs));
        }
        const started = performance.now();
        try {
            const response = await fetch(url, { headers, signal: AbortSignal.timeout(limits.requestTimeoutMs) });
            const body = await response.text();
            const latencyMs = performance.now() - started;
            if (response.status === 200 && body.includes(expectedText)) {
                return { ok: true, status: 200, latencyMs };
            }
            last = {
                ok: false,
                status: response.status,
                latencyMs,
                problem:
                    response.status === 200
                        ? `GET ${url} answered 200 without "${expectedText}": ${JSON.stringify(clip(body))}`
                        : `GET ${url} answered ${response.status}, expected 200: ${JSON.stringify(clip(body))}`,
            };
            if (response.status < 500) {
                return last; // a wrong answer, not a boot-time hiccup: retrying will not help
            }
        } catch (error) {
            last = { ok: false, problem: `GET ${url} failed: ${describeFetchError(error)}` };
        }
    }
    return last;
}

export interface BurstResult {
    /** Requests started (at most the planned count). */
    sent: number;
    /** Responses by HTTP status. */
    statusCounts: Map<number, number>;
    /** Requests that got no response: timeouts and network errors, with one example. */
    failed: number;
    firstFailure?: string;
    /** Requests still in flight when the time cap cut them off. */
    cutOffAtTimeCap: number;
    latenciesMs: number[];
    elapsedMs: number;
}

/** Sends up to `count` GETs, `concurrency` at a time, within the time cap; never more. */
export async function sendBurst(
    url: string,
    count: number,
    limits: SmokeLimits,
    headers: Record<string, string> = {},
): Promise<BurstResult> {
    const result: BurstResult = {
        sent: 0,
        statusCounts: new Map(),
        failed: 0,
        cutOffAtTimeCap: 0,
        latenciesMs: [],
        elapsedMs: 0,
    };
    const started = performance.now();
    const timeCap = AbortSignal.timeout(limits.burstTimeCapMs);

    async function worker(): Promise<void> {
        while (result.sent < count && !timeCap.aborted) {
            result.sent++;
            const requestStarted = performance.now();
            try {
                const response = await fetch(url, {
                    headers,
                    signal: AbortSignal.any([timeCap, AbortSignal.timeout(limits.requestTimeoutMs)]),
                });
                await response.arrayBuffer(); // the latency a client sees includes the body
                result.latenciesMs.push(performance.now() - requestStarted);
                result.statusCounts.set(response.status, (result.statusCounts.get(response.status) ?? 0) + 1);
            } catch (error) {
                if (timeCap.aborted) {
                    result.cutOffAtTimeCap++;
                } else {
                    result.failed++;
                    result.firstFailure ??= describeFetchError(error);
                }
            }
        }
    }

    const workers = Math.max(1, Math.min(limits.burstConcurrency, count));
    await Promise.all(Array.from({ length: workers }, worker));
    result.elapsedMs = performance.now() - started;
    return result;
}

/**
 * Throttling is proven by at least one 429; everything else must be a 200.
 * Requests cut off by our own time cap are not the gateway's fault.
 */
export function judgeBurst(
    burst: BurstResult,
    burstLimit: number,
    burstLimitName: SmokeTarget["burstLimitName"] = "throttleBurstLimit",
): string[] {
    const problems: string[] = [];
    if ((burst.statusCounts.get(429) ?? 0) === 0) {
        const throttle = burstLimitName === "throttleBurstLimit" ? "stage" : "usage plan";
        problems.push(
            `no 429 among ${burst.sent} burst requests above ${burstLimitName} ${burstLimit}: ` +
                `${throttle} throttling is not in effect`,
        );
    }
    const unexpected = [...burst.statusCounts].filter(([status]) => status !== 200 && status !== 429);
    if (unexpected.length > 0) {
        problems.push(
            `unexpected statuses during the burst: ${unexpected.map(([status, n]) => `${status} x${n}`).join(", ")}`,
        );
    }
    if (burst.failed > 0) {
        problems.push(`${burst.failed} burst requests got no response (first: ${burst.firstFailure})`);
    }
    return problems;
}

export function describeBurst(burst: BurstResult, concurrency: number): string[] {
    const statuses = [...burst.statusCounts].sort(([a], [b]) => a - b);
    const lines = [
        `burst: ${burst.sent} requests, ${concurrency} at a time, in ${(burst.elapsedMs / 1000).toFixed(1)} s`,
        ...statuses.map(([status, n]) => `  status ${status}: ${n}`),
    ];
    if (burst.failed > 0) {
        lines.push(`  no response: ${burst.failed}`);
    }
    if (burst.cutOffAtTimeCap > 0) {
        lines.push(`  cut off at the time cap: ${burst.cutOffAtTimeCap}`);
    }
    const p50 = percentile(burst.latenciesMs, 50);
    const p95 = percentile(burst.latenciesMs, 95);
    if (p50 !== undefined && p95 !== undefined) {
        lines.push(`  latency p50 ${Math.round(p50)} ms, p95 ${Math.round(p95)} ms`);
    }
    return lines;
}

export interface SmokeReport {
    passed: boolean;
    lines: string[];
}

/** The whole check against one target; never throws for an HTTP outcome. */
export async function smokeCheck(
    target: SmokeTarget,
    expectedText: string,
    limits: SmokeLimits = DEFAULT_LIMITS,
): Promise<SmokeReport> {
    if (CREDENTIAL_MODES.includes(target.authMode) && !target.hasCredentials) {
        return checkAuthEnforced(target, limits);
    }
    // The invoke URL carries the hello text when its route goes to the origin's root (the seed's /hello).
    const invokeRoute = target.routes?.find((route) => target.stageUrl !== undefined && routeUrl(target.stageUrl, route) === target.invokeUrl && route.method === "GET");
    // A Lambda route at the invoke URL is judged with the other Lambda routes below.
    const invokeText = invokeRoute !== undefined && (invokeRoute.lambda !== undefined || invokeRoute.originPath !== "") ? "" : expectedText;
    const hello = await checkHello(target.invokeUrl, invokeText, limits, target.headers);
    if (!hello.ok) {
        return { passed: false, lines: [`FAIL: ${hello.problem}`] };
    }
    const lines = [`GET ${target.invokeUrl}: 200${invokeText === "" ? "" : ` "${invokeText}"`} in ${Math.round(hello.latencyMs ?? 0)} ms`];
    let routesPassed = true;
    if (target.stageUrl !== undefined) {
        for (const check of [await checkGetRoutes(target, expectedText, limits), await checkBodyValidation(target, limits)]) {
            lines.push(...check.lines);
            routesPassed &&= check.passed;
        }
    }

    const count = burstRequestCount(target.burstLimit);
    const burst = await sendBurst(target.invokeUrl, count, limits, target.headers);
    lines.push(...describeBurst(burst, Math.min(limits.burstConcurrency, count)));
    const problems = judgeBurst(burst, target.burstLimit, target.burstLimitName);
    lines.push(...problems.map((problem) => `FAIL: ${problem}`));
    return { passed: routesPassed && problems.length === 0, lines };
}

/**
 * For `iam` and `cognito` the smoke test holds no credentials, so what it can prove is that
 * the gateway refuses an unauthenticated request (401/403) before the origin is involved.
 */
export async function checkAuthEnforced(target: SmokeTarget, limits: SmokeLimits): Promise<SmokeReport> {
    let status: number;
    try {
        const response = await fetch(target.invokeUrl, { signal: AbortSignal.timeout(limits.requestTimeoutMs) });
        await response.arrayBuffer();
        status = response.status;
    } catch (error) {
        return { passed: false, lines: [`FAIL: GET ${target.invokeUrl} failed: ${describeFetchError(error)}`] };
    }
    // An HTTP API's JWT authorizer answers a request without a token 401 Unauthorized.
    const refused = target.authMode === "jwt" ? [401] : [401, 403];
    if (!refused.includes(status)) {
        return {
            passed: false,
            lines: [`FAIL: authMode ${target.authMode}, yet an unauthenticated GET ${target.invokeUrl} answered ${status}, expected ${refused.join(" or ")}`],
        };
    }
    return {
        passed: true,
        lines: [
            `GET ${target.invokeUrl} without credentials: ${status} (authMode ${target.authMode} is enforced)`,
            `not run: the hello and burst checks need ${
                target.authMode === "iam" ? "SigV4-signed requests" : target.authMode === "jwt" ? `a token from the issuer in ${JWT_TOKEN_ENV}` : "a Cognito user's token"
            }`,
        ],
    };
}

function clip(text: string): string {
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function describeFetchError(error: unknown): string {
    if (error instanceof Error) {
        if (error.name === "TimeoutError") {
            return "timed out";
        }
        // fetch reports "fetch failed" and hides the reason (ECONNREFUSED, ENOTFOUND...) in cause.
        const cause = (error as Error & { cause?: unknown }).cause;
        return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
    }
    return String(error);
}

// ---------------------------------------------------------------------------
// Entry point

export interface SmokeDeps {
    /** Outputs of a stack; throws a UserFacingError when they cannot be read. */
    readOutputs(stack: string): Promise<Record<string, unknown>>;
    line(text: string): void;
    errorLine(text: string): void;
    limits?: SmokeLimits;
    /** A bearer token for a `jwt` gateway (HELLO_GATEWAY_JWT). Default: none, only the 401 is checked. */
    jwtToken?: string;
    /** A WebSocket gateway's waits. Default: DEFAULT_WEBSOCKET_LIMITS. */
    websocketLimits?: WebSocketLimits;
    /** Where the chat token is read (CHAT_TOKEN_ENV). Default: process.env. */
    env?: NodeJS.ProcessEnv;
}

/** The check of a WebSocket gateway, with its `ws` client loaded only when one is smoke-tested. */
function chatSmoke(stack: string, outputs: Record<string, unknown>, deps: SmokeDeps): Promise<ChatSmokeReport> {
    const { CHAT_TOKEN_ENV, chatSmokeCheck, websocketTargetFromOutputs } = require("./smoke-websocket") as typeof import("./smoke-websocket");
    return chatSmokeCheck(websocketTargetFromOutputs(stack, outputs), (deps.env ?? process.env)[CHAT_TOKEN_ENV], deps.websocketLimits);
}

export async function smoke(argv: readonly string[], deps: SmokeDeps): Promise<number> {
    try {
        const request = parseSmokeArgs(argv);
        const stack = gatewayStackOf(request.env);
        const outputs = await deps.readOutputs(stack);
        const report =
            outputs.apiType === "websocket"
                ? await chatSmoke(stack, outputs, deps)
                : await smokeCheck(smokeTargetFromOutputs(stack, outputs, deps.jwtToken), await expectedTextFor(request, deps), deps.limits);
        for (const line of report.lines) {
            (line.startsWith("FAIL: ") ? deps.errorLine : deps.line)(line);
        }
        deps.line(`smoke ${request.env}: ${report.passed ? "PASS" : "FAIL"}`);
        return report.passed ? 0 : 1;
    } catch (error) {
        if (error instanceof HelpRequested) {
            deps.line(USAGE);
            return 0;
        }
        if (error instanceof UserFacingError) {
            deps.errorLine(`error: ${error.message}`);
            return 1;
        }
        throw error;
    }
}

/** Reads a stack's outputs through the Automation API (needs the Pulumi CLI and a logged-in backend). */
export async function readStackOutputs(
    stackName: string,
    locateCli: () => Promise<PulumiCli | undefined> = () => findPulumiCli(),
    workDir: string = REPO_ROOT,
): Promise<Record<string, unknown>> {
    const cli = await locateCli();
    if (cli === undefined) {
        throw new UserFacingError(MISSING_PULUMI_CLI);
    }
    // Loaded here, not at the top: the tests never pay for the Automation API.
    const { LocalWorkspace, PulumiCommand, StackNotFoundError } = await import("@pulumi/pulumi/automation/index.js");
    const pulumiCommand = await PulumiCommand.get(cli.root === undefined ? undefined : { root: cli.root });
    let outputs: Awaited<ReturnType<Stack["outputs"]>>;
    try {
        const stack = await LocalWorkspace.selectStack({ stackName, workDir }, { workDir, pulumiCommand });
        outputs = await stack.outputs();
    } catch (error) {
        if (error instanceof StackNotFoundError) {
            throw new UserFacingError(`stack ${stackName} does not exist in the Pulumi backend: deploy it first`);
        }
        // Not logged in, no access to the backend...: the CLI says which in its error line.
        throw new UserFacingError(`cannot read the outputs of stack ${stackName}: ${summarizeEngineError(error)}`);
    }
    return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
}

if (require.main === module) {
    runAsProcess(() =>
        smoke(process.argv.slice(2), {
            readOutputs: (stack) => readStackOutputs(stack),
            jwtToken: process.env[JWT_TOKEN_ENV],
            line: (text) => console.log(text),
            errorLine: (text) => console.error(text),
        }),
    );
}
