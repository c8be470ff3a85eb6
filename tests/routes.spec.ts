import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXECUTE_API_TLS, RouteOptions, deploymentTrigger, methodSettingsPath, resolvedRouteSpecs } from "../infra/api";
import { GatewayConfig, RawConfig, parseConfig } from "../infra/config";
import { DEFAULTS } from "../infra/defaults";
import { parseRoutes } from "../infra/routes";
import { ProgramRun, RecordedResource, resourcesRegisteredBefore } from "../tools/mock-runtime";
import { REPO_ROOT, loadStackConfig } from "../tools/stack-files";
import { byName, dependencyNames, originOutputsFor, privateOriginOutputsFor, rawConfigOfStack, resourcesOfType, runStack, theOne } from "./support";

const ORDER_SCHEMA = "tests/fixtures/schemas/order.json";

/** A route table with a greedy path, a path parameter, a `->` mapping and a body schema. */
const ROUTE_TABLE = [
    "GET / -> /",
    "ANY /api/{proxy+}",
    "GET /orders",
    "GET /orders/{id} -> /v1/orders/{id}",
    `POST /orders -> /v1/orders body=${ORDER_SCHEMA}`,
];

const routesOverride = (routes: readonly string[]) => JSON.stringify(routes);
const DEV_ORIGIN_URL = originOutputsFor("dev").originUrl as string;
const triggerOf = (run: ProgramRun) => (theOne(run, "aws:apigateway/deployment:Deployment").inputs.triggers as Record<string, string>).routes;

/** The full path of an API Gateway resource, following parentId up to the root. */
function pathOfResource(run: ProgramRun, resourceId: unknown): string {
    const rootId = theOne(run, "aws:apigateway/restApi:RestApi").state.rootResourceId;
    const segments: string[] = [];
    let id = resourceId;
    while (id !== rootId) {
        const resource = resourcesOfType(run, "aws:apigateway/resource:Resource").find((candidate) => candidate.id === id);
        if (!resource) {
            throw new Error(`no resource with id ${String(id)}`);
        }
        segments.unshift(String(resource.inputs.pathPart));
        id = resource.inputs.parentId;
    }
    return `/${segments.join("/")}`;
}

/** Each method and its integration, keyed `METHOD /path`. */
function routesOf(run: ProgramRun): Map<string, { method: RecordedResource; integration: RecordedResource }> {
    const integrations = resourcesOfType(run, "aws:apigateway/integration:Integration");
    const table = new Map<string, { method: RecordedResource; integration: RecordedResource }>();
    for (const method of resourcesOfType(run, "aws:apigateway/method:Method")) {
        const key = `${String(method.inputs.httpMethod)} ${pathOfResource(run, method.inputs.resourceId)}`;
        const integration = integrations.find((candidate) => candidate.inputs.resourceId === method.inputs.resourceId && candidate.inputs.httpMethod === method.inputs.httpMethod);
        if (!integration) {
            throw new Error(`no integration for ${key}`);
        }
        table.set(key, { method, integration });
    }
    return table;
}

describe("routes from config: a table with a greedy path, a path parameter, a -> mapping and a body schema", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE) } });
    });

    it("builds one resource per distinct path prefix, shared: /orders serves both /orders and /orders/{id}", () => {
        const resources = resourcesOfType(run, "aws:apigateway/resource:Resource");
        expect(resources.map((resource) => pathOfResource(run, resource.id))).to.have.members(["/api", "/api/{proxy+}", "/orders", "/orders/{id}"]);
        expect(resources).to.have.length(4);
    });

    it("creates one method per route, on the resource of its path", () => {
        expect([...routesOf(run).keys()]).to.have.members(["GET /", "ANY /api/{proxy+}", "GET /orders", "GET /orders/{id}", "POST /orders"]);
    });

    it("forwards each route to the origin path it names, path parameters mapped into the URI", () => {
        const routes = routesOf(run);
        const expectations: Array<[string, string, string, Record<string, string> | undefined]> = [
            ["GET /", DEV_ORIGIN_URL, "GET", undefined],
            ["ANY /api/{proxy+}", `${DEV_ORIGIN_URL}api/{proxy}`, "ANY", { "integration.request.path.proxy": "method.request.path.proxy" }],
            ["GET /orders", `${DEV_ORIGIN_URL}orders`, "GET", undefined],
            ["GET /orders/{id}", `${DEV_ORIGIN_URL}v1/orders/{id}`, "GET", { "integration.request.path.id": "method.request.path.id" }],
            ["POST /orders", `${DEV_ORIGIN_URL}v1/orders`, "POST", undefined],
        ];
        for (const [route, uri, integrationHttpMethod, requestParameters] of expectations) {
            const { integration } = routes.get(route)!;
            expect(integration.inputs, route).to.include({ type: "HTTP_PROXY", uri, integrationHttpMethod, connectionType: "INTERNET" });
            expect(integration.inputs.requestParameters, route).to.deep.equal(requestParameters);
        }
        expect(routes.get("ANY /api/{proxy+}")!.method.inputs.requestParameters).to.deep.equal({ "method.request.path.proxy": true });
        expect(routes.get("GET /orders/{id}")!.method.inputs.requestParameters).to.deep.equal({ "method.request.path.id": true });
    });

    it("gives the body= route a model with the schema file's text and a validator that checks the body", () => {
        const model = theOne(run, "aws:apigateway/model:Model");
        expect(model.inputs).to.include({ contentType: "application/json", schema: fs.readFileSync(path.join(REPO_ROOT, ORDER_SCHEMA), "utf8") });
        const post = routesOf(run).get("POST /orders")!.method;
        expect(post.inputs.requestModels).to.deep.equal({ "application/json": model.state.name });
        expect(dependencyNames(run, post)).to.include(model.name);
        const validator = byName(run, "hello-gateway-dev-body-validator");
        expect(validator.inputs).to.include({ validateRequestBody: true, validateRequestParameters: false });
        expect(post.inputs.requestValidatorId).to.equal(validator.id);
        // Only the body route validates: no parameters are required in dev.
        for (const [route, { method }] of routesOf(run)) {
            if (route !== "POST /orders") {
                expect(method.inputs, route).not.to.have.property("requestValidatorId");
                expect(method.inputs, route).not.to.have.property("requestModels");
            }
        }
    });

    it("deploys after every method, integration and model, from a hash of all of them", () => {
        const deployment = theOne(run, "aws:apigateway/deployment:Deployment");
        const deps = dependencyNames(run, deployment);
        for (const type of ["aws:apigateway/method:Method", "aws:apigateway/integration:Integration", "aws:apigateway/model:Model"]) {
            for (const resource of resourcesOfType(run, type)) {
                expect(deps, resource.name).to.include(resource.name);
            }
        }
        const raw = rawFor({ routes: routesOverride(ROUTE_TABLE) });
        const config = parseConfig(raw, { project: "hello-gateway", stack: "dev", organization: "organization" }) as GatewayConfig;
        const options: RouteOptions = {
            routes: config.routes,
            integrationTimeoutMs: config.integrationTimeoutMs,
            authorization: "NONE",
            apiKeyRequired: false,
            requestValidation: config.requestValidation,
            cacheEnabled: false,
            skipOriginCertificateCheck: true,
        };
        const bodyValidatorId = byName(run, "hello-gateway-dev-body-validator").id;
        expect(triggerOf(run)).to.equal(deploymentTrigger(resolvedRouteSpecs({ uri: DEV_ORIGIN_URL, bodyValidatorId }, options), { disableExecuteApiEndpoint: false, ...EXECUTE_API_TLS }));
    });

    it("exports the route table and the stage URL; invokeUrl is the first plain GET route when there is no /hello", () => {
        expect(run.outputs.routes).to.deep.equal(ROUTE_TABLE);
        const { config } = loadStackConfig("dev");
        expect(run.outputs.stageUrl).to.equal(`https://${run.outputs.restApiId}.execute-api.${config["aws:region"]}.amazonaws.com/${config["hello-gateway:stageName"]}`);
        expect(run.outputs.invokeUrl).to.equal(`${run.outputs.stageUrl}/`);
    });
});

describe("routes from config: the deployment trigger follows every route", () => {
    const CHANGES: Array<[string, string[]]> = [
        ["one route's origin path", ROUTE_TABLE.map((route) => route.replace("-> /v1/orders body", "-> /v2/orders body"))],
        ["one route's method", ROUTE_TABLE.map((route) => route.replace("ANY /api", "GET /api"))],
        ["one route removed", ROUTE_TABLE.filter((route) => route !== "GET /orders")],
        ["one route added", [...ROUTE_TABLE, "DELETE /orders/{id}"]],
        ["one route's body schema dropped", ROUTE_TABLE.map((route) => route.replace(` body=${ORDER_SCHEMA}`, ""))],
    ];
    for (const [change, routes] of CHANGES) {
        it(`${change} gives a new trigger`, async () => {
            const base = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE) } });
            const changed = await runStack("dev", { overrides: { routes: routesOverride(routes) } });
            expect(triggerOf(changed)).to.match(/^[0-9a-f]{64}$/);
            expect(triggerOf(changed)).not.to.equal(triggerOf(base));
        });
    }

    it("an edited schema file gives a new trigger (the model's schema is part of the hash)", () => {
        const parse = (text: string) => parseRoutes([`POST /orders body=${ORDER_SCHEMA}`], () => text).routes;
        const options = (routes: ReturnType<typeof parse>): RouteOptions => ({
            routes,
            integrationTimeoutMs: 1000,
            authorization: "NONE",
            apiKeyRequired: false,
            requestValidation: { queryParameters: [], headers: [] },
            cacheEnabled: false,
        });
        const trigger = (text: string) => deploymentTrigger(resolvedRouteSpecs({ uri: DEV_ORIGIN_URL }, options(parse(text))), { disableExecuteApiEndpoint: false, ...EXECUTE_API_TLS });
        expect(trigger('{"type": "object"}')).not.to.equal(trigger('{"type": "object", "required": ["item"]}'));
    });

    it("the committed default table is the seed's: GET / and GET /hello, both to the origin's root", async () => {
        expect(DEFAULTS.routes).to.deep.equal(["GET / -> /", "GET /hello -> /"]);
        const run = await runStack("dev", { overrides: { routes: undefined } });
        expect([...routesOf(run).keys()]).to.have.members(["GET /", "GET /hello"]);
        for (const { integration } of routesOf(run).values()) {
            expect(integration.inputs.uri).to.equal(DEV_ORIGIN_URL);
            expect(integration.inputs).not.to.have.property("requestParameters");
        }
        expect(run.outputs.invokeUrl).to.match(/\/prod\/hello$/);
    });
});

describe("routes from config: every switch per route", () => {
    it("cache: only GET routes are cached, keyed on required query and path parameters; other methods get an override with caching off", async () => {
        const run = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE), cacheEnabled: "true", requiredQueryParameters: '["lang"]' } });
        const routes = routesOf(run);
        expect(routes.get("GET /orders/{id}")!.integration.inputs.cacheKeyParameters).to.deep.equal(["method.request.querystring.lang", "method.request.path.id"]);
        expect(routes.get("GET /")!.integration.inputs.cacheKeyParameters).to.deep.equal(["method.request.querystring.lang"]);
        expect(routes.get("POST /orders")!.integration.inputs.cacheKeyParameters).to.deep.equal([]);
        const overrides = resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings").filter((settings) => settings.inputs.methodPath !== "*/*");
        expect(overrides.map((settings) => settings.inputs.methodPath)).to.have.members(["~1api~1{proxy+}/*", "~1orders/POST"]);
        for (const settings of overrides) {
            expect((settings.inputs.settings as Record<string, unknown>).cachingEnabled, String(settings.inputs.methodPath)).to.equal(false);
        }
    });

    it("required parameters: every route requires them; the body route's validator checks parameters as well as the body", async () => {
        const run = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE), requiredHeaders: '["X-Request-Id"]' } });
        const parameters = byName(run, "hello-gateway-dev-validator");
        const body = byName(run, "hello-gateway-dev-body-validator");
        expect(body.inputs).to.include({ validateRequestBody: true, validateRequestParameters: true });
        for (const [route, { method }] of routesOf(run)) {
            expect(method.inputs.requestParameters, route).to.have.property("method.request.header.X-Request-Id", true);
            expect(method.inputs.requestValidatorId, route).to.equal(route === "POST /orders" ? body.id : parameters.id);
        }
    });

    it("auth and API keys: every route gets the same authorization", async () => {
        const stackOutputs = { "organization/hello-gateway/dev-origin": privateOriginOutputsFor("dev") };
        for (const [authMode, authorization, apiKeyRequired] of [["iam", "AWS_IAM", false], ["apiKey", "NONE", true]] as const) {
            const run = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE), authMode, originMode: "private" }, stackOutputs });
            for (const [route, { method }] of routesOf(run)) {
                expect(method.inputs, `${authMode} ${route}`).to.include({ authorization, apiKeyRequired });
            }
        }
    });

    it("private origin: every route goes through the one VPC link, to the NLB URL plus its origin path", async () => {
        const origin = privateOriginOutputsFor("dev");
        const run = await runStack("dev", {
            overrides: { routes: routesOverride(ROUTE_TABLE), originMode: "private" },
            stackOutputs: { "organization/hello-gateway/dev-origin": origin },
        });
        const link = theOne(run, "aws:apigateway/vpcLink:VpcLink");
        for (const [route, { integration }] of routesOf(run)) {
            expect(integration.inputs, route).to.include({ connectionType: "VPC_LINK", connectionId: link.id });
            expect(String(integration.inputs.uri), route).to.satisfy((uri: string) => uri.startsWith(origin.originUrl as string));
        }
    });

    it("routeThrottles: a MethodSettings on that method's path with its own limits and the stage's logging", async () => {
        const run = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE), routeThrottles: '["POST /orders 2/4", "GET / 1/1"]' } });
        const stageWide = resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings").find((settings) => settings.inputs.methodPath === "*/*")!;
        const post = resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings").find((settings) => settings.inputs.methodPath === "~1orders/POST")!;
        expect(post.inputs.settings).to.deep.equal({ ...(stageWide.inputs.settings as object), throttlingRateLimit: 2, throttlingBurstLimit: 4 });
        const root = resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings").find((settings) => settings.inputs.methodPath === "~1/GET")!;
        expect(root.inputs.settings).to.include({ throttlingRateLimit: 1, throttlingBurstLimit: 1 });
        expect(resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings")).to.have.length(3);
    });

    // The key AWS stores a method override under (infra/method-settings-path.ts cites the
    // provider source and AWS's reference): the provider sends it verbatim in UpdateStage patch
    // paths `/<key>/throttling/rateLimit` and reads it back as `stage.MethodSettings[<key>]`.
    const METHOD_SETTINGS_KEYS: Array<{ route: string; method: string; path: string; key: string }> = [
        { route: "the root", method: "GET", path: "/", key: "~1/GET" },
        { route: "one segment", method: "POST", path: "/orders", key: "~1orders/POST" },
        { route: "several segments with a parameter", method: "DELETE", path: "/orders/{id}/items/{item}", key: "~1orders~1{id}~1items~1{item}/DELETE" },
        { route: "a greedy path", method: "GET", path: "/api/{proxy+}", key: "~1api~1{proxy+}/GET" },
        { route: "ANY on a greedy path", method: "ANY", path: "/api/{proxy+}", key: "~1api~1{proxy+}/*" },
        { route: "ANY on the root", method: "ANY", path: "/", key: "~1/*" },
    ];

    for (const { route, method, path: routePath, key } of METHOD_SETTINGS_KEYS) {
        it(`spells a MethodSettings key as AWS stores it: ${route} (${method} ${routePath} -> ${key})`, () => {
            expect(methodSettingsPath({ method, path: routePath })).to.equal(key);
            // As a JSON Pointer (AWS's PatchOperation grammar) the provider's patch path holds
            // exactly the resource path and the method, then the setting.
            const segments = `/${key}/throttling/rateLimit`.split("/").slice(1).map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
            expect(segments).to.deep.equal([routePath, method === "ANY" ? "*" : method, "throttling", "rateLimit"]);
        });
    }

    it("routeThrottles on nested and greedy routes: each MethodSettings under the key AWS stores", async () => {
        const throttles = ['GET /orders/{id} 2/2', "ANY /api/{proxy+} 3/3"];
        const run = await runStack("dev", { overrides: { routes: routesOverride(ROUTE_TABLE), routeThrottles: JSON.stringify(throttles) } });
        const keys = resourcesOfType(run, "aws:apigateway/methodSettings:MethodSettings").map((settings) => settings.inputs.methodPath);
        expect(keys).to.have.members(["*/*", "~1orders~1{id}/GET", "~1api~1{proxy+}/*"]);
    });
});

/** dev's committed config with overrides, as the program would read it. */
function rawFor(overrides: Record<string, string>): RawConfig {
    return rawConfigOfStack("dev", overrides);
}

/** Runs dev with the overrides; it must fail before registering anything. */
async function refusal(overrides: Record<string, string>): Promise<string> {
    try {
        await runStack("dev", { overrides });
    } catch (error) {
        expect((error as Error).name).to.equal("ConfigError");
        expect(resourcesRegisteredBefore(error)).to.have.length(0);
        return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(overrides)} to be refused`);
}

describe("routes from config: a bad route is refused before any resource, naming the route and what is accepted", () => {
    const REFUSALS: Array<[what: string, routes: string[], expected: string]> = [
        ["an unknown method", ["FETCH /hello"], 'got "FETCH /hello"; expected a method of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY first'],
        ["a path without a slash", ["GET hello"], 'got "GET hello"; expected a path starting with /'],
        ["a path with an empty segment", ["GET /a//b"], 'got "GET /a//b"; expected a path of segments separated by single slashes'],
        ["a path with a query string", ["GET /a?b=1"], 'got "GET /a?b=1"; expected a path of segments'],
        ["a method without a path", ["GET"], 'got "GET"; expected a path after the method'],
        ["a greedy path that is not last", ["ANY /{proxy+}/x"], 'got "ANY /{proxy+}/x"; expected a greedy {name+} only as the last segment'],
        ["a parameter used twice", ["GET /{id}/{id}"], "expected each path parameter once"],
        ["two routes on the same method and path", ["GET /a", "GET /a -> /b"], 'got "GET /a -> /b"; expected one route per method and path: "GET /a" already serves GET /a'],
        ["two parameter names at one level", ["GET /items/{id}", "DELETE /items/{itemId}"], "expected one path parameter name per level"],
        ["a -> target that drops a path parameter", ["GET /orders/{id} -> /orders"], 'got "GET /orders/{id} -> /orders"; expected a -> target that keeps every path parameter the route declares: {id} would be lost'],
        ["a -> target that drops the greedy parameter", ["ANY /api/{proxy+} -> /api"], "{proxy} would be lost"],
        ["a -> target with an undeclared parameter", ["GET /orders -> /orders/{id}"], "{id} is not declared in the path"],
        ["a -> target that is not a path", ["GET /a -> b"], "expected a -> target that is a path starting with /"],
        ["an unknown option", ["GET /a cache=on"], 'expected at most one "-> /origin/path" and one "body=<file>" after the path'],
        ["body= on a GET", [`GET /a body=${ORDER_SCHEMA}`], "expected body= only on a method that carries a body"],
        ["body= on ANY, which serves GET too", [`ANY /a body=${ORDER_SCHEMA}`], "ANY also serves GET, whose requests have none"],
        ["a schema file that is missing", ["POST /a body=tests/fixtures/schemas/missing.json"], "tests/fixtures/schemas/missing.json is not in the repository"],
        ["a schema file outside the repository", ["POST /a body=../etc/passwd.json"], "body= naming a .json file inside the repository"],
        ["a schema that is not JSON", ["POST /a body=tests/fixtures/schemas/not-json.json"], "expected body= naming JSON ("],
        ["a schema that is not valid draft 4", ["POST /a body=tests/fixtures/schemas/bad-type.json"], "expected body= naming a valid draft-4 JSON Schema (/properties/item/type"],
        ["a schema of another draft", ["POST /a body=tests/fixtures/schemas/draft-07.json"], "the draft API Gateway models use"],
        ["a schema with a $ref it cannot resolve", ["POST /a body=tests/fixtures/schemas/dangling-ref.json"], "expected body= naming a self-contained draft-4 JSON Schema"],
        ["an empty table", [], "hello-gateway:routes: got an empty list; expected at least one route"],
    ];
    for (const [what, routes, expected] of REFUSALS) {
        it(what, async () => {
            const message = await refusal({ routes: routesOverride(routes) });
            expect(message).to.contain("hello-gateway:routes: ");
            expect(message).to.contain(expected);
        });
    }

    it("a list that is not a list of strings", async () => {
        expect(await refusal({ routes: '[{"method": "GET"}]' })).to.contain("hello-gateway:routes: got");
    });

    it("names every bad route in the one error", async () => {
        const message = await refusal({ routes: routesOverride(["FETCH /a", "GET b", "GET /ok"]) });
        expect(message).to.contain("(2 problems)").and.to.contain('"FETCH /a"').and.to.contain('"GET b"');
    });

    // Throttles are compared with dev's own stage limits, read from its stack file.
    const stage = stageLimitsOfDev();
    const THROTTLE_REFUSALS: Array<[what: string, throttles: string[], expected: string]> = [
        ["above the stage's rate", [`GET /hello ${stage.rateLimit + 1}/1`], `hello-gateway:routeThrottles: got "GET /hello ${stage.rateLimit + 1}/1"; expected a rate from 1 to the stage's throttleRateLimit ${stage.rateLimit}`],
        ["above the stage's burst", [`GET /hello 1/${stage.burstLimit + 1}`], `a burst from 1 to its throttleBurstLimit ${stage.burstLimit}`],
        ["of zero", ["GET /hello 0/1"], "expected a rate from 1"],
        ["for a route that does not exist", ["POST /orders 1/1"], "expected a route of hello-gateway:routes: none serves POST /orders"],
        ["that is not rate/burst", ["GET /hello 5"], 'expected "METHOD /path rate/burst"'],
        ["given twice for one route", ["GET /hello 1/1", "GET /hello 1/1"], "one throttle per route"],
    ];
    for (const [what, throttles, expected] of THROTTLE_REFUSALS) {
        it(`a route throttle ${what}`, async () => {
            expect(await refusal({ routeThrottles: JSON.stringify(throttles) })).to.contain(expected);
        });
    }
});

/** dev's stage limits, from its committed stack file. */
function stageLimitsOfDev(): { rateLimit: number; burstLimit: number } {
    const { config } = loadStackConfig("dev");
    return { rateLimit: Number(config["hello-gateway:throttleRateLimit"]), burstLimit: Number(config["hello-gateway:throttleBurstLimit"]) };
}
