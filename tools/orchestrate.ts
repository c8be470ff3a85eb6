/**
 * `npm run deploy|preview|destroy -- <env> [--yes] [--skip-ssh-check] [--newest-ami]`
 *
 * Drives the two stacks of an environment through Pulumi's Automation API
 * over the committed Pulumi.yaml and stack files. The gateway stack reads the
 * origin stack through a StackReference, so deploy and preview go origin
 * first and destroy goes gateway first.
 *
 * The sequencing below talks to a small `StackOps` interface; the Automation
 * API adapter at the bottom is the only code that needs the Pulumi CLI.
 */
// First: the SDK then loads without the modules only function serialization needs.
import "./defer-sdk-modules";
import type { PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { TAKE_NEWEST_AMI_ENV } from "../infra/defaults";
import { environmentOf } from "../infra/stack-names";
import { localBackendProbe, secretsProviderProblem } from "./backend";
import { loadStackConfig } from "./stack-files";
import { usedProviderPlugins, ProviderPlugin } from "./plugins";
import { localSshSourceCheck, SKIP_SSH_CHECK_FLAG } from "./ssh-source";
import { clientCertificateExpiryWarning } from "./certificate-expiry";

export { localSshSourceCheck };
import {
    AwsCredentialProbe,
    Environment,
    findAwsCredentialSource,
    findPulumiCli,
    HelpRequested,
    GATEWAY_ONLY_STACKS,
    localAwsCredentialProbe,
    MISSING_AWS_CREDENTIALS,
    MISSING_PULUMI_CLI,
    parseCommandLine,
    parseEnvironment,
    PulumiCli,
    REPO_ROOT,
    runAsProcess,
    stacksOf,
    gatewaysReading,
    summarizeEngineError,
    UserFacingError,
} from "./cli-env";

export const OPERATIONS = ["deploy", "preview", "destroy"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface OrchestrateRequest {
    operation: Operation;
    env: Environment;
    /** Skip the confirmation that destroy and a prod deploy ask for. */
    yes: boolean;
    /** Deploy without checking that this machine may reach the origin over SSH. */
    skipSshCheck: boolean;
    /** Boot the newest AL2023 release on the origin (HELLO_GATEWAY_TAKE_NEWEST_AMI for its up). */
    newestAmi: boolean;
}

const NEWEST_AMI_FLAG = "--newest-ami";
const USAGE = `usage: npm run <deploy|preview|destroy> -- <dev|prod> [--yes] [${SKIP_SSH_CHECK_FLAG}] [${NEWEST_AMI_FLAG}]`;

/** What `--help` prints. */
export const HELP = [
    USAGE,
    "",
    "  deploy    up the origin stack, then the gateway stack; print their outputs",
    "  preview   preview both stacks (origin first); changes nothing",
    "  destroy   destroy the gateway stack, then the origin stack; protected resources are kept and listed",
    "",
    "  --yes              do not ask (destroy, and deploy to prod, ask for the environment name)",
    `  ${SKIP_SSH_CHECK_FLAG}   deploy without checking that this machine's public address is in sshAllowedCidrs`,
    `  ${NEWEST_AMI_FLAG}       deploy: boot the newest Amazon Linux 2023 release, replacing the origin's instance if it is newer`,
    "  --help             print this and exit",
    "",
    "See docs/operations.md.",
].join("\n");

export function parseOrchestrateArgs(argv: readonly string[]): OrchestrateRequest {
    const parsed = parseCommandLine(argv, { flags: ["--yes", SKIP_SSH_CHECK_FLAG, NEWEST_AMI_FLAG] });
    const [operation, env, ...extra] = parsed.positionals;
    if (!(OPERATIONS as readonly string[]).includes(operation)) {
        throw new UserFacingError(`unknown operation "${operation ?? ""}": ${USAGE}`);
    }
    if (extra.length > 0) {
        throw new UserFacingError(`unexpected argument "${extra[0]}": ${USAGE}`);
    }
    if ((GATEWAY_ONLY_STACKS as readonly string[]).includes(env ?? "")) {
        // One stack with no origin to order it against: the plain CLI is the whole procedure.
        throw new UserFacingError(
            `${env} is a single gateway stack, not an environment: run \`pulumi ${operation === "deploy" ? "up" : operation} --stack ${env}\` (docs/routes.md)`,
        );
    }
    if (parsed.flags.has(NEWEST_AMI_FLAG) && operation !== "deploy" && operation !== "preview") {
        throw new UserFacingError(`${NEWEST_AMI_FLAG} applies to deploy and preview only: ${USAGE}`);
    }
    return {
        operation: operation as Operation,
        env: parseEnvironment(env, USAGE),
        yes: parsed.flags.has("--yes"),
        skipSshCheck: parsed.flags.has(SKIP_SSH_CHECK_FLAG),
        newestAmi: parsed.flags.has(NEWEST_AMI_FLAG),
    };
}

/**
 * The project's policy pack runs on every preview and update, with the environment's
 * enforcement: mandatory for prod, advisory for dev (policy/config/<env>.json). A project
 * without a policy/ folder (the real-CLI test's scratch project) runs without one.
 */
export function policyPackOptions(
    stackName: string,
    root: string = REPO_ROOT,
): { policyPacks?: string[]; policyPackConfigs?: string[] } {
    const pack = path.join(root, "policy");
    if (!fs.existsSync(path.join(pack, "PulumiPolicy.yaml"))) {
        return {};
    }
    return {
        policyPacks: [pack],
        policyPackConfigs: [path.join(pack, "config", `${environmentOf(stackName)}.json`)],
    };
}

export interface PlannedStep {
    stack: string;
    role: "origin" | "gateway";
}

/** The gateway needs the origin's outputs to exist, and must go before the origin it points at. */
export function planSteps(operation: Operation, env: Environment): PlannedStep[] {
    const stacks = stacksOf(env);
    if (stacks.originOwner !== undefined) {
        // The origin is another environment's: this one deploys, previews and destroys its gateway only.
        return [{ stack: stacks.gateway, role: "gateway" }];
    }
    const originFirst: PlannedStep[] = [
        { stack: stacks.origin, role: "origin" },
        { stack: stacks.gateway, role: "gateway" },
    ];
    return operation === "destroy" ? originFirst.reverse() : originFirst;
}

/** The question to ask before going on, or undefined when the operation is safe to run unasked. */
export function confirmationQuestion(request: OrchestrateRequest): string | undefined {
    const stackList = planSteps(request.operation, request.env)
        .map((step) => step.stack)
        .join(", then ");
    if (request.operation === "destroy") {
        return `Destroy every resource of ${request.env} (stacks ${stackList})? Type "${request.env}" to confirm: `;
    }
    if (request.operation === "deploy" && request.env === "prod") {
        return `Deploy to prod (stacks ${stackList})? Type "prod" to confirm: `;
    }
    return undefined;
}

// ---------------------------------------------------------------------------
// What the sequencing needs from the outside world

/** Where the engine's own output goes while an operation runs. */
export interface EngineOutput {
    stdout(text: string): void;
    stderr(text: string): void;
}

export type StackOutputs = Record<string, unknown>;

/** Per-run switches for an up or preview. */
export interface RunSwitches {
    /** Boot the newest AL2023 release (origin stacks). */
    newestAmi?: boolean;
}

/** One step a preview plans, as the engine's events report it. */
export interface PlannedChange {
    type: string;
    urn: string;
    /** The engine's step: same, create, update, replace, create-replacement, delete-replaced, delete... */
    op: string;
    /** Input properties that changed. */
    keys: string[];
}

/** A resource a destroy left in place because it is protected. */
export interface KeptResource {
    urn: string;
    type: string;
    id: string | undefined;
}

export interface StackOps {
    up(stack: string, output: EngineOutput, switches?: RunSwitches): Promise<void>;
    preview(stack: string, output: EngineOutput, switches?: RunSwitches): Promise<void>;
    /**
     * Destroys everything but protected resources. "missing" when the backend has no such stack:
     * there is nothing to destroy.
     */
    destroy(stack: string, output: EngineOutput): Promise<"destroyed" | "missing">;
    /** The steps an up would take, from a preview (nothing changes). */
    plannedChanges(stack: string, switches?: RunSwitches): Promise<PlannedChange[]>;
    /** The protected resources the stack still holds (what a destroy kept). */
    protectedResources(stack: string): Promise<KeptResource[]>;
    outputs(stack: string): Promise<StackOutputs>;
}

export interface Prompt {
    /** False when stdin is not a terminal: then nobody can answer. */
    readonly interactive: boolean;
    ask(question: string): Promise<string>;
}

export interface Terminal {
    line(text: string): void;
    errorLine(text: string): void;
    engine: EngineOutput;
}

export interface PreflightReport {
    pulumiCli: PulumiCli;
    awsCredentialSource: string;
}

export interface OrchestrateDeps {
    /** Throws a UserFacingError when the CLI, AWS credentials or the secrets passphrase are missing. */
    preflight(request: OrchestrateRequest): Promise<PreflightReport>;
    /**
     * Deploy only, before the origin stack is touched: throws a UserFacingError when this machine
     * could not reach the origin over SSH (its address is outside the stack's sshAllowedCidrs).
     */
    checkSshSource(originStack: string): Promise<void>;
    openStacks(pulumiCli: PulumiCli): StackOps;
    prompt: Prompt;
    terminal: Terminal;
    /** Where Pulumi.yaml and the stack files are. Default: this repository. */
    projectRoot?: string;
    /** The time the client certificate's expiry is judged against. Default: the clock. */
    now?: () => Date;
}

// ---------------------------------------------------------------------------
// Sequencing

/** Runs the command line; resolves with the process exit code. */
export async function orchestrate(argv: readonly string[], deps: OrchestrateDeps): Promise<number> {
    const { terminal } = deps;
    let request: OrchestrateRequest;
    let stacks: StackOps;
    try {
        // Everything up to the confirmation only reads: a failure here changes nothing.
        request = parseOrchestrateArgs(argv);
        const report = await deps.preflight(request);
        terminal.line(`Pulumi CLI ${report.pulumiCli.version}; AWS credentials from ${report.awsCredentialSource}`);
        if (request.operation === "deploy" && !request.skipSshCheck && stacksOf(request.env).originOwner === undefined) {
            await deps.checkSshSource(stacksOf(request.env).origin);
        }
        await confirm(request, deps.prompt);
        stacks = deps.openStacks(report.pulumiCli);
    } catch (error) {
        // `--help` or `-h` anywhere (parseCommandLine): usage, before any check.
        if (error instanceof HelpRequested) {
            terminal.line(HELP);
            return 0;
        }
        if (error instanceof UserFacingError) {
            terminal.errorLine(`error: ${error.message}`);
            return 1;
        }
        throw error;
    }

    const kept: Array<{ stack: string; resource: KeptResource }> = [];
    for (const step of planSteps(request.operation, request.env)) {
        terminal.line(`==> ${request.operation} ${step.stack} (${step.role} of ${request.env})`);
        const switches: RunSwitches = step.role === "origin" && request.newestAmi ? { newestAmi: true } : {};
        try {
            if (request.operation === "deploy" && step.role === "origin" && (await gatewayHoldsLoadBalancer(stacks, request.env, deps.projectRoot))) {
                const refusal = loadBalancerRefusal(await stacks.plannedChanges(step.stack, switches), request.env);
                if (refusal !== undefined) {
                    terminal.errorLine(`error: ${refusal}`);
                    return 1;
                }
            }
            if (request.operation === "deploy") {
                await stacks.up(step.stack, terminal.engine, switches);
            } else if (request.operation === "preview") {
                await stacks.preview(step.stack, terminal.engine, switches);
            } else if ((await stacks.destroy(step.stack, terminal.engine)) === "missing") {
                terminal.line(`stack ${step.stack} does not exist in the backend: nothing to destroy`);
            } else {
                for (const resource of await stacks.protectedResources(step.stack)) {
                    kept.push({ stack: step.stack, resource });
                    terminal.line(keptResourceLine(step.stack, resource));
                }
            }
        } catch (error) {
            terminal.errorLine(
                `error: ${request.operation} of stack ${step.stack} failed: ${summarizeEngineError(error)}` +
                    (step.role === "origin" && request.operation !== "destroy"
                        ? `; ${stacksOf(request.env).gateway} was not touched`
                        : step.role === "gateway" && request.operation === "destroy"
                          ? `; ${stacksOf(request.env).origin} was kept`
                          : ""),
            );
            const hint = failureHint(request, step, error);
            if (hint !== undefined) {
                terminal.errorLine(`hint: ${hint}`);
            }
            return 1;
        }
    }

    if (request.operation === "destroy") {
        terminal.line(
            kept.length === 0
                ? `${request.env} destroyed`
                : `${request.env} destroyed, except ${kept.length} protected resource(s) listed above (see docs/operations.md, "Destroy, and what is kept")`,
        );
        return 0;
    }
    const stacksOfEnv = stacksOf(request.env);
    const heading = request.operation === "preview" ? "Current outputs (from the last deploy)" : "Outputs";
    for (const stack of [stacksOfEnv.gateway, stacksOfEnv.origin]) {
        let outputs: StackOutputs;
        try {
            outputs = await stacks.outputs(stack);
        } catch (error) {
            terminal.errorLine(`error: cannot read the outputs of stack ${stack}: ${summarizeEngineError(error)}`);
            return 1;
        }
        terminal.line(`${heading} of ${stack}:`);
        formatOutputs(outputs).forEach((line) => terminal.line(line));
        // The stage presents the origin's client certificate: once it expires, every request fails.
        if (stack === stacksOfEnv.origin) {
            const warning = clientCertificateExpiryWarning(outputs, stack, request.env, deps.now?.() ?? new Date());
            if (warning !== undefined) {
                terminal.errorLine(`warning: ${warning}`);
            }
        }
    }
    return 0;
}

export const LOAD_BALANCER_TYPE = "aws:lb/loadBalancer:LoadBalancer";

/**
 * The NLB inputs whose change makes the AWS provider replace a network load balancer: the
 * schema's ForceNew `name`, `namePrefix`, `internal`, `loadBalancerType` and
 * `customerOwnedIpv4Pool`, and, through its network-LB diff rule, `subnets` or `subnetMappings`
 * unless subnets are only added, and `securityGroups` going from none to some or back
 * (terraform-provider-aws internal/service/elbv2/load_balancer.go, customizeDiffLoadBalancerNLB).
 * In this program they follow from the environment name (the autonamed name), constants, and the
 * VPC's subnets (vpcCidr, the availability zones).
 */
export const NLB_REPLACING_INPUTS = ["name", "namePrefix", "internal", "loadBalancerType", "customerOwnedIpv4Pool", "subnets", "subnetMappings", "securityGroups"] as const;

const REMOVES_OLD = new Set(["replace", "create-replacement", "delete-replaced", "delete", "discard"]);

/**
 * A deploy whose origin step would replace or delete the load balancer that the gateway's VPC
 * link targets fails halfway: AWS refuses to delete a load balancer a VPC link uses
 * (ResourceInUse), after the new one exists. Refused up front instead, with what to do.
 */
export function loadBalancerRefusal(changes: readonly PlannedChange[], env: Environment): string | undefined {
    const change = changes.find((c) => c.type === LOAD_BALANCER_TYPE && REMOVES_OLD.has(c.op));
    if (change === undefined) {
        return undefined;
    }
    const stacks = stacksOf(env);
    const what = change.op === "delete" ? "delete" : "replace";
    const cause = change.keys.length > 0 ? ` (changed: ${change.keys.join(", ")})` : "";
    return (
        `deploy would ${what} ${stacks.origin}'s load balancer${cause} while stack ${stacks.gateway}'s VPC link targets it, and AWS refuses to delete a load balancer a VPC link uses (ResourceInUse): ` +
        `destroy the gateway first (pulumi destroy --stack ${stacks.gateway}; its API gets a new id), then npm run deploy -- ${env}`
    );
}

/**
 * Whether the environment's gateway holds the origin's NLB through a VPC link: the origin stack
 * is configured private (so it has an NLB) and the gateway stack is deployed (its mode must
 * match the origin's, so it reaches it through a VPC link).
 */
async function gatewayHoldsLoadBalancer(stacks: StackOps, env: Environment, root: string = REPO_ROOT): Promise<boolean> {
    const { origin } = stacksOf(env);
    if (!fs.existsSync(path.join(root, `Pulumi.${origin}.yaml`)) || loadStackConfig(origin, root).config["hello-gateway:originMode"] !== "private") {
        return false;
    }
    // prod-http's HTTP API holds prod-origin's NLB through its own VPC link as well.
    for (const gateway of gatewaysReading(env)) {
        if (Object.keys(await stacks.outputs(gateway)).length > 0) {
            return true;
        }
    }
    return false;
}

/** Why a kept resource is protected, and how its owner removes it for good. */
export function keptResourceLine(stack: string, resource: KeptResource): string {
    const name = resource.urn.split("::").pop() ?? resource.urn;
    const base = `kept: ${resource.type} ${name}${resource.id ? ` (${resource.id})` : ""} is protected and stays in stack ${stack}`;
    if (resource.type === "aws:cognito/userPool:UserPool") {
        return (
            `${base}: it holds the API's user accounts. Adopt it again with cognitoUserPoolArn, or delete it: ` +
            `pulumi state unprotect '${resource.urn}' --stack ${stack} --yes, pulumi destroy --stack ${stack} (AWS keeps the pool: retainOnDelete), ` +
            `then aws cognito-idp update-user-pool --user-pool-id ${resource.id ?? "<id>"} --deletion-protection INACTIVE and aws cognito-idp delete-user-pool --user-pool-id ${resource.id ?? "<id>"}`
        );
    }
    return `${base}: pulumi state unprotect '${resource.urn}' --stack ${stack} --yes, then destroy again to delete it`;
}

async function confirm(request: OrchestrateRequest, prompt: Prompt): Promise<void> {
    const question = confirmationQuestion(request);
    if (question === undefined || request.yes) {
        return;
    }
    if (!prompt.interactive) {
        throw new UserFacingError(
            `refusing to ${request.operation} ${request.env} unconfirmed: stdin is not a terminal; pass --yes`,
        );
    }
    const answer = (await prompt.ask(question)).trim();
    if (answer !== request.env) {
        throw new UserFacingError(`aborted: expected "${request.env}", got "${answer}"; nothing was changed`);
    }
}

// A gateway preview evaluates its StackReference for real; with no deployed
// origin the reference (or a required output of it) is missing.
const MISSING_ORIGIN_PATTERN =
    /StackReference|stack reference|unknown stack|no stack named|Required output|does not exist on stack/i;

export function failureHint(request: OrchestrateRequest, step: PlannedStep, error: unknown): string | undefined {
    if (request.operation !== "preview" || step.role !== "gateway") {
        return undefined;
    }
    if (!MISSING_ORIGIN_PATTERN.test(error instanceof Error ? error.message : String(error))) {
        return undefined;
    }
    const origin = stacksOf(request.env).origin;
    return (
        `the gateway preview reads the outputs of the deployed stack ${origin}, and a preview creates nothing; ` +
        `deploy the origin first (npm run deploy -- ${request.env})`
    );
}

/** The invoke URL is what a user came for: it goes first, the rest alphabetically. */
export function formatOutputs(outputs: StackOutputs): string[] {
    const names = Object.keys(outputs).sort((a, b) =>
        a === "invokeUrl" ? -1 : b === "invokeUrl" ? 1 : a.localeCompare(b),
    );
    if (names.length === 0) {
        return ["  (none: the stack has not been deployed)"];
    }
    const width = Math.max(...names.map((name) => name.length));
    return names.map((name) => {
        const value = outputs[name];
        return `  ${name.padEnd(width)}  ${typeof value === "string" ? value : JSON.stringify(value)}`;
    });
}

// ---------------------------------------------------------------------------
// The real world

export function localPreflight(
    awsProbe: AwsCredentialProbe = localAwsCredentialProbe,
    locateCli: () => Promise<PulumiCli | undefined> = () => findPulumiCli(),
    backendProbe = localBackendProbe(process.env, os.homedir()),
    projectRoot: string = REPO_ROOT,
): (request: OrchestrateRequest) => Promise<PreflightReport> {
    return async (request) => {
        const pulumiCli = await locateCli();
        if (pulumiCli === undefined) {
            throw new UserFacingError(MISSING_PULUMI_CLI);
        }
        const awsCredentialSource = findAwsCredentialSource(awsProbe);
        if (awsCredentialSource === undefined) {
            throw new UserFacingError(MISSING_AWS_CREDENTIALS);
        }
        const stacks = stacksOf(request.env);
        const secrets = secretsProviderProblem(backendProbe, projectRoot, [stacks.origin, stacks.gateway]);
        if (secrets !== undefined) {
            throw new UserFacingError(secrets);
        }
        return { pulumiCli, awsCredentialSource };
    };
}

export interface AutomationOptions {
    /** Directory holding Pulumi.yaml and the Pulumi.<stack>.yaml files. */
    workDir: string;
    pulumiCli: PulumiCli;
    /** Extra environment for the CLI (tests point it at a throwaway local backend). */
    envVars?: Record<string, string>;
    /**
     * The provider plugins to install before the first operation; the engine is then told not
     * to download any others (see tools/plugins.ts). Default: the project's direct dependencies.
     */
    plugins?: readonly ProviderPlugin[];
}

/**
 * The engine's environment for every operation. awsx depends on the docker providers, which
 * declare themselves resource plugins, so the engine would download three unused plugins before
 * the first run on a fresh machine (tools/plugins.ts); the adapter installs the plugins the
 * program uses itself and switches automatic acquisition off.
 */
export const ENGINE_ENV: Readonly<Record<string, string>> = { PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" };

/**
 * Protected resources (the Cognito user pool a cognito-mode gateway creates) would fail the whole
 * destroy; they stay, and the caller lists them with how to remove them.
 */
export const DESTROY_OPTIONS = { excludeProtected: true } as const;

/** Opens stacks with the Automation API, over the project files in workDir. */
export function createAutomationStackOps(options: AutomationOptions): StackOps {
    // Loading the Automation API costs most of a second: only pay for it when a stack is used.
    const automation = () => import("@pulumi/pulumi/automation/index.js");
    const color = process.stdout.isTTY ? "always" : "never";

    let pulumiCommand: Promise<PulumiCommand> | undefined;
    let pluginsInstalled: Promise<void> | undefined;
    const plugins = options.plugins ?? usedProviderPlugins(options.workDir);
    const envVars = { ...ENGINE_ENV, ...options.envVars };
    async function workspace(stackName: string, switches: RunSwitches = {}) {
        const api = await automation();
        // One `pulumi version` check per run, not one per stack.
        pulumiCommand ??= api.PulumiCommand.get(
            options.pulumiCli.root === undefined ? undefined : { root: options.pulumiCli.root },
        );
        const command = await pulumiCommand;
        const runEnv = switches.newestAmi ? { ...envVars, [TAKE_NEWEST_AMI_ENV]: "true" } : envVars;
        pluginsInstalled ??= (async () => {
            const installer = await api.LocalWorkspace.create({ workDir: options.workDir, pulumiCommand: command, envVars: runEnv });
            for (const plugin of plugins) {
                await installer.installPlugin(plugin.name, plugin.version, "resource");
            }
        })();
        await pluginsInstalled;
        return {
            api,
            args: { stackName, workDir: options.workDir },
            workspaceOptions: { workDir: options.workDir, pulumiCommand: command, envVars: runEnv },
        };
    }

    // Deploy and preview may start an environment from nothing: creating the
    // (empty) stack in the backend is bookkeeping, not a cloud change.
    async function openOrCreate(stackName: string, switches?: RunSwitches): Promise<Stack> {
        const { api, args, workspaceOptions } = await workspace(stackName, switches);
        return api.LocalWorkspace.createOrSelectStack(args, workspaceOptions);
    }

    async function openExisting(stackName: string): Promise<Stack | undefined> {
        const { api, args, workspaceOptions } = await workspace(stackName);
        try {
            return await api.LocalWorkspace.selectStack(args, workspaceOptions);
        } catch (error) {
            if (error instanceof api.StackNotFoundError) {
                return undefined;
            }
            throw error;
        }
    }

    return {
        async up(stackName, output, switches) {
            const stack = await openOrCreate(stackName, switches);
            await stack.up({ onOutput: output.stdout, onError: output.stderr, color, ...policyPackOptions(stackName, options.workDir) });
        },
        async preview(stackName, output, switches) {
            const stack = await openOrCreate(stackName, switches);
            await stack.preview({ onOutput: output.stdout, onError: output.stderr, color, ...policyPackOptions(stackName, options.workDir) });
        },
        async destroy(stackName, output) {
            const stack = await openExisting(stackName);
            if (stack === undefined) {
                return "missing";
            }
            await stack.destroy({ onOutput: output.stdout, onError: output.stderr, color, ...DESTROY_OPTIONS });
            return "destroyed";
        },
        async plannedChanges(stackName, switches) {
            const stack = await openOrCreate(stackName, switches);
            const changes: PlannedChange[] = [];
            await stack.preview({
                color,
                ...policyPackOptions(stackName, options.workDir),
                onEvent: (event) => {
                    const metadata = event.resourcePreEvent?.metadata;
                    if (metadata !== undefined) {
                        changes.push({ type: metadata.type, urn: metadata.urn, op: metadata.op, keys: metadata.keys ?? [] });
                    }
                },
            });
            return changes;
        },
        async protectedResources(stackName) {
            const stack = await openExisting(stackName);
            if (stack === undefined) {
                return [];
            }
            const deployment = await stack.exportStack();
            const resources = ((deployment.deployment as { resources?: Array<Record<string, unknown>> }).resources ?? []);
            return resources
                .filter((resource) => resource.protect === true)
                .map((resource) => ({ urn: String(resource.urn), type: String(resource.type), id: typeof resource.id === "string" ? resource.id : undefined }));
        },
        async outputs(stackName) {
            const stack = await openExisting(stackName);
            if (stack === undefined) {
                return {};
            }
            const outputs = await stack.outputs();
            return Object.fromEntries(
                Object.entries(outputs).map(([name, output]) => [name, output.secret ? "[secret]" : output.value]),
            );
        },
    };
}

export function terminalPrompt(): Prompt {
    return {
        interactive: Boolean(process.stdin.isTTY),
        async ask(question) {
            const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
            try {
                return await rl.question(question);
            } finally {
                rl.close();
            }
        },
    };
}

export const processTerminal: Terminal = {
    line: (text) => console.log(text),
    errorLine: (text) => console.error(text),
    engine: {
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
    },
};

if (require.main === module) {
    runAsProcess(() =>
        orchestrate(process.argv.slice(2), {
            preflight: localPreflight(),
            checkSshSource: localSshSourceCheck(),
            openStacks: (pulumiCli) => createAutomationStackOps({ workDir: REPO_ROOT, pulumiCli }),
            prompt: terminalPrompt(),
            terminal: processTerminal,
        }),
    );
}
