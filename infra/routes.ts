// The route table: `hello-gateway:routes` and `hello-gateway:routeThrottles` parsed into typed
// routes. Pure and free of the Pulumi SDK: config.ts calls it with the raw strings, and the
// component in api.ts only ever sees routes that passed every rule here.
import Ajv04 from "ajv-draft-04";
import { closestKey } from "./config-keys";
import { FUNCTION_NAME, functionSourceFile } from "./lambda/source";

export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Methods a `body=` schema cannot go on: GET, HEAD and OPTIONS requests carry no body, and ANY
 * serves them too, so its validator would refuse every body-less GET as an invalid body.
 */
const BODILESS_METHODS: readonly HttpMethod[] = ["GET", "HEAD", "OPTIONS", "ANY"];

/** What every route message says is accepted. */
export const ROUTE_SYNTAX = '"METHOD /path [-> /origin/path | -> lambda:name] [body=schemas/file.json]"';

/** How a route names a function of `functions/`: `-> lambda:hello` runs `functions/hello.ts`. */
export const LAMBDA_TARGET_PREFIX = "lambda:";

/** One segment of a route path: a literal, a `{name}` parameter or a greedy `{name+}`. */
export type PathSegment =
    | { readonly kind: "literal"; readonly text: string }
    | { readonly kind: "parameter"; readonly name: string }
    | { readonly kind: "greedy"; readonly name: string };

/** A route that passed every rule: what the gateway serves and where it forwards it. */
export interface RouteDefinition {
    /** The route exactly as configured, for messages and the plan. */
    readonly source: string;
    readonly method: HttpMethod;
    /** `/`, `/hello`, `/api/{proxy+}`: API Gateway's resource path. */
    readonly path: string;
    readonly segments: readonly PathSegment[];
    /**
     * The path at the origin, relative to its base URL and without the leading slash, with
     * parameters as API Gateway's integration URI spells them (`v1/orders/{id}`, `{proxy}`).
     */
    readonly originPath: string;
    /** Names of the path parameters, in order; a greedy one by its bare name (`proxy`). */
    readonly pathParameters: readonly string[];
    /** The request body's JSON Schema (draft 4), when the route has `body=`. */
    readonly bodySchema?: { readonly file: string; readonly text: string };
    /**
     * The function that serves the route, when it is `-> lambda:<name>`: the route then never
     * reaches the origin, and `originPath` is empty.
     */
    readonly lambda?: LambdaTarget;
}

/** A function of this repository a route runs. */
export interface LambdaTarget {
    /** As the route names it: `hello`. */
    readonly name: string;
    /** Its source, relative to the repository root: `functions/hello.ts`. */
    readonly sourceFile: string;
}

/** A method-level throttle from `hello-gateway:routeThrottles`. */
export interface RouteThrottle {
    readonly source: string;
    readonly method: HttpMethod;
    readonly path: string;
    readonly rateLimit: number;
    readonly burstLimit: number;
}

/** A problem with one entry of a list key; config.ts turns it into a ConfigProblem. */
export interface RouteProblem {
    readonly given: string;
    readonly expected: string;
}

/** Reads a file of the repository by its relative path; undefined when there is none. */
export type ProjectFileReader = (relativePath: string) => string | undefined;

const LITERAL_SEGMENT = /^[A-Za-z0-9._~-]+$/;
const PARAMETER_SEGMENT = /^\{([A-Za-z_][A-Za-z0-9_]*)(\+?)\}$/;
const SCHEMA_FILE = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+\.json$/;
const DRAFT_04_IDS = ["http://json-schema.org/draft-04/schema#", "http://json-schema.org/draft-04/schema"];

/** Parses `/api/{id}`; returns the segments or what is wrong with the path. */
export function parsePath(path: string): { segments: PathSegment[] } | { problem: string } {
    if (!path.startsWith("/")) {
        return { problem: "a path starting with /" };
    }
    if (path === "/") {
        return { segments: [] };
    }
    const parts = path.slice(1).split("/");
    const segments: PathSegment[] = [];
    for (const part of parts) {
        const parameter = PARAMETER_SEGMENT.exec(part);
        if (parameter) {
            segments.push(parameter[2] === "+" ? { kind: "greedy", name: parameter[1] } : { kind: "parameter", name: parameter[1] });
        } else if (LITERAL_SEGMENT.test(part)) {
            segments.push({ kind: "literal", text: part });
        } else {
            return {
                problem: `a path of segments separated by single slashes, each letters, digits and . _ ~ - or a parameter {name} or a greedy {name+} (got the segment ${JSON.stringify(part)})`,
            };
        }
    }
    const greedyAt = segments.findIndex((segment) => segment.kind === "greedy");
    if (greedyAt !== -1 && greedyAt !== segments.length - 1) {
        return { problem: "a greedy {name+} only as the last segment of the path" };
    }
    const names = segments.flatMap((segment) => (segment.kind === "literal" ? [] : [segment.name]));
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated !== undefined) {
        return { problem: `each path parameter once (got {${repeated}} twice)` };
    }
    return { segments };
}

export function pathOf(segments: readonly PathSegment[]): string {
    return `/${segments.map(segmentText).join("/")}`;
}

function segmentText(segment: PathSegment): string {
    return segment.kind === "literal" ? segment.text : segment.kind === "parameter" ? `{${segment.name}}` : `{${segment.name}+}`;
}

/** `->` target: the same parameters may appear, greedy ones with or without their `+`. */
function parseTarget(target: string, declared: readonly string[]): { originPath: string } | { problem: string } {
    if (!target.startsWith("/")) {
        return { problem: "a -> target that is a path starting with / (the path at the origin)" };
    }
    if (target === "/") {
        return { originPath: "" };
    }
    const parts = target.slice(1).split("/");
    const used: string[] = [];
    const originParts: string[] = [];
    for (const part of parts) {
        const parameter = PARAMETER_SEGMENT.exec(part);
        if (parameter) {
            used.push(parameter[1]);
            originParts.push(`{${parameter[1]}}`);
        } else if (LITERAL_SEGMENT.test(part)) {
            originParts.push(part);
        } else {
            return { problem: `a -> target of path segments (letters, digits, . _ ~ - or {name}); got the segment ${JSON.stringify(part)}` };
        }
    }
    const dropped = declared.filter((name) => !used.includes(name));
    if (dropped.length > 0) {
        return { problem: `a -> target that keeps every path parameter the route declares: ${dropped.map((name) => `{${name}}`).join(", ")} would be lost` };
    }
    const unknown = used.filter((name) => !declared.includes(name));
    if (unknown.length > 0) {
        return { problem: `a -> target that uses only the route's own path parameters: ${unknown.map((name) => `{${name}}`).join(", ")} is not declared in the path` };
    }
    return { originPath: originParts.join("/") };
}

/**
 * Schema verdicts by schema text. Compiling a schema is the costly part of parsing routes, the
 * verdict depends on the text alone, and tests parse the same few schemas hundreds of times.
 */
const schemaProblemByText = new Map<string, string | undefined>();

/** Why a schema text is not a usable draft-4 JSON Schema, or undefined when it is one. */
export function draft4SchemaProblem(text: string): string | undefined {
    if (!schemaProblemByText.has(text)) {
        schemaProblemByText.set(text, schemaProblemOf(text));
    }
    return schemaProblemByText.get(text);
}

function schemaProblemOf(text: string): string | undefined {
    let schema: unknown;
    try {
        schema = JSON.parse(text);
    } catch (error) {
        return `JSON (${(error as Error).message})`;
    }
    if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
        return "a JSON object (a JSON Schema)";
    }
    const declared = (schema as { $schema?: unknown }).$schema;
    if (declared !== undefined && !DRAFT_04_IDS.includes(String(declared))) {
        return `a draft-4 JSON Schema, the draft API Gateway models use ($schema ${JSON.stringify(declared)} is another draft)`;
    }
    // Strict mode off: draft 4 allows unknown keywords, and API Gateway accepts them.
    const draft04 = new Ajv04({ allErrors: true, strict: false });
    if (!draft04.validateSchema(schema)) {
        const first = draft04.errors?.[0];
        return `a valid draft-4 JSON Schema (${first?.instancePath || "/"} ${first?.message ?? "is invalid"})`;
    }
    try {
        // Compiling resolves every $ref: a model cannot point at a schema API Gateway does not have.
        draft04.compile(schema);
    } catch (error) {
        return `a self-contained draft-4 JSON Schema (${(error as Error).message})`;
    }
    return undefined;
}

/** Parses one route string; problems name the route and what is accepted. */
export function parseRoute(source: string, readFile: ProjectFileReader): { route: RouteDefinition } | { problem: RouteProblem } {
    const refuse = (expected: string) => ({ problem: { given: JSON.stringify(source), expected } });
    const tokens = source.trim().split(/\s+/);
    const [method, path, ...rest] = tokens;
    if (!(HTTP_METHODS as readonly string[]).includes(method ?? "")) {
        const likely = closestKey(method ?? "", HTTP_METHODS);
        return refuse(`a method of ${HTTP_METHODS.join(", ")} first, as in ${ROUTE_SYNTAX}${likely ? `; did you mean ${likely}?` : ""}`);
    }
    if (path === undefined) {
        return refuse(`a path after the method, as in ${ROUTE_SYNTAX}`);
    }
    const parsedPath = parsePath(path);
    if ("problem" in parsedPath) {
        return refuse(`${parsedPath.problem}, as in ${ROUTE_SYNTAX}`);
    }
    const segments = parsedPath.segments;
    const pathParameters = segments.flatMap((segment) => (segment.kind === "literal" ? [] : [segment.name]));
    let target: string | undefined;
    let schemaFile: string | undefined;
    for (let i = 0; i < rest.length; i++) {
        const token = rest[i];
        if (token === "->" && target === undefined && rest[i + 1] !== undefined) {
            target = rest[++i];
        } else if (token.startsWith("body=") && schemaFile === undefined) {
            schemaFile = token.slice("body=".length);
        } else {
            return refuse(`at most one "-> /origin/path" and one "body=<file>" after the path, as in ${ROUTE_SYNTAX} (got ${JSON.stringify(token)})`);
        }
    }
    let lambda: LambdaTarget | undefined;
    if (target?.startsWith(LAMBDA_TARGET_PREFIX)) {
        const name = target.slice(LAMBDA_TARGET_PREFIX.length);
        if (!FUNCTION_NAME.test(name)) {
            return refuse(`-> lambda:<name> naming a file of functions/ without its .ts: up to 40 letters, digits, - and _ (got ${JSON.stringify(name)})`);
        }
        const sourceFile = functionSourceFile(name);
        if (readFile(sourceFile) === undefined) {
            return refuse(`-> lambda:${name} naming a function that exists: ${sourceFile} is not in the repository`);
        }
        lambda = { name, sourceFile };
    }
    const parsedTarget = lambda ? { originPath: "" } : parseTarget(target ?? pathOf(segments), pathParameters);
    if ("problem" in parsedTarget) {
        return refuse(parsedTarget.problem);
    }
    let bodySchema: RouteDefinition["bodySchema"];
    if (schemaFile !== undefined) {
        if (BODILESS_METHODS.includes(method as HttpMethod)) {
            return refuse(
                method === "ANY"
                    ? "body= only on a method that carries a body (POST, PUT, PATCH, DELETE); ANY also serves GET, whose requests have none: give the body method a route of its own"
                    : `body= only on a method that carries a body (POST, PUT, PATCH, DELETE); ${method} requests have none`,
            );
        }
        if (!SCHEMA_FILE.test(schemaFile)) {
            return refuse(`body= naming a .json file inside the repository by its relative path, e.g. body=schemas/order.json (got ${JSON.stringify(schemaFile)})`);
        }
        const text = readFile(schemaFile);
        if (text === undefined) {
            return refuse(`body= naming a file that exists: ${schemaFile} is not in the repository`);
        }
        const problem = draft4SchemaProblem(text);
        if (problem !== undefined) {
            return refuse(`body= naming ${problem}: ${schemaFile}`);
        }
        bodySchema = { file: schemaFile, text };
    }
    return {
        route: {
            source,
            method: method as HttpMethod,
            path: pathOf(segments),
            segments,
            originPath: parsedTarget.originPath,
            pathParameters,
            ...(bodySchema ? { bodySchema } : {}),
            ...(lambda ? { lambda } : {}),
        },
    };
}

/** The variable part under a parent: API Gateway allows one per parent resource. */
function variableChildren(routes: readonly RouteDefinition[]): Map<string, Set<string>> {
    const byParent = new Map<string, Set<string>>();
    for (const route of routes) {
        route.segments.forEach((segment, index) => {
            if (segment.kind === "literal") {
                return;
            }
            const parent = pathOf(route.segments.slice(0, index));
            const set = byParent.get(parent) ?? new Set<string>();
            set.add(segmentText(segment));
            byParent.set(parent, set);
        });
    }
    return byParent;
}

/** Parses the whole table: each route, then the rules between routes. */
export function parseRoutes(sources: readonly string[], readFile: ProjectFileReader): { routes: RouteDefinition[]; problems: RouteProblem[] } {
    const problems: RouteProblem[] = [];
    const routes: RouteDefinition[] = [];
    if (sources.length === 0) {
        problems.push({ given: "an empty list", expected: `at least one route, as in ${ROUTE_SYNTAX}` });
    }
    for (const source of sources) {
        const parsed = parseRoute(source, readFile);
        if ("problem" in parsed) {
            problems.push(parsed.problem);
            continue;
        }
        const duplicate = routes.find((route) => route.method === parsed.route.method && route.path === parsed.route.path);
        if (duplicate) {
            problems.push({
                given: JSON.stringify(source),
                expected: `one route per method and path: ${JSON.stringify(duplicate.source)} already serves ${parsed.route.method} ${parsed.route.path}`,
            });
            continue;
        }
        routes.push(parsed.route);
    }
    for (const [parent, variants] of variableChildren(routes)) {
        if (variants.size > 1) {
            problems.push({
                given: [...variants].map((variant) => `${parent === "/" ? "" : parent}/${variant}`).join(" and "),
                expected: `one path parameter name per level: API Gateway allows a single variable segment under ${parent}; use the same name in every route`,
            });
        }
    }
    return { routes, problems };
}

const ROUTE_THROTTLE = /^(\S+)\s+(\S+)\s+(\d+)\/(\d+)$/;

/** Parses `"POST /orders 5/10"` entries against the route table and the stage's limits. */
export function parseRouteThrottles(
    sources: readonly string[],
    routes: readonly RouteDefinition[],
    stage: { readonly rateLimit: number; readonly burstLimit: number },
): { throttles: RouteThrottle[]; problems: RouteProblem[] } {
    const throttles: RouteThrottle[] = [];
    const problems: RouteProblem[] = [];
    for (const source of sources) {
        const refuse = (expected: string) => problems.push({ given: JSON.stringify(source), expected });
        const match = ROUTE_THROTTLE.exec(source.trim());
        if (!match) {
            refuse('"METHOD /path rate/burst" with whole numbers, e.g. "POST /orders 5/10"');
            continue;
        }
        const [, method, rawPath, rate, burst] = match;
        const parsedPath = parsePath(rawPath);
        const path = "segments" in parsedPath ? pathOf(parsedPath.segments) : rawPath;
        if (!routes.some((route) => route.method === method && route.path === path)) {
            refuse(`a route of hello-gateway:routes: none serves ${method} ${rawPath} (routes: ${routes.map((route) => `${route.method} ${route.path}`).join(", ")})`);
            continue;
        }
        const rateLimit = Number(rate);
        const burstLimit = Number(burst);
        if (rateLimit < 1 || burstLimit < 1 || rateLimit > stage.rateLimit || burstLimit > stage.burstLimit) {
            refuse(
                `a rate from 1 to the stage's throttleRateLimit ${stage.rateLimit} and a burst from 1 to its throttleBurstLimit ${stage.burstLimit}: a method cannot be allowed more than its stage`,
            );
            continue;
        }
        if (throttles.some((throttle) => throttle.method === method && throttle.path === path)) {
            refuse(`one throttle per route: ${method} ${path} already has one`);
            continue;
        }
        throttles.push({ source, method: method as HttpMethod, path, rateLimit, burstLimit });
    }
    return { throttles, problems };
}
