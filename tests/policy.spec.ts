import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { AnalyzeRequest, AnalyzeResponse, AnalyzerResourceOptions } from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { EnforcementLevel } from "@pulumi/policy";
import { ADVISORY_ENVIRONMENTS, enforcementLevelFor, environmentOf, stackFromEnvironment } from "../policy/enforcement";
import { Finding, evaluatePolicies } from "../policy/evaluate";
import { HIGH_RISK_PORTS, POLICIES, ec2NoHighRiskPortsFromAnywhere } from "../policy/rules";
import { isSecretAt, trackWireSecrets } from "../policy/secrets";
import { ProgramRun, RecordedResource, SECRET_SIG, SECRET_SIG_VALUE } from "../tools/mock-runtime";
import { REPO_ROOT } from "../tools/stack-files";
import { parsedConfigOf, runStack, unwrapSecrets } from "./support";

const POLICY_DIR = path.join(REPO_ROOT, "policy");
const STACKS = ["dev-origin", "dev", "prod-origin", "prod", "onprem"] as const;
type Stack = (typeof STACKS)[number];

/**
 * What a stack may still be told, as [policy, resource name], derived from its own stack file:
 * each hardening switch it leaves off is one finding (X-Ray and WAF on the stage, flow logs on
 * the VPC, a customer-managed key on every log group). prod's committed files turn them all on;
 * dev leaves them off to save their cost, so the pack reports them there, as advisories.
 */
function expectedFindings(stack: string, run: ProgramRun): Array<[policy: string, resource: string]> {
    const config = parsedConfigOf(stack);
    const named = (type: string) => run.resources.filter((resource) => resource.type === type).map((resource) => resource.name);
    const findings: Array<[string, string]> = [];
    if (config.layer === "gateway") {
        for (const stage of named("aws:apigateway/stage:Stage")) {
            if (!config.tracingEnabled) findings.push(["apigateway-xray-tracing", stage]);
            if (!config.waf.enabled) findings.push(["apigateway-waf-association", stage]);
        }
    } else if (!config.flowLogsEnabled) {
        findings.push(...named("awsx:ec2:Vpc").map((vpc): [string, string] => ["ec2-vpc-flow-logs", vpc]));
    }
    if (!config.encryptLogs) {
        findings.push(...named("aws:cloudwatch/logGroup:LogGroup").map((group): [string, string] => ["cloudwatch-log-group-kms", group]));
    }
    return findings;
}

function resourceNameOf(urn: string | undefined): string {
    return urn?.split("::").pop() ?? "(stack)";
}

function summary(findings: readonly Finding[]): Array<[string, string]> {
    return findings.map((finding) => [finding.policyName, resourceNameOf(finding.urn)]);
}

// ---------------------------------------------------------------------------------------------
// Fixtures: a recorded good resource with one property changed.

type Path = readonly (string | number)[];

function setAt(target: Record<string, unknown>, where: Path, value: unknown): void {
    let current: Record<string | number, unknown> = target;
    where.slice(0, -1).forEach((key, index) => {
        const next = current[key];
        if (typeof next !== "object" || next === null) {
            current[key] = typeof where[index + 1] === "number" ? [] : {};
        }
        current = current[key] as Record<string | number, unknown>;
    });
    const last = where[where.length - 1];
    if (value === undefined) {
        delete current[last];
    } else {
        current[last] = value;
    }
}

/** A copy of `resource` whose input (and state) at `where` is `value`; undefined removes it. */
function changed(resource: RecordedResource, where: Path, value: unknown): RecordedResource {
    const inputs = structuredClone(resource.inputs);
    const state = structuredClone(resource.state);
    setAt(inputs, where, value);
    setAt(state, where, value);
    // A literal written over the property no longer comes from any other resource.
    const propertyDependencies = { ...resource.propertyDependencies, [String(where[0])]: [] };
    return { ...resource, inputs, state, propertyDependencies };
}

/** A standalone resource of another type built from a recorded one's values. */
function retyped(resource: RecordedResource, type: string, inputs: Record<string, unknown>): RecordedResource {
    const name = `${resource.name}-rule`;
    return { ...resource, type, name, urn: `${resource.urn.split("::").slice(0, -2).join("::")}::${type}::${name}`, inputs, state: inputs };
}

function replaced(resources: readonly RecordedResource[], original: RecordedResource, replacement: RecordedResource): RecordedResource[] {
    return resources.map((resource) => (resource === original ? replacement : resource));
}

const runs = new Map<Stack, ProgramRun>();
const findingsOf = new Map<Stack, Finding[]>();

/**
 * In group mode prod-origin has two security groups: the builder's (SSH and HTTPS, which these
 * fixtures break) and the fleet's (HTTPS from the VPC only); `only` means the builder's.
 */
const SAME_TYPE_CHOICE: Readonly<Record<string, (resource: RecordedResource) => boolean>> = {
    "aws:ec2/securityGroup:SecurityGroup": (resource) => resource.name.endsWith("-origin-sg"),
};

function only(stack: Stack, type: string): RecordedResource {
    const choose = SAME_TYPE_CHOICE[type] ?? (() => true);
    const found = runs.get(stack)!.resources.filter((resource) => resource.type === type && choose(resource));
    if (found.length !== 1) {
        throw new Error(`expected one ${type} in ${stack}, found ${found.length}`);
    }
    return found[0];
}

interface BreakingCase {
    readonly policy: string;
    readonly control: string;
    readonly breaks: string;
    /** The resources to evaluate: the stack's, or a single resource, with the fixture in place. */
    readonly resources: () => readonly RecordedResource[];
}

/** One property changed on a prod resource; the resource alone is evaluated (resource rules). */
function breakingChange(policy: string, control: string, type: string, where: Path, value: unknown, stack: Stack = "prod", shownValue?: string): BreakingCase {
    return {
        policy,
        control,
        breaks: `${type} ${where.join(".")} = ${shownValue ?? JSON.stringify(value) ?? "unset"}`,
        resources: () => [changed(only(stack, type), where, value)],
    };
}

/**
 * prod-origin as a group (min 2, max 3) whatever its stack file sizes it at: the launch template
 * and the Auto Scaling group the fleet rules look at.
 */
const GROUP_OVERRIDES = { originMode: "private", minInstances: "2", maxInstances: "3" };
let groupRun: ProgramRun | undefined;

function groupResource(type: string): RecordedResource {
    const found = groupRun!.resources.filter((resource) => resource.type === type);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} in the group run, found ${found.length}`);
    }
    return found[0];
}

/** One property changed on the group run's resource of `type`; that resource alone is evaluated. */
function groupChange(policy: string, control: string, type: string, where: Path, value: unknown): BreakingCase {
    return {
        policy,
        control,
        breaks: `${type} ${where.join(".")} = ${JSON.stringify(value) ?? "unset"} (prod-origin as a group)`,
        resources: () => [changed(groupResource(type), where, value)],
    };
}

const FLEET_RULES = ["ec2-launch-template-imdsv2", "ec2-launch-template-no-public-ip", "autoscaling-multiple-zones", "autoscaling-elb-health-checks"];

/** prod-origin is private: 443 and the VPC-link port (both from the NLB's group) come before SSH. */
const SSH_INGRESS = 2;
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";

function sshIngressOf(stack: Stack): Record<string, unknown> {
    const group = only(stack, "aws:ec2/securityGroup:SecurityGroup");
    const rule = (group.inputs.ingress as Array<Record<string, unknown>>)[SSH_INGRESS];
    expect(rule.fromPort, "the SSH rule's position in the recorded ingress").to.equal(22);
    return rule;
}

const BREAKING_CASES: BreakingCase[] = [
    breakingChange("apigateway-execution-logging", "APIGateway.1", "aws:apigateway/methodSettings:MethodSettings", ["settings", "loggingLevel"], "OFF"),
    {
        policy: "apigateway-stage-method-settings",
        control: "APIGateway.1",
        breaks: "the stage's only MethodSettings moved from */* to one method",
        resources: () => {
            const settings = only("prod", "aws:apigateway/methodSettings:MethodSettings");
            return replaced(runs.get("prod")!.resources, settings, changed(settings, ["methodPath"], "hello/GET"));
        },
    },
    breakingChange("apigateway-xray-tracing", "APIGateway.3", "aws:apigateway/stage:Stage", ["xrayTracingEnabled"], false),
    breakingChange("apigateway-stage-client-certificate", "APIGateway.2", "aws:apigateway/stage:Stage", ["clientCertificateId"], undefined),
    {
        policy: "apigateway-waf-association",
        control: "APIGateway.4",
        breaks: "the web ACL association's resourceArn names another stage",
        resources: () => {
            const association = only("prod", "aws:wafv2/webAclAssociation:WebAclAssociation");
            const otherStage = "arn:aws:apigateway:us-east-1::/restapis/0123456789/stages/other";
            return replaced(runs.get("prod")!.resources, association, changed(association, ["resourceArn"], otherStage));
        },
    },
    breakingChange("apigateway-cache-encrypted", "APIGateway.5", "aws:apigateway/methodSettings:MethodSettings", ["settings", "cachingEnabled"], true),
    breakingChange("apigateway-access-logging", "Baseline.AccessLogs", "aws:apigateway/stage:Stage", ["accessLogSettings", "destinationArn"], undefined),
    breakingChange("apigateway-throttling", "Baseline.Throttling", "aws:apigateway/methodSettings:MethodSettings", ["settings", "throttlingBurstLimit"], -1),
    breakingChange("apigateway-data-trace-off", "Baseline.DataTrace", "aws:apigateway/methodSettings:MethodSettings", ["settings", "dataTraceEnabled"], true),
    {
        policy: "cloudwatch-log-retention",
        control: "Baseline.LogRetention",
        breaks: "the access log group's retentionInDays = 0 (never expire)",
        resources: () => [changed(runs.get("prod")!.resources.find((r) => r.name === "hello-gateway-prod-access-logs")!, ["retentionInDays"], 0)],
    },
    {
        policy: "ec2-instance-launch-template",
        control: "EC2.8",
        breaks: "the builder instance's metadataOptions left to a launch template outside the stack",
        resources: () => {
            const builder = only("prod-origin", "aws:ec2/instance:Instance");
            const fromTemplate = changed(changed(builder, ["metadataOptions"], undefined), ["launchTemplate"], { name: "shared-template" });
            return replaced(runs.get("prod-origin")!.resources, builder, fromTemplate);
        },
    },
    {
        policy: "apigateway-execution-log-group",
        control: "Baseline.LogRetention",
        breaks: "the stage's execution log group left out of the stack (API Gateway would create it without retention)",
        resources: () => runs.get("prod")!.resources.filter((r) => !String(r.inputs.name ?? "").startsWith("API-Gateway-Execution-Logs_")),
    },
    {
        policy: "cloudwatch-log-group-kms",
        control: "Baseline.LogEncryption",
        breaks: "the access log group's kmsKeyId removed",
        resources: () => [changed(runs.get("prod")!.resources.find((r) => r.name === "hello-gateway-prod-access-logs")!, ["kmsKeyId"], undefined)],
    },
    {
        policy: "ec2-vpc-flow-logs",
        control: "EC2.6",
        breaks: "the VPC's flow log removed",
        resources: () => runs.get("prod-origin")!.resources.filter((r) => r.type !== "aws:ec2/flowLog:FlowLog"),
    },
    {
        policy: "ec2-vpc-flow-logs",
        control: "EC2.6",
        breaks: "the flow log records another VPC",
        resources: () => {
            const flowLog = only("prod-origin", "aws:ec2/flowLog:FlowLog");
            return replaced(runs.get("prod-origin")!.resources, flowLog, { ...changed(flowLog, ["vpcId"], "vpc-0another"), dependencyUrns: [] });
        },
    },
    breakingChange("ec2-no-rdp-from-anywhere", "EC2.14", "aws:ec2/securityGroup:SecurityGroup", ["ingress", SSH_INGRESS], { protocol: "tcp", fromPort: 3389, toPort: 3389, cidrBlocks: ["0.0.0.0/0"], description: "RDP" }, "prod-origin", "tcp 3389 from 0.0.0.0/0"),
    breakingChange("ec2-no-high-risk-ports-from-anywhere", "EC2.19", "aws:ec2/securityGroup:SecurityGroup", ["ingress", SSH_INGRESS, "ipv6CidrBlocks"], ["::/0"], "prod-origin", "SSH from ::/0"),
    breakingChange("ec2-imdsv2-required", "EC2.8", "aws:ec2/instance:Instance", ["metadataOptions", "httpTokens"], "optional", "prod-origin"),
    breakingChange("ec2-ebs-encrypted", "EC2.3", "aws:ec2/instance:Instance", ["rootBlockDevice", "encrypted"], false, "prod-origin"),
    breakingChange("ec2-ebs-encrypted", "EC2.3", "aws:ec2/instance:Instance", ["ebsBlockDevices"], [{ deviceName: "/dev/sdf", volumeSize: 8 }], "prod-origin"),
    breakingChange("ec2-no-ssh-from-anywhere", "EC2.13", "aws:ec2/securityGroup:SecurityGroup", ["ingress", SSH_INGRESS, "cidrBlocks"], ["0.0.0.0/0"], "prod-origin"),
    breakingChange("ec2-no-ssh-from-anywhere", "EC2.13", "aws:ec2/securityGroup:SecurityGroup", ["ingress", SSH_INGRESS, "ipv6CidrBlocks"], ["::/0"], "prod-origin"),
    {
        policy: "ec2-no-ssh-from-anywhere",
        control: "EC2.13",
        breaks: "a vpc SecurityGroupIngressRule for ports 20-25 from 0.0.0.0/0",
        resources: () => {
            const group = only("prod-origin", "aws:ec2/securityGroup:SecurityGroup");
            const ssh = sshIngressOf("prod-origin");
            return [retyped(group, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { securityGroupId: "sg-1", ipProtocol: ssh.protocol, fromPort: 20, toPort: 25, cidrIpv4: "0.0.0.0/0" })];
        },
    },
    {
        policy: "ec2-no-ssh-from-anywhere",
        control: "EC2.13",
        breaks: 'an ingress SecurityGroupRule of protocol "-1" from ::/0',
        resources: () => {
            const group = only("prod-origin", "aws:ec2/securityGroup:SecurityGroup");
            return [retyped(group, "aws:ec2/securityGroupRule:SecurityGroupRule", { type: "ingress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] })];
        },
    },
    {
        policy: "ec2-security-group-rules-combined",
        control: "Baseline.Egress",
        breaks: "two egress SecurityGroupRules attached to the origin's group, TCP 0-32767 and 32768-65535 to 0.0.0.0/0",
        resources: () => {
            const group = only("prod-origin", "aws:ec2/securityGroup:SecurityGroup");
            const halves = [[0, 32767], [32768, 65535]].map(([fromPort, toPort], index): RecordedResource => {
                const rule = retyped(group, "aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", securityGroupId: "sg-unknown", protocol: "tcp", fromPort, toPort, cidrBlocks: ["0.0.0.0/0"] });
                return { ...rule, name: `${rule.name}-${index}`, urn: `${rule.urn}-${index}`, propertyDependencies: { securityGroupId: [group.urn] } };
            });
            return [group, ...halves];
        },
    },
    breakingChange("ec2-egress-restricted", "Baseline.Egress", "aws:ec2/securityGroup:SecurityGroup", ["egress", 0, "protocol"], "-1", "prod-origin"),
    {
        policy: "ec2-egress-restricted",
        control: "Baseline.Egress",
        breaks: "an egress SecurityGroupRule for all tcp ports to 0.0.0.0/0",
        resources: () => {
            const group = only("prod-origin", "aws:ec2/securityGroup:SecurityGroup");
            return [retyped(group, "aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", securityGroupId: "sg-1", protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] })];
        },
    },
    {
        policy: "ec2-egress-restricted",
        control: "Baseline.Egress",
        breaks: 'a vpc SecurityGroupEgressRule of protocol "-1" to ::/0',
        resources: () => {
            const group = only("prod-origin", "aws:ec2/securityGroup:SecurityGroup");
            return [retyped(group, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv6: "::/0" })];
        },
    },
    {
        policy: "no-plaintext-secrets",
        control: "Baseline.Secrets",
        breaks: "the provisioning command's connection (with its private key) passed in plain text",
        resources: () => {
            const command = runs.get("prod-origin")!.resources.find((r) => r.type === "command:remote:Command")!;
            return [changed(command, ["connection"], unwrapSecrets(command.inputs.connection))];
        },
    },
    groupChange("ec2-launch-template-imdsv2", "Baseline.LaunchTemplateImdsv2", "aws:ec2/launchTemplate:LaunchTemplate", ["metadataOptions", "httpTokens"], "optional"),
    groupChange("ec2-launch-template-imdsv2", "Baseline.LaunchTemplateImdsv2", "aws:ec2/launchTemplate:LaunchTemplate", ["metadataOptions", "httpPutResponseHopLimit"], 2),
    groupChange("ec2-launch-template-no-public-ip", "EC2.25", "aws:ec2/launchTemplate:LaunchTemplate", ["networkInterfaces", 0, "associatePublicIpAddress"], "true"),
    groupChange("ec2-launch-template-no-public-ip", "EC2.25", "aws:ec2/launchTemplate:LaunchTemplate", ["networkInterfaces"], undefined),
    {
        policy: "autoscaling-multiple-zones",
        control: "AutoScaling.2",
        breaks: "the group's vpcZoneIdentifiers cut to its first subnet (prod-origin as a group)",
        resources: () => {
            const group = groupResource("aws:autoscaling/group:Group");
            return [changed(group, ["vpcZoneIdentifiers"], (group.inputs.vpcZoneIdentifiers as string[]).slice(0, 1))];
        },
    },
    groupChange("autoscaling-elb-health-checks", "AutoScaling.1", "aws:autoscaling/group:Group", ["healthCheckType"], "EC2"),
    // Rules for resource types the committed stacks do not create yet (HTTP/WebSocket APIs,
    // Lambda, DynamoDB): one breaking resource each, beside the mutation table's shapes.
    ...([
        ["apigatewayv2-execution-logging", "APIGateway.1", "aws:apigatewayv2/stage:Stage", { apiId: "ws1", name: "prod", defaultRouteSettings: { loggingLevel: "OFF", throttlingRateLimit: 10, throttlingBurstLimit: 5 } }],
        ["lambda-permission-scoped", "Lambda.1", "aws:lambda/permission:Permission", { action: "lambda:InvokeFunction", function: "greet", principal: "apigateway.amazonaws.com" }],
        ["lambda-supported-runtime", "Lambda.2", "aws:lambda/function:Function", { name: "greet", runtime: "nodejs20.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/fn" }],
        ["lambda-log-group", "Baseline.LambdaLogGroup", "aws:lambda/function:Function", { name: "greet", runtime: "nodejs22.x", handler: "index.handler", role: "arn:aws:iam::123456789012:role/fn" }],
        ["dynamodb-point-in-time-recovery", "DynamoDB.2", "aws:dynamodb/table:Table", { name: "connections", hashKey: "id", serverSideEncryption: { enabled: true } }],
        ["dynamodb-encryption", "Baseline.DynamoDbEncryption", "aws:dynamodb/table:Table", { name: "connections", hashKey: "id", pointInTimeRecovery: { enabled: true } }],
    ] as const).map(([policy, control, type, inputs]): BreakingCase => ({
        policy,
        control,
        breaks: `a ${type} next to prod's stage: ${JSON.stringify(inputs)}`,
        resources: () => [only("prod", "aws:apigateway/stage:Stage"), retyped(only("prod", "aws:apigateway/stage:Stage"), type, { ...inputs })],
    })),
    // Private key material has no place in a public key input, secret or not.
    breakingChange("no-plaintext-secrets", "Baseline.Secrets", "aws:ec2/keyPair:KeyPair", ["publicKey"], { [SECRET_SIG]: SECRET_SIG_VALUE, value: PRIVATE_KEY }, "prod-origin", "an OpenSSH private key, even as a secret"),
];

describe("policy pack (policy/): the rules over the committed stacks", () => {
    before(async () => {
        for (const stack of STACKS) {
            const run = await runStack(stack);
            runs.set(stack, run);
            findingsOf.set(stack, await evaluatePolicies(run.resources, { stack }));
        }
        groupRun = await runStack("prod-origin", { overrides: GROUP_OVERRIDES });
    });

    it("prod-origin as a group passes every fleet rule: its launch template and group are compliant as built", async () => {
        expect(groupRun!.resources.some((resource) => resource.type === "aws:autoscaling/group:Group")).to.equal(true);
        const findings = await evaluatePolicies(groupRun!.resources, { stack: "prod-origin" });
        expect(summary(findings.filter((finding) => FLEET_RULES.includes(finding.policyName)))).to.deep.equal([]);
    });

    for (const stack of STACKS) {
        const level = enforcementLevelFor(stack);
        it(`${stack}: exactly the findings of the switches its stack file leaves off, ${level}`, () => {
            const findings = findingsOf.get(stack)!;
            const expected = expectedFindings(stack, runs.get(stack)!);
            expect(summary(findings)).to.have.deep.members(expected);
            expect(findings).to.have.length(expected.length);
            for (const finding of findings) {
                expect(finding.enforcementLevel, finding.message).to.equal(level);
            }
        });
    }

    it("every finding names its control first", () => {
        for (const finding of [...findingsOf.values()].flat()) {
            expect(finding.message, finding.policyName).to.match(/^\[[A-Za-z0-9.]+\]/);
        }
    });

    describe("each rule fails on a recorded resource with one property broken", () => {
        it("has a breaking case for every rule of the pack", () => {
            expect(new Set(BREAKING_CASES.map((breaking) => breaking.policy))).to.have.all.keys(POLICIES.map((policy) => policy.name));
        });

        for (const breaking of BREAKING_CASES) {
            it(`${breaking.policy} [${breaking.control}]: ${breaking.breaks}`, async () => {
                const findings = await evaluatePolicies(breaking.resources(), { stack: "prod" });
                const own = findings.filter((finding) => finding.policyName === breaking.policy);
                expect(own, `findings: ${JSON.stringify(summary(findings))}`).to.have.length.greaterThan(0);
                for (const finding of own) {
                    expect(finding.message).to.contain(breaking.control);
                    expect(finding.enforcementLevel).to.equal("mandatory");
                }
            });
        }

        it("apigateway-waf-association reports a stage that no association targets (dev registers none)", () => {
            const dev = runs.get("dev")!;
            expect(dev.resources.some((resource) => resource.type === "aws:wafv2/webAclAssociation:WebAclAssociation")).to.equal(false);
            const stage = only("dev", "aws:apigateway/stage:Stage");
            const waf = findingsOf.get("dev")!.find((finding) => finding.policyName === "apigateway-waf-association");
            expect(waf?.urn).to.equal(stage.urn);
        });

        it("ec2-vpc-flow-logs reports the VPC of a stack without flow logs (dev-origin registers none)", () => {
            const dev = runs.get("dev-origin")!;
            expect(dev.resources.some((resource) => resource.type === "aws:ec2/flowLog:FlowLog")).to.equal(false);
            const finding = findingsOf.get("dev-origin")!.find((f) => f.policyName === "ec2-vpc-flow-logs");
            expect(finding?.urn).to.equal(only("dev-origin", "awsx:ec2:Vpc").urn);
            expect(finding?.message).to.match(/^\[EC2\.6\]/);
        });

        it("ec2-no-ssh-from-anywhere leaves port 80 from anywhere and SSH from a narrow range alone", async () => {
            const group = only("prod-origin", "aws:ec2/securityGroup:SecurityGroup");
            const http = { ...sshIngressOf("prod-origin"), fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] };
            const findings = await evaluatePolicies([changed(group, ["ingress", 0], http)], { stack: "prod" });
            expect(summary(findings)).to.deep.equal([]);
        });
    });
});

describe("policy pack: EC2.19, each high-risk port opened to the internet", () => {
    let group: RecordedResource;
    before(async () => {
        group = (await runStack("prod-origin")).resources.find((resource) => resource.type === "aws:ec2/securityGroup:SecurityGroup")!;
    });

    it("lists the control's 24 ports, SSH and RDP among them", () => {
        expect(HIGH_RISK_PORTS).to.have.length(24);
        expect(HIGH_RISK_PORTS).to.include.members([22, 3389]);
        expect(new Set(HIGH_RISK_PORTS).size).to.equal(HIGH_RISK_PORTS.length);
    });

    for (const port of HIGH_RISK_PORTS) {
        for (const [family, cidrs] of [["cidrBlocks", ["0.0.0.0/0"]], ["ipv6CidrBlocks", ["::/0"]]] as const) {
            it(`tcp ${port} from ${cidrs[0]}: an EC2.19 finding naming the port`, async () => {
                const rule = { protocol: "tcp", fromPort: port, toPort: port, [family]: [...cidrs], description: `port ${port}` };
                const findings = await evaluatePolicies([changed(group, ["ingress", 0], rule)], { stack: "prod", policies: [ec2NoHighRiskPortsFromAnywhere] });
                expect(findings.map((finding) => finding.message)).to.have.length(1);
                expect(findings[0].message).to.match(/^\[EC2\.19\]/).and.to.contain(`port ${port})`);
                expect(findings[0].enforcementLevel).to.equal("mandatory");
            });
        }
    }

    it("a range that covers a high-risk port is reported too; the origin's own 443 is not", async () => {
        const range = { protocol: "tcp", fromPort: 5400, toPort: 5600, cidrBlocks: ["0.0.0.0/0"], description: "range" };
        const rangeFindings = await evaluatePolicies([changed(group, ["ingress", 0], range)], { stack: "prod", policies: [ec2NoHighRiskPortsFromAnywhere] });
        expect(rangeFindings.map((finding) => finding.message).join()).to.contain("ports 5432, 5500");
        const https = { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "https" };
        expect(await evaluatePolicies([changed(group, ["ingress", 0], https)], { stack: "prod", policies: [ec2NoHighRiskPortsFromAnywhere] })).to.deep.equal([]);
    });
});

describe("policy pack: docs/security.md lists exactly the rules the pack has", () => {
    it("one row per rule, naming the rule's controls, and no row for a rule the pack lacks", () => {
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "security.md"), "utf8");
        const table = doc.slice(doc.indexOf("<!-- rules:start -->"), doc.indexOf("<!-- rules:end -->"));
        const rows = [...table.matchAll(/^\| `([a-z0-9-]+)` \| ([^|]+) \|/gm)].map(([, name, controls]) => [name, controls.trim()]);
        expect(rows.map(([name]) => name)).to.have.members(POLICIES.map((policy) => policy.name));
        expect(rows).to.have.length(POLICIES.length);
        for (const [name, controls] of rows) {
            const description = POLICIES.find((policy) => policy.name === name)!.description;
            for (const control of controls.split(",").map((id) => id.trim())) {
                expect(description, `${name} enforces ${control}`).to.contain(control);
            }
        }
    });
});

describe("policy pack: enforcement per stack", () => {
    it("is mandatory for prod and prod-origin, advisory for dev and dev-origin, mandatory for any other or unnamed stack", () => {
        expect(["prod", "prod-origin", "organization/hello-gateway/prod"].map(enforcementLevelFor)).to.deep.equal(["mandatory", "mandatory", "mandatory"]);
        expect(["dev", "dev-origin", "organization/hello-gateway/dev-origin"].map(enforcementLevelFor)).to.deep.equal(["advisory", "advisory", "advisory"]);
        expect([undefined, "", "staging", "devtest"].map(enforcementLevelFor)).to.deep.equal(["mandatory", "mandatory", "mandatory", "mandatory"]);
        expect(environmentOf("organization/hello-gateway/prod-origin")).to.equal("prod");
    });

    it("reads the stack the CLI passes the pack in PULUMI_STACK (or PULUMI_NODEJS_STACK)", () => {
        expect(stackFromEnvironment({ PULUMI_STACK: "prod", PULUMI_NODEJS_STACK: "dev" })).to.equal("prod");
        expect(stackFromEnvironment({ PULUMI_NODEJS_STACK: "dev-origin" })).to.equal("dev-origin");
        expect(stackFromEnvironment({})).to.equal(undefined);
    });

    it("ships a --policy-pack-config file per environment that agrees with the pack's own choice", () => {
        for (const environment of ["dev", "prod", "onprem", "chat"]) {
            const file = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "config", `${environment}.json`), "utf8")) as { all: EnforcementLevel };
            expect(file, `policy/config/${environment}.json`).to.deep.equal({ all: enforcementLevelFor(environment) });
        }
        expect(ADVISORY_ENVIRONMENTS).to.deep.equal(["dev"]);
    });

    it("leaves the level to the pack: no rule sets its own (it would override the per-stack level)", () => {
        for (const policy of POLICIES) {
            expect(policy.enforcementLevel, policy.name).to.equal(undefined);
        }
    });
});

/** @pulumi/policy's own handler for the engine's Analyze call (internal, not in its typings). */
type AnalyzeHandler = (call: { request: AnalyzeRequest }, callback: (error: unknown, response?: AnalyzeResponse) => void) => void;

function analyzeThroughPolicySdk(handler: AnalyzeHandler, type: string, props: Record<string, unknown>): Promise<Array<{ policy: string; message: string; mandatory: boolean }>> {
    const request = new AnalyzeRequest();
    request.setType(type);
    request.setName("fixture");
    request.setUrn(`urn:pulumi:prod::hello-gateway::${type}::fixture`);
    request.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
    request.setOptions(new AnalyzerResourceOptions());
    return new Promise((resolve, reject) => {
        handler({ request }, (error, response) => {
            if (error || !response) {
                reject(error ?? new Error("no response"));
                return;
            }
            resolve(response.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), message: d.getMessage(), mandatory: d.getEnforcementlevel() === 1 })));
        });
    });
}

describe("policy pack: secrets as the engine sends them", () => {
    // The envelope the engine keeps on secret properties when it calls a policy pack.
    const secret = (value: unknown) => ({ [SECRET_SIG]: SECRET_SIG_VALUE, value });
    const connection = { host: "203.0.113.10", user: "ec2-user", privateKey: PRIVATE_KEY };
    let analyze: AnalyzeHandler;
    before(() => {
        trackWireSecrets();
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const server = require("@pulumi/policy/server") as { makeAnalyzeRpcFun: (name: string, version: string, level: EnforcementLevel, policies: unknown) => AnalyzeHandler };
        analyze = server.makeAnalyzeRpcFun("hello-gateway", "0.1.0", "mandatory", [...POLICIES]);
    });

    it("passes a command whose connection arrives as a secret, through @pulumi/policy's own Analyze handler", async () => {
        expect(await analyzeThroughPolicySdk(analyze, "command:remote:Command", { connection: secret(connection), create: "true" })).to.deep.equal([]);
    });

    it("reports (mandatory, Baseline.Secrets) a command whose private key arrives in plain text", async () => {
        const diagnostics = await analyzeThroughPolicySdk(analyze, "command:remote:Command", { connection, create: "true" });
        expect(diagnostics.map((d) => d.policy)).to.deep.equal(["no-plaintext-secrets"]);
        expect(diagnostics[0].message).to.contain("[Baseline.Secrets]").and.to.contain("connection.privateKey");
        expect(diagnostics[0].mandatory).to.equal(true);
    });

    it("refuses to guess when nothing recorded which props were secret", () => {
        expect(() => isSecretAt({ connection }, ["connection", "privateKey"])).to.throw(/no secret information/);
    });
});

describe("policy pack: files the Pulumi CLI loads", () => {
    it("PulumiPolicy.yaml says nodejs; package.json has the version PolicyPack reads, main index.ts and no dependencies of its own", () => {
        const project = yaml.load(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8")) as { runtime: string };
        expect(project.runtime).to.equal("nodejs");
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as Record<string, unknown>;
        expect(pkg.version).to.be.a("string").and.not.equal("");
        expect(pkg.main).to.equal("index.ts");
        expect(pkg).not.to.have.any.keys("dependencies", "devDependencies");
        // The pack resolves these from the repository root's node_modules.
        const root = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
        expect({ ...root.dependencies, ...root.devDependencies }).to.include.keys("@pulumi/policy", "@pulumi/aws", "@pulumi/pulumi", "typescript", "ts-node");
    });

    it("policy/tsconfig.json restates commonjs, which the CLI's ts-node would otherwise replace with nodenext", () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
        expect(tsconfig.compilerOptions).to.include({ module: "commonjs", moduleResolution: "node", strict: true });
    });
});
