import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INTEGRATION_TIMEOUT_MS, MAX_FLEET_INSTANCES, OriginConfig, SCALE_OUT_CPU_PERCENT, isGroupMode, parseConfig } from "../infra/config";
import { GROUP_AT_MAX_MINUTES, OriginMonitoring } from "../infra/monitoring";
import { HEALTH_CHECK_GRACE_SECONDS, IMAGE_BOOT_SECONDS, checkFleet } from "../infra/fleet";
import { sha256 } from "../infra/hash";
import { VPC_LINK_HTTP_PORT } from "../infra/httpd-vpc-link";
import { MOCK_ORGANIZATION, ProgramRun, RecordedResource, resourcesRegisteredBefore } from "../tools/mock-runtime";
import { REPO_ROOT, committedStacks } from "../tools/stack-files";
import {
    COMMITTED_ROOT,
    PROJECT,
    SINGLE_INSTANCE,
    byName,
    dependencyNames,
    parentName,
    rawConfigOfStack,
    resourcesOfType,
    runStack,
    theOne,
    unwrapSecrets,
} from "./support";

// Group mode (maxInstances above 1): builder -> image -> launch template -> Auto Scaling group,
// over prod-origin as its file says (or, if a user made it single, turned into a group by
// overrides) and over a fixture stack owned by these tests. Every expectation comes from the
// configuration under test, parsed as the program parses it.

const GROUP_TYPES = [
    "aws:ec2/amiFromInstance:AmiFromInstance",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:autoscaling/group:Group",
    "aws:autoscaling/policy:Policy",
    "aws:ec2transitgateway/instanceState:InstanceState",
];

/** A project root holding Pulumi.yaml and the fixture stack file `fleet-origin`. */
function fixtureRoot(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-fixture-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    fs.copyFileSync(path.join(__dirname, "fixtures", "fleet", "Pulumi.fleet-origin.yaml"), path.join(root, "Pulumi.fleet-origin.yaml"));
    return root;
}

function originConfig(stack: string, root: string, overrides: Record<string, string>): OriginConfig {
    const config = parseConfig(rawConfigOfStack(stack, overrides, root), { project: PROJECT, stack, organization: MOCK_ORGANIZATION });
    if (config.layer !== "origin") throw new Error(`${stack} is not an origin stack`);
    return config;
}

/** The builder's `aws.ec2.Instance` (group mode has exactly one instance resource). */
function builderOf(run: ProgramRun): RecordedResource {
    return theOne(run, "aws:ec2/instance:Instance");
}

function describeGroupMode(stack: string, rootOf: () => string, overridesFor: (root: string) => Record<string, string>, label: string): void {
    describe(`group mode: ${stack} (${label})`, () => {
        let root: string;
        let overrides: Record<string, string>;
        let config: OriginConfig;
        let env: string;
        let run: ProgramRun;
        let image: RecordedResource;
        let template: RecordedResource;
        let group: RecordedResource;
        let targetGroup: RecordedResource;
        before(async () => {
            root = rootOf();
            overrides = overridesFor(root);
            config = originConfig(stack, root, overrides);
            expect(isGroupMode(config.fleet), "the run under test is a group").to.equal(true);
            env = config.environment;
            run = await runStack(stack, { root, overrides });
            image = theOne(run, "aws:ec2/amiFromInstance:AmiFromInstance");
            template = theOne(run, "aws:ec2/launchTemplate:LaunchTemplate");
            group = theOne(run, "aws:autoscaling/group:Group");
            targetGroup = resourcesOfType(run, "aws:lb/targetGroup:TargetGroup").find((resource) => resource.inputs.port === 443)!;
        });

        it("provisions the builder over SSH with the same commands and triggers as the single instance", () => {
            const builder = builderOf(run);
            expect(builder.inputs.instanceType).to.equal(config.instanceType);
            const install = byName(run, `hello-${env}-install-httpd`);
            const script = unwrapSecrets(install.inputs.create) as string;
            expect(script).to.contain(config.helloMessage).and.to.contain("SSLVerifyClient require");
            expect(install.inputs.triggers).to.deep.equal([builder.id, sha256(script)]);
            expect(dependencyNames(run, install)).to.include(`hello-${env}-wait-for-ssh`);
        });

        it("takes the image from the builder only once it is provisioned, tagged, from an encrypted root volume", () => {
            const builder = builderOf(run);
            expect(image.inputs.sourceInstanceId).to.equal(builder.id);
            expect(dependencyNames(run, image)).to.include(`hello-${env}-install-httpd`);
            expect(image.inputs.tags).to.include({ Project: PROJECT, Environment: env, Stack: stack });
            // The snapshot is of this volume, so it is encrypted as the volume is.
            expect(builder.inputs.rootBlockDevice).to.include({ encrypted: true });
            expect(image.inputs).not.to.have.property("snapshotWithoutReboot");
        });

        it("replaces the builder whenever the provisioning script changes, so a stopped builder is never provisioned", async () => {
            const builder = builderOf(run);
            const script = unwrapSecrets(byName(run, `hello-${env}-install-httpd`).inputs.create) as string;
            expect(builder.replacementTrigger).to.equal(sha256(script));
            const changed = await runStack(stack, { root, overrides: { ...overrides, helloMessage: `${config.helloMessage} (changed)` } });
            expect(builderOf(changed).replacementTrigger).to.be.a("string").and.not.equal(builder.replacementTrigger);
        });

        it("stops the builder after its image is taken and the group exists", () => {
            const stopped = theOne(run, "aws:ec2transitgateway/instanceState:InstanceState");
            expect(stopped.inputs).to.deep.equal({ instanceId: builderOf(run).id, state: "stopped" });
            expect(dependencyNames(run, stopped)).to.include(image.name).and.to.include(group.name);
        });

        it("boots the image from a launch template: IMDSv2 with hop limit 1, encrypted gp3 root, no public IP, no SSH key, the fleet's security group", () => {
            const fleetGroup = byName(run, `hello-${env}-fleet-sg`);
            expect(template.inputs.imageId).to.equal(image.id);
            expect(template.inputs.instanceType).to.equal(config.instanceType);
            expect(template.inputs.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
            const [root] = template.inputs.blockDeviceMappings as Array<{ deviceName: string; ebs: Record<string, unknown> }>;
            expect(root.deviceName).to.equal(image.state.rootDeviceName);
            expect(root.ebs).to.include({ volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" });
            expect(template.inputs.networkInterfaces).to.deep.equal([
                { deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [fleetGroup.id], deleteOnTermination: "true" },
            ]);
            expect(template.inputs).not.to.have.property("keyName");
            expect(template.inputs).not.to.have.property("vpcSecurityGroupIds");
        });

        it("runs the group from the template's latest version, in the isolated subnets of two zones, registered in the NLB's target group", () => {
            const vpc = theOne(run, "awsx:ec2:Vpc");
            const isolated = vpc.state.isolatedSubnetIds as string[];
            expect(group.inputs.launchTemplate).to.deep.equal({ id: template.id, version: String(template.state.latestVersion) });
            expect(group.inputs.vpcZoneIdentifiers).to.deep.equal(isolated);
            expect(new Set(isolated).size).to.be.at.least(2);
            expect(vpc.inputs.availabilityZoneNames).to.have.length(isolated.length);
            // Both of the NLB's paths: 443 for the REST API, the VPC-link port for an HTTP API.
            const vpcLinkTargetGroup = resourcesOfType(run, "aws:lb/targetGroup:TargetGroup").find((resource) => resource.inputs.port === VPC_LINK_HTTP_PORT)!;
            expect(group.inputs.targetGroupArns).to.deep.equal([targetGroup.state.arn, vpcLinkTargetGroup.state.arn]);
            expect(resourcesOfType(run, "aws:lb/targetGroupAttachment:TargetGroupAttachment"), "the builder serves nobody").to.have.length(0);
        });

        it("sizes the group from minInstances and maxInstances, and leaves the desired count to the scaling policy after creation", () => {
            expect(group.inputs).to.include({ minSize: config.fleet.minInstances, maxSize: config.fleet.maxInstances, desiredCapacity: config.fleet.minInstances });
            expect(group.ignoreChanges).to.deep.equal(["desiredCapacity"]);
            expect(group.inputs.minElbCapacity, "the first up waits for minInstances healthy targets").to.equal(config.fleet.minInstances);
        });

        it("health-checks through the NLB with a grace period covering the image's boot and the NLB's healthy threshold", () => {
            const check = targetGroup.inputs.healthCheck as { interval: number; healthyThreshold: number; unhealthyThreshold: number; protocol: string };
            expect(check).to.include({ protocol: "TCP", port: "traffic-port" });
            expect(group.inputs.healthCheckType).to.equal("ELB");
            expect(group.inputs.healthCheckGracePeriod).to.equal(IMAGE_BOOT_SECONDS + check.healthyThreshold * check.interval);
            expect(group.inputs.healthCheckGracePeriod).to.equal(HEALTH_CHECK_GRACE_SECONDS);
        });

        it("rolls a new template version out launch-before-terminate, keeping every instance serving, and stops on unhealthy targets", () => {
            const refresh = group.inputs.instanceRefresh as { strategy: string; preferences: Record<string, unknown> };
            expect(refresh.strategy).to.equal("Rolling");
            expect(refresh.preferences).to.deep.include({
                minHealthyPercentage: 100,
                maxHealthyPercentage: 200,
                skipMatching: true,
                autoRollback: false,
                instanceWarmup: String(group.inputs.healthCheckGracePeriod),
            });
            const unhealthy = byName(run, `hello-${env}-unhealthy-targets`);
            expect(refresh.preferences.alarmSpecification).to.deep.equal({ alarms: [unhealthy.state.name] });
            expect(unhealthy.inputs).to.include({ namespace: "AWS/NetworkELB", metricName: "UnHealthyHostCount", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 1 });
            expect(unhealthy.inputs.dimensions).to.deep.equal({ TargetGroup: targetGroup.state.arnSuffix, LoadBalancer: theOne(run, "aws:lb/loadBalancer:LoadBalancer").state.arnSuffix });
        });

        it("drains a deregistered instance longer than API Gateway's longest integration timeout", () => {
            expect(targetGroup.inputs.deregistrationDelay).to.be.a("number").and.above(INTEGRATION_TIMEOUT_MS.max / 1000);
        });

        it("scales on average CPU with a target-tracking policy at scaleOutCpuPercent", () => {
            const policy = theOne(run, "aws:autoscaling/policy:Policy");
            expect(policy.inputs).to.include({ autoscalingGroupName: group.state.name, policyType: "TargetTrackingScaling" });
            expect(policy.inputs.targetTrackingConfiguration).to.deep.equal({
                predefinedMetricSpecification: { predefinedMetricType: "ASGAverageCPUUtilization" },
                targetValue: config.fleet.scaleOutCpuPercent,
            });
        });

        it("keeps the fleet in isolated subnets: no NAT, a group that admits only the NLB's group (443 and the VPC-link port) and lets nothing out", () => {
            const vpc = theOne(run, "awsx:ec2:Vpc");
            expect((vpc.inputs.subnetSpecs as Array<{ type: string }>).map((spec) => spec.type)).to.deep.equal(["Public", "Isolated"]);
            expect(vpc.inputs.natGateways).to.deep.equal({ strategy: "None" });
            const fleetGroup = byName(run, `hello-${env}-fleet-sg`);
            const nlbGroup = byName(run, `hello-${env}-nlb-sg`);
            const ingress = fleetGroup.inputs.ingress as Array<Record<string, unknown>>;
            expect(ingress.map(({ protocol, fromPort, toPort, securityGroups, cidrBlocks }) => ({ protocol, fromPort, toPort, securityGroups, cidrBlocks }))).to.deep.equal([
                { protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [nlbGroup.id], cidrBlocks: undefined },
                { protocol: "tcp", fromPort: VPC_LINK_HTTP_PORT, toPort: VPC_LINK_HTTP_PORT, securityGroups: [nlbGroup.id], cidrBlocks: undefined },
            ]);
            expect(fleetGroup.inputs.egress).to.deep.equal([]);
        });

        it("alarms on fewer healthy targets than minInstances and on the group at maxInstances for 15 minutes, with no per-instance alarm", () => {
            const healthy = byName(run, `hello-${env}-healthy-hosts`);
            expect(healthy.inputs).to.include({ metricName: "HealthyHostCount", comparisonOperator: "LessThanThreshold", threshold: config.fleet.minInstances, treatMissingData: "breaching" });
            const atMax = byName(run, `hello-${env}-group-at-max`);
            expect(atMax.inputs).to.include({ namespace: "AWS/AutoScaling", metricName: "GroupDesiredCapacity", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: config.fleet.maxInstances });
            expect((atMax.inputs.period as number) * (atMax.inputs.evaluationPeriods as number)).to.equal(GROUP_AT_MAX_MINUTES * 60);
            expect(atMax.inputs.dimensions).to.deep.equal({ AutoScalingGroupName: group.state.name });
            expect((group.inputs.enabledMetrics as string[])).to.include("GroupDesiredCapacity");
            expect(run.resources.some((r) => r.name === `hello-${env}-instance-check`)).to.equal(false);
            if (config.monitoring.alarmEmail !== undefined) {
                for (const alarm of [healthy, atMax]) {
                    expect((alarm.inputs.alarmActions as string[]).length, alarm.name).to.equal(1);
                }
            }
        });

        it("shows the group on the origin dashboard", () => {
            const dashboard = theOne(run, "aws:cloudwatch/dashboard:Dashboard");
            const body = JSON.parse(String(dashboard.inputs.dashboardBody)) as { widgets: Array<{ properties: { title: string; metrics: unknown[][]; region: string } }> };
            expect(body.widgets.map((w) => w.properties.title)).to.include("Auto Scaling group: instances");
            expect(JSON.stringify(body)).to.contain(String(group.state.name)).and.to.contain(String(targetGroup.state.arnSuffix));
            expect(body.widgets.every((w) => w.properties.region === config.region)).to.equal(true);
        });

        it("exports autoScalingGroupName and imageId, and the NLB as the origin URL", () => {
            expect(run.outputs.autoScalingGroupName).to.equal(group.state.name);
            expect(run.outputs.imageId).to.equal(image.id);
            expect(run.outputs.originUrl).to.equal(`https://${theOne(run, "aws:lb/loadBalancer:LoadBalancer").state.dnsName}/`);
        });

        it("parents every group-mode resource under the fleet component", () => {
            for (const resource of run.resources.filter((r) => GROUP_TYPES.includes(r.type))) {
                expect(parentName(run, resource), resource.name).to.equal(`hello-${env}`);
                expect(run.resources.find((r) => r.urn === resource.parentUrn)?.type).to.equal("hello-gateway:infra:OriginFleet");
            }
        });
    });
}

const prodOriginIsGroup = isGroupMode(originConfig("prod-origin", COMMITTED_ROOT, {}).fleet);
describeGroupMode(
    "prod-origin",
    () => COMMITTED_ROOT,
    (): Record<string, string> => (prodOriginIsGroup ? {} : { originMode: "private", minInstances: "2", maxInstances: "3" }),
    prodOriginIsGroup ? "as its stack file says" : "made a group by overrides",
);
let fleetRoot: string | undefined;
describeGroupMode("fleet-origin", () => (fleetRoot ??= fixtureRoot()), () => ({}), "fixture tests/fixtures/fleet");
after(() => {
    if (fleetRoot) fs.rmSync(fleetRoot, { recursive: true, force: true });
});

describe("single mode (minInstances and maxInstances 1): today's single instance, no group, image or template", () => {
    const singles: Array<[string, Record<string, string>]> = [
        ...committedStacks()
            .filter((stack) => stack.endsWith("-origin") && !isGroupMode(originConfig(stack, COMMITTED_ROOT, {}).fleet))
            .map((stack): [string, Record<string, string>] => [stack, {}]),
        ["prod-origin", { ...SINGLE_INSTANCE }],
        ["prod-origin", { ...SINGLE_INSTANCE, originMode: "public" }],
    ];
    for (const [stack, overrides] of singles) {
        it(`${stack} ${JSON.stringify(overrides)}: Elastic IP, reboot alarm, public subnets only, no group resources`, async () => {
            const run = await runStack(stack, { overrides });
            for (const type of GROUP_TYPES) {
                expect(resourcesOfType(run, type), type).to.have.length(0);
            }
            const env = originConfig(stack, COMMITTED_ROOT, overrides).environment;
            expect(run.resources.some((r) => r.name === `hello-${env}-fleet-sg`)).to.equal(false);
            expect((theOne(run, "awsx:ec2:Vpc").inputs.subnetSpecs as Array<{ type: string }>).map((spec) => spec.type)).to.deep.equal(["Public"]);
            expect(theOne(run, "aws:ec2/eip:Eip").inputs.domain).to.equal("vpc");
            expect(byName(run, `hello-${env}-instance-check`).inputs.metricName).to.equal("StatusCheckFailed_Instance");
            expect(builderOf(run).replacementTrigger, "the single instance is provisioned again, not replaced").to.equal(undefined);
            expect(run.outputs).not.to.have.property("autoScalingGroupName");
            expect(run.outputs).not.to.have.property("imageId");
        });
    }
});

describe("fleet config: minInstances, maxInstances, scaleOutCpuPercent", () => {
    it("defaults to one instance and a 60 percent CPU target when the keys are unset", () => {
        const raw = rawConfigOfStack("prod-origin", {}, COMMITTED_ROOT);
        const values = { ...raw.values, minInstances: undefined, maxInstances: undefined, scaleOutCpuPercent: undefined };
        const config = parseConfig({ ...raw, values }, { project: PROJECT, stack: "prod-origin", organization: MOCK_ORGANIZATION }) as OriginConfig;
        expect(config.fleet).to.deep.equal({ minInstances: 1, maxInstances: 1, scaleOutCpuPercent: 60 });
        expect(isGroupMode(config.fleet)).to.equal(false);
    });

    it("takes the values set, and a group when maxInstances is above 1", () => {
        const config = originConfig("prod-origin", COMMITTED_ROOT, { originMode: "private", minInstances: "3", maxInstances: "5", scaleOutCpuPercent: "35" });
        expect(config.fleet).to.deep.equal({ minInstances: 3, maxInstances: 5, scaleOutCpuPercent: 35 });
        expect(isGroupMode(config.fleet)).to.equal(true);
        expect(isGroupMode(originConfig("prod-origin", COMMITTED_ROOT, { originMode: "private", minInstances: "2", maxInstances: "2" }).fleet)).to.equal(true);
    });

    const refusals: Array<[string, Record<string, string>, string]> = [
        ["minInstances 0", { minInstances: "0" }, 'hello-gateway:minInstances: got "0"; expected a whole number of instances from 1 to 20'],
        ["maxInstances 0", { maxInstances: "0" }, 'hello-gateway:maxInstances: got "0"; expected a whole number of instances from 1 to 20'],
        ["maxInstances above the bound", { maxInstances: String(MAX_FLEET_INSTANCES + 1) }, `hello-gateway:maxInstances: got "${MAX_FLEET_INSTANCES + 1}"; expected a whole number of instances from 1 to ${MAX_FLEET_INSTANCES}`],
        ["minInstances not a number", { minInstances: "two" }, 'hello-gateway:minInstances: got "two"'],
        ["minInstances above maxInstances", { originMode: "private", minInstances: "4", maxInstances: "3" }, 'hello-gateway:minInstances: got "4"; expected at most maxInstances (3)'],
        ["a group without the NLB", { originMode: "public", minInstances: "1", maxInstances: "2" }, 'hello-gateway:maxInstances: got "2"; expected 1 with originMode public'],
        ["scaleOutCpuPercent below the bound", { scaleOutCpuPercent: String(SCALE_OUT_CPU_PERCENT.min - 1) }, `hello-gateway:scaleOutCpuPercent: got "${SCALE_OUT_CPU_PERCENT.min - 1}"; expected a whole number of percent from ${SCALE_OUT_CPU_PERCENT.min} to ${SCALE_OUT_CPU_PERCENT.max}`],
        ["scaleOutCpuPercent above the bound", { scaleOutCpuPercent: String(SCALE_OUT_CPU_PERCENT.max + 1) }, `hello-gateway:scaleOutCpuPercent: got "${SCALE_OUT_CPU_PERCENT.max + 1}"`],
    ];
    for (const [what, overrides, message] of refusals) {
        it(`refuses ${what}, naming the key, with nothing registered`, async () => {
            let failure: unknown;
            try {
                await runStack("prod-origin", { overrides });
            } catch (error) {
                failure = error;
            }
            expect(failure, "the run must fail").to.be.instanceOf(Error);
            expect((failure as Error).name).to.equal("ConfigError");
            expect((failure as Error).message).to.contain(message);
            expect(resourcesRegisteredBefore(failure).filter((resource) => !resource.read)).to.deep.equal([]);
        });
    }
});

describe("fleet components refuse what cannot work, naming the option", () => {
    it("OriginFleet: a minimum above the maximum, below 1, or a 'group' of one", () => {
        expect(() => checkFleet("f", { minInstances: 3, maxInstances: 2, scaleOutCpuPercent: 60 })).to.throw("OriginFleet f: fleet.minInstances must be a whole number from 1 to fleet.maxInstances (2), got 3");
        expect(() => checkFleet("f", { minInstances: 0, maxInstances: 2, scaleOutCpuPercent: 60 })).to.throw("fleet.minInstances");
        expect(() => checkFleet("f", { minInstances: 1, maxInstances: 1, scaleOutCpuPercent: 60 })).to.throw("fleet.maxInstances must be 2 or more");
        expect(() => checkFleet("f", { minInstances: 2, maxInstances: 4, scaleOutCpuPercent: 60 })).not.to.throw();
    });

    it("OriginMonitoring: exactly one of instanceId (single mode) and fleet (group mode)", () => {
        const fleet = { autoScalingGroupName: "g", targetGroupArnSuffix: "targetgroup/t/1", loadBalancerArnSuffix: "net/n/1", minInstances: 2, maxInstances: 4, dashboardName: "d" };
        expect(() => new OriginMonitoring("m", { region: "us-east-1" })).to.throw("OriginMonitoring m: set exactly one of instanceId (single mode) and fleet (group mode)");
        expect(() => new OriginMonitoring("m", { region: "us-east-1", instanceId: "i-0123456789abcdef0", fleet })).to.throw("set exactly one of instanceId");
    });
});
