import { expect } from "chai";
import * as path from "node:path";
import {
    DEFAULT_ARCHITECTURE,
    DEFAULT_MEMORY_MB,
    DEFAULT_RUNTIME,
    LambdaFunctionArgs,
    MIN_INTEGRATION_TIMEOUT_MS,
    checkLambdaFunctionArgs,
    functionLogGroupPrefix,
    functionRolePolicy,
    functionTimeoutSeconds,
} from "../infra/lambda/function";
import { BUNDLE_HANDLER, bundleFunction, functionSourceFile } from "../infra/lambda/package";
import { executeApiSourceArn } from "../infra/lambda/permission";
import { MOCK_ACCOUNT_ID, ProgramRun, runProgram } from "../tools/mock-runtime";
import { byName, dependencyNames, parentName, theOne } from "./support";

const FIXTURE = path.join(__dirname, "fixtures", "lambda-program.ts");
const EXECUTION_ARN = `arn:aws:execute-api:eu-west-1:${MOCK_ACCOUNT_ID}:a1b2c3d4e5`;

type FixtureArgs = Omit<LambdaFunctionArgs, "code" | "logsKmsKeyArn"> & { source: string; logsKmsKeyArn?: string };

const BASE: FixtureArgs = {
    source: functionSourceFile("hello"),
    functionName: "hello-gateway-dev-hello",
    integrationTimeoutMs: 10_000,
    logRetentionDays: 30,
    tags: { Project: "hello-gateway", Environment: "dev" },
};

function runFixture(args: Partial<FixtureArgs>, routes: { method: string; path: string }[] = []): Promise<ProgramRun> {
    return runProgram({
        project: "hello-gateway",
        stack: "test",
        entry: FIXTURE,
        config: {
            "aws:region": "eu-west-1",
            "fixture:function": JSON.stringify({ ...BASE, ...args }),
            "fixture:routes": JSON.stringify(routes),
            "fixture:executionArn": EXECUTION_ARN,
        },
    });
}

describe("LambdaFunction (infra/lambda/function.ts)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runFixture({});
    });

    it("runs the bundle's handler on nodejs22.x, arm64, 256 MB, with JSON logs into its own log group", () => {
        const fn = theOne(run, "aws:lambda/function:Function");
        const logGroup = theOne(run, "aws:cloudwatch/logGroup:LogGroup");
        expect([DEFAULT_RUNTIME, DEFAULT_ARCHITECTURE, DEFAULT_MEMORY_MB]).to.deep.equal(["nodejs22.x", "arm64", 256]);
        expect(fn.inputs).to.include({ name: BASE.functionName, handler: BUNDLE_HANDLER, runtime: DEFAULT_RUNTIME, memorySize: DEFAULT_MEMORY_MB });
        expect(fn.inputs.architectures).to.deep.equal([DEFAULT_ARCHITECTURE]);
        expect(fn.inputs.loggingConfig).to.deep.equal({ logFormat: "JSON", logGroup: logGroup.state.name });
        expect(fn.inputs.tags).to.deep.equal(BASE.tags);
        expect(fn.inputs).to.not.have.property("tracingConfig");
        expect(fn.inputs).to.not.have.property("reservedConcurrentExecutions");
    });

    it("ships the bundle of its source as index.js, the only file of the archive", async () => {
        const code = theOne(run, "aws:lambda/function:Function").inputs.code as { assets: Promise<Record<string, { text: Promise<string> }>> };
        const assets = await code.assets;
        expect(Object.keys(assets)).to.deep.equal(["index.js"]);
        expect(await assets["index.js"].text).to.equal(bundleFunction(BASE.source).code);
    });

    it("times out a whole second or more below the integration: 9 s under 10000 ms", () => {
        expect(theOne(run, "aws:lambda/function:Function").inputs.timeout).to.equal(functionTimeoutSeconds(BASE.integrationTimeoutMs));
        for (const [integrationMs, seconds] of [
            [10_000, 9],
            [29_000, 28],
            [2_000, 1],
            [2_999, 1],
            [3_000, 2],
        ]) {
            expect(functionTimeoutSeconds(integrationMs), `${integrationMs} ms`).to.equal(seconds);
            expect(seconds * 1000 + 1000).to.be.at.most(integrationMs);
        }
        expect(() => functionTimeoutSeconds(MIN_INTEGRATION_TIMEOUT_MS - 1)).to.throw(/at least 2000 ms/);
    });

    it("creates its /aws/lambda/ log group first, with retention, kept on destroy", () => {
        const logGroup = theOne(run, "aws:cloudwatch/logGroup:LogGroup");
        expect(logGroup.inputs).to.include({ namePrefix: functionLogGroupPrefix(BASE.functionName), retentionInDays: BASE.logRetentionDays, skipDestroy: true });
        expect(String(logGroup.state.name)).to.match(/^\/aws\/lambda\/hello-gateway-dev-hello-/);
        expect(logGroup.inputs).to.not.have.property("kmsKeyId");
        const fn = theOne(run, "aws:lambda/function:Function");
        expect(dependencyNames(run, fn)).to.include.members([logGroup.name, "fn-role-policy"]);
    });

    it("runs as a role Lambda assumes for this account only, that may write only to its own log group", () => {
        const role = theOne(run, "aws:iam/role:Role");
        expect(JSON.parse(String(role.inputs.assumeRolePolicy))).to.deep.equal({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } } }],
        });
        const logGroup = theOne(run, "aws:cloudwatch/logGroup:LogGroup");
        const policy = JSON.parse(String(theOne(run, "aws:iam/rolePolicy:RolePolicy").inputs.policy));
        expect(policy.Statement).to.deep.equal([
            { Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroup.state.arn}:*` },
        ]);
        expect(resourcesNamed(run)).to.not.include("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        expect(theOne(run, "aws:lambda/function:Function").inputs.role).to.equal(role.state.arn);
    });

    it("puts every resource under the component", () => {
        for (const resource of run.resources.filter((r) => r.custom)) {
            expect(parentName(run, resource), resource.name).to.equal("fn");
        }
        expect(run.outputs).to.include({ functionName: BASE.functionName, logGroupName: theOne(run, "aws:cloudwatch/logGroup:LogGroup").state.name });
        expect(String(run.outputs.invokeArn)).to.match(/^arn:aws:apigateway:eu-west-1:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:eu-west-1:\d{12}:function:hello-gateway-dev-hello\/invocations$/);
    });

    it("with tracing: active X-Ray, and the role may send traces", async () => {
        const traced = await runFixture({ tracingEnabled: true });
        expect(theOne(traced, "aws:lambda/function:Function").inputs.tracingConfig).to.deep.equal({ mode: "Active" });
        const policy = JSON.parse(String(theOne(traced, "aws:iam/rolePolicy:RolePolicy").inputs.policy));
        expect(policy.Statement[1]).to.deep.equal({ Sid: "SendTraces", Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" });
        expect(policy.Statement).to.have.length(2);
    });

    it("with a key, reserved concurrency, other sizes: each reaches the resource", async () => {
        const keyArn = `arn:aws:kms:eu-west-1:${MOCK_ACCOUNT_ID}:key/0a1b2c3d-1111-2222-3333-444455556666`;
        const varied = await runFixture({ logsKmsKeyArn: keyArn, reservedConcurrency: 5, memorySizeMb: 512, architecture: "x86_64", logRetentionDays: 7, integrationTimeoutMs: 29_000 });
        expect(theOne(varied, "aws:cloudwatch/logGroup:LogGroup").inputs).to.include({ kmsKeyId: keyArn, retentionInDays: 7 });
        expect(theOne(varied, "aws:lambda/function:Function").inputs).to.include({ reservedConcurrentExecutions: 5, memorySize: 512, timeout: 28 });
        expect(theOne(varied, "aws:lambda/function:Function").inputs.architectures).to.deep.equal(["x86_64"]);
    });

    it("refuses args AWS would refuse, naming the arg", () => {
        const ok = { functionName: "hello", integrationTimeoutMs: 10_000 };
        expect(() => checkLambdaFunctionArgs({ ...ok, functionName: "hello.world" })).to.throw(/functionName "hello.world"/);
        expect(() => checkLambdaFunctionArgs({ ...ok, functionName: "x".repeat(65) })).to.throw(/functionName/);
        expect(() => checkLambdaFunctionArgs({ ...ok, integrationTimeoutMs: 1_500 })).to.throw(/1500 ms .* at least 2000 ms/);
        expect(() => checkLambdaFunctionArgs({ ...ok, memorySizeMb: 64 })).to.throw(/memorySizeMb 64/);
        expect(() => checkLambdaFunctionArgs({ ...ok, reservedConcurrency: -1 })).to.throw(/reservedConcurrency -1/);
        expect(() => checkLambdaFunctionArgs(ok)).to.not.throw();
    });

    it("lets X-Ray in only when tracing, and logs only into the named group", () => {
        const arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f-1";
        expect(functionRolePolicy(arn, false)).to.deep.equal({
            Version: "2012-10-17",
            Statement: [{ Sid: "WriteOwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:*` }],
        });
        expect(JSON.stringify(functionRolePolicy(arn, false))).to.not.match(/logs:\*|"Resource":"\*"|CreateLogGroup/);
    });
});

describe("Lambda invoke permission (infra/lambda/permission.ts)", () => {
    const ROUTES: { method: string; path: string; sourceArn: string }[] = [
        { method: "GET", path: "/greet", sourceArn: `${EXECUTION_ARN}/*/GET/greet` },
        { method: "GET", path: "/", sourceArn: `${EXECUTION_ARN}/*/GET/` },
        { method: "ANY", path: "/greet", sourceArn: `${EXECUTION_ARN}/*/*/greet` },
        { method: "POST", path: "/orders/{id}", sourceArn: `${EXECUTION_ARN}/*/POST/orders/*` },
        { method: "ANY", path: "/api/{proxy+}", sourceArn: `${EXECUTION_ARN}/*/*/api/*` },
        { method: "DELETE", path: "/v1/{tenant}/items/{id}", sourceArn: `${EXECUTION_ARN}/*/DELETE/v1/*/items/*` },
    ];

    for (const route of ROUTES) {
        it(`${route.method} ${route.path}: ${route.sourceArn.slice(EXECUTION_ARN.length)}`, () => {
            expect(executeApiSourceArn(EXECUTION_ARN, route.method, route.path)).to.equal(route.sourceArn);
        });
    }

    it("grants API Gateway lambda:InvokeFunction on the function per route, each with its route's source ARN", async () => {
        const withRoutes = await runFixture({}, ROUTES);
        const permissions = withRoutes.resources.filter((resource) => resource.type === "aws:lambda/permission:Permission");
        expect(permissions).to.have.length(ROUTES.length);
        permissions.forEach((permission, index) => {
            expect(permission.inputs).to.deep.equal({
                action: "lambda:InvokeFunction",
                function: BASE.functionName,
                principal: "apigateway.amazonaws.com",
                sourceArn: ROUTES[index].sourceArn,
            });
            expect(parentName(withRoutes, permission)).to.equal("fn");
        });
        expect(dependencyNames(withRoutes, byName(withRoutes, "fn-invoke-0"))).to.include("fn-function");
    });
});

function resourcesNamed(run: ProgramRun): string[] {
    return run.resources.map((resource) => resource.type);
}
