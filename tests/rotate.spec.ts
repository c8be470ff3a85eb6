import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../infra/defaults";
import { PulumiCli, REPO_ROOT } from "../tools/cli-env";
import { EngineOutput, StackOps, StackOutputs } from "../tools/orchestrate";
import { GENERATION_KEY, StackFiles, generationIn, rotateClientCertificate, withGeneration } from "../tools/rotate";

const FAKE_CLI: PulumiCli = { command: "pulumi", version: "v3.999.0" };

/** A fake backend and stack files that write every step into one ordered event log. */
function harness(options: { failUp?: string; originFile?: string; interactive?: boolean; answer?: string } = {}) {
    const events: string[] = [];
    const files: Record<string, string> = { "dev-origin": options.originFile ?? fs.readFileSync(path.join(REPO_ROOT, "Pulumi.dev-origin.yaml"), "utf8") };
    let generationSeenByOrigin: number | undefined;
    const outputs: Record<string, StackOutputs> = { "dev-origin": { clientCertificateId: "old1" } };
    const stacks: StackOps = {
        async up(stack: string, _output: EngineOutput) {
            events.push(`up ${stack}`);
            if (stack === "dev-origin") {
                // What the origin's update reads: the generation in its stack file at that moment.
                generationSeenByOrigin = generationIn(files["dev-origin"]);
                outputs["dev-origin"] = { clientCertificateId: `new${generationSeenByOrigin}`, clientCertificateExpiration: "2027-12-01T00:00:00Z" };
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
    const lines: string[] = [];
    const errors: string[] = [];
    const deps = {
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
        expect(await rotateClientCertificate(["staging", "--yes"], unknown.deps)).to.equal(1);
        expect(unknown.errors[0]).to.contain('unknown environment "staging"');
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
