import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { WELCOME_LOG_GROUP, welcomeLogGroupOptions } from "../infra/api";
import { imageSelection, instanceResourceName, SSH_DIAL, worstCaseDialSeconds } from "../infra/compute";
import { architectureOf, parseConfig, rawConfigFrom } from "../infra/config";
import { WEB_ACL_ASSOCIATION_TIMEOUTS } from "../infra/edge";
import { TAKE_NEWEST_AMI_ENV } from "../infra/defaults";
import { pickZones, STANDARD_ZONES_QUERY } from "../infra/network";
import { MOCK_AMI, ProgramRun } from "../tools/mock-runtime";
import { loadStackConfig, REPO_ROOT } from "../tools/stack-files";
import { byName, dependencyNames, PROJECT, resourcesOfType, runStack, theOne } from "./support";

// What later updates, refreshes and replacements do. The engine's replacement and ignoreChanges
// semantics never reach the mocks, so these specs check the inputs and options that decide them.

/** Runs an origin stack with HELLO_GATEWAY_TAKE_NEWEST_AMI set for that one run, as a shell would. */
async function withTakeNewest<T>(value: string, run: () => Promise<T>): Promise<T> {
    process.env[TAKE_NEWEST_AMI_ENV] = value;
    try {
        return await run();
    } finally {
        delete process.env[TAKE_NEWEST_AMI_ENV];
    }
}

describe("origin instance image: replacements and new AL2023 releases", () => {
    it("an ordinary up keeps the running image: ami is ignored while the parameter is followed", async () => {
        const run = await runStack("dev-origin");
        const instance = theOne(run, "aws:ec2/instance:Instance");
        expect(instance.ignoreChanges).to.deep.equal(["ami"]);
        expect(imageSelection({})).to.deep.equal({ source: "parameter", ignoreChanges: ["ami"] });
    });

    it("another CPU architecture is another instance resource, so its replacement boots that architecture's image", async () => {
        // The engine fills an ignored ami from the old state for a replacement too, so the
        // replacement must not share the old instance's state: it gets a name of its own.
        for (const instanceType of ["t3.micro", "t4g.micro", "m7g.large", "c5.large"]) {
            const run = await runStack("dev-origin", { overrides: { instanceType } });
            const architecture = architectureOf(instanceType);
            const instance = theOne(run, "aws:ec2/instance:Instance");
            expect(instance.name, instanceType).to.equal(instanceResourceName("hello-dev", architecture));
            expect(instance.inputs.ami, instanceType).to.equal(MOCK_AMI[architecture]);
        }
        expect(instanceResourceName("hello-dev", "x86_64")).to.equal("hello-dev-instance");
        expect(instanceResourceName("hello-dev", "arm64")).to.not.equal(instanceResourceName("hello-dev", "x86_64"));
    });

    it("HELLO_GATEWAY_TAKE_NEWEST_AMI=true takes the parameter's current image for that run: ami is no longer ignored", async () => {
        const run = await withTakeNewest("true", () => runStack("dev-origin", { overrides: {} }));
        const instance = theOne(run, "aws:ec2/instance:Instance");
        expect(instance.ignoreChanges).to.deep.equal([]);
        expect(instance.inputs.ami).to.equal(MOCK_AMI.x86_64);
        // The next ordinary run ignores ami again, now holding the new image.
        const next = await runStack("dev-origin", { overrides: {} });
        expect(theOne(next, "aws:ec2/instance:Instance").ignoreChanges).to.deep.equal(["ami"]);
    });

    it("HELLO_GATEWAY_TAKE_NEWEST_AMI is refused with a pinned amiId or a value other than true/false", async () => {
        const pinned = withTakeNewest("true", () => runStack("dev-origin", { overrides: { amiId: "ami-0123456789abcdef0" } }));
        await expectRejection(pinned, /environment variable HELLO_GATEWAY_TAKE_NEWEST_AMI: got "true"; expected unset while amiId pins the image/);
        const typo = withTakeNewest("yes", () => runStack("dev-origin", { overrides: {} }));
        await expectRejection(typo, /environment variable HELLO_GATEWAY_TAKE_NEWEST_AMI: got "yes"; expected true, false or unset/);
    });
});

describe("origin instance: no replacement after a refresh with the Elastic IP attached", () => {
    it("leaves associatePublicIpAddress unset, so the provider's read-back (true with an EIP) is no diff", async () => {
        for (const stack of ["dev-origin", "prod-origin"]) {
            const run = await runStack(stack);
            expect(theOne(run, "aws:ec2/instance:Instance").inputs, stack).to.not.have.property("associatePublicIpAddress");
        }
    });

    it("states EC2's simplified automatic recovery on the instance", async () => {
        const run = await runStack("dev-origin");
        expect(theOne(run, "aws:ec2/instance:Instance").inputs.maintenanceOptions).to.deep.equal({ autoRecovery: "default" });
    });
});

describe("origin VPC: standard availability zones only", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("dev-origin");
    });

    it("looks the zones up filtered to available, no-opt-in, type availability-zone", () => {
        const lookup = run.invokes.find((invoke) => invoke.token === "aws:index/getAvailabilityZones:getAvailabilityZones");
        expect(lookup?.inputs.state).to.equal("available");
        expect(lookup?.inputs.filters).to.deep.equal([
            { name: "opt-in-status", values: ["opt-in-not-required"] },
            { name: "zone-type", values: ["availability-zone"] },
        ]);
        expect(STANDARD_ZONES_QUERY.filters).to.deep.equal(lookup?.inputs.filters);
    });

    it("passes the first two of them to awsx as availabilityZoneNames instead of letting it pick", () => {
        const vpc = theOne(run, "awsx:ec2:Vpc");
        // The mock runtime answers with <region>a, b and c.
        expect(vpc.inputs.availabilityZoneNames).to.deep.equal(["us-east-1a", "us-east-1b"]);
        expect(vpc.inputs).to.not.have.property("numberOfAvailabilityZones");
    });

    it("picks zones by name and names the region when it has too few", () => {
        expect(pickZones(["eu-west-1c", "eu-west-1a", "eu-west-1b"], 2, "eu-west-1")).to.deep.equal(["eu-west-1a", "eu-west-1b"]);
        expect(() => pickZones(["ap-x-1a"], 2, "ap-x-1")).to.throw(/region ap-x-1 offers 1 standard availability zone\(s\) \(ap-x-1a\) that are available; the origin needs 2/);
    });
});

describe("provisioning: the worst-case SSH wait", () => {
    it("is computed from @pulumi/command 1.2.1's dial loop: limit + 1 dials, 100 ms waits growing 1.5x up to 5 s", () => {
        // Closed form of the same loop: 61 dials of 10 s; the waits are 0.1 * 1.5^k for k = 0..9
        // (all below 5 s) and 5 s for the remaining 50.
        const geometric = (0.1 * (Math.pow(1.5, 10) - 1)) / 0.5;
        expect(SSH_DIAL).to.deep.equal({ dialErrorLimit: 60, perDialTimeout: 10 });
        expect(worstCaseDialSeconds(SSH_DIAL)).to.be.closeTo(61 * 10 + geometric + 50 * 5, 1e-6);
        expect(worstCaseDialSeconds({ dialErrorLimit: 0, perDialTimeout: 15 })).to.equal(15);
    });

    it("is the figure docs/operations.md states", () => {
        const seconds = Math.round(worstCaseDialSeconds(SSH_DIAL));
        const stated = `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
        const doc = fs.readFileSync(path.join(REPO_ROOT, "docs", "operations.md"), "utf8");
        expect(doc).to.contain(stated);
    });
});

describe("gateway: WAF association right after the stage", () => {
    it("waits for the stage and the web ACL, and gives the provider's WAFUnavailableEntityException retry 20 minutes", async () => {
        const run = await runStack("prod", { overrides: { wafEnabled: "true", originMode: "private" } });
        const association = theOne(run, "aws:wafv2/webAclAssociation:WebAclAssociation");
        expect(association.customTimeouts?.create).to.equal("20m");
        expect(WEB_ACL_ASSOCIATION_TIMEOUTS.create).to.equal("20m");
        const stage = theOne(run, "aws:apigateway/stage:Stage");
        const acl = theOne(run, "aws:wafv2/webAcl:WebAcl");
        expect(association.inputs.resourceArn).to.equal(stage.state.arn);
        expect(dependencyNames(run, association)).to.include.members([stage.name, acl.name]);
    });
});

describe("gateway: /aws/apigateway/welcome, written once the account's CloudWatch role is set", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the account-setting owner creates it first, with the stack's retention, and keeps it on destroy`, async () => {
            const run = await runStack(stack, { overrides: { manageAccountLogRole: "true" } });
            const file = loadStackConfig(stack);
            const config = parseConfig(rawConfigFrom(file.config, (key) => file.encryptedKeys.includes(key)), {
                project: PROJECT,
                stack,
                organization: "organization",
            });
            const welcome = byName(run, "apigateway-cloudwatch-welcome-logs");
            expect(welcome.inputs.name).to.equal(WELCOME_LOG_GROUP);
            expect(welcome.inputs.retentionInDays).to.equal(config.layer === "gateway" ? config.logRetentionDays : undefined);
            expect(welcome.retainOnDelete).to.equal(true);
            expect(dependencyNames(run, byName(run, "apigateway-cloudwatch-account"))).to.include(welcome.name);
            // Under mocks the account has no such group yet, so it is created, not imported.
            expect(welcome.importId).to.equal(undefined);
        });
    }

    it("is left alone by a stack that does not own the account setting", async () => {
        const run = await runStack("dev", { overrides: { manageAccountLogRole: "false" } });
        const groups = resourcesOfType(run, "aws:cloudwatch/logGroup:LogGroup").map((group) => group.inputs.name);
        expect(groups).to.not.include(WELCOME_LOG_GROUP);
        expect(run.invokes.some((invoke) => invoke.token === "aws:cloudwatch/getLogGroups:getLogGroups")).to.equal(false);
    });

    it("adopts the group by import when it already exists (the other environment's owner made it, or API Gateway did)", () => {
        expect(welcomeLogGroupOptions(true)).to.deep.equal({ import: WELCOME_LOG_GROUP, retainOnDelete: true });
        expect(welcomeLogGroupOptions(false)).to.deep.equal({ retainOnDelete: true });
    });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
    let error: unknown;
    try {
        await promise;
    } catch (caught) {
        error = caught;
    }
    expect(error, "expected the run to fail").to.be.instanceOf(Error);
    expect((error as Error).message).to.match(pattern);
}
