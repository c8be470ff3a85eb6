import { expect } from "chai";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, parseConfig, rawConfigFrom } from "../infra/config";
import { BackendProbe, currentBackendUrl, secretsProviderProblem } from "../tools/backend";
import { PulumiCli, UserFacingError } from "../tools/cli-env";
import { ProgramRun } from "../tools/mock-runtime";
import {
    DESTROY_OPTIONS,
    ENGINE_ENV,
    EngineOutput,
    HELP,
    KeptResource,
    localPreflight,
    localSshSourceCheck,
    orchestrate,
    loadBalancerRefusal,
    NLB_REPLACING_INPUTS,
    OrchestrateDeps,
    PlannedChange,
    RunSwitches,
    StackOps,
} from "../tools/orchestrate";
import { reportedProviderPlugins, usedProviderPlugins } from "../tools/plugins";
import { fetchPublicAddress, sshSourceProblem } from "../tools/ssh-source";
import { committedStacks, loadStackConfig } from "../tools/stack-files";
import { runStack } from "./support";

// What `npm run deploy|preview|destroy` checks before it changes anything, and what destroy
// does with protected resources. The sequencing runs against a fake StackOps; the address echo
// is a local HTTP server on 127.0.0.1.

const CLI: PulumiCli = { command: "pulumi", version: "v3.999.0" };

class RecordingStacks implements StackOps {
    readonly calls: string[] = [];
    readonly switches: Record<string, RunSwitches | undefined> = {};
    constructor(
        private readonly kept: Record<string, KeptResource[]> = {},
        private readonly planned: PlannedChange[] = [],
        private readonly deployed: Record<string, Record<string, unknown>> = {},
    ) {}
    async plannedChanges(stack: string) {
        this.calls.push(`plan ${stack}`);
        return this.planned;
    }
    async up(stack: string, _output: EngineOutput, switches?: RunSwitches) {
        this.calls.push(`up ${stack}`);
        this.switches[`up ${stack}`] = switches;
    }
    async preview(stack: string, _output: EngineOutput, switches?: RunSwitches) {
        this.calls.push(`preview ${stack}`);
        this.switches[`preview ${stack}`] = switches;
    }
    async destroy(stack: string) {
        this.calls.push(`destroy ${stack}`);
        return "destroyed" as const;
    }
    async protectedResources(stack: string) {
        return this.kept[stack] ?? [];
    }
    async outputs(stack: string) {
        return this.deployed[stack] ?? {};
    }
}

function deps(stacks: StackOps, overrides: Partial<OrchestrateDeps> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const checked: string[] = [];
    const value: OrchestrateDeps = {
        preflight: async () => ({ pulumiCli: CLI, awsCredentialSource: "test" }),
        checkSshSource: async (stack) => {
            checked.push(stack);
        },
        openStacks: () => stacks,
        prompt: { interactive: false, ask: async () => expect.fail("must not ask") },
        terminal: { line: (t) => out.push(t), errorLine: (t) => err.push(t), engine: { stdout: () => undefined, stderr: () => undefined } },
        ...overrides,
    };
    return { value, out, err, checked };
}

/** A stand-in for checkip.amazonaws.com on 127.0.0.1: answers `body`, or never answers. */
async function echoServer(body: string | "hang"): Promise<{ url: string; close: () => Promise<void> }> {
    const server = http.createServer((_req, res) => {
        if (body !== "hang") {
            res.end(`${body}\n`);
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** A project of its own: Pulumi.yaml declaring sshAllowedCidrs, and an origin stack file. */
function fixtureProject(stackFiles: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-checks-"));
    fs.writeFileSync(
        path.join(root, "Pulumi.yaml"),
        ["name: hello-gateway", "runtime: nodejs", "config:", "  sshAllowedCidrs:", "    type: array", "    items:", "      type: string", "    default: []", ""].join("\n"),
    );
    for (const [stack, text] of Object.entries(stackFiles)) {
        fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), text);
    }
    return root;
}

describe("npm run deploy|preview|destroy -- --help", () => {
    for (const operation of ["deploy", "preview", "destroy"]) {
        it(`${operation} --help prints the usage and exits 0 without any check`, async () => {
            const stacks = new RecordingStacks();
            let preflights = 0;
            const d = deps(stacks, { preflight: async () => (preflights++, { pulumiCli: CLI, awsCredentialSource: "x" }) });
            expect(await orchestrate([operation, "--help"], d.value)).to.equal(0);
            expect(await orchestrate([operation, "dev", "-h"], d.value)).to.equal(0);
            expect(d.out[0]).to.equal(HELP);
            expect(HELP).to.match(/^usage: npm run <deploy\|preview\|destroy> -- <dev\|prod>/);
            expect(HELP).to.contain("--skip-ssh-check").and.contain("--newest-ami").and.contain("--yes");
            expect(preflights).to.equal(0);
            expect(stacks.calls).to.deep.equal([]);
        });
    }
    // As a process (exit code 0, the usage on stdout, nothing on stderr): orchestrate.spec.ts, with
    // the tool's other process contract.
});

describe("npm run deploy: this machine must be inside the origin's sshAllowedCidrs", () => {
    const root = fixtureProject({ "dev-origin": "config:\n  hello-gateway:sshAllowedCidrs:\n    - 192.0.2.0/24\n    - 2001:db8::/32\n" });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("passes when the echo's answer is inside a range", async () => {
        const echo = await echoServer("192.0.2.55");
        try {
            await localSshSourceCheck(() => fetchPublicAddress(echo.url, 1_000), root)("dev-origin");
        } finally {
            await echo.close();
        }
    });

    it("stops with one line naming the address and the ranges when it is outside", async () => {
        const echo = await echoServer("198.51.100.7");
        try {
            const error = await rejectionOf(localSshSourceCheck(() => fetchPublicAddress(echo.url, 1_000), root)("dev-origin"));
            expect(error).to.be.instanceOf(UserFacingError);
            expect(error.message).to.not.contain("\n");
            expect(error.message).to.match(/^this machine's public address 198\.51\.100\.7 is not in dev-origin's sshAllowedCidrs \(192\.0\.2\.0\/24, 2001:db8::\/32\)/);
            expect(error.message).to.contain("pulumi config set --path 'sshAllowedCidrs[2]' 198.51.100.7/32 --stack dev-origin");
            expect(error.message).to.contain("--skip-ssh-check");
        } finally {
            await echo.close();
        }
    });

    it("gives up on a silent echo after the short timeout, naming the flag that skips the check", async () => {
        const echo = await echoServer("hang");
        const started = Date.now();
        try {
            const error = await rejectionOf(fetchPublicAddress(echo.url, 50));
            expect(Date.now() - started).to.be.lessThan(2_000);
            expect(error.message).to.match(/^cannot tell this machine's public address from http:\/\/127\.0\.0\.1:\d+\/ \(no answer within 0\.05 s\)/);
            expect(error.message).to.contain("--skip-ssh-check");
        } finally {
            await echo.close();
        }
    });

    it("refuses an echo that answers something other than an address", async () => {
        const echo = await echoServer("<html>captive portal</html>");
        try {
            const error = await rejectionOf(fetchPublicAddress(echo.url, 1_000));
            expect(error.message).to.contain("not an IP address");
        } finally {
            await echo.close();
        }
    });

    it("uses the committed origin stacks' own ranges", () => {
        for (const stack of committedStacks().filter((s) => s.endsWith("-origin"))) {
            const cidrs = JSON.parse(loadStackConfig(stack).config["hello-gateway:sshAllowedCidrs"]) as string[];
            const inside = cidrs[0].split("/")[0];
            expect(sshSourceProblem(inside, cidrs, stack), stack).to.equal(undefined);
            expect(sshSourceProblem("192.0.2.1", ["10.0.0.0/8"], stack)).to.contain("(10.0.0.0/8)");
        }
    });

    it("runs before the origin stack is touched, on deploy only, and --skip-ssh-check skips it", async () => {
        const stacks = new RecordingStacks();
        const refused = deps(stacks, { checkSshSource: async () => Promise.reject(new UserFacingError("this machine's public address 198.51.100.7 is not in ...")) });
        expect(await orchestrate(["deploy", "dev"], refused.value)).to.equal(1);
        expect(stacks.calls).to.deep.equal([]);
        expect(refused.err).to.deep.equal(["error: this machine's public address 198.51.100.7 is not in ..."]);

        const skipped = deps(new RecordingStacks(), { checkSshSource: async () => expect.fail("--skip-ssh-check must skip the check") });
        expect(await orchestrate(["deploy", "dev", "--skip-ssh-check"], skipped.value)).to.equal(0);

        for (const argv of [["preview", "dev"], ["destroy", "dev", "--yes"]]) {
            const other = deps(new RecordingStacks());
            expect(await orchestrate(argv, other.value)).to.equal(0);
            expect(other.checked, argv[0]).to.deep.equal([]);
        }
        const deploy = deps(new RecordingStacks());
        expect(await orchestrate(["deploy", "dev"], deploy.value)).to.equal(0);
        expect(deploy.checked).to.deep.equal(["dev-origin"]);
    });
});

describe("npm run deploy -- --newest-ami", () => {
    it("boots the newest AL2023 release on the origin's up only", async () => {
        const stacks = new RecordingStacks();
        expect(await orchestrate(["deploy", "dev", "--newest-ami"], deps(stacks).value)).to.equal(0);
        expect(stacks.switches["up dev-origin"]).to.deep.equal({ newestAmi: true });
        expect(stacks.switches["up dev"]).to.deep.equal({});
        const ordinary = new RecordingStacks();
        await orchestrate(["deploy", "dev"], deps(ordinary).value);
        expect(ordinary.switches["up dev-origin"]).to.deep.equal({});
    });
});

describe("npm run destroy: protected resources are kept and listed", () => {
    const pool: KeptResource = {
        urn: "urn:pulumi:dev::hello-gateway::hello-gateway:infra:ApiUserPool$aws:cognito/userPool:UserPool::hello-gateway-dev-users-pool",
        type: "aws:cognito/userPool:UserPool",
        id: "us-east-1_Abc123",
    };

    it("destroys the rest, says what is kept and how to remove it, and still destroys the origin", async () => {
        const stacks = new RecordingStacks({ dev: [pool] });
        const d = deps(stacks);
        expect(await orchestrate(["destroy", "dev", "--yes"], d.value)).to.equal(0);
        expect(stacks.calls).to.deep.equal(["destroy dev", "destroy dev-origin"]);
        const kept = d.out.find((line) => line.startsWith("kept: "));
        expect(kept).to.contain("aws:cognito/userPool:UserPool hello-gateway-dev-users-pool (us-east-1_Abc123) is protected and stays in stack dev");
        expect(kept).to.contain(`pulumi state unprotect '${pool.urn}' --stack dev --yes`);
        expect(kept).to.contain("aws cognito-idp update-user-pool --user-pool-id us-east-1_Abc123 --deletion-protection INACTIVE");
        expect(kept).to.contain("aws cognito-idp delete-user-pool --user-pool-id us-east-1_Abc123");
        expect(kept).to.contain("cognitoUserPoolArn");
        expect(d.out[d.out.length - 1]).to.match(/^dev destroyed, except 1 protected resource\(s\) listed above/);
    });

    it("asks the engine to leave protected resources instead of failing the destroy on them", () => {
        expect(DESTROY_OPTIONS).to.deep.equal({ excludeProtected: true });
    });

    it("the pool a cognito-mode gateway creates is the protected one", async () => {
        const run: ProgramRun = await runStack("prod", { overrides: { authMode: "cognito", originMode: "private" } });
        const protectedTypes = run.resources.filter((r) => r.protect).map((r) => r.type);
        expect(protectedTypes).to.deep.equal(["aws:cognito/userPool:UserPool"]);
    });
});

describe("self-managed backends", () => {
    const probe = (env: NodeJS.ProcessEnv, files: Record<string, string> = {}): BackendProbe => ({
        env,
        homeDir: "/home/op",
        readFile: (file) => files[file],
    });
    const root = "/project";

    it("finds the backend as the CLI does: PULUMI_BACKEND_URL, Pulumi.yaml backend.url, then the stored login", () => {
        expect(currentBackendUrl(probe({ PULUMI_BACKEND_URL: "s3://state" }), root)).to.equal("s3://state");
        expect(currentBackendUrl(probe({}, { "/project/Pulumi.yaml": "name: x\nbackend:\n  url: file:///srv/state\n" }), root)).to.equal("file:///srv/state");
        expect(currentBackendUrl(probe({}, { "/home/op/.pulumi/credentials.json": '{"current":"gs://bucket"}' }), root)).to.equal("gs://bucket");
        expect(currentBackendUrl(probe({}), root)).to.equal(undefined);
    });

    it("needs PULUMI_CONFIG_PASSPHRASE (or a secrets provider) on file://, s3://, gs://, azblob://, and says so in one line", () => {
        for (const url of ["file:///srv/state", "s3://bucket", "gs://bucket", "azblob://container"]) {
            const problem = secretsProviderProblem(probe({ PULUMI_BACKEND_URL: url }), root, ["dev-origin", "dev"]);
            expect(problem, url).to.match(new RegExp(`^the backend ${url.replace(/[/.]/g, "\\$&")} is self-managed, so stacks dev-origin and dev encrypt their secrets with a passphrase`));
            expect(problem).to.contain("set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE)").and.not.contain("\n");
        }
        expect(secretsProviderProblem(probe({ PULUMI_BACKEND_URL: "s3://b", PULUMI_CONFIG_PASSPHRASE: "" }), root, ["dev"])).to.equal(undefined);
        expect(secretsProviderProblem(probe({ PULUMI_BACKEND_URL: "s3://b", PULUMI_CONFIG_PASSPHRASE_FILE: "/run/pass" }), root, ["dev"])).to.equal(undefined);
        expect(secretsProviderProblem(probe({ PULUMI_BACKEND_URL: "https://api.pulumi.com" }), root, ["dev"])).to.equal(undefined);
        const kms = { "/project/Pulumi.dev.yaml": "secretsprovider: awskms://alias/pulumi\nconfig: {}\n" };
        expect(secretsProviderProblem(probe({ PULUMI_BACKEND_URL: "s3://b" }, kms), root, ["dev"])).to.equal(undefined);
    });

    it("is part of the preflight, before anything runs", async () => {
        const preflight = localPreflight(
            { env: { AWS_PROFILE: "ops" }, homeDir: "/home/op", fileExists: () => false },
            async () => CLI,
            probe({ PULUMI_BACKEND_URL: "file:///srv/state" }),
            root,
        );
        const error = await rejectionOf(preflight({ operation: "deploy", env: "dev", yes: true, skipSshCheck: false, newestAmi: false }));
        expect(error).to.be.instanceOf(UserFacingError);
        expect(error.message).to.contain("PULUMI_CONFIG_PASSPHRASE");
    });

    it("reads stack files that `pulumi stack init` gave an encryptionsalt", () => {
        const project = fixtureProject({ "dev-origin": "encryptionsalt: v1:SGVsbG8=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\nconfig:\n  hello-gateway:sshAllowedCidrs:\n    - 192.0.2.0/24\n" });
        try {
            expect(loadStackConfig("dev-origin", project).config["hello-gateway:sshAllowedCidrs"]).to.equal('["192.0.2.0/24"]');
        } finally {
            fs.rmSync(project, { recursive: true, force: true });
        }
    });

    it("accepts a bare originStack for backends created before CLI 3.61, and still refuses a half-qualified one", () => {
        const identity = { project: "hello-gateway", stack: "dev", organization: "organization" };
        const raw = (originStack: string) =>
            rawConfigFrom({ "hello-gateway:layer": "gateway", "hello-gateway:originStack": originStack, "aws:region": "us-east-1" }, () => false);
        const config = parseConfig(raw("dev-origin"), identity);
        expect(config.layer === "gateway" && config.originStack).to.equal("dev-origin");
        let error: unknown;
        try {
            parseConfig(raw("acme/dev-origin"), identity);
        } catch (caught) {
            error = caught;
        }
        expect(error).to.be.instanceOf(ConfigError);
        expect((error as Error).message).to.contain("or a bare stack name such as dev-origin for a self-managed backend created before Pulumi CLI 3.61");
    });
});

describe("provider plugins: nothing downloaded that the program does not use", () => {
    it("the language host would report the docker providers that awsx depends on (the finding holds)", () => {
        const reported = reportedProviderPlugins().map((p) => p.name);
        expect(reported).to.include.members(["docker", "docker-build"]);
    });

    it("installs exactly the providers of the project's own dependencies, which cover every resource type of every stack", async () => {
        const used = usedProviderPlugins().map((p) => p.name);
        expect(used).to.not.include.members(["docker"]);
        expect(used).to.not.include("docker-build");
        const packages = new Set<string>();
        for (const stack of committedStacks()) {
            const run = await runStack(stack);
            for (const resource of run.resources.filter((r) => r.custom)) {
                packages.add(resource.type.split(":")[0]);
            }
            // awsx's VPC is a remote component: its plugin is needed although the mocks see no children.
            for (const resource of run.resources.filter((r) => r.type.startsWith("awsx:"))) {
                packages.add(resource.type.split(":")[0]);
            }
        }
        packages.delete("pulumi");
        expect([...packages].sort()).to.deep.equal(used);
    });

    it("tells the engine not to fetch any other plugin", () => {
        expect(ENGINE_ENV).to.deep.equal({ PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" });
    });
});

describe("npm run deploy: the VPC link holds the origin's NLB", () => {
    const nlb = (op: string, keys: string[]): PlannedChange => ({
        type: "aws:lb/loadBalancer:LoadBalancer",
        urn: "urn:pulumi:prod-origin::hello-gateway::hello-gateway:infra:OriginLoadBalancer$aws:lb/loadBalancer:LoadBalancer::hello-prod-nlb",
        op,
        keys,
    });
    // A project of the test's own, whose prod origin is private (so it has an NLB).
    const root = fixtureProject({ "prod-origin": "config:\n  hello-gateway:originMode: private\n", "dev-origin": "config:\n  hello-gateway:originMode: public\n" });
    after(() => fs.rmSync(root, { recursive: true, force: true }));
    const privateOrigin = "prod-origin";

    it("names the inputs whose change replaces a network load balancer (from the provider's schema and NLB diff rule)", () => {
        expect([...NLB_REPLACING_INPUTS]).to.have.members(["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool", "subnets", "subnetMappings", "securityGroups"]);
    });

    it("refuses an origin deploy that would replace or delete the NLB while the gateway is deployed, before anything changes", async () => {
        const env = "prod";
        for (const [op, verb] of [["replace", "replace"], ["create-replacement", "replace"], ["delete", "delete"]]) {
            const stacks = new RecordingStacks({}, [nlb(op, ["subnets"])], { [env]: { invokeUrl: "https://x/hello" } });
            const d = deps(stacks, { projectRoot: root });
            expect(await orchestrate(["deploy", env, "--yes"], d.value)).to.equal(1);
            expect(stacks.calls).to.deep.equal([`plan ${privateOrigin}`]);
            expect(d.err).to.have.length(1);
            expect(d.err[0]).to.equal(`error: ${loadBalancerRefusal([nlb(op, ["subnets"])], env as "dev" | "prod")}`);
            expect(d.err[0]).to.contain(`deploy would ${verb} ${privateOrigin}'s load balancer (changed: subnets) while stack ${env}'s VPC link targets it`);
            expect(d.err[0]).to.contain(`pulumi destroy --stack ${env}`);
        }
    });

    it("lets an update in place through, does not look when no gateway is deployed yet or the origin is public", async () => {
        const env = "prod";
        const inPlace = new RecordingStacks({}, [nlb("update", ["tags"])], { [env]: { invokeUrl: "https://x/hello" } });
        expect(await orchestrate(["deploy", env, "--yes"], deps(inPlace, { projectRoot: root }).value)).to.equal(0);
        expect(inPlace.calls).to.deep.equal([`plan ${privateOrigin}`, `up ${privateOrigin}`, `up ${env}`]);
        const fresh = new RecordingStacks({}, [nlb("replace", ["subnets"])]);
        expect(await orchestrate(["deploy", env, "--yes"], deps(fresh, { projectRoot: root }).value)).to.equal(0);
        expect(fresh.calls).to.deep.equal([`up ${privateOrigin}`, `up ${env}`]);
        const publicOrigin = new RecordingStacks({}, [nlb("replace", ["subnets"])], { dev: { invokeUrl: "https://x/hello" } });
        expect(await orchestrate(["deploy", "dev", "--yes"], deps(publicOrigin, { projectRoot: root }).value)).to.equal(0);
        expect(publicOrigin.calls).to.deep.equal(["up dev-origin", "up dev"]);
        expect(loadBalancerRefusal([nlb("same", [])], "prod")).to.equal(undefined);
    });
});

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (error) {
        return error as Error;
    }
    return expect.fail("expected a rejection");
}
