import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { UserFacingError } from "../tools/cli-env";
import { bodiesFor, sampleOf } from "../tools/request-bodies";
import { SmokeLimits, gatewayStackOf, parseSmokeArgs, routeUrl, smokeCheck, smokeTargetFromOutputs } from "../tools/smoke";
import { parseRoutes } from "../infra/routes";

// Every request in this file goes to a server of our own on 127.0.0.1.


/** The hello text of the test origin: a fixture of these specs. */
const HELLO_TEXT = "Hello from the smoke fixture";
const FAST_LIMITS: SmokeLimits = { requestTimeoutMs: 2_000, burstTimeCapMs: 5_000, burstConcurrency: 10, firstRequestAttempts: 1, firstRequestRetryDelayMs: 0 };

const ROUTES = [
    "GET / -> /",
    "GET /hello -> /",
    "GET /orders/{id} -> /v1/orders/{id}",
    "POST /orders -> /v1/orders body=tests/fixtures/schemas/order.json",
    "ANY /api/{proxy+}",
];

interface Seen {
    readonly method: string;
    readonly url: string;
    readonly body: string;
}

/**
 * A stand-in for API Gateway with the routes above: the hello page at / and /hello, JSON for an
 * order, the body validator on POST /orders (unless `validates` is false), and throttling after
 * `allowed` requests.
 */
async function startRoutedGateway(options: { validates: boolean; ordersStatus?: number; allowed?: number }) {
    const seen: Seen[] = [];
    let count = 0;
    const server = http.createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
            seen.push({ method: request.method ?? "", url: request.url ?? "", body });
            count++;
            const url = request.url ?? "";
            if (count > (options.allowed ?? 1000)) {
                response.writeHead(429, { "content-type": "application/json" }).end('{"message":"Too Many Requests"}');
            } else if (request.method === "GET" && (url === "/prod/" || url === "/prod/hello")) {
                response.writeHead(200, { "content-type": "text/html" }).end(`${HELLO_TEXT}\n`);
            } else if (request.method === "GET" && url === "/prod/orders/1") {
                response.writeHead(options.ordersStatus ?? 200, { "content-type": "application/json" }).end('{"id":"1"}');
            } else if (request.method === "POST" && url === "/prod/orders") {
                const parsed = (() => {
                    try {
                        return JSON.parse(body) as unknown;
                    } catch {
                        return undefined;
                    }
                })();
                const valid = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) && "item" in parsed && "quantity" in parsed;
                if (options.validates && !valid) {
                    response.writeHead(400, { "content-type": "application/json" }).end('{"message": "Invalid request body"}');
                } else {
                    response.writeHead(200, { "content-type": "application/json" }).end(body);
                }
            } else {
                response.writeHead(404, { "content-type": "text/plain" }).end("not found");
            }
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const stageUrl = `http://127.0.0.1:${port}/prod`;
    return {
        stageUrl,
        seen,
        outputs: { invokeUrl: `${stageUrl}/hello`, stageUrl, routes: ROUTES, throttleBurstLimit: 5, throttleRateLimit: 2 },
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

describe("smoke: every GET route and the body validator", () => {
    const servers: Array<{ close(): Promise<void> }> = [];
    afterEach(async () => {
        await Promise.all(servers.splice(0).map((server) => server.close()));
    });
    const start = async (options: Parameters<typeof startRoutedGateway>[0]) => {
        const server = await startRoutedGateway(options);
        servers.push(server);
        return server;
    };

    it("passes: each GET route answers 200, the valid body gets through and the invalid one gets the gateway's 400", async () => {
        const gateway = await start({ validates: true, allowed: 12 });
        const report = await smokeCheck(smokeTargetFromOutputs("onprem", gateway.outputs), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed, report.lines.join("\n")).to.equal(true);
        const gets = gateway.seen.filter((request) => request.method === "GET").slice(0, 3).map((request) => request.url);
        expect(gets).to.deep.equal(["/prod/hello", "/prod/", "/prod/orders/1"]);
        const posts = gateway.seen.filter((request) => request.method === "POST");
        expect(posts.map((request) => request.url)).to.deep.equal(["/prod/orders", "/prod/orders"]);
        expect(JSON.parse(posts[0].body)).to.include.keys("item", "quantity");
        expect(report.lines).to.include(`POST ${gateway.stageUrl}/orders with an invalid body: 400 "Invalid request body" from the gateway`);
        // The ANY route is not a GET route: never called.
        expect(gateway.seen.some((request) => request.url.startsWith("/prod/api"))).to.equal(false);
    });

    it("fails when an invalid body reaches the origin instead of the gateway's 400", async () => {
        const gateway = await start({ validates: false, allowed: 12 });
        const report = await smokeCheck(smokeTargetFromOutputs("onprem", gateway.outputs), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed).to.equal(false);
        expect(report.lines.join("\n")).to.match(/FAIL: POST http:\/\/127\.0\.0\.1:\d+\/prod\/orders with the invalid body \[\] answered 200 "\[\]"; expected the gateway's 400 "Invalid request body"/);
    });

    it("fails when a GET route does not answer 200, naming the route", async () => {
        const gateway = await start({ validates: true, ordersStatus: 502, allowed: 12 });
        const report = await smokeCheck(smokeTargetFromOutputs("onprem", gateway.outputs), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed).to.equal(false);
        expect(report.lines.join("\n")).to.contain("FAIL: GET /orders/{id} -> /v1/orders/{id}: GET ").and.to.contain("/prod/orders/1 answered 502, expected 200");
    });
});

describe("smoke: route targets", () => {
    it("reads stageUrl and routes from the outputs, and refuses outputs it cannot use", () => {
        const target = smokeTargetFromOutputs("onprem", { invokeUrl: "https://x.example.com/prod/hello", stageUrl: "https://x.example.com/prod/", routes: ROUTES, throttleBurstLimit: 1, throttleRateLimit: 1 });
        expect(target.stageUrl).to.equal("https://x.example.com/prod");
        expect(target.routes?.map((route) => route.source)).to.deep.equal(ROUTES);
        expect(() => smokeTargetFromOutputs("onprem", { invokeUrl: "https://x/h", stageUrl: "https://x/p", routes: "GET /", throttleBurstLimit: 1, throttleRateLimit: 1 })).to.throw(UserFacingError, "expected a URL and a list of route strings");
        // A stack deployed before routes existed: the hello and burst checks only.
        expect(smokeTargetFromOutputs("dev", { invokeUrl: "https://x/h", throttleBurstLimit: 1, throttleRateLimit: 1 }).routes).to.equal(undefined);
    });

    it("fills path parameters with 1 and a greedy one with smoke", () => {
        const { routes } = parseRoutes(["GET /orders/{id}/items/{item}", "ANY /api/{proxy+}", "GET /"], () => undefined);
        expect(routes.map((route) => routeUrl("https://x/prod", route))).to.deep.equal(["https://x/prod/orders/1/items/1", "https://x/prod/api/smoke", "https://x/prod/"]);
    });

    it("takes onprem as a gateway stack of its own", () => {
        expect(parseSmokeArgs(["onprem"])).to.deep.equal({ env: "onprem" });
        expect(gatewayStackOf("onprem")).to.equal("onprem");
        expect(gatewayStackOf("prod")).to.equal("prod");
    });
});

describe("smoke: request bodies from a draft-4 schema", () => {
    it("derives a valid and an invalid body, each confirmed against the schema", () => {
        const schema = JSON.stringify({
            type: "object",
            properties: { item: { type: "string", minLength: 7 }, quantity: { type: "integer", minimum: 3, exclusiveMinimum: true }, kind: { enum: ["a", "b"] } },
            required: ["item", "quantity", "kind"],
        });
        const bodies = bodiesFor(schema);
        expect(bodies).to.deep.equal({ valid: JSON.stringify({ item: "smokesm", quantity: 4, kind: "a" }), invalid: "[]" });
        expect(sampleOf({ type: "array", items: { type: "boolean" }, minItems: 2 })).to.deep.equal([true, true]);
    });

    it("says so when it cannot make a body of either kind", () => {
        expect(bodiesFor("{}")).to.deep.equal({ problem: "the schema accepts every body the smoke test tries, so there is no invalid one to send" });
        expect(bodiesFor(JSON.stringify({ type: "object", properties: { a: { type: "string", pattern: "^x$" } }, required: ["a"] }))).to.have.property("problem").that.contains("no valid body");
    });
});
