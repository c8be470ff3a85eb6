import { expect } from "chai";
import { EXECUTE_API_TLS, RouteOptions, deploymentTrigger, resolvedRouteSpecs } from "../infra/api";
import { GatewayConfig, gatewayResourcePrefix, parseConfig } from "../infra/config";
import { functionTimeoutSeconds } from "../infra/lambda/function";
import { bundleFunction, functionSourceFile } from "../infra/lambda/package";
import { executeApiSourceArn } from "../infra/lambda/permission";
import { awsFunctionName } from "../infra/lambda/route-functions";
import { ProgramRun, RecordedResource, resourcesRegisteredBefore } from "../tools/mock-runtime";
import { byName, dependencyNames, gatewayConfigOf, parentName, rawConfigOfStack, resourcesOfType, runStack, theOne } from "./support";

const ORDER_SCHEMA = "tests/fixtures/schemas/order.json";

/** Origin routes and Lambda routes side by side; hello serves three routes, one with a body schema. */
const TABLE = [
    "GET / -> /",
    "GET /greet -> lambda:hello",
    "ANY /fn/{proxy+} -> lambda:hello",
    `POST /orders/{id} -> lambda:hello body=${ORDER_SCHEMA}`,
];

/** Each route's expected invoke source, relative to the API's execution ARN (AWS: stage wildcard, method, path; ANY and parameters as `*`). */
const SOURCE_ARN_SUFFIXES: Record<string, string> = {
    "GET /greet": "/*/GET/greet",
    "ANY /fn/{proxy+}": "/*/*/fn/*",
    "POST /orders/{id}": "/*/POST/orders/*",
};

const overrides = (routes: readonly string[], more: Record<string, string> = {}) => ({ routes: JSON.stringify(routes), ...more });

function integrationOf(run: ProgramRun, method: string, path: string): RecordedResource {
    const label = path === "/" ? "root" : path.slice(1);
    return byName(run, `${gatewayResourcePrefix(gatewayConfigOf(run.stack).environment)}-${label}-${method.toLowerCase()}-integration`);
}

for (const stack of ["dev", "prod"]) {
    describe(`Lambda routes on a REST API (${stack}): Client -> API Gateway -> Lambda -> Client`, () => {
        const config = gatewayConfigOf(stack);
        const prefix = gatewayResourcePrefix(config.environment);
        const functionName = awsFunctionName(prefix, "hello");
        let run: ProgramRun;
        before(async () => {
            run = await runStack(stack, { overrides: overrides(TABLE) });
        });

        it("creates one function for the three routes naming lambda:hello, from functions/hello.ts's bundle", async () => {
            const fn = theOne(run, "aws:lambda/function:Function");
            expect(fn.inputs.name).to.equal(functionName);
            const assets = await (fn.inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> }).assets;
            expect(await assets["index.js"].text).to.equal(bundleFunction(functionSourceFile("hello")).code);
            expect(parentName(run, fn)).to.equal(functionName);
        });

        it("sizes the function from the stack file: timeout below integrationTimeoutMs, retention, key, tracing, tags", () => {
            const fn = theOne(run, "aws:lambda/function:Function");
            expect(fn.inputs.timeout).to.equal(functionTimeoutSeconds(config.integrationTimeoutMs));
            expect(Number(fn.inputs.timeout) * 1000).to.be.below(config.integrationTimeoutMs);
            expect(fn.inputs.tags).to.deep.equal(config.tags);
            expect(fn.inputs.tracingConfig).to.deep.equal(config.tracingEnabled ? { mode: "Active" } : undefined);
            const logGroup = byName(run, `${functionName}-logs`);
            expect(logGroup.inputs.retentionInDays).to.equal(config.logRetentionDays);
            expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: logGroup.state.name });
            if (config.encryptLogs) {
                expect(logGroup.inputs.kmsKeyId).to.match(/^arn:aws:kms:/);
                expect(logGroup.inputs.kmsKeyId).to.equal(byName(run, `${prefix}-access-logs`).inputs.kmsKeyId);
            } else {
                expect(logGroup.inputs).to.not.have.property("kmsKeyId");
            }
            expect(fn.inputs).to.not.have.property("reservedConcurrentExecutions");
        });

        it("integrates each Lambda route as AWS_PROXY, POST to the function's invokeArn; origin routes stay HTTP_PROXY", () => {
            const fn = theOne(run, "aws:lambda/function:Function");
            for (const route of ["GET /greet", "ANY /fn/{proxy+}", "POST /orders/{id}"]) {
                const [method, path] = route.split(" ");
                const integration = integrationOf(run, method, path);
                expect(integration.inputs, route).to.include({ type: "AWS_PROXY", integrationHttpMethod: "POST", uri: fn.state.invokeArn, connectionType: "INTERNET", timeoutMilliseconds: config.integrationTimeoutMs });
                expect(integration.inputs, route).to.not.have.any.keys("requestParameters", "tlsConfig", "connectionId");
            }
            expect(integrationOf(run, "GET", "/").inputs.type).to.equal("HTTP_PROXY");
        });

        it("lets API Gateway invoke the function only as each route of this API: one permission per route, source ARN by method and path", () => {
            const permissions = resourcesOfType(run, "aws:lambda/permission:Permission");
            expect(permissions).to.have.length(Object.keys(SOURCE_ARN_SUFFIXES).length);
            const executionArn = theOne(run, "aws:apigateway/restApi:RestApi").state.executionArn as string;
            expect(executionArn).to.match(/^arn:aws:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+$/);
            const bySource = new Map(permissions.map((permission) => [permission.inputs.sourceArn, permission]));
            for (const [route, suffix] of Object.entries(SOURCE_ARN_SUFFIXES)) {
                const [method, path] = route.split(" ");
                expect(executeApiSourceArn(executionArn, method, path)).to.equal(`${executionArn}${suffix}`);
                const permission = bySource.get(`${executionArn}${suffix}`);
                expect(permission, route).to.not.equal(undefined);
                expect(permission!.inputs).to.include({ action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", function: functionName });
            }
            for (const permission of permissions) {
                expect(permission.inputs.sourceArn).to.be.a("string").that.is.not.empty;
            }
        });

        it("deploys after the permissions, and the body route still validates its body", () => {
            const deps = dependencyNames(run, theOne(run, "aws:apigateway/deployment:Deployment"));
            for (const permission of resourcesOfType(run, "aws:lambda/permission:Permission")) {
                expect(deps).to.include(permission.name);
            }
            const post = byName(run, `${prefix}-orders/{id}-post`);
            expect(post.inputs.requestModels).to.deep.equal({ "application/json": theOne(run, "aws:apigateway/model:Model").state.name });
            expect(post.inputs.requestValidatorId).to.equal(byName(run, `${prefix}-body-validator`).id);
        });
    });
}

describe("Lambda routes: the deployment trigger hashes the integration kind", () => {
    it("a route moved from the origin to a function, or to another function, gives a new trigger", async () => {
        const triggerOf = (run: ProgramRun) => (theOne(run, "aws:apigateway/deployment:Deployment").inputs.triggers as Record<string, string>).routes;
        const origin = await runStack("dev", { overrides: overrides(["GET / -> /", "GET /greet -> /"]) });
        const lambda = await runStack("dev", { overrides: overrides(["GET / -> /", "GET /greet -> lambda:hello"]) });
        expect(triggerOf(lambda)).to.not.equal(triggerOf(origin));
        const config = parseConfig(rawConfigOfStack("dev", overrides(["GET / -> /", "GET /greet -> lambda:hello"])), { project: "hello-gateway", stack: "dev", organization: "organization" }) as GatewayConfig;
        const options: RouteOptions = {
            routes: config.routes,
            integrationTimeoutMs: config.integrationTimeoutMs,
            authorization: "NONE",
            apiKeyRequired: false,
            requestValidation: config.requestValidation,
            cacheEnabled: false,
            skipOriginCertificateCheck: true,
        };
        const hash = (invokeArn: string) =>
            deploymentTrigger(resolvedRouteSpecs({ uri: origin.outputs.originUrl as string, functionInvokeArns: { hello: invokeArn } }, options), { disableExecuteApiEndpoint: false, ...EXECUTE_API_TLS });
        const invokeArn = theOne(lambda, "aws:lambda/function:Function").state.invokeArn as string;
        expect(triggerOf(lambda)).to.equal(hash(invokeArn));
        expect(hash(invokeArn.replace("hello-gateway-dev-hello", "hello-gateway-dev-other"))).to.not.equal(hash(invokeArn));
    });

    it("a stack without Lambda routes creates no function, role or permission", async () => {
        const run = await runStack("dev");
        expect(resourcesOfType(run, "aws:lambda/function:Function")).to.have.length(0);
        expect(resourcesOfType(run, "aws:lambda/permission:Permission")).to.have.length(0);
    });

    it("lambdaReservedConcurrency reserves that many executions for each function; 0 reserves none", async () => {
        const reserved = await runStack("dev", { overrides: overrides(TABLE, { lambdaReservedConcurrency: "3" }) });
        expect(theOne(reserved, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions).to.equal(3);
        const none = await runStack("dev", { overrides: overrides(TABLE, { lambdaReservedConcurrency: "0" }) });
        expect(theOne(none, "aws:lambda/function:Function").inputs).to.not.have.property("reservedConcurrentExecutions");
    });
});

/** Runs dev with the overrides; it must fail before registering anything. */
async function refusal(more: Record<string, string>): Promise<string> {
    try {
        await runStack("dev", { overrides: more });
    } catch (error) {
        expect((error as Error).name).to.equal("ConfigError");
        expect(resourcesRegisteredBefore(error)).to.have.length(0);
        return (error as Error).message;
    }
    throw new Error(`expected ${JSON.stringify(more)} to be refused`);
}

describe("Lambda routes: refused before any resource, naming the key and what is accepted", () => {
    it("a route naming a missing function: the route and the path looked for", async () => {
        const message = await refusal(overrides(["GET /greet -> lambda:nosuch"]));
        expect(message).to.contain('hello-gateway:routes: got "GET /greet -> lambda:nosuch"; expected -> lambda:nosuch naming a function that exists: functions/nosuch.ts is not in the repository');
    });

    it("a function name that is not a file name", async () => {
        expect(await refusal(overrides(["GET /greet -> lambda:../hello"]))).to.contain('expected -> lambda:<name> naming a file of functions/ without its .ts: up to 40 letters, digits, - and _ (got "../hello")');
        expect(await refusal(overrides(["GET /greet -> lambda:"]))).to.contain("naming a file of functions/");
    });

    it("an integration timeout no whole-second function timeout fits under", async () => {
        const message = await refusal(overrides(["GET /greet -> lambda:hello"], { integrationTimeoutMs: "1999" }));
        expect(message).to.contain('hello-gateway:integrationTimeoutMs: got "1999"; expected at least 2000 ms with a lambda: route ("GET /greet -> lambda:hello")');
        // Without a Lambda route the same timeout is the origin's business, and accepted.
        await runStack("dev", { overrides: { integrationTimeoutMs: "1999" } });
    });

    it("lambdaReservedConcurrency that is not a whole number from 0 to 10000", async () => {
        expect(await refusal({ lambdaReservedConcurrency: "-1" })).to.contain('hello-gateway:lambdaReservedConcurrency: got "-1"; expected a whole number of concurrent executions (0 for none) from 0 to 10000');
        expect(await refusal({ lambdaReservedConcurrency: "lots" })).to.contain("hello-gateway:lambdaReservedConcurrency");
    });

    it("a function whose AWS name, hello-gateway-<environment>-<name>, would pass Lambda's 64 characters", () => {
        const name = "f".repeat(40);
        const stack = "an-environment-named-at-length";
        const raw = { ...rawConfigOfStack("dev", overrides([`GET /greet -> lambda:${name}`])), readProjectFile: (file: string) => (file === functionSourceFile(name) ? "export const handler = 1;" : undefined) };
        expect(() => parseConfig(raw, { project: "hello-gateway", stack, organization: "organization" })).to.throw(
            `hello-gateway:routes: got "GET /greet -> lambda:${name}"; expected a function name that, as "hello-gateway-${stack}-${name}" in AWS, fits Lambda's 64 characters`,
        );
    });
});
