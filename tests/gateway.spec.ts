import { expect } from "chai";
import { ProgramRun } from "../tools/mock-runtime";
import { COMMITTED_ROOT, byName, dependencyNames, originOutputsFor, privateOriginOutputsFor, publicOriginOutputs, publicOriginOutputsFor, resourcesOfType, runStack, theOne } from "./support";
import { describeGatewayStacks } from "./suites/gateway-stacks";

describeGatewayStacks(COMMITTED_ROOT, "as its stack file says");

const triggerOf = (run: ProgramRun) => (theOne(run, "aws:apigateway/deployment:Deployment").inputs.triggers as Record<string, string>).routes;

describe("gateway stack variations", () => {
    it("a different origin URL gives a different deployment trigger, and new integration URIs", async () => {
        const first = await runStack("dev");
        const moved = await runStack("dev", {
            stackOutputs: { "organization/hello-gateway/dev-origin": { ...originOutputsFor("dev"), originUrl: "https://ec2-192-0-2-44.compute-1.amazonaws.com/" } },
        });
        expect(triggerOf(moved)).not.to.equal(triggerOf(first));
        for (const integration of resourcesOfType(moved, "aws:apigateway/integration:Integration")) {
            expect(integration.inputs.uri).to.equal("https://ec2-192-0-2-44.compute-1.amazonaws.com/");
        }
    });

    // Each of these changes what a deployment serves, so each must give a new deployment.
    const REDEPLOYING_CHANGES: Array<[string, Record<string, string>]> = [
        ["integration timeout", { integrationTimeoutMs: "2000" }],
        ["authorization (iam)", { authMode: "iam", originMode: "private" }],
        ["required query parameter", { requiredQueryParameters: '["lang"]' }],
        ["required header", { requiredHeaders: '["X-Request-Id"]' }],
        ["cache keys", { requiredQueryParameters: '["lang"]', cacheEnabled: "true" }],
        ["execute-api endpoint disabled by a custom domain", { customDomainName: "api.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }],
    ];
    for (const [change, overrides] of REDEPLOYING_CHANGES) {
        it(`a change of ${change} gives a different deployment trigger`, async () => {
            const base = await runStack("dev", overrides.originMode ? { overrides: { originMode: "private" }, stackOutputs: { "organization/hello-gateway/dev-origin": privateOriginOutputsFor("dev") } } : {});
            const changed = await runStack("dev", {
                overrides,
                ...(overrides.originMode ? { stackOutputs: { "organization/hello-gateway/dev-origin": privateOriginOutputsFor("dev") } } : {}),
            });
            expect(triggerOf(changed)).to.match(/^[0-9a-f]{64}$/);
            expect(triggerOf(changed)).not.to.equal(triggerOf(base));
        });
    }

    it("the same configuration gives the same trigger, and stage-only settings (throttling, logging) do not redeploy", async () => {
        const again = await runStack("dev", { overrides: { stageName: "prod" } });
        const restaged = await runStack("dev", { overrides: { throttleRateLimit: "99", loggingLevel: "ERROR", logRetentionDays: "30" } });
        const committed = await runStack("dev");
        expect(triggerOf(again)).to.equal(triggerOf(committed));
        expect(triggerOf(restaged)).to.equal(triggerOf(committed));
    });

    it("reads an explicitly configured origin stack", async () => {
        // In dev's own region (its stack file's), as the stage's client certificate requires.
        const sharedOrigin = publicOriginOutputs("shared", String(publicOriginOutputsFor("dev").region));
        const run = await runStack("dev", {
            // Its own origin in another organization (a stack of another org is not this environment's default).
            overrides: { originStack: "team/hello-gateway/dev-origin" },
            stackOutputs: { "team/hello-gateway/dev-origin": sharedOrigin },
        });
        expect(theOne(run, "pulumi:pulumi:StackReference").inputs.name).to.equal("team/hello-gateway/dev-origin");
        expect(run.outputs.originUrl).to.equal(sharedOrigin.originUrl);
    });

    it("leaves the account setting alone when manageAccountLogRole is false", async () => {
        const run = await runStack("prod", { overrides: { manageAccountLogRole: "false" } });
        for (const type of ["aws:iam/role:Role", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:apigateway/account:Account"]) {
            expect(resourcesOfType(run, type), type).to.have.length(0);
        }
        expect(run.resources.filter((r) => r.retainOnDelete && r.name.startsWith("apigateway-cloudwatch"))).to.have.length(0);
        expect(dependencyNames(run, theOne(run, "aws:apigateway/stage:Stage"))).to.deep.equal(
            dependencyNames(run, theOne(run, "aws:apigateway/stage:Stage")).filter((name) => !name.startsWith("apigateway-cloudwatch")),
        );
    });

    it("serves a custom stage name in the invoke URL and the execution log group", async () => {
        const run = await runStack("dev", { overrides: { stageName: "v1" } });
        expect(run.outputs.invokeUrl).to.match(/\/v1\/hello$/);
        expect(byName(run, "hello-gateway-dev-execution-logs").inputs.name).to.equal(`API-Gateway-Execution-Logs_${run.outputs.restApiId}/v1`);
    });
});
