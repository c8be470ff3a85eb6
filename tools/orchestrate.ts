/**
 * `npm run deploy|preview|destroy -- <env> [--yes]`
 *
 * Drives the two stacks of an environment through Pulumi's Automation API
 * over the committed Pulumi.yaml and stack files. The gateway stack reads the
 * origin stack through a StackReference, so deploy and preview go origin
 * first and destroy goes gateway first.
 *
 * The sequencing below talks to a small `StackOps` interface; the Automation
 * API adapter at the bottom is the only code that needs the Pulumi CLI.
 */
import type { PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline/promises";
import { environmentOf } from "../infra/stack-names";
import {
    AwsCredentialProbe,
    Environment,
    findAwsCredentialSource,
    findPulumiCli,
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
}

const USAGE = "usage: npm run <deploy|preview|destroy> -- <dev|prod> [--yes]";

export function parseOrchestrateArgs(argv: readonly string[]): OrchestrateRequest {
    const parsed = parseCommandLine(argv, { flags: ["--yes"] });
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
    return {
        operation: operation as Operation,
        env: parseEnvironment(env, USAGE),
        yes: parsed.flags.has("--yes"),
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

export interface StackOps {
    up(stack: string, output: EngineOutput): Promise<void>;
    preview(stack: string, output: EngineOutput): Promise<void>;
    /** "missing" when the backend has no such stack: there is nothing to destroy. */
    destroy(stack: string, output: EngineOutput): Promise<"destroyed" | "missing">;
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
    /** Throws a UserFacingError when the CLI or AWS credentials are missing. */
    preflight(): Promise<PreflightReport>;
    openStacks(pulumiCli: PulumiCli): StackOps;
    prompt: Prompt;
    terminal: Terminal;
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
        const report = await deps.preflight();
        terminal.line(`Pulumi CLI ${report.pulumiCli.version}; AWS credentials from ${report.awsCredentialSource}`);
        await confirm(request, deps.prompt);
        stacks = deps.openStacks(report.pulumiCli);
    } catch (error) {
        if (error instanceof UserFacingError) {
            terminal.errorLine(`error: ${error.message}`);
            return 1;
        }
        throw error;
    }

    for (const step of planSteps(request.operation, request.env)) {
        terminal.line(`==> ${request.operation} ${step.stack} (${step.role} of ${request.env})`);
        try {
            if (request.operation === "deploy") {
                await stacks.up(step.stack, terminal.engine);
            } else if (request.operation === "preview") {
                await stacks.preview(step.stack, terminal.engine);
            } else if ((await stacks.destroy(step.stack, terminal.engine)) === "missing") {
                terminal.line(`stack ${step.stack} does not exist in the backend: nothing to destroy`);
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
        terminal.line(`${request.env} destroyed`);
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
    }
    return 0;
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
): () => Promise<PreflightReport> {
    return async () => {
        const pulumiCli = await locateCli();
        if (pulumiCli === undefined) {
            throw new UserFacingError(MISSING_PULUMI_CLI);
        }
        const awsCredentialSource = findAwsCredentialSource(awsProbe);
        if (awsCredentialSource === undefined) {
            throw new UserFacingError(MISSING_AWS_CREDENTIALS);
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
}

/** Opens stacks with the Automation API, over the project files in workDir. */
export function createAutomationStackOps(options: AutomationOptions): StackOps {
    // Loading the Automation API costs most of a second: only pay for it when a stack is used.
    const automation = () => import("@pulumi/pulumi/automation/index.js");
    const color = process.stdout.isTTY ? "always" : "never";

    let pulumiCommand: Promise<PulumiCommand> | undefined;
    async function workspace(stackName: string) {
        const api = await automation();
        // One `pulumi version` check per run, not one per stack.
        pulumiCommand ??= api.PulumiCommand.get(
            options.pulumiCli.root === undefined ? undefined : { root: options.pulumiCli.root },
        );
        return {
            api,
            args: { stackName, workDir: options.workDir },
            workspaceOptions: { workDir: options.workDir, pulumiCommand: await pulumiCommand, envVars: options.envVars },
        };
    }

    // Deploy and preview may start an environment from nothing: creating the
    // (empty) stack in the backend is bookkeeping, not a cloud change.
    async function openOrCreate(stackName: string): Promise<Stack> {
        const { api, args, workspaceOptions } = await workspace(stackName);
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
        async up(stackName, output) {
            const stack = await openOrCreate(stackName);
            await stack.up({ onOutput: output.stdout, onError: output.stderr, color, ...policyPackOptions(stackName, options.workDir) });
        },
        async preview(stackName, output) {
            const stack = await openOrCreate(stackName);
            await stack.preview({ onOutput: output.stdout, onError: output.stderr, color, ...policyPackOptions(stackName, options.workDir) });
        },
        async destroy(stackName, output) {
            const stack = await openExisting(stackName);
            if (stack === undefined) {
                return "missing";
            }
            await stack.destroy({ onOutput: output.stdout, onError: output.stderr, color });
            return "destroyed";
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
            openStacks: (pulumiCli) => createAutomationStackOps({ workDir: REPO_ROOT, pulumiCli }),
            prompt: terminalPrompt(),
            terminal: processTerminal,
        }),
    );
}
