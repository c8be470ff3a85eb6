import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../infra/defaults";
import { PulumiCli, REPO_ROOT } from "../tools/cli-env";
import { EngineOutput, StackOps, StackOutputs } from "../tools/orchestrate";
import { InstanceRefreshState } from "../tools/instance-refresh";
import { GENERATION_KEY, RefreshWaitDeps, StackFiles, generationIn, rotateClientCertificate, withGeneration } from "../tools/rotate";

const FAKE_CLI: PulumiCli = { command: "pulumi", version: "v3.999.0" };

const GROUP = "hello-dev-fleet-group";
const POLL_MS = 15_000;

/**
 * A group-mode origin: the statuses the refresh the origin's update starts goes through, one per
 * DescribeInstanceRefreshes read (the last repeats); none when the update starts no refresh.
 */
interface GroupOptions {
    readonly refreshStatuses?: readonly string[];
    readonly statusReason?: string;
    /** The group is created by this update (a single origin switched to group mode). */
    readonly newGroup?: boolean;
    /** The origin was deployed before it exported its region. */
    readonly regionMissing?: boolean;
}

/** A fake backend and stack files that write every step into one ordered event log. */
function harness(options: { failUp?: string; originFile?: string; interactive?: boolean; answer?: string; group?: GroupOptions; timeoutMs?: number } = {}) {
    const events: string[] = [];
    const files: Record<string, string> = { "dev-origin": options.originFile ?? fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev-origin.yaml"), "utf8") };
    let generationSeenByOrigin: number | undefined;
    const groupOutputs = options.group ? { autoScalingGroupName: GROUP, region: "us-east-1" } : {};
    const groupBefore = options.group?.regionMissing ? { autoScalingGroupName: GROUP } : groupOutputs;
    const outputs: Record<string, StackOutputs> = { "dev-origin": { clientCertificateId: "old1", ...(options.group?.newGroup ? {} : groupBefore) } };
    // The group's refresh history: an earlier, finished refresh, then the one the update starts.
    const refreshes: InstanceRefreshState[] = [{ id: "refresh-earlier", status: "Successful", startTime: new Date("2026-01-01T00:00:00Z") }];
    let statusReads = 0;
    let clock = 0;
    const stacks: StackOps = {
        async up(stack: string, _output: EngineOutput) {
            events.push(`up ${stack}`);
            if (stack === "dev-origin") {
                // What the origin's update reads: the generation in its stack file at that moment.
                generationSeenByOrigin = generationIn(files["dev-origin"]);
                outputs["dev-origin"] = { clientCertificateId: `new${generationSeenByOrigin}`, clientCertificateExpiration: "2027-12-01T00:00:00Z", ...groupOutputs };
                if (options.group?.refreshStatuses) {
                    refreshes.push({ id: "refresh-by-update", status: "Pending", startTime: new Date("2026-06-01T00:00:00Z") });
                }
            }
            if (options.failUp === stack) {
                throw new Error(`boom in ${stack}`);
            }
        },
        async preview() {
            throw new Error("a rotation never previews");
        },
        async destroy() {
            throw new Error("a rotation never destroys");
        },
        async plannedChanges() {
            throw new Error("a rotation plans no NLB change");
        },
        async protectedResources() {
            throw new Error("a rotation never destroys");
        },
        async outputs(stack: string) {
            return outputs[stack] ?? {};
        },
    };
    const stackFiles: StackFiles = {
        read: (stack) => files[stack],
        write: (stack, text) => {
            events.push(`write Pulumi.${stack}.yaml ${GENERATION_KEY}=${generationIn(text)}`);
            files[stack] = text;
        },
    };
    const refreshWait: RefreshWaitDeps = {
        reader: (region) => ({
            async refreshesOf(groupName) {
                expect(region).to.equal("us-east-1");
                expect(groupName).to.equal(GROUP);
                const started = refreshes.find((refresh) => refresh.id === "refresh-by-update");
                if (started && options.group?.refreshStatuses) {
                    const statuses = options.group.refreshStatuses;
                    const status = statuses[Math.min(statusReads, statuses.length - 1)];
                    Object.assign(started, { status, statusReason: options.group.statusReason, percentageComplete: status === "Successful" ? 100 : 50 });
                    statusReads += 1;
                    events.push(`refresh ${started.status}`);
                } else {
                    events.push("refresh history read");
                }
                return refreshes.map((refresh) => ({ ...refresh }));
            },
        }),
        now: () => clock,
        sleep: async (ms) => {
            clock += ms;
        },
        timeoutMs: options.timeoutMs ?? 10 * POLL_MS,
        pollMs: POLL_MS,
    };
    const lines: string[] = [];
    const errors: string[] = [];
    const deps = {
        refreshWait,
        preflight: async () => ({ pulumiCli: FAKE_CLI, awsCredentialSource: "test" }),
        checkSshSource: async (stack: string) => {
            events.push(`check-ssh ${stack}`);
        },
        openStacks: () => stacks,
        prompt: { interactive: options.interactive ?? false, ask: async () => options.answer ?? "" },
        terminal: { line: (text: string) => lines.push(text), errorLine: (text: string) => errors.push(text), engine: { stdout: () => undefined, stderr: () => undefined } },
        stackFiles,
    };
    return { deps, events, files, lines, errors, seen: () => generationSeenByOrigin };
}

describe("npm run rotate-client-certificate (tools/rotate.ts)", () => {
    it("runs a new certificate, then the origin, then the gateway, in that order", async () => {
        const h = harness();
        const current = generationIn(h.files["dev-origin"]);
        expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(0);
        // The SSH reachability check comes first: the origin's update re-provisions over SSH.
        expect(h.events).to.deep.equal(["check-ssh dev-origin", `write Pulumi.dev-origin.yaml ${GENERATION_KEY}=${current + 1}`, "up dev-origin", "up dev"]);
        expect(h.seen(), "the origin's update sees the new generation").to.equal(current + 1);
        expect(h.lines.filter((line) => line.startsWith("==> ")).map((line) => line.split(":")[0])).to.deep.equal([
            "==> new certificate",
            "==> origin re-provisioned",
            "==> gateway redeployed",
        ]);
        expect(h.lines.at(-1)).to.equal(`client certificate old1 -> new${current + 1}, expires 2027-12-01T00:00:00Z`);
    });

    it("leaves the gateway alone when the origin's update fails: it keeps presenting the certificate httpd trusts", async () => {
        const h = harness({ failUp: "dev-origin" });
        expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(1);
        expect(h.events.filter((event) => event.startsWith("up "))).to.deep.equal(["up dev-origin"]);
        expect(h.errors[0]).to.match(/^error: up of stack dev-origin failed: .*boom in dev-origin.*dev was not touched/);
    });

    it("reports a failed gateway update: the origin still trusts the previous certificate", async () => {
        const h = harness({ failUp: "dev" });
        expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(1);
        expect(h.errors[0]).to.contain("dev-origin still trusts");
    });

    describe("group mode: the fleet's instance refresh", () => {
        it("runs origin up, then waits for the refresh to be Successful, then gateway up", async () => {
            const h = harness({ group: { refreshStatuses: ["Pending", "InProgress", "InProgress", "Baking", "Successful"] } });
            expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(0);
            const current = generationIn(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev-origin.yaml"), "utf8"));
            expect(h.events).to.deep.equal([
                "check-ssh dev-origin",
                "refresh history read",
                `write Pulumi.dev-origin.yaml ${GENERATION_KEY}=${current + 1}`,
                "up dev-origin",
                "refresh Pending",
                "refresh InProgress",
                "refresh InProgress",
                "refresh Baking",
                "refresh Successful",
                "up dev",
            ]);
            expect(h.lines.filter((line) => line.startsWith("==> ")).map((line) => line.split(":")[0])).to.deep.equal([
                "==> new certificate",
                "==> origin re-provisioned",
                "==> fleet refreshed",
                "==> gateway redeployed",
            ]);
            expect(h.lines).to.include(`instance refresh refresh-by-update of ${GROUP}: Successful 100%`);
        });

        for (const ending of ["Failed", "Cancelled", "RollbackSuccessful", "RollbackFailed"]) {
            it(`stops before the gateway when the refresh ends ${ending}, with its status, reason and what to do`, async () => {
                const h = harness({ group: { refreshStatuses: ["InProgress", ending], statusReason: "Instance i-0abc failed health checks" } });
                expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(1);
                expect(h.events.filter((event) => event.startsWith("up "))).to.deep.equal(["up dev-origin"]);
                expect(h.errors[0]).to.contain(`instance refresh refresh-by-update of ${GROUP} ended ${ending}: Instance i-0abc failed health checks`);
                expect(h.errors[0]).to.contain(`aws autoscaling start-instance-refresh --auto-scaling-group-name ${GROUP}`);
                expect(h.errors[0]).to.contain("switch the gateway with npm run deploy -- dev");
                expect(h.errors[1]).to.equal("dev was not touched: it still presents the current certificate, which every instance trusts");
            });
        }

        it("stops before the gateway when the refresh outlasts the timeout, saying not to update the origin meanwhile", async () => {
            const h = harness({ group: { refreshStatuses: ["InProgress"] }, timeoutMs: 4 * POLL_MS });
            expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(1);
            expect(h.events.filter((event) => event.startsWith("up "))).to.deep.equal(["up dev-origin"]);
            // One read at the start and one after each of the four polls the timeout allows.
            expect(h.events.filter((event) => event === "refresh InProgress")).to.have.length(5);
            expect(h.errors[0]).to.contain(`instance refresh refresh-by-update of ${GROUP} is still InProgress (50% done) after 1 minutes`);
            expect(h.errors[0]).to.contain("an update of the group cancels a refresh in progress");
        });

        it("stops before the gateway when the origin's update started no refresh", async () => {
            const h = harness({ group: {} });
            expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(1);
            expect(h.events.filter((event) => event.startsWith("up "))).to.deep.equal(["up dev-origin"]);
            expect(h.errors[0]).to.contain(`no instance refresh of ${GROUP} started with the origin's update`);
        });

        it("stops before any change when the origin exports no region to read its refreshes in", async () => {
            const h = harness({ group: { regionMissing: true, refreshStatuses: ["Successful"] } });
            expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(1);
            expect(h.events).to.deep.equal(["check-ssh dev-origin"]);
            expect(h.errors).to.deep.equal(["error: stack dev-origin exports no region, which the wait for its instance refresh needs: run npm run deploy -- dev first; nothing was changed"]);
        });

        it("does not wait for a group the update created: its instances booted from the new image", async () => {
            const h = harness({ group: { newGroup: true } });
            expect(await rotateClientCertificate(["dev", "--yes"], h.deps)).to.equal(0);
            expect(h.events.filter((event) => event.startsWith("refresh"))).to.deep.equal([]);
            expect(h.lines).to.include(`==> fleet refreshed: ${GROUP} is new, every instance booted from the image that trusts both certificates`);
        });
    });

    it("asks first, and changes nothing unconfirmed or without a terminal", async () => {
        const refused = harness({ interactive: false });
        expect(await rotateClientCertificate(["dev"], refused.deps)).to.equal(1);
        expect(refused.events).to.deep.equal([]);
        const help = harness();
        expect(await rotateClientCertificate(["--help"], help.deps)).to.equal(0);
        expect(help.lines).to.deep.equal(["usage: npm run rotate-client-certificate -- <dev|prod> [--yes]"]);
        const wrongAnswer = harness({ interactive: true, answer: "prod" });
        expect(await rotateClientCertificate(["dev"], wrongAnswer.deps)).to.equal(1);
        expect(wrongAnswer.events).to.deep.equal([]);
        const confirmed = harness({ interactive: true, answer: "dev" });
        expect(await rotateClientCertificate(["dev"], confirmed.deps)).to.equal(0);
    });

    it("refuses an unknown or missing environment before touching anything", async () => {
        const unknown = harness();
        expect(await rotateClientCertificate(["stagin", "--yes"], unknown.deps)).to.equal(1);
        expect(unknown.errors[0]).to.contain('unknown environment "stagin"');
        const missing = harness();
        expect(await rotateClientCertificate(["--yes"], missing.deps)).to.equal(1);
        expect(missing.errors[0]).to.contain("usage: npm run rotate-client-certificate -- <dev|prod> [--yes]");
        expect([...unknown.events, ...missing.events]).to.deep.equal([]);
    });
});

describe("the stack file edit", () => {
    const FILE = "# a comment that stays\nconfig:\n  aws:region: us-east-1\n  hello-gateway:layer: origin\n";

    it("reads the project default from a file that sets no generation, and adds the key under config", () => {
        expect(generationIn(FILE)).to.equal(DEFAULTS.clientCertificateGeneration);
        const edited = withGeneration(FILE, 2);
        expect(edited.startsWith(FILE)).to.equal(true);
        expect(edited).to.match(/\n  hello-gateway:clientCertificateGeneration: 2\n$/);
        expect(generationIn(edited)).to.equal(2);
    });

    it("replaces the key where it is, keeping every other line", () => {
        const edited = withGeneration(withGeneration(FILE, 2), 3);
        expect(edited.match(/clientCertificateGeneration/g)).to.have.length(1);
        expect(generationIn(edited)).to.equal(3);
        expect(edited).to.contain("# a comment that stays\n");
    });

    it("refuses a value that is not a generation", () => {
        expect(() => generationIn(`${FILE}  hello-gateway:clientCertificateGeneration: zero\n`)).to.throw(/expected a whole number from 1/);
    });
});
