// apiType websocket: the chat stack's config parsed as the program would, and every refusal.
import { expect } from "chai";
import { ConfigError, GatewayConfig, KEYS_WEBSOCKET_REFUSES, RawConfig, parseConfig, qualify } from "../infra/config";
import { loadStackConfig } from "../tools/stack-files";
import { PROJECT, rawConfigOfStack } from "./support";

const CHAT = { project: PROJECT, stack: "chat", organization: "organization" };

function problemsOf(raw: RawConfig): { key: string; given: string; expected: string }[] {
    try {
        parseConfig(raw, CHAT);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return [...(error as ConfigError).problems];
    }
    throw new Error("expected a ConfigError, got none");
}

/** The chat stack file's routes, as written: the expectations follow the file. */
function committedRoutes(): string[] {
    return JSON.parse(loadStackConfig("chat").config[qualify("routes")]) as string[];
}

describe("config: apiType websocket (infra/config/websocket.ts)", () => {
    it("parses the chat stack: one route per entry, each to its function, with the stack's auth", () => {
        const config = parseConfig(rawConfigOfStack("chat"), CHAT) as GatewayConfig;
        expect(config.apiType).to.equal("websocket");
        expect(config.websocket?.routes.map((route) => route.source)).to.deep.equal(committedRoutes());
        for (const route of config.websocket?.routes ?? []) {
            expect(route.source).to.equal(`${route.routeKey} -> lambda:${route.functionName}`);
        }
        const { config: file } = loadStackConfig("chat");
        expect(config.websocket?.auth.mode).to.equal(file[qualify("websocketAuth")] ?? "none");
        expect(config.originStack).to.equal(undefined);
        expect(config.routes).to.deep.equal([]);
    });

    const badRoutes: { entry: string; expected: RegExp }[] = [
        { entry: "GET /hello -> /", expected: /routes each message by its "action" field, not by HTTP method and path/ },
        { entry: "sendmessage -> lambda:chat/sendmessage body=schemas/order.json", expected: /without body=/ },
        { entry: "sendmessage -> /origin", expected: /every WebSocket route runs a function/ },
        { entry: "$connected -> lambda:chat/connect", expected: /a route key of \$connect, \$disconnect, \$default/ },
        { entry: "send message -> lambda:chat/sendmessage", expected: /"<routeKey> -> lambda:<name>"/ },
        { entry: "shout -> lambda:chat/shout", expected: /functions\/chat\/shout\.ts was not found/ },
        { entry: "shout -> lambda:../secrets", expected: /lower-case path under functions\// },
        { entry: "$connect -> lambda:chat/disconnect", expected: /each route key once/ },
    ];
    for (const { entry, expected } of badRoutes) {
        it(`refuses the route ${JSON.stringify(entry)} by name`, () => {
            const problems = problemsOf(rawConfigOfStack("chat", { routes: JSON.stringify([...committedRoutes(), entry]) }));
            expect(problems).to.have.length(1);
            expect(problems[0].key).to.equal("hello-gateway:routes");
            expect(problems[0].given).to.equal(JSON.stringify(entry));
            expect(problems[0].expected).to.match(expected);
        });
    }

    it("refuses the REST default routes with what a WebSocket API needs instead", () => {
        const raw = rawConfigOfStack("chat", { routes: JSON.stringify(["GET / -> /", "GET /hello -> /"]) });
        const problems = problemsOf(raw);
        expect(problems.map((problem) => problem.key)).to.deep.equal(["hello-gateway:routes"]);
        expect(problems[0].expected).to.match(/required with apiType websocket/);
    });

    const refusedValues: Record<string, string> = {
        originStack: "organization/hello-gateway/dev-origin",
        originUrl: "https://192.0.2.10/",
        originMode: "private",
        routeThrottles: '["POST /orders 5/10"]',
        integrationTimeoutMs: "5000",
        requiredQueryParameters: '["token"]',
        requiredHeaders: '["X-Token"]',
        cacheEnabled: "true",
        cacheSizeGb: "1.6",
        cacheTtlSeconds: "60",
        tracingEnabled: "true",
        wafEnabled: "true",
        wafRateLimitPer5Minutes: "500",
        customDomainName: "chat.example.com",
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
        hostedZoneId: "Z0123456789ABCDEFGHIJ",
        authMode: "apiKey",
        apiKeyRateLimit: "1",
        apiKeyBurstLimit: "1",
        apiKeyQuotaPerDay: "1",
        cognitoUserPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
        corsAllowOrigins: '["https://app.example.com"]',
        jwtIssuer: "https://example.eu.auth0.com/",
        jwtAudience: '["api"]',
        alarmEmail: "ops@example.com",
        alarm5xxPer5Minutes: "1",
        alarm4xxPer5Minutes: "1",
        alarmP99LatencyMs: "1",
    };
    it("has a refusal value for every key it refuses (this table covers the whole list)", () => {
        expect(Object.keys(refusedValues).sort()).to.deep.equal(Object.keys(KEYS_WEBSOCKET_REFUSES).sort());
    });
    for (const [key, value] of Object.entries(refusedValues)) {
        it(`refuses ${key} set on a WebSocket API, naming the key and why`, () => {
            const problems = problemsOf(rawConfigOfStack("chat", { [key]: value }));
            const mine = problems.filter((problem) => problem.key === qualify(key));
            expect(mine, JSON.stringify(problems)).to.have.length(1);
            expect(mine[0].expected).to.include("with apiType websocket").and.to.include(KEYS_WEBSOCKET_REFUSES[key as keyof typeof KEYS_WEBSOCKET_REFUSES]);
        });
    }

    it("accepts those keys at their defaults, as the CLI's merge of Pulumi.yaml hands them over", () => {
        const config = parseConfig(rawConfigOfStack("chat", { cacheEnabled: "false", originStack: "", authMode: "none", integrationTimeoutMs: "10000" }), CHAT) as GatewayConfig;
        expect(config.apiType).to.equal("websocket");
    });

    it("token auth needs the SSM parameter's name", () => {
        const problems = problemsOf(rawConfigOfStack("chat", { websocketAuth: "token", websocketTokenParameter: "" }));
        expect(problems.map((problem) => problem.key)).to.deep.equal(["hello-gateway:websocketTokenParameter"]);
        expect(problems[0].expected).to.match(/SSM SecureString parameter/);
    });

    it("auth needs a $connect route: API Gateway authorizes WebSocket APIs on $connect only", () => {
        const withoutConnect = committedRoutes().filter((route) => !route.startsWith("$connect "));
        const problems = problemsOf(rawConfigOfStack("chat", { routes: JSON.stringify(withoutConnect), websocketAuth: "iam", websocketTokenParameter: "" }));
        expect(problems.map((problem) => problem.key)).to.deep.equal(["hello-gateway:websocketAuth"]);
        expect(problems[0].expected).to.match(/\$connect only/);
    });

    it("a REST gateway refuses the WebSocket-only keys, so a forgotten apiType is not silently ignored", () => {
        const problems = problemsOf(rawConfigOfStack("dev", { websocketAuth: "token" }));
        expect(problems.map((problem) => problem.key)).to.deep.equal(["hello-gateway:websocketAuth"]);
        expect(problems[0].expected).to.match(/apiType websocket only/);
    });

    it("refuses an unknown apiType with the accepted ones", () => {
        const problems = problemsOf(rawConfigOfStack("chat", { apiType: "graphql" }));
        expect(problems.find((problem) => problem.key === "hello-gateway:apiType")?.expected).to.match(/rest.*websocket/);
    });
});
