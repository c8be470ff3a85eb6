import { expect } from "chai";
import { ConfigError, GatewayConfig, parseConfig } from "../infra/config";
import { MOCK_ORGANIZATION } from "../tools/mock-runtime";
import { PROJECT, rawConfigOfStack } from "./support";

/** prod-http's configuration with overrides ("" unsets a key, as `pulumi config rm` would). */
function parse(stack: string, overrides: Record<string, string>): GatewayConfig {
    return parseConfig(rawConfigOfStack(stack, overrides), { project: PROJECT, stack, organization: MOCK_ORGANIZATION }) as GatewayConfig;
}

function problemsOf(stack: string, overrides: Record<string, string>): string {
    try {
        parse(stack, overrides);
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(overrides)} on ${stack} to be refused`);
}

const NOT_JWT = { jwtIssuer: "", jwtAudience: "" };

describe("apiType and the HTTP API keys (infra/config/http-api.ts)", () => {
    it("defaults to rest: every existing REST stack parses as before", () => {
        for (const stack of ["dev", "prod", "onprem"]) {
            expect(parse(stack, {}).apiType, stack).to.equal("rest");
        }
        expect(parse("prod-http", {}).apiType).to.equal("http");
    });

    it("refuses a misspelled apiType with the closest one", () => {
        expect(problemsOf("prod", { apiType: "htpp" })).to.contain('hello-gateway:apiType: got "htpp"; expected one of rest, http, websocket; did you mean http?');
    });

    const restOnly: Array<[string, Record<string, string>, string]> = [
        ["wafEnabled", { wafEnabled: "true" }, "AWS WAF cannot be associated with an HTTP API stage"],
        ["cacheEnabled", { cacheEnabled: "true" }, "HTTP APIs have no stage cache"],
        ["requiredQueryParameters", { requiredQueryParameters: '["id"]' }, "HTTP APIs do not validate requests"],
        ["requiredHeaders", { requiredHeaders: '["x-client"]' }, "HTTP APIs do not validate requests"],
        ["tracingEnabled", { tracingEnabled: "true" }, "cannot be traced with X-Ray"],
        ["authMode", { authMode: "apiKey", ...NOT_JWT }, "HTTP APIs have no API keys or usage plans"],
        ["routes", { routes: '["POST /orders -> /v1/orders body=schemas/order.json"]', routeThrottles: "[]" }, "HTTP APIs do not validate request bodies"],
    ];
    for (const [key, overrides, reason] of restOnly) {
        it(`refuses ${key} on an HTTP API by name, with the reason and the way out`, () => {
            const message = problemsOf("prod-http", overrides);
            expect(message).to.contain(`hello-gateway:${key}:`).and.to.contain(reason).and.to.contain('apiType "rest"');
        });
    }

    it("refuses a public origin behind an HTTP API, naming apiType and originMode", () => {
        expect(problemsOf("prod-http", { originMode: "public" })).to.match(/hello-gateway:originMode: got "public"; expected "private" with apiType "http"/);
    });

    it("refuses jwt on a REST API (no native JWT authorizer there), saying to use apiType http", () => {
        const message = problemsOf("prod", { authMode: "jwt", jwtIssuer: "https://issuer.example.com/", jwtAudience: '["api"]' });
        expect(message).to.contain('hello-gateway:authMode: got "jwt"').and.to.contain('set apiType "http" for jwt');
    });

    it("jwt needs an https issuer and at least one audience", () => {
        expect(problemsOf("prod-http", { jwtIssuer: "http://issuer.example.com/" })).to.contain('hello-gateway:jwtIssuer: got "http://issuer.example.com/"');
        expect(problemsOf("prod-http", { jwtIssuer: "" })).to.contain("hello-gateway:jwtIssuer: got nothing");
        expect(problemsOf("prod-http", { jwtAudience: "[]" })).to.contain("hello-gateway:jwtAudience: got an empty list");
    });

    it("refuses JWT keys that nothing would read", () => {
        expect(problemsOf("prod-http", { authMode: "none" })).to.contain("hello-gateway:jwtIssuer:").and.to.contain("empty unless authMode is jwt");
    });

    it("an existing Cognito pool on an HTTP API needs its app client ids in jwtAudience", () => {
        const pool = { authMode: "cognito", jwtIssuer: "", cognitoUserPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123" };
        expect(problemsOf("prod-http", { ...pool, jwtAudience: "[]" })).to.contain("hello-gateway:jwtAudience: got an empty list");
        expect(parse("prod-http", { ...pool, jwtAudience: '["client1"]' }).auth).to.deep.include({ mode: "cognito", audience: ["client1"] });
    });

    it("$default is a stage of HTTP APIs only", () => {
        expect(parse("prod-http", { stageName: "$default" }).stageName).to.equal("$default");
        expect(problemsOf("prod", { stageName: "$default" })).to.contain("$default is a stage of HTTP APIs only");
    });

    it("corsAllowOrigins takes browser origins or * alone; a REST API one origin", () => {
        expect(parse("prod-http", { corsAllowOrigins: '["https://app.example.com", "http://localhost:3000"]' }).corsAllowOrigins).to.deep.equal(["https://app.example.com", "http://localhost:3000"]);
        expect(problemsOf("prod", { corsAllowOrigins: '["https://app.example.com", "http://localhost:3000"]' })).to.contain('one origin (or *) with apiType "rest"');
        expect(problemsOf("prod", { corsAllowOrigins: '["https://app.example.com/"]' })).to.contain('hello-gateway:corsAllowOrigins: got "https://app.example.com/"');
        expect(problemsOf("prod", { corsAllowOrigins: '["*", "https://app.example.com"]' })).to.contain("either * alone");
    });
});
