import { expect } from "chai";
import * as zlib from "node:zlib";
import { createHash } from "node:crypto";
import { bundleFunction, functionSourceFile } from "../infra/lambda/package";
import { functionPackagesOf, packageFile, zipOfArchive } from "../tools/emulator/lambda-packages";
import { labelOf, RenderError, renderStack } from "../tools/emulator/render";
import { MOCK_ACCOUNT_ID, MOCK_ORGANIZATION, ProgramRun } from "../tools/mock-runtime";
import { REPO_ROOT } from "../tools/stack-files";
import * as path from "node:path";
import { originOutputsFor, runStack } from "./support";

const OPTIONS = { region: "us-east-1", endpoint: "http://127.0.0.1:1", mockAccountId: MOCK_ACCOUNT_ID };
const SWITCHES_ROOT = path.join(REPO_ROOT, "tests", "fixtures", "emulate");

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** The files of a zip, read back through its central directory: what Lambda would unpack. */
function unzip(zip: Buffer): Record<string, string> {
    const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const entries = zip.readUInt16LE(end + 10);
    let at = zip.readUInt32LE(end + 16);
    const files: Record<string, string> = {};
    for (let i = 0; i < entries; i++) {
        const method = zip.readUInt16LE(at + 10);
        const compressedSize = zip.readUInt32LE(at + 20);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        const localHeader = zip.readUInt32LE(at + 42);
        const name = zip.subarray(at + 46, at + 46 + nameLength).toString("utf8");
        const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
        const data = zip.subarray(dataStart, dataStart + compressedSize);
        files[name] = (method === 8 ? zlib.inflateRawSync(data) : data).toString("utf8");
        at += 46 + nameLength + extraLength + commentLength;
    }
    return files;
}

describe("emulator: Lambda functions and their permissions (the switches fixture's GET /greet -> lambda:hello)", () => {
    let gateway: ProgramRun;
    before(async () => {
        gateway = await runStack("switches", {
            root: SWITCHES_ROOT,
            stackOutputs: { [`${MOCK_ORGANIZATION}/hello-gateway/switches-origin`]: originOutputsFor("switches", SWITCHES_ROOT) },
        });
    });

    it("writes each function's archive as a zip holding the bundle as index.js, the same bytes every time", async () => {
        const [fn] = gateway.graph.ofType("aws:lambda/function:Function");
        const packages = await functionPackagesOf(gateway.graph);
        expect(packages.map((p) => p.resourceName)).to.deep.equal([fn.name]);
        expect(unzip(packages[0].zip)).to.deep.equal({ "index.js": bundleFunction(functionSourceFile("hello")).code });
        const again = await zipOfArchive(fn.inputs.code, fn.name);
        expect(again.equals(packages[0].zip)).to.equal(true);
        expect(packages[0].sourceCodeHash).to.equal(createHash("sha256").update(packages[0].zip).digest("base64"));
    });

    it("renders the function from its zip, with references to its role and log group; moto's missing logging_config is printed and ignored", async () => {
        const packages = await functionPackagesOf(gateway.graph);
        const rendered = renderStack(gateway, { ...OPTIONS, functionPackages: Object.fromEntries(packages.map((p) => [p.resourceName, p])) });
        const resources = rendered.config.resource as Blocks;
        const [fn] = gateway.graph.ofType("aws:lambda/function:Function");
        const body = resources.aws_lambda_function[labelOf(fn.name)];
        expect(body.filename).to.equal(`\${path.module}/${packageFile(fn.name)}`);
        expect(body.source_code_hash).to.equal(packages[0].sourceCodeHash);
        expect(body.role).to.match(/^\$\{aws_iam_role\.[^.]+\.arn\}$/);
        expect(JSON.stringify(body.logging_config)).to.match(/"log_format":"JSON"/).and.to.match(/\$\{aws_cloudwatch_log_group\.[^.]+\.name\}/);
        expect(body).to.include({ runtime: fn.inputs.runtime, handler: fn.inputs.handler, reserved_concurrent_executions: fn.inputs.reservedConcurrentExecutions });
        expect((body.lifecycle as { ignore_changes: string[] }).ignore_changes).to.include("logging_config");
        expect(rendered.notEmulated.find((item) => item.what === `${fn.type} ${fn.name}.logging_config`)?.reason).to.contain("moto 5.2.1").and.to.contain("LoggingConfig");
        expect(((rendered.config.provider as { aws: { endpoints: Record<string, string> } }).aws.endpoints).lambda).to.equal(OPTIONS.endpoint);
    });

    it("renders the route's integration to the function's invoke_arn and its permission from the API's execution_arn", async () => {
        const packages = await functionPackagesOf(gateway.graph);
        const rendered = renderStack(gateway, { ...OPTIONS, functionPackages: Object.fromEntries(packages.map((p) => [p.resourceName, p])) });
        const resources = rendered.config.resource as Blocks;
        const [fn] = gateway.graph.ofType("aws:lambda/function:Function");
        const [api] = gateway.graph.ofType("aws:apigateway/restApi:RestApi");
        const lambdaIntegrations = Object.values(resources.aws_api_gateway_integration).filter((integration) => integration.type === "AWS_PROXY");
        expect(lambdaIntegrations).to.have.length(1);
        expect(lambdaIntegrations[0].uri).to.equal(`\${aws_lambda_function.${labelOf(fn.name)}.invoke_arn}`);
        const permissions = Object.values(resources.aws_lambda_permission);
        expect(permissions).to.deep.equal([
            {
                action: "lambda:InvokeFunction",
                principal: "apigateway.amazonaws.com",
                function_name: `\${aws_lambda_function.${labelOf(fn.name)}.function_name}`,
                source_arn: `\${aws_api_gateway_rest_api.${labelOf(api.name)}.execution_arn}/*/GET/greet`,
            },
        ]);
    });

    it("refuses a function whose package was not written, naming it", () => {
        expect(() => renderStack(gateway, OPTIONS)).to.throw(RenderError, /aws:lambda\/function:Function .*\.code: an archive with no package written for it/);
    });
});
