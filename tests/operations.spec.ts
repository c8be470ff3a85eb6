import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { imageSelection, instanceResourceName, SSH_DIAL, worstCaseDialSeconds } from "../infra/compute";
import { architectureOf } from "../infra/config";
import { TAKE_NEWEST_AMI_ENV } from "../infra/defaults";
import { pickZones, STANDARD_ZONES_QUERY } from "../infra/network";
import { MOCK_AMI, ProgramRun } from "../tools/mock-runtime";
import { REPO_ROOT } from "../tools/stack-files";
import { runStack, theOne } from "./support";

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
