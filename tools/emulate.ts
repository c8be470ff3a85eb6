/**
 * `npm run emulate -- <dev|prod|switches>`
 *
 * Replays an environment through the real AWS provider against an AWS emulator. For each
 * stack, origin first, it takes the resource graph the program registers under the mock
 * runtime (the run `npm run plan` makes, from the committed stack files), renders it as
 * Terraform JSON for hashicorp/aws (tools/emulator/render.ts), and against a moto_server it
 * starts on a free loopback port runs `terraform validate`, `apply`, a second `plan` that
 * must show no changes, and at the end `destroy`, gateway first. The gateway's StackReference
 * reads the origin's emulated outputs. `switches` is a fixture environment
 * (tests/fixtures/emulate/) with the switches dev and prod leave off.
 *
 * Where Terraform, the provider mirror or moto are missing it says which, in one line, and
 * exits 0: the gate runs where its tools are (docs/emulator.md).
 */
// First: the SDK then loads without the modules only function serialization needs.
import "./defer-sdk-modules";
import { ChildProcess, execFile, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ENVIRONMENTS, HelpRequested, parseCommandLine, UserFacingError } from "./cli-env";
import type { Prerequisite, RenderedStack } from "./emulator/render";
import type { FunctionPackage } from "./emulator/lambda-packages";
import type { EnvironmentPlan } from "./plan";
import type { StackPlan } from "./plan/model";
import { REPO_ROOT } from "./stack-files";
import { freePort, waitUntilListening } from "./free-port";

/**
 * The environments the gate covers: the committed two, the fixture with the other switches on,
 * and the gateway-only WebSocket stack `chat` (no origin: only its gateway stack is applied).
 */
export const EMULATED_ENVIRONMENTS = [...ENVIRONMENTS, "switches", "chat"] as const;
/** Emulated environments that are one gateway stack with no origin stack. */
const GATEWAY_ONLY_EMULATED: readonly EmulatedEnvironment[] = ["chat"];
export type EmulatedEnvironment = (typeof EMULATED_ENVIRONMENTS)[number];

const FIXTURE_ROOT = path.join(REPO_ROOT, "tests", "fixtures", "emulate");

export const USAGE = `usage: npm run emulate -- <${EMULATED_ENVIRONMENTS.join("|")}> [--keep-dir]

Replays the environment's stacks (origin first) through Terraform and the hashicorp/aws
provider against a local moto_server: validate, apply, a second plan that must show no
changes, destroy. Needs terraform, the provider mirror (TF_PLUGIN_MIRROR, default
/opt/tf-plugins) and moto_server; without them it says what is missing and exits 0.
  --keep-dir   keep the Terraform working directories (their path is printed)`;

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface EmulateRequest {
    readonly env: EmulatedEnvironment;
    readonly keepDir: boolean;
}

export type ParsedArgs = { help: true } | ({ help: false } & EmulateRequest);

export function parseEmulateArgs(argv: readonly string[]): ParsedArgs {
    let parsed: ReturnType<typeof parseCommandLine>;
    try {
        parsed = parseCommandLine(argv, { flags: ["--keep-dir"] });
    } catch (error) {
        if (error instanceof HelpRequested) return { help: true };
        throw error;
    }
    const [env, ...extra] = parsed.positionals;
    if (extra.length > 0) throw new UserFacingError(`unexpected argument "${extra[0]}"`);
    if (env === undefined) throw new UserFacingError("missing environment");
    if (!(EMULATED_ENVIRONMENTS as readonly string[]).includes(env)) {
        throw new UserFacingError(`unknown environment "${env}": expected one of ${EMULATED_ENVIRONMENTS.join(", ")}`);
    }
    return { help: false, env: env as EmulatedEnvironment, keepDir: parsed.flags.has("--keep-dir") };
}

// ---------------------------------------------------------------------------
// Tools on the machine

export interface Toolchain {
    readonly terraform: string;
    readonly mirror: string;
    readonly moto: string;
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
    for (const dir of (env.PATH ?? "").split(path.delimiter)) {
        const candidate = path.join(dir, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** The tools the gate needs, or the sentence that says which are missing. */
export function findToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain | { missing: string } {
    const terraform = onPath("terraform", env);
    const mirror = env.TF_PLUGIN_MIRROR ?? "/opt/tf-plugins";
    const hasMirror = fs.existsSync(path.join(mirror, "registry.terraform.io", "hashicorp", "aws", "5.100.0"));
    const moto = onPath("moto_server", env);
    const missing = [
        terraform ? undefined : "terraform (not on PATH)",
        hasMirror ? undefined : `the hashicorp/aws 5.100.0 provider mirror (not in ${mirror}; set TF_PLUGIN_MIRROR)`,
        moto ? undefined : "moto_server (not on PATH)",
    ].filter((item): item is string => item !== undefined);
    if (missing.length > 0 || !terraform || !moto) {
        return { missing: missing.join(", ") };
    }
    return { terraform, mirror, moto };
}

// ---------------------------------------------------------------------------
// moto


interface Moto {
    readonly endpoint: string;
    stop(): Promise<void>;
}

async function startMoto(command: string, port: number, log: string): Promise<Moto> {
    const out = fs.openSync(log, "a");
    const child: ChildProcess = spawn(command, ["-H", "127.0.0.1", "-p", String(port)], {
        // Attaching AWS-managed policies needs them loaded; ACM issues DNS-validated certificates at once.
        env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "true", MOTO_ACM_VALIDATION_WAIT: "0" },
        stdio: ["ignore", out, out],
    });
    await waitUntilListening(port, { timeoutMs: 20_000, pollMs: 100, timedOut: () => new Error(`moto_server did not listen on 127.0.0.1:${port} within 20 s`) });
    return {
        endpoint: `http://127.0.0.1:${port}`,
        stop: () =>
            new Promise<void>((resolve) => {
                if (child.exitCode !== null) return resolve();
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
            }),
    };
}

// ---------------------------------------------------------------------------
// Terraform

interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CommandResult> {
    return new Promise((resolve) => {
        execFile(command, [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
            const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
    });
}

/** What Terraform said went wrong: its error blocks (stderr), else the end of what it printed. */
function errorLines(result: CommandResult): string {
    const text = result.stderr.trim() !== "" ? result.stderr : result.stdout;
    const lines = text.split("\n").filter((line, index, all) => line.trim() !== "" || (index > 0 && all[index - 1].trim() !== ""));
    return lines.slice(0, 60).join("\n");
}

export interface StepLine {
    readonly stack: string;
    readonly step: string;
    readonly ok: boolean;
    readonly seconds: number;
    readonly detail?: string;
}

class StackWorkspace {
    /** Set once an apply has started: from then on there may be something to destroy. */
    applied = false;

    constructor(
        readonly layer: "origin" | "gateway",
        readonly stack: string,
        readonly dir: string,
        private readonly terraform: string,
        private readonly env: NodeJS.ProcessEnv,
        private readonly report: (line: StepLine) => void,
    ) {}

    async step(step: string, args: readonly string[], accept: (result: CommandResult) => string | undefined = (r) => (r.code === 0 ? undefined : errorLines(r))): Promise<CommandResult> {
        const started = Date.now();
        const result = await run(this.terraform, args, this.dir, this.env);
        const problem = accept(result);
        this.report({ stack: this.stack, step, ok: problem === undefined, seconds: (Date.now() - started) / 1000, detail: problem });
        if (problem !== undefined) {
            throw new StepFailed(`${this.stack}: ${step} failed`);
        }
        return result;
    }
}

class StepFailed extends Error {}

/** A real ed25519 key in OpenSSH form: EC2 (and moto) parse the public key they import. */
export function generateOpenSshPublicKey(): string {
    const { publicKey } = generateKeyPairSync("ed25519");
    const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    const field = (bytes: Buffer) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(bytes.length);
        return Buffer.concat([length, bytes]);
    };
    const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
    return `ssh-ed25519 ${blob.toString("base64")} hello-gateway-emulator`;
}

/** Stand-ins for what the stack config names outside the stacks. */
export function prerequisitesOf(config: Record<string, string>, project: string): Prerequisite[] {
    const zoneId = config[`${project}:hostedZoneId`];
    const domain = config[`${project}:customDomainName`];
    if (!zoneId || !domain) return [];
    const zoneName = domain.split(".").slice(1).join(".") || domain;
    return [
        {
            value: zoneId,
            expression: "aws_route53_zone.prerequisite.zone_id",
            resource: { type: "aws_route53_zone", label: "prerequisite", body: { name: zoneName, force_destroy: true } },
            reason: `stands in for hostedZoneId ${zoneId} (a zone the account already has): a hosted zone for ${zoneName}, created by the emulator`,
        },
    ];
}

function writeCliConfig(dir: string, mirror: string): string {
    const file = path.join(dir, "terraform.rc");
    fs.writeFileSync(
        file,
        `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
    );
    return file;
}

export interface EmulateIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

const processIo: EmulateIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) };

export interface MainDependencies {
    readonly io: EmulateIo;
    readonly env: NodeJS.ProcessEnv;
}

function formatLine(env: string, line: StepLine): string {
    const text = `emulate ${env}: ${line.stack.padEnd(16)} ${line.step.padEnd(14)} ${line.ok ? "ok    " : "FAILED"} ${line.seconds.toFixed(1).padStart(6)} s`;
    // A passing step's detail is a summary for the same line; a failure's goes to stderr.
    return line.ok && line.detail ? `${text}  ${line.detail}` : text;
}

const TLS_PRIVATE_KEY = "tls:index/privateKey:PrivateKey";

/** What the gate applies: an environment's two stacks, or a gateway-only stack alone. */
type EmulatedPlan = Pick<EnvironmentPlan, "project" | "gateway"> & { readonly origin?: StackPlan };
type EmulatedLayer = "origin" | "gateway";

async function planFor(env: EmulatedEnvironment): Promise<EmulatedPlan> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { planEnvironment } = require("./plan") as typeof import("./plan");
    if (GATEWAY_ONLY_EMULATED.includes(env)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { planGatewayStack } = require("./plan/environment") as typeof import("./plan/environment");
        return planGatewayStack(env, { root: REPO_ROOT });
    }
    const root = env === "switches" ? FIXTURE_ROOT : REPO_ROOT;
    return planEnvironment(env, { root });
}

function layersOf(plan: EmulatedPlan): EmulatedLayer[] {
    return plan.origin ? ["origin", "gateway"] : ["gateway"];
}

export async function main(argv: readonly string[], dependencies: Partial<MainDependencies> = {}): Promise<number> {
    const { io = processIo, env: processEnv = process.env } = dependencies;
    let request: ParsedArgs;
    try {
        request = parseEmulateArgs(argv);
    } catch (error) {
        io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
        return EXIT.usage;
    }
    if (request.help) {
        io.stdout(`${USAGE}\n`);
        return EXIT.ok;
    }
    const tools = findToolchain(processEnv);
    if ("missing" in tools) {
        io.stdout(`emulate ${request.env}: skipped, missing ${tools.missing}\n`);
        return EXIT.ok;
    }
    const envName = request.env;
    const started = Date.now();
    const say = (text: string) => io.stdout(`emulate ${envName}: ${text}\n`);
    const report = (line: StepLine) => {
        io.stdout(formatLine(envName, line) + "\n");
        if (!line.ok && line.detail) io.stderr(`${line.detail}\n`);
    };
    const finish = (failed: boolean) => {
        say(`${failed ? "FAILED" : "passed"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return failed ? EXIT.failed : EXIT.ok;
    };

    // Render both stacks before anything starts: a type or value the renderer cannot map fails here.
    const port = await freePort();
    const planStarted = Date.now();
    let plan: EmulatedPlan;
    try {
        plan = await planFor(envName);
    } catch (error) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { isConfigurationError } = require("./plan") as typeof import("./plan");
        if (!isConfigurationError(error)) throw error;
        io.stderr(`${error.message}\n`);
        return finish(true);
    }
    const layers = layersOf(plan);
    say(`ran ${layers.map((layer) => plan[layer]!.stack).join(" and ")} on the mock runtime in ${((Date.now() - planStarted) / 1000).toFixed(1)} s`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { functionPackagesOf } = require("./emulator/lambda-packages") as typeof import("./emulator/lambda-packages");
    const packages: Partial<Record<EmulatedLayer, readonly FunctionPackage[]>> = {};
    for (const layer of layers) {
        packages[layer] = await functionPackagesOf(plan[layer]!.run.graph);
    }
    const rendered = renderEnvironment(plan, `http://127.0.0.1:${port}`, report, packages);
    if (rendered === undefined) {
        return finish(true);
    }
    const notEmulated = layers.flatMap((layer) => rendered[layer]!.notEmulated.map((entry) => ({ ...entry, stack: plan[layer]!.stack })));
    say(`not emulated (${notEmulated.length}):`);
    for (const entry of notEmulated) {
        io.stdout(`  - ${entry.stack}: ${entry.what}: ${entry.reason}\n`);
    }

    const work = fs.mkdtempSync(path.join(os.tmpdir(), `emulate-${envName}-`));
    const moto = await startMoto(tools.moto, port, path.join(work, "moto.log"));
    const tfEnv: NodeJS.ProcessEnv = {
        ...processEnv,
        TF_CLI_CONFIG_FILE: writeCliConfig(work, tools.mirror),
        TF_IN_AUTOMATION: "1",
        TF_INPUT: "0",
        CHECKPOINT_DISABLE: "1",
    };
    const workspaces: StackWorkspace[] = [];
    let failed = false;
    try {
        let originOutputs: Record<string, unknown> = {};
        for (const layer of layers) {
            const stack = plan[layer]!.stack;
            const dir = path.join(work, stack);
            fs.mkdirSync(dir);
            fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(rendered[layer]!.config, null, 2));
            for (const lambdaPackage of packages[layer] ?? []) {
                fs.mkdirSync(path.dirname(path.join(dir, lambdaPackage.file)), { recursive: true });
                fs.writeFileSync(path.join(dir, lambdaPackage.file), lambdaPackage.zip);
            }
            if (layer === "gateway") {
                // The gateway's StackReference: the origin's emulated outputs, as Terraform variables.
                const variables = rendered.gateway!.referenceVariables;
                const values = Object.fromEntries(Object.entries(variables).map(([output, variable]) => [variable, originOutputs[output] ?? null]));
                fs.writeFileSync(path.join(dir, "origin.auto.tfvars.json"), JSON.stringify(values, null, 2));
            }
            const workspace = new StackWorkspace(layer, stack, dir, tools.terraform, tfEnv, report);
            workspaces.push(workspace);
            await workspace.step("init", ["init", "-input=false", "-no-color", "-backend=false"]);
            await workspace.step("validate", ["validate", "-no-color"]);
            workspace.applied = true;
            await workspace.step("apply", ["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=20"]);
            await workspace.step("plan (again)", ["plan", "-detailed-exitcode", "-input=false", "-no-color"], secondPlanProblem);
            if (layer === "origin") {
                const outputs = await workspace.step("outputs", ["output", "-json", "-no-color"]);
                originOutputs = Object.fromEntries(Object.entries(JSON.parse(outputs.stdout) as Record<string, { value: unknown }>).map(([key, entry]) => [key, entry.value]));
            }
        }
    } catch (error) {
        failed = true;
        if (!(error instanceof StepFailed)) {
            io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        }
    } finally {
        // Destroy in reverse order: the gateway first, then the origin it read.
        for (const workspace of [...workspaces].reverse().filter((candidate) => candidate.applied)) {
            const retained = rendered[workspace.layer]!.retained;
            try {
                if (retained.length > 0) {
                    await workspace.step(`forget (${retained.length})`, ["state", "rm", "-no-color", ...retained], (result) =>
                        result.code === 0 || /No matching objects|Invalid target address|No state file/.test(result.stderr) ? undefined : errorLines(result),
                    );
                }
                await workspace.step("destroy", ["destroy", "-auto-approve", "-input=false", "-no-color", "-parallelism=20"]);
            } catch {
                failed = true;
            }
        }
        await moto.stop();
        if (request.keepDir) {
            say(`working directories kept in ${work}`);
        } else {
            fs.rmSync(work, { recursive: true, force: true });
        }
    }
    return finish(failed);
}

/** The second plan refreshes from the emulator: anything but "no changes" fails the gate. */
function secondPlanProblem(result: CommandResult): string | undefined {
    if (result.code === 0) return undefined;
    if (result.code === 2) {
        const changes = result.stdout.split("\n").filter((line) => /^\s+#|^\s+[~+-] /.test(line)).slice(0, 60);
        return `the second plan is not empty:\n${changes.join("\n")}`;
    }
    return errorLines(result);
}

/** Both stacks as Terraform, or undefined after printing why one cannot be rendered. */
function renderEnvironment(
    plan: EmulatedPlan,
    endpoint: string,
    report: (line: StepLine) => void,
    packages: Partial<Record<EmulatedLayer, readonly FunctionPackage[]>>,
): Partial<Record<EmulatedLayer, RenderedStack>> | undefined {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { renderStack, RenderError } = require("./emulator/render") as typeof import("./emulator/render");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { MOCK_ACCOUNT_ID } = require("./mock-runtime") as typeof import("./mock-runtime");
    const rendered: Partial<Record<"origin" | "gateway", RenderedStack>> = {};
    for (const layer of layersOf(plan)) {
        const started = Date.now();
        const stackPlan = plan[layer]!;
        const config = stackPlan.config;
        try {
            rendered[layer] = renderStack(stackPlan.run, {
                region: config["aws:region"] ?? "us-east-1",
                mockAccountId: MOCK_ACCOUNT_ID,
                endpoint,
                prerequisites: prerequisitesOf(config, plan.project),
                generatedPublicKeys: Object.fromEntries(stackPlan.run.graph.ofType(TLS_PRIVATE_KEY).map((key) => [key.name, generateOpenSshPublicKey()])),
                functionPackages: Object.fromEntries((packages[layer] ?? []).map((lambdaPackage) => [lambdaPackage.resourceName, lambdaPackage])),
            });
        } catch (error) {
            if (!(error instanceof RenderError)) throw error;
            report({ stack: stackPlan.stack, step: "render", ok: false, seconds: (Date.now() - started) / 1000, detail: error.message });
            return undefined;
        }
        report({ stack: stackPlan.stack, step: "render", ok: true, seconds: (Date.now() - started) / 1000, detail: `${rendered[layer]?.resourceCount} Terraform resources` });
    }
    return rendered;

}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
            process.exitCode = EXIT.failed;
        },
    );
}
