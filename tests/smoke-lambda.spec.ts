import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { GREETING, RestApiEvent, handler } from "../functions/hello";
import { SmokeLimits, smokeCheck, smokeTargetFromOutputs } from "../tools/smoke";

// Every request in this file goes to a server of our own on 127.0.0.1.

const HELLO_TEXT = "Hello from the smoke fixture";
const FAST_LIMITS: SmokeLimits = { requestTimeoutMs: 2_000, burstTimeCapMs: 5_000, burstConcurrency: 10, firstRequestAttempts: 1, firstRequestRetryDelayMs: 0 };
const REST_EVENT = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "events", "rest-anonymous.json"), "utf8")) as RestApiEvent;

/** How the stand-in answers the Lambda route. */
type LambdaAnswer = "handler" | "text" | "other-message" | "no-request-id" | "502";

/**
 * A stand-in for API Gateway: the origin's hello page at /prod/hello, and /prod/greet answered
 * by functions/hello.ts's real handler (fed the REST fixture with a fresh request id), or by one
 * of the wrong answers a broken function or integration would give.
 */
async function startGateway(routes: string[], answer: LambdaAnswer) {
    const seen: string[] = [];
    let requests = 0;
    const server = http.createServer((request, response) => {
        requests++;
        seen.push(`${request.method} ${request.url}`);
        void (async () => {
            if (requests > 12) {
                response.writeHead(429, { "content-type": "application/json" }).end('{"message":"Too Many Requests"}');
            } else if (request.url === "/prod/hello") {
                response.writeHead(200, { "content-type": "text/html" }).end(`${HELLO_TEXT}\n`);
            } else if (request.url === "/prod/greet") {
                const requestId = `smoke-${requests}`;
                const result = await handler({ ...REST_EVENT, requestContext: { ...REST_EVENT.requestContext, requestId } });
                const body = JSON.parse(result.body) as Record<string, unknown>;
                switch (answer) {
                    case "handler":
                        response.writeHead(result.statusCode, result.headers as http.OutgoingHttpHeaders).end(result.body);
                        break;
                    case "text":
                        response.writeHead(200, { "content-type": "text/plain" }).end(String(body.message));
                        break;
                    case "other-message":
                        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...body, message: "Hi" }));
                        break;
                    case "no-request-id":
                        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ message: body.message }));
                        break;
                    case "502":
                        // API Gateway's answer when the function fails or times out.
                        response.writeHead(502, { "content-type": "application/json" }).end('{"message": "Internal server error"}');
                        break;
                }
            } else {
                response.writeHead(404, { "content-type": "text/plain" }).end("not found");
            }
        })();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const stageUrl = `http://127.0.0.1:${port}/prod`;
    const invokePath = routes.some((route) => route.startsWith("GET /hello")) ? "/hello" : "/greet";
    return {
        stageUrl,
        seen,
        outputs: { invokeUrl: `${stageUrl}${invokePath}`, stageUrl, routes, throttleBurstLimit: 5, throttleRateLimit: 2 },
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

describe("smoke: a Lambda route answers 200 with the function's JSON greeting and a request id", () => {
    const servers: Array<{ close(): Promise<void> }> = [];
    afterEach(async () => {
        await Promise.all(servers.splice(0).map((server) => server.close()));
    });
    const start = async (routes: string[], answer: LambdaAnswer) => {
        const gateway = await startGateway(routes, answer);
        servers.push(gateway);
        return gateway;
    };

    it("passes when the Lambda route answers as functions/hello.ts does, and reports the request id", async () => {
        const gateway = await start(["GET /hello -> /", "GET /greet -> lambda:hello"], "handler");
        const report = await smokeCheck(smokeTargetFromOutputs("dev", gateway.outputs), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed, report.lines.join("\n")).to.equal(true);
        expect(gateway.seen).to.include("GET /prod/greet");
        expect(report.lines.join("\n")).to.match(new RegExp(`GET ${gateway.stageUrl}/greet \\(GET /greet -> lambda:hello\\): 200 "${GREETING}", request smoke-\\d+ in \\d+ ms`));
    });

    it("passes when the invoke URL itself is the Lambda route (no origin text expected there)", async () => {
        const gateway = await start(["GET /greet -> lambda:hello"], "handler");
        const report = await smokeCheck(smokeTargetFromOutputs("dev", gateway.outputs), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed, report.lines.join("\n")).to.equal(true);
        expect(report.lines.join("\n")).to.contain(`"${GREETING}", request smoke-`);
    });

    const FAILURES: Array<[LambdaAnswer, string]> = [
        ["text", 'answered 200 but with content-type "text/plain", not application/json'],
        ["other-message", `answered 200 but without the message "${GREETING}"`],
        ["no-request-id", "answered 200 but without API Gateway's requestId"],
        ["502", "answered 502, expected 200 from lambda:hello"],
    ];
    for (const [answer, expected] of FAILURES) {
        it(`fails, naming the route, when it answers ${answer}`, async () => {
            const gateway = await start(["GET /hello -> /", "GET /greet -> lambda:hello"], answer);
            const report = await smokeCheck(smokeTargetFromOutputs("dev", gateway.outputs), HELLO_TEXT, FAST_LIMITS);
            expect(report.passed).to.equal(false);
            expect(report.lines.join("\n")).to.contain("FAIL: GET /greet -> lambda:hello: GET ").and.to.contain(expected);
        });
    }
});
