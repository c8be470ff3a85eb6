import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
    AwsCredentialProbe,
    findAwsCredentialSource,
    findPulumiCli,
    parseCommandLine,
    parseEnvironment,
    PulumiCli,
    REPO_ROOT,
    RunProgram,
    runProgram,
    summarizeEngineError,
    UserFacingError,
} from "../tools/cli-env";
import type { BackendProbe } from "../tools/backend";
import {
    policyPackOptions,
    createAutomationStackOps,
    EngineOutput,
    formatOutputs,
    HELP,
    localPreflight,
    orchestrate,
    OrchestrateDeps,
    parseOrchestrateArgs,
    planSteps,
    KeptResource,
    PreflightReport,
    RunSwitches,
    StackOps,
    StackOutputs,
} from "../tools/orchestrate";

const FAKE_CLI: PulumiCli = { command: "pulumi", version: "v3.999.0" };
const USAGE_LINE = "usage: npm run <deploy|preview|destroy> -- <dev|prod> [--yes] [--skip-ssh-check] [--newest-ami]";
/** A machine logged in nowhere in particular: Pulumi Cloud by default, no passphrase needed. */
const NO_BACKEND: BackendProbe = { env: {}, homeDir: "/nonexistent", readFile: () => undefined };
const DEV_REQUEST = { operation: "deploy", env: "dev", yes: false, skipSshCheck: false, newestAmi: false } as const;

/** Stands in for the Automation API; every call lands in the shared event log. */
class FakeStacks implements StackOps {
    /** `"<op> <stack>"` → the error that call throws. */
    readonly failures = new Map<string, Error>();
    readonly missing = new Set<string>();
    /** Protected resources a destroy leaves in each stack. */
    readonly protectedByStack: Record<string, KeptResource[]> = {};
    /** The switches each up or preview was given, `"<op> <stack>"` → switches. */
    readonly switches = new Map<string, RunSwitches | undefined>();
    readonly outputsByStack: Record<string, StackOutputs> = {
        dev: { stageName: "dev", invokeUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/hello", restApiId: "abc123" },
        "dev-origin": { originUrl: "http://203.0.113.10/", instanceId: "i-0123" },
        prod: { invokeUrl: "https://def456.execute-api.eu-west-1.amazonaws.com/prod/hello" },
        "prod-origin": { originUrl: "http://203.0.113.20/" },
    };

    constructor(private readonly events: string[]) {}

    async up(stack: string, output: EngineOutput, switches?: RunSwitches) {
        this.switches.set(`up ${stack}`, switches);
        this.run("up", stack, output);
    }
    async preview(stack: string, output: EngineOutput, switches?: RunSwitches) {
        this.switches.set(`preview ${stack}`, switches);
        this.run("preview", stack, output);
    }
    async protectedResources(stack: string) {
        return this.protectedByStack[stack] ?? [];
    }
    async plannedChanges(stack: string) {
        this.events.push(`plan ${stack}`);
        return [];
    }
    async destroy(stack: string, output: EngineOutput) {
        if (this.missing.has(stack)) {
            this.events.push(`destroy ${stack} (missing)`);
            return "missing" as const;
        }
        this.run("destroy", stack, output);
        return "destroyed" as const;
    }
    async outputs(stack: string) {
        this.events.push(`outputs ${stack}`);
        return this.outputsByStack[stack] ?? {};
    }

    private run(operation: string, stack: string, output: EngineOutput) {
        this.events.push(`${operation} ${stack}`);
        output.stdout(`[engine] ${operation} ${stack}\n`);
        const failure = this.failures.get(`${operation} ${stack}`);
        if (failure !== undefined) {
            output.stderr(`[engine] ${failure.message}\n`);
            throw failure;
        }
    }
}

interface HarnessOptions {
    interactive?: boolean;
    answer?: string;
    preflightError?: string;
    /** What the SSH source check says about the origin stack; undefined: allowed. */
    sshProblem?: string;
}

function harness(options: HarnessOptions = {}) {
    const events: string[] = [];
    const stacks = new FakeStacks(events);
    const out: string[] = [];
    const err: string[] = [];
    const engine: string[] = [];
    const questions: string[] = [];
    const deps: OrchestrateDeps = {
        async preflight(): Promise<PreflightReport> {
            events.push("preflight");
            if (options.preflightError !== undefined) {
                throw new UserFacingError(options.preflightError);
            }
            return { pulumiCli: FAKE_CLI, awsCredentialSource: "test" };
        },
        async checkSshSource(originStack) {
            events.push(`ssh check ${originStack}`);
            if (options.sshProblem !== undefined) {
                throw new UserFacingError(options.sshProblem);
            }
        },
        openStacks: () => stacks,
        prompt: {
            interactive: options.interactive ?? true,
            async ask(question) {
                events.push("ask");
                questions.push(question);
                return options.answer ?? "";
            },
        },
        terminal: {
            line: (text) => out.push(text),
            errorLine: (text) => err.push(text),
            engine: { stdout: (text) => engine.push(text), stderr: (text) => engine.push(text) },
        },
    };
    const stackEvents = () => events.filter((event) => /^(up|preview|destroy) /.test(event));
    return { deps, events, stacks, out, err, engine, questions, stackEvents };
}

describe("orchestrate: deploy / preview / destroy", () => {
    it("deploys the origin before the gateway, streams engine output, then prints outputs with invokeUrl first", async () => {
        const h = harness();
        expect(await orchestrate(["deploy", "dev"], h.deps)).to.equal(0);
        expect(h.events).to.deep.equal(["preflight", "ssh check dev-origin", "up dev-origin", "up dev", "outputs dev", "outputs dev-origin"]);
        expect(h.engine).to.deep.equal(["[engine] up dev-origin\n", "[engine] up dev\n"]);
        const gatewayBlock = h.out.indexOf("Outputs of dev:");
        expect(gatewayBlock).to.be.greaterThan(-1);
        expect(h.out[gatewayBlock + 1]).to.match(/^ {2}invokeUrl +https:\/\/abc123\.execute-api/);
        expect(h.out).to.include("Outputs of dev-origin:");
        expect(h.err).to.deep.equal([]);
    });

    it("previews the origin before the gateway and changes nothing", async () => {
        const h = harness();
        expect(await orchestrate(["preview", "prod"], h.deps)).to.equal(0);
        expect(h.stackEvents()).to.deep.equal(["preview prod-origin", "preview prod"]);
        expect(h.events).to.not.include("ask");
        expect(h.out).to.include("Current outputs (from the last deploy) of prod:");
    });

    it("destroys the gateway before the origin after the user types the environment name", async () => {
        const h = harness({ answer: " dev \n" });
        expect(await orchestrate(["destroy", "dev"], h.deps)).to.equal(0);
        expect(h.events).to.deep.equal(["preflight", "ask", "destroy dev", "destroy dev-origin"]);
        expect(h.questions[0]).to.contain('Type "dev"');
        expect(h.out[h.out.length - 1]).to.equal("dev destroyed");
    });

    it("destroys prod-http's gateway only: prod-origin, which prod shares, is never touched", async () => {
        const h = harness({ answer: "prod-http" });
        expect(await orchestrate(["destroy", "prod-http"], h.deps)).to.equal(0);
        expect(h.stackEvents()).to.deep.equal(["destroy prod-http"]);
        expect(h.out[h.out.length - 1]).to.equal("prod-http destroyed");
    });

    it("deploys and previews prod-http's gateway only, without the origin's SSH check", async () => {
        for (const operation of ["deploy", "preview"]) {
            const h = harness({ answer: "prod-http" });
            expect(await orchestrate([operation, "prod-http", "--yes"], h.deps), operation).to.equal(0);
            expect(h.stackEvents(), operation).to.deep.equal([`${operation === "deploy" ? "up" : "preview"} prod-http`]);
            expect(h.events.some((event) => event.startsWith("ssh check")), operation).to.equal(false);
        }
    });

    it("keeps going when a stack of the environment was never created", async () => {
        const h = harness();
        h.stacks.missing.add("dev");
        expect(await orchestrate(["destroy", "dev", "--yes"], h.deps)).to.equal(0);
        expect(h.events).to.deep.equal(["preflight", "destroy dev (missing)", "destroy dev-origin"]);
        expect(h.out).to.include("stack dev does not exist in the backend: nothing to destroy");
    });

    it("aborts a destroy when the answer is not the environment name", async () => {
        const h = harness({ answer: "y" });
        expect(await orchestrate(["destroy", "dev"], h.deps)).to.equal(1);
        expect(h.stackEvents()).to.deep.equal([]);
        expect(h.err).to.deep.equal(['error: aborted: expected "dev", got "y"; nothing was changed']);
    });

    it("refuses an unconfirmed destroy when nobody can answer (stdin not a terminal)", async () => {
        const h = harness({ interactive: false });
        expect(await orchestrate(["destroy", "prod"], h.deps)).to.equal(1);
        expect(h.events).to.deep.equal(["preflight"]);
        expect(h.err).to.have.length(1);
        expect(h.err[0]).to.match(/^error: refusing to destroy prod unconfirmed: .*pass --yes$/);
    });

    it("asks before a prod deploy, not before a dev deploy, and --yes skips the question", async () => {
        const prod = harness({ answer: "prod" });
        expect(await orchestrate(["deploy", "prod"], prod.deps)).to.equal(0);
        // (A private origin's deploy also reads the gateway's outputs and plans first: the NLB guard.)
        expect(prod.events.filter((e) => !/^(outputs|plan) /.test(e)).slice(0, 4)).to.deep.equal(["preflight", "ssh check prod-origin", "ask", "up prod-origin"]);

        const dev = harness({ interactive: false });
        expect(await orchestrate(["deploy", "dev"], dev.deps)).to.equal(0);
        expect(dev.events).to.not.include("ask");

        const yes = harness({ interactive: false });
        expect(await orchestrate(["deploy", "prod", "--yes"], yes.deps)).to.equal(0);
        expect(yes.stackEvents()).to.deep.equal(["up prod-origin", "up prod"]);
        expect(yes.events).to.not.include("ask");
    });

    for (const [argv, message] of [
        [["deploy", "stagin"], 'error: unknown environment "stagin": expected one of dev, prod, prod-http'],
        [["deploy"], `error: missing environment: ${USAGE_LINE}`],
        [["deploy", "dev", "--yse"], "error: unknown option --yse (known: --yes, --skip-ssh-check, --newest-ami)"],
        [["deploy", "dev", "prod"], `error: unexpected argument "prod": ${USAGE_LINE}`],
        [["up", "dev"], `error: unknown operation "up": ${USAGE_LINE}`],
        [["destroy", "dev", "--newest-ami"], `error: --newest-ami applies to deploy and preview only: ${USAGE_LINE}`],
    ] as const) {
        it(`rejects \`${argv.join(" ")}\` with one line before any check or change`, async () => {
            const h = harness();
            expect(await orchestrate(argv, h.deps)).to.equal(1);
            expect(h.events).to.deep.equal([]);
            expect(h.err).to.deep.equal([message]);
        });
    }

    it("stops on a failed preflight before asking or touching a stack", async () => {
        const h = harness({ preflightError: "the Pulumi CLI was not found" });
        expect(await orchestrate(["destroy", "dev"], h.deps)).to.equal(1);
        expect(h.events).to.deep.equal(["preflight"]);
        expect(h.err).to.deep.equal(["error: the Pulumi CLI was not found"]);
    });

    it("leaves the gateway alone when the origin deploy fails, with one summary line", async () => {
        const h = harness();
        h.stacks.failures.set("up dev-origin", new Error("code: 255\n stdout: ...\n stderr: error: update failed\n  error: creating EC2 Instance: UnauthorizedOperation\n"));
        expect(await orchestrate(["deploy", "dev"], h.deps)).to.equal(1);
        expect(h.stackEvents()).to.deep.equal(["up dev-origin"]);
        expect(h.err).to.deep.equal([
            "error: deploy of stack dev-origin failed: creating EC2 Instance: UnauthorizedOperation; dev was not touched",
        ]);
    });

    it("keeps the origin when the gateway destroy fails", async () => {
        const h = harness();
        h.stacks.failures.set("destroy prod", new Error("error: destroy failed"));
        expect(await orchestrate(["destroy", "prod", "--yes"], h.deps)).to.equal(1);
        expect(h.stackEvents()).to.deep.equal(["destroy prod"]);
        expect(h.err).to.deep.equal(["error: destroy of stack prod failed: destroy failed; prod-origin was kept"]);
    });

    it("explains a gateway preview that fails because the origin was never deployed", async () => {
        const h = harness();
        h.stacks.failures.set(
            "preview dev",
            new Error(
                "code: 255\n stdout: Previewing update (dev)\n    error: Running program '/work/main' failed with an unhandled exception:\n" +
                    "    Error: Required output 'originUrl' does not exist on stack 'organization/hello-gateway/dev-origin'.\n" +
                    " stderr: error: preview failed\n",
            ),
        );
        expect(await orchestrate(["preview", "dev"], h.deps)).to.equal(1);
        expect(h.stackEvents()).to.deep.equal(["preview dev-origin", "preview dev"]);
        expect(h.err).to.have.length(2);
        expect(h.err[0]).to.equal(
            "error: preview of stack dev failed: Required output 'originUrl' does not exist on stack 'organization/hello-gateway/dev-origin'.",
        );
        expect(h.err[1]).to.match(/^hint: the gateway preview reads the outputs of the deployed stack dev-origin.*npm run deploy -- dev/);
    });

    it("gives no origin hint for unrelated gateway failures or for an origin failure", async () => {
        const gateway = harness();
        gateway.stacks.failures.set("preview dev", new Error("error: configuration key 'aws:region' is required"));
        expect(await orchestrate(["preview", "dev"], gateway.deps)).to.equal(1);
        expect(gateway.err).to.deep.equal(["error: preview of stack dev failed: configuration key 'aws:region' is required"]);

        const origin = harness();
        origin.stacks.failures.set("preview dev-origin", new Error("error: unknown stack"));
        expect(await orchestrate(["preview", "dev"], origin.deps)).to.equal(1);
        expect(origin.err.some((line) => line.startsWith("hint:"))).to.equal(false);
    });
});

describe("orchestrate: pure helpers", () => {
    it("runs the policy pack with the environment's enforcement config", () => {
        expect(policyPackOptions("prod-origin")).to.deep.equal({
            policyPacks: [path.join(REPO_ROOT, "policy")],
            policyPackConfigs: [path.join(REPO_ROOT, "policy", "config", "prod.json")],
        });
        const dev = policyPackOptions("dev").policyPackConfigs?.[0] ?? "";
        expect(dev).to.equal(path.join(REPO_ROOT, "policy", "config", "dev.json"));
        expect(fs.existsSync(dev)).to.equal(true);
        expect(policyPackOptions("dev", os.tmpdir())).to.deep.equal({});
    });

    it("plans origin→gateway for deploy and preview and gateway→origin for destroy", () => {
        expect(planSteps("deploy", "prod").map((s) => s.stack)).to.deep.equal(["prod-origin", "prod"]);
        expect(planSteps("preview", "dev").map((s) => s.stack)).to.deep.equal(["dev-origin", "dev"]);
        expect(planSteps("destroy", "dev").map((s) => s.stack)).to.deep.equal(["dev", "dev-origin"]);
        expect(planSteps("destroy", "prod-http").map((s) => s.stack)).to.deep.equal(["prod-http"]);
    });

    it("sends a gateway-only stack such as onprem to the plain CLI: it is not an environment", () => {
        expect(() => parseOrchestrateArgs(["deploy", "onprem"])).to.throw(UserFacingError, "onprem is a single gateway stack, not an environment: run `pulumi up --stack onprem`");
        expect(() => parseOrchestrateArgs(["destroy", "onprem"])).to.throw(UserFacingError, "run `pulumi destroy --stack onprem`");
    });

    it("parses --yes anywhere after the operation", () => {
        expect(parseOrchestrateArgs(["destroy", "--yes", "prod"])).to.include({ operation: "destroy", env: "prod", yes: true });
        expect(parseOrchestrateArgs(["preview", "dev"])).to.deep.equal({ operation: "preview", env: "dev", yes: false, skipSshCheck: false, newestAmi: false });
        expect(parseOrchestrateArgs(["deploy", "dev", "--skip-ssh-check", "--newest-ami"])).to.include({ skipSshCheck: true, newestAmi: true });
    });

    it("formats outputs with invokeUrl first and the rest sorted, non-strings as JSON", () => {
        expect(formatOutputs({ throttleRateLimit: 10, accessLogGroupName: "/aws/x", invokeUrl: "https://u" })).to.deep.equal([
            "  invokeUrl           https://u",
            "  accessLogGroupName  /aws/x",
            "  throttleRateLimit   10",
        ]);
        expect(formatOutputs({})).to.deep.equal(["  (none: the stack has not been deployed)"]);
    });

    it("summarizes an Automation API error by its most specific error line", () => {
        expect(summarizeEngineError(new Error("code: 255\n stdout: x\n stderr: error: update failed\n"))).to.equal("update failed");
        expect(summarizeEngineError(new Error("code: 7\n stdout: \n stderr: \n err?: \n"))).to.equal("pulumi exited with code 7");
        expect(summarizeEngineError("spawn pulumi ENOENT")).to.equal("spawn pulumi ENOENT");
        expect(summarizeEngineError(new Error(`error: ${"x".repeat(400)}`))).to.have.length(300);
    });
});

describe("cli-env: an environment a user is adding", () => {
    it("says where the tools list environments when the name's stack file exists, and only then", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "hg-new-env-"));
        try {
            fs.writeFileSync(path.join(root, "Pulumi.staging.yaml"), "config: {}\n");
            expect(() => parseEnvironment("staging", "usage", [], root)).to.throw(
                UserFacingError,
                'unknown environment "staging": expected one of dev, prod, prod-http; Pulumi.staging.yaml exists, but staging is not an environment of these tools yet: add it to ENVIRONMENTS in tools/cli-env.ts (docs/deploying.md, "Adding an environment")',
            );
            expect(() => parseEnvironment("qa", "usage", [], root)).to.throw(UserFacingError, /^unknown environment "qa": expected one of dev, prod, prod-http$/);
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("cli-env: preflight probes", () => {
    const probe = (env: NodeJS.ProcessEnv, files: string[] = []): AwsCredentialProbe => ({
        env,
        homeDir: "/home/op",
        fileExists: (file) => files.includes(file),
    });

    it("finds AWS credentials in the documented places, and nowhere else", () => {
        expect(findAwsCredentialSource(probe({ AWS_ACCESS_KEY_ID: "A", AWS_SECRET_ACCESS_KEY: "S" }))).to.equal("environment (AWS_ACCESS_KEY_ID)");
        expect(findAwsCredentialSource(probe({ AWS_PROFILE: "ops" }))).to.equal("profile ops (AWS_PROFILE)");
        expect(findAwsCredentialSource(probe({ AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: "arn" }))).to.match(/web identity/);
        expect(findAwsCredentialSource(probe({ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/x" }))).to.match(/container/);
        expect(findAwsCredentialSource(probe({}, ["/home/op/.aws/credentials"]))).to.equal("shared file /home/op/.aws/credentials");
        expect(findAwsCredentialSource(probe({}, ["/home/op/.aws/config"]))).to.equal("shared file /home/op/.aws/config");
        expect(findAwsCredentialSource(probe({ AWS_CONFIG_FILE: "/etc/aws" }, ["/etc/aws"]))).to.equal("shared file /etc/aws");
        // Half of a key pair, or a token file without a role, is not a credential.
        expect(findAwsCredentialSource(probe({ AWS_ACCESS_KEY_ID: "A" }))).to.equal(undefined);
        expect(findAwsCredentialSource(probe({ AWS_WEB_IDENTITY_TOKEN_FILE: "/t" }))).to.equal(undefined);
        expect(findAwsCredentialSource(probe({}))).to.equal(undefined);
    });

    it("finds the Pulumi CLI on PATH first, then in $PULUMI_HOME/bin, else reports it missing", async () => {
        const installed = (paths: string[]): RunProgram => async (file, args) => {
            expect(args).to.deep.equal(["version"]);
            if (!paths.includes(file)) {
                throw Object.assign(new Error(`spawn ${file} ENOENT`), { code: "ENOENT" });
            }
            return "v3.150.0\n";
        };
        expect(await findPulumiCli(installed(["pulumi"]), {}, "/home/op")).to.deep.equal({ command: "pulumi", version: "v3.150.0" });
        expect(await findPulumiCli(installed(["/opt/pulumi/bin/pulumi"]), { PULUMI_HOME: "/opt/pulumi" }, "/home/op")).to.deep.equal({
            command: "/opt/pulumi/bin/pulumi",
            root: "/opt/pulumi",
            version: "v3.150.0",
        });
        expect(await findPulumiCli(installed(["/home/op/.pulumi/bin/pulumi"]), {}, "/home/op")).to.include({ root: "/home/op/.pulumi" });
        expect(await findPulumiCli(installed([]), {}, "/home/op")).to.equal(undefined);
    });

    it("checks the CLI before the credentials, one clear line each", async () => {
        const noCli = localPreflight(probe({ AWS_PROFILE: "ops" }), async () => undefined);
        await expectUserFacingError(noCli(DEV_REQUEST), /^the Pulumi CLI was not found/);
        const noAws = localPreflight(probe({}), async () => FAKE_CLI);
        await expectUserFacingError(noAws(DEV_REQUEST), /^no AWS credentials found/);
        expect(await localPreflight(probe({ AWS_PROFILE: "ops" }), async () => FAKE_CLI, NO_BACKEND)(DEV_REQUEST)).to.deep.equal({
            pulumiCli: FAKE_CLI,
            awsCredentialSource: "profile ops (AWS_PROFILE)",
        });
    });

    it("parses --option value, --option=value and rejects unknown or valueless options", () => {
        const spec = { flags: ["--yes"], options: ["--expect"] };
        const parsed = parseCommandLine(["dev", "--expect", "a b", "--yes"], spec);
        expect(parsed.positionals).to.deep.equal(["dev"]);
        expect(parsed.options.get("--expect")).to.equal("a b");
        expect(parsed.flags.has("--yes")).to.equal(true);
        expect(parseCommandLine(["--expect=x=y"], spec).options.get("--expect")).to.equal("x=y");
        expect(() => parseCommandLine(["--expect"], spec)).to.throw(UserFacingError, "--expect needs a value");
        expect(() => parseCommandLine(["--yes=1"], spec)).to.throw(UserFacingError, "unknown option --yes");
    });
});

async function expectUserFacingError(promise: Promise<unknown>, message: RegExp): Promise<void> {
    try {
        await promise;
    } catch (error) {
        expect(error).to.be.instanceOf(UserFacingError);
        expect((error as Error).message).to.match(message);
        return;
    }
    expect.fail("expected a UserFacingError");
}

describe("orchestrate: as a process", () => {
    // The tool's two process contracts, each a process of its own, started at once.
    type ProcessResult = { code: number | null; stdout: string; stderr: string };
    const runTool = (...args: string[]) =>
        new Promise<ProcessResult>((resolve) => {
            execFile(
                process.execPath,
                ["--require", "tsx/cjs", path.join(REPO_ROOT, "tools", "orchestrate.ts"), ...args],
                { cwd: REPO_ROOT, timeout: 15_000 },
                (error, stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stdout, stderr }),
            );
        });
    let unknownEnvironment: ProcessResult;
    let help: ProcessResult;
    before(async () => {
        [unknownEnvironment, help] = await Promise.all([runTool("deploy", "stagin"), runTool("deploy", "--help")]);
    });

    it("exits non-zero with exactly one line and no stack trace for an unknown environment", () => {
        expect(unknownEnvironment.code).to.equal(1);
        expect(unknownEnvironment.stdout).to.equal("");
        expect(unknownEnvironment.stderr).to.equal('error: unknown environment "stagin": expected one of dev, prod, prod-http\n');
    });

    it("`tsx tools/orchestrate.ts deploy --help` exits 0 with the usage on stdout", () => {
        expect(help.code).to.equal(0);
        expect(help.stdout).to.equal(`${HELP}\n`);
        expect(help.stderr).to.equal("");
    });
});

describe("orchestrate: the real Pulumi CLI (only where `pulumi` is on PATH)", () => {
    // A throwaway YAML project with no resources, on a local file backend:
    // exercises the Automation API adapter end to end without any cloud.
    it("deploys, reads outputs of and destroys a fixture environment through the Automation API", async function () {
        const cli = await findPulumiCli(runProgram, { ...process.env, PULUMI_HOME: "/nonexistent" }, "/nonexistent");
        if (cli === undefined) {
            console.log("      skipped: `pulumi version` does not run from PATH on this machine; the fake-workspace tests above cover the sequencing");
            this.skip();
        }
        this.timeout(240_000);
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "orchestrate-fixture-"));
        try {
            const project = path.join(root, "project");
            const backend = path.join(root, "backend");
            fs.mkdirSync(project);
            fs.mkdirSync(backend);
            fs.writeFileSync(
                path.join(project, "Pulumi.yaml"),
                [
                    "name: orchestrate-fixture",
                    "runtime: yaml",
                    "outputs:",
                    "  restApiId: fixture",
                    "  invokeUrl: https://fixture.invalid/dev/hello",
                    "",
                ].join("\n"),
            );
            const envVars = {
                PULUMI_BACKEND_URL: `file://${backend}`,
                PULUMI_CONFIG_PASSPHRASE: "orchestrate-fixture",
                PULUMI_SKIP_UPDATE_CHECK: "true",
            };
            // The fixture's YAML program needs no provider plugin.
            const ops = createAutomationStackOps({ workDir: project, pulumiCli: cli!, envVars, plugins: [] });
            const out: string[] = [];
            const err: string[] = [];
            const engine: string[] = [];
            const deps: OrchestrateDeps = {
                preflight: localPreflight(
                    { env: { AWS_PROFILE: "fixture-needs-no-aws" }, homeDir: root, fileExists: () => false },
                    async () => cli,
                    { env: envVars, homeDir: root, readFile: () => undefined },
                    project,
                ),
                checkSshSource: async () => undefined,
                openStacks: () => ops,
                prompt: { interactive: false, ask: async () => expect.fail("--yes must not ask") },
                terminal: {
                    line: (text) => out.push(text),
                    errorLine: (text) => err.push(text),
                    engine: { stdout: (text) => engine.push(text), stderr: (text) => engine.push(text) },
                },
            };

            expect(await orchestrate(["deploy", "dev", "--yes"], deps), err.join("\n")).to.equal(0);
            expect(out).to.include("==> deploy dev-origin (origin of dev)");
            expect(out.indexOf("==> deploy dev-origin (origin of dev)")).to.be.lessThan(out.indexOf("==> deploy dev (gateway of dev)"));
            expect(engine.join("")).to.match(/dev-origin/);
            expect(out[out.indexOf("Outputs of dev:") + 1]).to.match(/^ {2}invokeUrl +https:\/\/fixture\.invalid\/dev\/hello$/);
            expect(await ops.outputs("dev-origin")).to.deep.equal({ restApiId: "fixture", invokeUrl: "https://fixture.invalid/dev/hello" });

            expect(await orchestrate(["destroy", "dev", "--yes"], deps), err.join("\n")).to.equal(0);
            expect(await ops.outputs("dev")).to.deep.equal({});
            expect(await ops.destroy("never-created", { stdout: () => undefined, stderr: () => undefined })).to.equal("missing");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});
