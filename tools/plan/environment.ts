/**
 * Runs both stacks of an environment on the mock runtime, origin first, with the committed
 * configuration, and assembles the plan: trees, outputs and the diagram.
 */
import { stacksOf } from "../cli-env";
import type { Layer } from "../../infra/config";
import type { ProgramRun } from "../mock-runtime";
import { configurationReport } from "../../infra/config-keys";
import { loadProject, readStackConfig, REPO_ROOT } from "../stack-files";
import { architectureDiagramOf } from "./diagram";
import { mermaidOf } from "./mermaid";
import { originFilesOf } from "./origin-files";
import type { EnvironmentPlan, GatewayOnlyPlan, StackPlan } from "./model";
import { isWebSocketGateway, websocketDiagramOf } from "./websocket-diagram";
import { plannedOutputs, planTree } from "./tree";

type MockRuntime = typeof import("../mock-runtime");

/**
 * The mock runtime loads @pulumi/pulumi (about a second); a mistyped environment should not
 * wait for that, so it is required on first use instead of imported up front.
 */
function mockRuntime(): MockRuntime {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require("../mock-runtime") as MockRuntime;
}

export interface PlanOptions {
    /** Directory holding Pulumi.yaml and the stack files. Default: the repository. */
    readonly root?: string;
    /**
     * Config to set (or, with `undefined`, remove) on top of the committed files, by stack name
     * then key; short keys are in the project's namespace. For tests and what-if runs.
     */
    readonly configOverrides?: Readonly<Record<string, Readonly<Record<string, string | undefined>>>>;
}

/**
 * The committed stack files are broken (a required key missing, a value of the wrong type):
 * the CLI refuses such a stack before the program runs, with a message of its own.
 */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/**
 * The configuration problems of an environment's stacks, in one report: each line names the
 * stack file, the line and the key (infra/config's `configurationReport`).
 */
export class EnvironmentConfigurationError extends Error {
    constructor(
        readonly stacks: readonly string[],
        readonly problems: readonly string[],
    ) {
        super(configurationReport(stacks, problems));
        this.name = "EnvironmentConfigurationError";
    }
}

/** A configuration problem the user fixes in the stack files: printed verbatim, exit 1. */
export function isConfigurationError(error: unknown): error is Error {
    // The program is loaded afresh for every run, so its ConfigError class differs per run: match by name.
    return (
        error instanceof Error &&
        (error.name === "ConfigError" || error instanceof StackFileError || error instanceof EnvironmentConfigurationError)
    );
}

interface StackInput {
    readonly config: Record<string, string>;
    readonly encryptedKeys: readonly string[];
    /**
     * Everything the CLI or the program would refuse in this stack's configuration, each naming
     * file, line and key; checked before any program runs (tools/config-report.ts).
     */
    readonly problems: readonly string[];
}

function stackInput(project: string, stack: string, options: PlanOptions): StackInput {
    const loaded = readStackConfig(stack, options.root ?? REPO_ROOT);
    const config = { ...loaded.config };
    for (const [key, value] of Object.entries(options.configOverrides?.[stack] ?? {})) {
        const qualified = key.includes(":") ? key : `${project}:${key}`;
        if (value === undefined) {
            delete config[qualified];
        } else {
            config[qualified] = value;
        }
    }
    // The program's own checks run on the values the CLI would accept, so a value of the wrong
    // type never hides another key's problem (tools/config-report.ts, which loads the SDK).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { problemsOfReport } = require("../config-report") as typeof import("../config-report");
    const problems = problemsOfReport(project, stack, { ...loaded, config }, mockRuntime().MOCK_ORGANIZATION);
    return { config, encryptedKeys: loaded.encryptedKeys, problems };
}

/** Refuses the stacks' configuration in one report when any of them has a problem. */
function refuseProblems(inputs: ReadonlyArray<readonly [string, StackInput]>): void {
    const failing = inputs.filter(([, input]) => input.problems.length > 0);
    if (failing.length > 0) {
        throw new EnvironmentConfigurationError(
            failing.map(([stack]) => stack),
            failing.flatMap(([, input]) => input.problems),
        );
    }
}

function encryptedNote(stack: string, keys: readonly string[]): string[] {
    if (keys.length === 0) {
        return [];
    }
    // The run gets a placeholder for each as a secret (runProgram's secretKeys): the program
    // treats it as a secret it cannot read, so the plan shows the wiring but not the value.
    return [
        `Pulumi.${stack}.yaml holds encrypted values (${keys.join(", ")}); they were not decrypted offline, so the plan ran with a secret placeholder for each. \`pulumi preview --stack ${stack}\` decrypts and checks them.`,
    ];
}

/**
 * Runs both stacks of an environment on the mock runtime, origin first, and returns what they
 * would create. Rejects with one configuration report (EnvironmentConfigurationError, or the
 * gateway's ConfigError about the origin it reads) on bad config.
 */
/**
 * `env` is dev or prod, or a fixture environment whose `<env>-origin` and `<env>` stack files
 * live in `options.root` (the emulator's).
 */
export async function planEnvironment(env: string, options: PlanOptions = {}): Promise<EnvironmentPlan> {
    const runtime = mockRuntime();
    const project = loadProject(options.root ?? REPO_ROOT).name;
    const stacks = stacksOf(env);
    const notes: string[] = [];

    // Both stacks are checked before either runs, so one report shows every mistake of the
    // environment, and the gateway never runs against an origin that could not be planned.
    const originInput = stackInput(project, stacks.origin, options);
    const gatewayInput = stackInput(project, stacks.gateway, options);
    refuseProblems([
        [stacks.origin, originInput],
        [stacks.gateway, gatewayInput],
    ]);
    notes.push(...encryptedNote(stacks.origin, originInput.encryptedKeys));
    notes.push(...encryptedNote(stacks.gateway, gatewayInput.encryptedKeys));
    const runOptions = { project, organization: runtime.MOCK_ORGANIZATION, root: options.root ?? REPO_ROOT };
    const originRun = await runtime.runProgram({
        ...runOptions,
        stack: stacks.origin,
        config: originInput.config,
        secretKeys: originInput.encryptedKeys,
    });

    // The gateway reads <org>/<project>/<env>-origin unless originStack names another stack of
    // this environment (checked with its config); either way it gets this environment's origin.
    const originReference = `${runtime.MOCK_ORGANIZATION}/${project}/${stacks.origin}`;
    const configuredOrigin = gatewayInput.config[`${project}:originStack`];
    const referenced = configuredOrigin ? configuredOrigin : originReference;
    if (referenced !== originReference) {
        notes.push(`The gateway's originStack is ${referenced}; the plan feeds it the outputs of ${stacks.origin}.`);
    }
    const gatewayRun = await runtime.runProgram({
        ...runOptions,
        stack: stacks.gateway,
        config: gatewayInput.config,
        secretKeys: gatewayInput.encryptedKeys,
        stackOutputs: { [referenced]: originRun.outputs },
    });

    const origin = stackPlan(project, "origin", originRun, originInput.config);
    const gateway = stackPlan(project, "gateway", gatewayRun, gatewayInput.config);
    const diagram = architectureDiagramOf(env, originRun, gatewayRun, { bodyFiles: bodyFilesOf(project, gatewayInput.config) });
    const originFiles = originFilesOf(originRun.graph);
    return { env, project, origin, gateway, originReference: referenced, diagram, mermaid: mermaidOf(diagram), originFiles, notes };
}

export function stackPlan(project: string, layer: Layer, run: ProgramRun, config: Readonly<Record<string, string>> = {}): StackPlan {
    const read = run.resources.filter((resource) => resource.read).length;
    return {
        stack: run.stack,
        layer,
        config,
        run,
        tree: planTree(project, run),
        outputs: plannedOutputs(run),
        // The stack resource itself is created too, as `pulumi preview` counts it.
        counts: { create: run.resources.length - read + 1, read },
    };
}

/**
 * The schema file of each route with `body=`, by "METHOD /path", from the gateway's routes
 * (an engine string: the JSON list of route lines). The recorded Model has the schema, not its file.
 */
export function bodyFilesOf(project: string, config: Readonly<Record<string, string>>): Map<string, string> {
    const files = new Map<string, string>();
    let routes: unknown;
    try {
        routes = JSON.parse(config[`${project}:routes`] ?? "[]");
    } catch {
        return files;
    }
    for (const route of Array.isArray(routes) ? routes : []) {
        const [method, routePath, ...rest] = typeof route === "string" ? route.trim().split(/\s+/) : [];
        const body = rest.find((token) => token.startsWith("body="));
        if (method && routePath && body) {
            files.set(`${method.toUpperCase()} ${routePath}`, body.slice("body=".length));
        }
    }
    return files;
}

/**
 * A gateway-only stack (`hello-gateway:originUrl`, no origin stack, no StackReference): runs
 * it alone and draws its backend as an external node.
 */
export async function planGatewayStack(stack: string, options: PlanOptions = {}): Promise<GatewayOnlyPlan> {
    const runtime = mockRuntime();
    const project = loadProject(options.root ?? REPO_ROOT).name;
    const input = stackInput(project, stack, options);
    refuseProblems([[stack, input]]);
    const run = await runtime.runProgram({
        project,
        stack,
        root: options.root ?? REPO_ROOT,
        config: input.config,
        secretKeys: input.encryptedKeys,
        organization: runtime.MOCK_ORGANIZATION,
    });
    const originUrl = input.config[`${project}:originUrl`];
    const diagram = isWebSocketGateway(run)
        ? websocketDiagramOf(stack, run)
        : architectureDiagramOf(stack, undefined, run, { originUrl, bodyFiles: bodyFilesOf(project, input.config) });
    return {
        env: stack,
        project,
        gateway: stackPlan(project, "gateway", run, input.config),
        originUrl,
        diagram,
        mermaid: mermaidOf(diagram),
        notes: [
            ...encryptedNote(stack, input.encryptedKeys),
            input.config[`${project}:apiType`] === "websocket"
                ? `${stack} is a gateway-only stack: a WebSocket API whose routes run functions of functions/ in Lambda; no origin stack is read.`
                : `${stack} is a gateway-only stack: its backend ${originUrl ?? "(no originUrl)"} is not deployed by this project, and no origin stack is read.`,
        ],
    };
}
