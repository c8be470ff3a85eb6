/**
 * `npm run plan -- <dev|prod> [--out <dir>]`
 *
 * Shows what an environment would create, offline: no Pulumi CLI, no credentials, no cloud.
 * It runs the real program for both stacks of the environment on Pulumi's mock runtime with
 * the committed configuration (the loader the tests use), origin first, and hands the origin's
 * outputs to the gateway as its StackReference, so the plan shows the real wiring. It prints
 * each stack's resources as a tree with their key properties and the stack outputs, and writes
 * the architecture as a Mermaid file and an SVG picture (Graphviz compiled to WebAssembly) to
 * plan/<env>/, with origin-files/: what provisioning writes on the origin, secrets as markers.
 *
 * The pure parts (planning data, tree, diagram, Mermaid) are exported for the tests; `main`
 * is the thin command line around them.
 */
// First: the SDK then loads without the modules only function serialization needs.
import "./defer-sdk-modules";
import * as fs from "node:fs";
import * as path from "node:path";
import { Environment, ENVIRONMENTS, GATEWAY_ONLY_STACKS, HelpRequested, parseCommandLine, parseEnvironment, UserFacingError } from "./cli-env";
import { REPO_ROOT } from "./stack-files";
import { isConfigurationError, planEnvironment, planGatewayStack, PlanOptions } from "./plan/environment";
import { svgOf } from "./plan/graphviz";
import { AnyPlan, EnvironmentPlan, isEnvironmentPlan } from "./plan/model";
import { renderPlan } from "./plan/tree";

// The parts, for the specs and the emulator: data, tree, diagram and its two renderings.
export * from "./plan/model";
export * from "./plan/environment";
export * from "./plan/tree";
export * from "./plan/diagram";
export * from "./plan/mermaid";
export * from "./plan/graphviz";
export * from "./plan/layout";
export * from "./plan/origin-files";
export * from "./plan/resource-words";

// ---------------------------------------------------------------------------
// Command line

export const USAGE = `usage: npm run plan -- <${[...ENVIRONMENTS, ...GATEWAY_ONLY_STACKS].join("|")}> [--out <dir>]`;

type GatewayOnlyStack = (typeof GATEWAY_ONLY_STACKS)[number];

function isGatewayOnlyStack(name: string): name is GatewayOnlyStack {
    return (GATEWAY_ONLY_STACKS as readonly string[]).includes(name);
}

const HELP = `Plans both stacks of the environment offline (no Pulumi CLI, no cloud): the resources each
would create, their key properties and outputs, from the committed stack files. Writes
plan.txt, architecture.mmd and architecture.svg to plan/<env>/ (or --out), and origin-files/:
what provisioning writes on the origin (scripts, page, httpd config), secrets as markers. A
failed plan removes that directory's earlier plan files. Exit 0 planned, 1 bad configuration, 2 bad
command line. A gateway-only stack (${GATEWAY_ONLY_STACKS.join(", ")}: its backend is
hello-gateway:originUrl) is planned alone, its backend drawn as an external node.`;

/** Exit codes: 0 planned, 1 bad configuration or failure, 2 bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface PlanRequest {
    /** `--help`: print the usage, plan nothing. */
    readonly help?: boolean;
    readonly env: Environment | GatewayOnlyStack;
    /** Where the files go; default plan/<env> in the repository. */
    readonly outDir: string;
}

export function parsePlanArgs(argv: readonly string[], cwd: string): PlanRequest {
    let parsed: ReturnType<typeof parseCommandLine>;
    try {
        parsed = parseCommandLine(argv, { options: ["--out"] });
    } catch (error) {
        if (error instanceof HelpRequested) return { help: true, env: ENVIRONMENTS[0], outDir: "" };
        throw error;
    }
    const [env, ...extra] = parsed.positionals;
    if (extra.length > 0) {
        throw new UserFacingError(`unexpected argument "${extra[0]}"`);
    }
    if (env === undefined) {
        throw new UserFacingError("missing environment");
    }
    const environment = isGatewayOnlyStack(env) ? env : parseEnvironment(env, USAGE, GATEWAY_ONLY_STACKS);
    const out = parsed.options.get("--out");
    return { env: environment, outDir: out === undefined ? path.join(REPO_ROOT, "plan", environment) : path.resolve(cwd, out) };
}

export interface PlanIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    readonly cwd: string;
}

const processIo: PlanIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
};

export interface PlanFiles {
    readonly planText: string;
    readonly mermaid: string;
    readonly svg: string;
    /** A directory: what provisioning writes on the origin (an environment with an origin stack only). */
    readonly originFiles: string;
}

function planFilesIn(outDir: string): PlanFiles {
    return {
        planText: path.join(outDir, "plan.txt"),
        mermaid: path.join(outDir, "architecture.mmd"),
        svg: path.join(outDir, "architecture.svg"),
        originFiles: path.join(outDir, "origin-files"),
    };
}

/** After a failed plan, an earlier plan's files would show a picture of something else. */
export function removePlanFiles(outDir: string): void {
    for (const file of Object.values(planFilesIn(outDir))) {
        fs.rmSync(file, { force: true, recursive: true });
    }
}

export function writePlanFiles(outDir: string, plan: Pick<AnyPlan, "mermaid"> & Partial<Pick<EnvironmentPlan, "originFiles">>, planText: string, svg: string): PlanFiles {
    fs.mkdirSync(outDir, { recursive: true });
    const files = planFilesIn(outDir);
    fs.writeFileSync(files.planText, planText);
    fs.writeFileSync(files.mermaid, plan.mermaid);
    fs.writeFileSync(files.svg, svg);
    // Rewritten whole: a file an earlier plan wrote and this one does not is gone.
    fs.rmSync(files.originFiles, { force: true, recursive: true });
    for (const file of plan.originFiles ?? []) {
        const target = path.join(files.originFiles, file.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content);
    }
    return files;
}

function firstLineOf(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n").find((line) => line.trim() !== "")?.trim() ?? "unknown error";
}

export interface MainDependencies {
    readonly io: PlanIo;
    readonly planOptions: PlanOptions;
    /** Stands in for `planEnvironment`, so a test can keep the plan it printed. */
    readonly planner: typeof planEnvironment;
    /** Stands in for `planGatewayStack` (a gateway-only stack such as onprem). */
    readonly gatewayPlanner: typeof planGatewayStack;
}

/**
 * Plans, prints and writes; returns the exit code. A configuration error is printed exactly as
 * the program words it (what `pulumi up` shows), anything else as one line.
 */
export async function main(argv: readonly string[], dependencies: Partial<MainDependencies> = {}): Promise<number> {
    const { io = processIo, planOptions = {}, planner = planEnvironment, gatewayPlanner = planGatewayStack } = dependencies;
    let request: PlanRequest;
    try {
        request = parsePlanArgs(argv, io.cwd);
    } catch (error) {
        io.stderr(`error: ${firstLineOf(error)} (${USAGE})\n`);
        return EXIT.usage;
    }
    if (request.help) {
        io.stdout(`${USAGE}\n\n${HELP}\n`);
        return EXIT.ok;
    }
    try {
        const env = request.env;
        const plan: AnyPlan = isGatewayOnlyStack(env) ? await gatewayPlanner(env, planOptions) : await planner(env, planOptions);
        const svg = await svgOf(plan.diagram);
        const planText = renderPlan(plan);
        const files = writePlanFiles(request.outDir, plan, planText, svg);
        // Relative to where the user is, unless that means climbing out of it.
        const shown = (file: string) => {
            const relative = path.relative(io.cwd, file);
            return relative === "" || relative.startsWith("..") ? file : relative;
        };
        const originFiles = isEnvironmentPlan(plan) ? `, and ${shown(files.originFiles)}/ (what provisioning writes on the origin, secrets as markers)` : "";
        io.stdout(
            `${planText}\nWrote ${shown(files.planText)} (this plan), ${shown(files.mermaid)} (Mermaid) and ${shown(files.svg)} (picture)${originFiles}.\n`,
        );
        return EXIT.ok;
    } catch (error) {
        removePlanFiles(request.outDir);
        if (isConfigurationError(error)) {
            io.stderr(`${error.message}\n`);
        } else {
            io.stderr(`error: ${firstLineOf(error)}\n`);
        }
        return EXIT.failed;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`error: ${firstLineOf(error)}\n`);
            process.exitCode = EXIT.failed;
        },
    );
}
