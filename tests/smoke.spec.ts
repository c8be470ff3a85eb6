import { expect } from "chai";
import { execFile } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { renderIndexHtml } from "../infra/httpd";
import { REPO_ROOT, UserFacingError } from "../tools/cli-env";
import {
    burstRequestCount,
    MAX_BURST_REQUESTS,
    parseSmokeArgs,
    percentile,
    sendBurst,
    smoke,
    smokeCheck,
    SmokeLimits,
    SmokeTarget,
    smokeTargetFromOutputs,
} from "../tools/smoke";

// Every request in this file goes to a server of our own on 127.0.0.1.

/** What smokeTargetFromOutputs adds for a gateway without auth. */

/** The hello text of the test origin: a fixture of these specs, not the committed message. */
const HELLO_TEXT = "Hello from the smoke fixture";
const OPEN_API = { authMode: "none", headers: {} };

/** A gateway without auth, read from outputs as the smoke command does. */
function openTarget(invokeUrl: string, throttleBurstLimit: number, throttleRateLimit: number): SmokeTarget {
    return smokeTargetFromOutputs("dev", { invokeUrl, throttleBurstLimit, throttleRateLimit });
}

const FAST_LIMITS: SmokeLimits = {
    requestTimeoutMs: 2_000,
    burstTimeCapMs: 5_000,
    burstConcurrency: 10,
    firstRequestAttempts: 1,
    firstRequestRetryDelayMs: 0,
};

type Reply = "hello" | "throttled" | { status: number; body: string };

interface FakeGateway {
    url: string;
    /** Requests received so far. */
    received(): number;
    /** The most requests ever in flight at once. */
    maxInFlight(): number;
    /** Sees every request's headers. */
    onRequest(listener: (headers: http.IncomingHttpHeaders) => void): void;
    close(): Promise<void>;
}

/** Answers like API Gateway: the origin's text on 200, its JSON throttle body on 429. */
async function startFakeGateway(replyTo: (requestNumber: number) => Reply, delayMs = 0): Promise<FakeGateway> {
    let received = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const listeners: Array<(headers: http.IncomingHttpHeaders) => void> = [];
    const server = http.createServer((request, response) => {
        listeners.forEach((listener) => listener(request.headers));
        const reply = replyTo(++received);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const send = () => {
            inFlight--;
            if (reply === "hello") {
                response.writeHead(200, { "content-type": "text/html; charset=UTF-8" }).end(`${HELLO_TEXT}\n`);
            } else if (reply === "throttled") {
                response.writeHead(429, { "content-type": "application/json" }).end('{"message":"Too Many Requests"}');
            } else {
                response.writeHead(reply.status, { "content-type": "text/plain" }).end(reply.body);
            }
        };
        request.resume();
        if (delayMs > 0) {
            setTimeout(send, delayMs);
        } else {
            send();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/dev/hello`,
        received: () => received,
        maxInFlight: () => maxInFlight,
        onRequest: (listener) => listeners.push(listener),
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

const throttlesAfter = (allowed: number) => (n: number): Reply => (n <= allowed ? "hello" : "throttled");

describe("smoke: against a local fake API Gateway", () => {
    const gateways: FakeGateway[] = [];
    const start = async (replyTo: (n: number) => Reply, delayMs = 0) => {
        const gateway = await startFakeGateway(replyTo, delayMs);
        gateways.push(gateway);
        return gateway;
    };
    afterEach(async () => {
        await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
    });

    it("passes when the hello text comes back and the burst is throttled, with exact counts", async () => {
        const gateway = await start(throttlesAfter(5));
        const report = await smokeCheck(
            openTarget(gateway.url, 10, 5),
            HELLO_TEXT,
            FAST_LIMITS,
        );
        expect(report.passed, report.lines.join("\n")).to.equal(true);
        // 1 hello + burst of 10*2+20 = 40: requests 2..5 get 200, the other 36 get 429.
        expect(gateway.received()).to.equal(41);
        expect(report.lines[0]).to.match(new RegExp(`^GET ${gateway.url}: 200 "${HELLO_TEXT}" in \\d+ ms$`));
        expect(report.lines).to.include.members(["  status 200: 4", "  status 429: 36"]);
        expect(report.lines[1]).to.match(/^burst: 40 requests, 10 at a time, in \d+\.\d s$/);
        expect(report.lines.some((line) => /^ {2}latency p50 \d+ ms, p95 \d+ ms$/.test(line))).to.equal(true);
    });

    it("fails with a clear message when the burst is never throttled", async () => {
        const gateway = await start(() => "hello");
        const report = await smokeCheck(
            openTarget(gateway.url, 3, 1),
            HELLO_TEXT,
            FAST_LIMITS,
        );
        expect(report.passed).to.equal(false);
        expect(report.lines).to.include("  status 200: 26");
        expect(report.lines).to.include(
            "FAIL: no 429 among 26 burst requests above throttleBurstLimit 3: stage throttling is not in effect",
        );
    });

    it("fails on the first request when the body is not the hello text, and sends no burst", async () => {
        const gateway = await start(() => ({ status: 200, body: "It works!" }));
        const report = await smokeCheck(
            openTarget(gateway.url, 10, 5),
            HELLO_TEXT,
            { ...FAST_LIMITS, firstRequestAttempts: 3 },
        );
        expect(report.passed).to.equal(false);
        expect(report.lines).to.deep.equal([
            `FAIL: GET ${gateway.url} answered 200 without "${HELLO_TEXT}": "It works!"`,
        ]);
        expect(gateway.received()).to.equal(1);
    });

    it("uses the --expect text instead of the default", async () => {
        const gateway = await start((n) => (n === 1 ? { status: 200, body: "Bonjour" } : "throttled"));
        const target = openTarget(gateway.url, 0, 0);
        expect((await smokeCheck(target, "Bonjour", FAST_LIMITS)).passed).to.equal(true);
    });

    it("retries a first request that gets 5xx while the origin boots, but not forever", async () => {
        const recovering = await start((n) => (n === 1 ? { status: 503, body: "Service Unavailable" } : n === 2 ? "hello" : "throttled"));
        const limits = { ...FAST_LIMITS, firstRequestAttempts: 2 };
        const target = openTarget(recovering.url, 1, 1);
        expect((await smokeCheck(target, HELLO_TEXT, limits)).passed).to.equal(true);

        const broken = await start(() => ({ status: 502, body: '{"message": "Internal server error"}' }));
        const report = await smokeCheck({ ...target, invokeUrl: broken.url }, HELLO_TEXT, limits);
        expect(report.passed).to.equal(false);
        expect(report.lines[0]).to.match(/^FAIL: GET .* answered 502, expected 200/);
        expect(broken.received()).to.equal(2);
    });

    it("sends the API key in apiKey mode, on the first request and through the burst", async () => {
        let withoutKey = 0;
        const gateway = await start(() => "hello");
        gateway.onRequest((headers) => {
            if (headers["x-api-key"] !== "k".repeat(40)) withoutKey++;
        });
        const target = smokeTargetFromOutputs("prod", {
            invokeUrl: gateway.url, throttleBurstLimit: 1, throttleRateLimit: 1, authMode: "apiKey", apiKeyValue: "k".repeat(40),
        });
        await smokeCheck(target, HELLO_TEXT, FAST_LIMITS);
        expect(gateway.received()).to.equal(23);
        expect(withoutKey).to.equal(0);
    });

    it("in apiKey mode, sizes and judges the burst by the usage plan when it is tighter than the stage", async () => {
        const gateway = await start(() => "hello");
        const target = smokeTargetFromOutputs("prod", {
            invokeUrl: gateway.url, throttleBurstLimit: 1000, throttleRateLimit: 500, authMode: "apiKey", apiKeyValue: "k".repeat(40), usagePlanBurstLimit: 5,
        });
        expect(target).to.include({ burstLimit: 5, burstLimitName: "usagePlanBurstLimit" });
        const report = await smokeCheck(target, HELLO_TEXT, FAST_LIMITS);
        expect(gateway.received()).to.equal(1 + 5 * 2 + 20);
        expect(report.lines).to.include("FAIL: no 429 among 30 burst requests above usagePlanBurstLimit 5: usage plan throttling is not in effect");
    });

    it("refuses an apiKey stack that exports no key", () => {
        expect(() => smokeTargetFromOutputs("prod", { invokeUrl: "https://x/prod/hello", throttleBurstLimit: 1, throttleRateLimit: 1, authMode: "apiKey" }))
            .to.throw(UserFacingError, "requires an API key but exports no apiKeyValue output");
    });

    it("in iam/cognito mode, passes when an unauthenticated request is refused and sends no burst", async () => {
        const gateway = await start(() => ({ status: 403, body: '{"message":"Missing Authentication Token"}' }));
        const report = await smokeCheck(smokeTargetFromOutputs("dev", { invokeUrl: gateway.url, throttleBurstLimit: 5, throttleRateLimit: 1, authMode: "iam" }), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed, report.lines.join("\n")).to.equal(true);
        expect(report.lines[0]).to.contain("without credentials: 403 (authMode iam is enforced)");
        expect(gateway.received()).to.equal(1);
    });

    it("in iam/cognito mode, fails when the gateway answers an unauthenticated request", async () => {
        const gateway = await start(() => "hello");
        const report = await smokeCheck(smokeTargetFromOutputs("dev", { invokeUrl: gateway.url, throttleBurstLimit: 5, throttleRateLimit: 1, authMode: "cognito" }), HELLO_TEXT, FAST_LIMITS);
        expect(report.passed).to.equal(false);
        expect(report.lines[0]).to.contain("answered 200, expected 401 or 403");
    });

    it("in jwt mode without a token, passes only on 401 (a JWT authorizer's answer), never 403", async () => {
        const refused = await start(() => ({ status: 401, body: '{"message":"Unauthorized"}' }));
        const pass = await smokeCheck(smokeTargetFromOutputs("prod-http", { invokeUrl: refused.url, throttleBurstLimit: 5, throttleRateLimit: 1, authMode: "jwt" }), HELLO_TEXT, FAST_LIMITS);
        expect(pass.passed, pass.lines.join("\n")).to.equal(true);
        expect(pass.lines[1]).to.contain("HELLO_GATEWAY_JWT");
        const forbidden = await start(() => ({ status: 403, body: "{}" }));
        const fail = await smokeCheck(smokeTargetFromOutputs("prod-http", { invokeUrl: forbidden.url, throttleBurstLimit: 5, throttleRateLimit: 1, authMode: "jwt" }), HELLO_TEXT, FAST_LIMITS);
        expect(fail.passed).to.equal(false);
        expect(fail.lines[0]).to.contain("answered 403, expected 401");
    });

    it("in jwt mode with a token, sends it as a bearer token on every request and runs the full check", async () => {
        const gateway = await start(throttlesAfter(5));
        const authorizations: Array<string | undefined> = [];
        gateway.onRequest((headers) => authorizations.push(headers.authorization));
        const target = smokeTargetFromOutputs("prod-http", { invokeUrl: gateway.url, throttleBurstLimit: 5, throttleRateLimit: 1, authMode: "jwt" }, "eyJ.token.sig");
        const report = await smokeCheck(target, HELLO_TEXT, FAST_LIMITS);
        expect(report.passed, report.lines.join("\n")).to.equal(true);
        expect(authorizations.length).to.be.greaterThan(5);
        expect(new Set(authorizations)).to.deep.equal(new Set(["Bearer eyJ.token.sig"]));
    });

    it("fails when the burst meets errors other than throttling", async () => {
        const gateway = await start((n) => (n === 1 ? "hello" : n % 2 === 0 ? "throttled" : { status: 504, body: "timeout" }));
        const report = await smokeCheck(
            openTarget(gateway.url, 5, 1),
            HELLO_TEXT,
            FAST_LIMITS,
        );
        expect(report.passed).to.equal(false);
        expect(report.lines).to.include("FAIL: unexpected statuses during the burst: 504 x15");
    });

    it("keeps at most `burstConcurrency` requests in flight", async () => {
        const gateway = await start(throttlesAfter(0), 20);
        const burst = await sendBurst(gateway.url, 12, { ...FAST_LIMITS, burstConcurrency: 3 });
        expect(burst.sent).to.equal(12);
        expect(burst.statusCounts.get(429)).to.equal(12);
        expect(gateway.maxInFlight()).to.equal(3);
    });

    it("stops at the time cap: no new request after it, and the cut-off ones are not failures", async () => {
        const gateway = await start(throttlesAfter(0), 100);
        const started = Date.now();
        const burst = await sendBurst(gateway.url, 200, { ...FAST_LIMITS, burstConcurrency: 2, burstTimeCapMs: 250 });
        expect(Date.now() - started).to.be.lessThan(1_000);
        expect(burst.sent).to.be.within(2, 8);
        expect(gateway.received()).to.equal(burst.sent);
        expect(burst.cutOffAtTimeCap).to.be.within(0, 2);
        expect(burst.failed).to.equal(0);
        expect(burst.sent).to.equal((burst.statusCounts.get(429) ?? 0) + burst.cutOffAtTimeCap);
    });

    it("reports requests that get no response, with the reason", async () => {
        const closed = await startFakeGateway(() => "hello");
        await closed.close(); // nothing listens on that port any more
        const burst = await sendBurst(closed.url, 3, FAST_LIMITS);
        expect(burst.failed).to.equal(3);
        expect(burst.firstFailure).to.match(/ECONNREFUSED/);
    });

    it("runs end to end from the gateway stack's outputs and exits 0 / 1", async () => {
        let gateway = await start(throttlesAfter(3));
        const read: string[] = [];
        const out: string[] = [];
        const err: string[] = [];
        const deps = {
            readOutputs: async (stack: string) => {
                read.push(stack);
                return stack.endsWith("-origin")
                    ? { helloMessage: HELLO_TEXT }
                    : { invokeUrl: gateway.url, throttleBurstLimit: 2, throttleRateLimit: 1, restApiId: "x" };
            },
            line: (text: string) => out.push(text),
            errorLine: (text: string) => err.push(text),
            limits: FAST_LIMITS,
        };
        expect(await smoke(["prod"], deps)).to.equal(0);
        // The expected text is what the origin stack says it serves.
        expect(read).to.deep.equal(["prod", "prod-origin"]);
        expect(out[out.length - 1]).to.equal("smoke prod: PASS");
        expect(err).to.deep.equal([]);

        gateway = await start(() => "hello");
        read.length = 0;
        expect(await smoke(["dev", "--expect", "Goodbye"], deps)).to.equal(1);
        expect(read, "--expect needs no origin outputs").to.deep.equal(["dev"]);
        expect(gateway.received()).to.equal(1);
        expect(out[out.length - 1]).to.equal("smoke dev: FAIL");
        expect(err).to.have.length(1);
        expect(err[0]).to.match(/^FAIL: GET .* answered 200 without "Goodbye"/);
    });

    it("expects the origin's own helloMessage, and says what to do when the origin exports none", async () => {
        const gateway = await start((n) => (n === 1 ? { status: 200, body: "Bonjour from a user's origin\n" } : "throttled"));
        const out: string[] = [];
        const err: string[] = [];
        const outputs: Record<string, Record<string, unknown>> = {
            dev: { invokeUrl: gateway.url, throttleBurstLimit: 2, throttleRateLimit: 1 },
            "dev-origin": { helloMessage: "Bonjour from a user's origin" },
        };
        const deps = { readOutputs: async (stack: string) => outputs[stack], line: (t: string) => out.push(t), errorLine: (t: string) => err.push(t), limits: FAST_LIMITS };
        expect(await smoke(["dev"], deps)).to.equal(0);
        expect(out[0]).to.match(/^GET .*: 200 "Bonjour from a user's origin" in \d+ ms$/);
        outputs["dev-origin"] = {};
        err.length = 0;
        expect(await smoke(["dev"], deps)).to.equal(1);
        expect(err).to.deep.equal(['error: stack dev-origin exports no helloMessage output: run `npm run deploy` for it once, or pass --expect "<text>"']);
    });

    // httpd serves the message HTML-escaped (infra/httpd.ts); the page below is that very rendering.
    for (const message of ["Tom & Jerry", "1 < 2 > 0", "<b>bold</b> & co"]) {
        it(`finds a helloMessage with &, < or > as the origin's page spells it: ${JSON.stringify(message)}`, async () => {
            const page = renderIndexHtml(message);
            expect(page, "the page holds the message escaped, not as given").to.not.contain(message);
            const gateway = await start((n) => (n === 1 ? { status: 200, body: page } : "throttled"));
            const out: string[] = [];
            const err: string[] = [];
            const outputs: Record<string, Record<string, unknown>> = {
                dev: { invokeUrl: gateway.url, throttleBurstLimit: 2, throttleRateLimit: 1 },
                "dev-origin": { helloMessage: message },
            };
            const deps = { readOutputs: async (stack: string) => outputs[stack], line: (t: string) => out.push(t), errorLine: (t: string) => err.push(t), limits: FAST_LIMITS };
            expect(await smoke(["dev"], deps), err.join("\n")).to.equal(0);
            expect(err).to.deep.equal([]);
        });
    }

    it("still fails when the page holds another message with the same characters", async () => {
        const gateway = await start((n) => (n === 1 ? { status: 200, body: renderIndexHtml("Tom & Jerry's") } : "throttled"));
        const err: string[] = [];
        const outputs: Record<string, Record<string, unknown>> = {
            dev: { invokeUrl: gateway.url, throttleBurstLimit: 2, throttleRateLimit: 1 },
            "dev-origin": { helloMessage: "Tim & Jerry" },
        };
        const deps = { readOutputs: async (stack: string) => outputs[stack], line: () => undefined, errorLine: (t: string) => err.push(t), limits: FAST_LIMITS };
        expect(await smoke(["dev"], deps)).to.equal(1);
        expect(err[0]).to.match(/^FAIL: GET .* answered 200 without "Tim &amp; Jerry"/);
    });

    it("prints its usage for --help and exits 0, whatever else is given", async () => {
        for (const argv of [["--help"], ["dev", "-h"], ["--help", "--bogus"]]) {
            const out: string[] = [];
            const code = await smoke(argv, { readOutputs: async () => ({}), line: (t) => out.push(t), errorLine: () => undefined });
            expect(code, argv.join(" ")).to.equal(0);
            expect(out.join("\n")).to.match(/^usage: npm run smoke -- <dev\|prod\|/);
        }
    });

    it("reports an environment with no outputs as one line", async () => {
        const err: string[] = [];
        const code = await smoke(["dev"], {
            readOutputs: async () => ({}),
            line: () => undefined,
            errorLine: (text) => err.push(text),
        });
        expect(code).to.equal(1);
        expect(err).to.deep.equal([
            "error: stack dev has no usable invokeUrl output (got undefined): deploy it first (npm run deploy -- dev)",
        ]);
    });
});

describe("smoke: pure pieces", () => {
    it("computes nearest-rank percentiles", () => {
        const samples = [15, 20, 35, 40, 50];
        expect(percentile(samples, 50)).to.equal(35);
        expect(percentile(samples, 95)).to.equal(50);
        expect(percentile(samples, 20)).to.equal(15);
        expect(percentile(samples, 100)).to.equal(50);
        const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
        expect(percentile(hundred, 50)).to.equal(50);
        expect(percentile(hundred, 95)).to.equal(95);
        expect(percentile([7], 95)).to.equal(7);
        expect(percentile([], 50)).to.equal(undefined);
        expect(() => percentile(samples, 0)).to.throw(RangeError);
        expect(() => percentile(samples, 101)).to.throw(RangeError);
    });

    it("sizes the burst above the bucket and caps it", () => {
        expect(burstRequestCount(0)).to.equal(20);
        expect(burstRequestCount(10)).to.equal(40);
        expect(burstRequestCount(240)).to.equal(MAX_BURST_REQUESTS);
        expect(burstRequestCount(5000)).to.equal(MAX_BURST_REQUESTS);
        expect(MAX_BURST_REQUESTS).to.equal(500);
    });

    it("reads the target from the gateway outputs and rejects missing or mistyped ones", () => {
        expect(
            smokeTargetFromOutputs("dev", { invokeUrl: "https://a.execute-api.eu-west-1.amazonaws.com/dev/hello", throttleBurstLimit: 20, throttleRateLimit: 10 }),
        ).to.deep.equal({ invokeUrl: "https://a.execute-api.eu-west-1.amazonaws.com/dev/hello", throttleBurstLimit: 20, throttleRateLimit: 10, ...OPEN_API, burstLimit: 20, burstLimitName: "throttleBurstLimit" });
        expect(() => smokeTargetFromOutputs("dev", { throttleBurstLimit: 20, throttleRateLimit: 10 })).to.throw(UserFacingError, /no usable invokeUrl/);
        expect(() =>
            smokeTargetFromOutputs("dev", { invokeUrl: "https://x/dev/hello", throttleBurstLimit: "20", throttleRateLimit: 10 }),
        ).to.throw(UserFacingError, 'output throttleBurstLimit must be a non-negative number, got "20"');
    });

    it("parses <env> and --expect", () => {
        expect(parseSmokeArgs(["dev"])).to.deep.equal({ env: "dev" });
        expect(parseSmokeArgs(["--expect", "Hi there", "prod"])).to.deep.equal({ env: "prod", expectedText: "Hi there" });
        expect(() => parseSmokeArgs(["qa"])).to.throw(UserFacingError, 'unknown environment "qa"');
        expect(() => parseSmokeArgs([])).to.throw(UserFacingError, "missing environment");
        expect(() => parseSmokeArgs(["dev", "--expect", " "])).to.throw(UserFacingError, "non-empty");
        expect(() => parseSmokeArgs(["dev", "--url", "x"])).to.throw(UserFacingError, "unknown option --url");
    });

    it("exits non-zero with one line and no stack trace as a process", async () => {
        const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            execFile(
                process.execPath,
                ["--require", "tsx/cjs", path.join(REPO_ROOT, "tools", "smoke.ts"), "stagin"],
                { cwd: REPO_ROOT, timeout: 15_000 },
                (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
            );
        });
        expect(result).to.deep.equal({
            code: 1,
            stdout: "",
            stderr: 'error: unknown environment "stagin": expected one of dev, prod, prod-http, onprem, chat\n',
        });
    });
});
