import { expect } from "chai";
import { WAF_LOG_GROUP_PREFIX, wafLogDeliveryPolicy } from "../infra/edge";
import { logEncryptionKeyPolicy } from "../infra/log-encryption";
import { MOCK_ACCOUNT_ID, ProgramRun, RecordedResource } from "../tools/mock-runtime";
import { byName, dependencyNames, resourcesOfType, runStack, theOne, parsedConfigOf } from "./support";

const logGroupsOf = (run: ProgramRun) => resourcesOfType(run, "aws:cloudwatch/logGroup:LogGroup");
const keysOf = (run: ProgramRun) => resourcesOfType(run, "aws:kms/key:Key");

/** The log encryption key of a run and the ARN its log groups must name. */
function logKeyOf(run: ProgramRun, name: string): { key: RecordedResource; policy: Record<string, unknown> } {
    const key = byName(run, `${name}-logs-key`);
    const policy = JSON.parse(byName(run, `${name}-logs-key-policy`).inputs.policy as string) as Record<string, unknown>;
    return { key, policy };
}

describe("encryptLogs", () => {
    for (const [stack, name, extra] of [
        ["dev", "hello-gateway-dev", { wafEnabled: "true" }],
        ["dev-origin", "hello-dev", { flowLogsEnabled: "true" }],
    ] as const) {
        describe(`${stack}`, () => {
            let on: ProgramRun;
            let off: ProgramRun;
            before(async () => {
                on = await runStack(stack, { overrides: { ...extra, encryptLogs: "true" } });
                off = await runStack(stack, { overrides: { ...extra, encryptLogs: "false" } });
            });

            it("on: every log group the stack creates uses the stack's customer-managed key", () => {
                const { key } = logKeyOf(on, name);
                expect(key.inputs.enableKeyRotation).to.equal(true);
                expect(key.retainOnDelete, "kept with the log groups that outlive the stack").to.equal(true);
                const groups = logGroupsOf(on);
                expect(groups).to.have.length.greaterThan(0);
                for (const group of groups) {
                    expect(group.inputs.kmsKeyId, group.name).to.equal(key.state.arn);
                }
            });

            it("on: the key policy lets CloudWatch Logs use it only for this account's log groups in this region", () => {
                const region = parsedConfigOf(stack).region;
                expect(logKeyOf(on, name).policy).to.deep.equal(logEncryptionKeyPolicy(MOCK_ACCOUNT_ID, region));
                const logs = (logEncryptionKeyPolicy(MOCK_ACCOUNT_ID, region).Statement as Array<Record<string, unknown>>)[1];
                expect(logs.Principal).to.deep.equal({ Service: `logs.${region}.amazonaws.com` });
                expect(logs.Condition).to.deep.equal({
                    ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${MOCK_ACCOUNT_ID}:log-group:*` },
                });
            });

            it("off: no key, and no log group names one", () => {
                expect(keysOf(off).filter((key) => key.name.endsWith("-logs-key"))).to.have.length(0);
                for (const group of logGroupsOf(off)) {
                    expect(group.inputs.kmsKeyId, group.name).to.equal(undefined);
                }
            });
        });
    }
});

describe("flowLogsEnabled (origin)", () => {
    it("on: VPC flow logs of all traffic to a log group with the stack's retention, delivered by a role only this account's flow logs may assume", async () => {
        const run = await runStack("dev-origin", { overrides: { flowLogsEnabled: "true", logRetentionDays: "14" } });
        const flowLog = theOne(run, "aws:ec2/flowLog:FlowLog");
        const group = byName(run, "hello-dev-flow-logs");
        const role = byName(run, "hello-dev-flow-logs-role");
        expect(flowLog.inputs).to.include({
            vpcId: run.outputs.vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.state.arn,
            iamRoleArn: role.state.arn,
        });
        expect(group.inputs.retentionInDays).to.equal(14);
        expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).to.deep.equal([
            {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } },
            },
        ]);
        const delivery = JSON.parse(byName(run, "hello-dev-flow-logs-delivery").inputs.policy as string).Statement[0];
        expect(delivery.Resource).to.deep.equal([group.state.arn, `${group.state.arn}:*`]);
        expect(dependencyNames(run, flowLog)).to.include("hello-dev-flow-logs-delivery");
    });

    it("off: no flow log, no log group, no role", async () => {
        const run = await runStack("dev-origin", { overrides: { flowLogsEnabled: "false" } });
        for (const type of ["aws:ec2/flowLog:FlowLog", "aws:cloudwatch/logGroup:LogGroup", "aws:iam/role:Role"]) {
            expect(resourcesOfType(run, type), type).to.have.length(0);
        }
    });
});

describe("WAF logs (wafEnabled)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("dev", { overrides: { wafEnabled: "true" } });
    });

    it("go to a log group named as WAF requires, with the stack's retention", () => {
        const group = byName(run, "hello-gateway-dev-waf-logs");
        expect(group.inputs.name).to.equal(`${WAF_LOG_GROUP_PREFIX}hello-gateway-dev`).and.to.match(/^aws-waf-logs-/);
        expect(group.inputs.retentionInDays).to.equal(parsedConfigOf("dev").logRetentionDays);
    });

    it("log the web ACL with the authorization header (and the API key header) redacted", () => {
        const logging = theOne(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration");
        expect(logging.inputs.resourceArn).to.equal(theOne(run, "aws:wafv2/webAcl:WebAcl").state.arn);
        expect(logging.inputs.logDestinationConfigs).to.deep.equal([byName(run, "hello-gateway-dev-waf-logs").state.arn]);
        expect(logging.inputs.redactedFields).to.deep.include({ singleHeader: { name: "authorization" } });
        expect(logging.inputs.redactedFields).to.deep.include({ singleHeader: { name: "x-api-key" } });
    });

    it("are delivered through a resource policy of their own, for this account only, in place before logging starts", () => {
        const group = byName(run, "hello-gateway-dev-waf-logs");
        const policy = byName(run, "hello-gateway-dev-waf-logs-delivery");
        expect(JSON.parse(policy.inputs.policyDocument as string)).to.deep.equal(wafLogDeliveryPolicy(group.state.arn as string));
        const statement = (wafLogDeliveryPolicy(group.state.arn as string).Statement as Array<Record<string, unknown>>)[0];
        expect(statement.Condition).to.deep.include({ StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } });
        expect(dependencyNames(run, theOne(run, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"))).to.include(policy.name);
    });

    it("are off with the WAF", async () => {
        const off = await runStack("dev", { overrides: { wafEnabled: "false" } });
        expect(resourcesOfType(off, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")).to.have.length(0);
        expect(logGroupsOf(off).map((group) => group.name)).not.to.include("hello-gateway-dev-waf-logs");
    });
});
