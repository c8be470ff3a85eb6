/**
 * Shared plumbing for the operator tools (orchestrate.ts, smoke.ts): the
 * environment names and their stacks, argument parsing, and the preflight
 * checks for the Pulumi CLI and AWS credentials. Everything that touches the
 * machine takes its probes as parameters so the tests can stand in for it.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Repository root: holds Pulumi.yaml and the committed Pulumi.<stack>.yaml files. */
export const REPO_ROOT = path.resolve(__dirname, "..");

export const ENVIRONMENTS = ["dev", "prod", "prod-http"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/**
 * Environments whose gateway reads another environment's origin: `prod-http` is an HTTP API in
 * front of `prod-origin`, which `prod` owns. Deploy, preview and destroy of such an environment
 * run its gateway stack only; the origin is deployed and destroyed with its owner.
 */
export const SHARED_ORIGIN_OWNERS: Readonly<Partial<Record<Environment, Environment>>> = { "prod-http": "prod" };

/**
 * Gateway stacks with no origin stack of their own (`hello-gateway:originUrl`, or a WebSocket
 * API whose routes run Lambda functions): not an environment of deploy/preview/destroy, which
 * pair an origin with a gateway, but a target the smoke test can check. See docs/routes.md and
 * docs/websocket.md.
 */
export const GATEWAY_ONLY_STACKS = ["onprem", "chat"] as const;

/** The two stacks of an environment. The gateway reads the origin through a StackReference. */
export interface EnvironmentStacks {
    origin: string;
    gateway: string;
    /** Set when the origin belongs to another environment (SHARED_ORIGIN_OWNERS): never deployed or destroyed from this one. */
    originOwner?: Environment;
}

export function stacksOf(env: string): EnvironmentStacks {
    const owner = SHARED_ORIGIN_OWNERS[env as Environment];
    return owner === undefined ? { origin: `${env}-origin`, gateway: env } : { origin: `${owner}-origin`, gateway: env, originOwner: owner };
}

/** Every gateway stack that reads an environment's origin: its own, and those sharing it. */
export function gatewaysReading(env: Environment): string[] {
    return [env, ...ENVIRONMENTS.filter((other) => SHARED_ORIGIN_OWNERS[other] === env)];
}

/**
 * An expected failure: bad arguments, a missing prerequisite, a refused
 * confirmation. The tools print its message as one line, without a stack trace.
 */
export class UserFacingError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UserFacingError";
    }
}

/**
 * `also` names further accepted values for the message (a caller that accepts more than
 * environments); `root` is where the stack files are.
 */
export function parseEnvironment(value: string | undefined, usage: string, also: readonly string[] = [], root = REPO_ROOT): Environment {
    if (value === undefined) {
        throw new UserFacingError(`missing environment: ${usage}`);
    }
    if (!(ENVIRONMENTS as readonly string[]).includes(value)) {
        // Stack files of the name mean the user is adding an environment: say where the list is.
        const adding = /^[a-z][a-z0-9-]*$/.test(value) && existsSync(path.join(root, `Pulumi.${value}.yaml`));
        const hint = adding ? `; Pulumi.${value}.yaml exists, but ${value} is not an environment of these tools yet: add it to ENVIRONMENTS in tools/cli-env.ts (docs/deploying.md, "Adding an environment")` : "";
        throw new UserFacingError(`unknown environment "${value}": expected one of ${[...ENVIRONMENTS, ...also].join(", ")}${hint}`);
    }
    return value as Environment;
}

/** `--help` or `-h` was given: the command prints its usage and exits 0, whatever else was given. */
export class HelpRequested extends Error {
    constructor() {
        super("help requested");
        this.name = "HelpRequested";
    }
}

export interface ParsedCommandLine {
    positionals: string[];
    flags: Set<string>;
    options: Map<string, string>;
}

/**
 * A deliberately small parser: `--flag`, `--option value`, `--option=value`
 * and positionals. Anything starting with `--` that is not declared is an
 * error, so a mistyped `--yse` never silently means "ask me" or worse.
 */
export function parseCommandLine(
    argv: readonly string[],
    spec: { flags?: readonly string[]; options?: readonly string[] },
): ParsedCommandLine {
    const knownFlags = new Set(spec.flags ?? []);
    const knownOptions = new Set(spec.options ?? []);
    const parsed: ParsedCommandLine = { positionals: [], flags: new Set(), options: new Map() };
    if (argv.includes("--help") || argv.includes("-h")) {
        throw new HelpRequested();
    }
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (!arg.startsWith("--")) {
            parsed.positionals.push(arg);
            continue;
        }
        const equals = arg.indexOf("=");
        const name = equals === -1 ? arg : arg.slice(0, equals);
        if (knownFlags.has(name) && equals === -1) {
            parsed.flags.add(name);
        } else if (knownOptions.has(name)) {
            const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
            if (value === undefined) {
                throw new UserFacingError(`${name} needs a value`);
            }
            parsed.options.set(name, value);
        } else {
            const known = [...knownFlags, ...knownOptions];
            throw new UserFacingError(
                `unknown option ${name}` + (known.length > 0 ? ` (known: ${known.join(", ")})` : ""),
            );
        }
    }
    return parsed;
}

// ---------------------------------------------------------------------------
// Pulumi CLI

export interface PulumiCli {
    /** What to execute: "pulumi" when on PATH, otherwise an absolute path. */
    command: string;
    /**
     * Installation root (the directory holding bin/pulumi) when the CLI was
     * found outside PATH; the Automation API needs it to run the same binary.
     */
    root?: string;
    version: string;
}

/** Runs a program and resolves with its stdout; rejects if it cannot start or exits non-zero. */
export type RunProgram = (file: string, args: readonly string[]) => Promise<string>;

export const runProgram: RunProgram = (file, args) =>
    new Promise((resolve, reject) => {
        execFile(
            file,
            [...args],
            { timeout: 15_000, env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } },
            (error, stdout) => (error ? reject(error) : resolve(String(stdout))),
        );
    });

/**
 * Looks for the CLI the way the Pulumi installer leaves it: on PATH, or in
 * $PULUMI_HOME/bin (default ~/.pulumi/bin) for a shell whose PATH was never
 * updated. `pulumi version` must actually run: a broken install counts as missing.
 */
export async function findPulumiCli(
    run: RunProgram = runProgram,
    env: NodeJS.ProcessEnv = process.env,
    homeDir: string = os.homedir(),
): Promise<PulumiCli | undefined> {
    const installRoot = env.PULUMI_HOME || path.join(homeDir, ".pulumi");
    const candidates: Array<Omit<PulumiCli, "version">> = [
        { command: "pulumi" },
        { command: path.join(installRoot, "bin", "pulumi"), root: installRoot },
    ];
    for (const candidate of candidates) {
        try {
            const version = (await run(candidate.command, ["version"])).trim();
            if (version !== "") {
                return { ...candidate, version };
            }
        } catch {
            // Not there or not runnable: try the next place.
        }
    }
    return undefined;
}

export const MISSING_PULUMI_CLI =
    "the Pulumi CLI was not found (`pulumi version` failed on PATH and in $PULUMI_HOME/bin): " +
    "install it from https://www.pulumi.com/docs/install/";

// ---------------------------------------------------------------------------
// AWS credentials

export interface AwsCredentialProbe {
    env: NodeJS.ProcessEnv;
    homeDir: string;
    fileExists(filePath: string): boolean;
}

export const localAwsCredentialProbe: AwsCredentialProbe = {
    env: process.env,
    homeDir: os.homedir(),
    fileExists: existsSync,
};

/**
 * Says where AWS credentials would come from, or undefined when there is no
 * sign of any. This is a presence check, not a validation: expired or wrong
 * credentials still reach the AWS provider, which reports them. It covers the
 * sources a laptop or a CI runner uses (static keys, a named profile, OIDC web
 * identity, container credentials, the shared files); an EC2 instance role
 * alone is not detected: keep a ~/.aws/config (a region is enough) on such hosts.
 */
export function findAwsCredentialSource(probe: AwsCredentialProbe = localAwsCredentialProbe): string | undefined {
    const { env } = probe;
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
        return "environment (AWS_ACCESS_KEY_ID)";
    }
    if (env.AWS_PROFILE) {
        return `profile ${env.AWS_PROFILE} (AWS_PROFILE)`;
    }
    if (env.AWS_WEB_IDENTITY_TOKEN_FILE && env.AWS_ROLE_ARN) {
        return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)";
    }
    if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
        return "container credentials (AWS_CONTAINER_CREDENTIALS_*)";
    }
    const sharedFiles = [
        env.AWS_SHARED_CREDENTIALS_FILE || path.join(probe.homeDir, ".aws", "credentials"),
        env.AWS_CONFIG_FILE || path.join(probe.homeDir, ".aws", "config"),
    ];
    const found = sharedFiles.find((file) => probe.fileExists(file));
    return found === undefined ? undefined : `shared file ${found}`;
}

export const MISSING_AWS_CREDENTIALS =
    "no AWS credentials found: set AWS_PROFILE (after `aws configure` or `aws sso login`), " +
    "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or create ~/.aws/credentials";

// ---------------------------------------------------------------------------
// Engine errors

/**
 * One line out of an Automation API error. Its message holds the whole
 * stdout and stderr of the CLI, which the user has just seen streamed, so
 * keep the most specific `error:` line and leave the rest.
 */
export function summarizeEngineError(error: unknown): string {
    const text = errorText(error);
    const errorLines = text
        .split("\n")
        // The message is "code: N\n stdout: ...\n stderr: ...": a section's first line carries its label.
        .map((line) => line.trim().replace(/^(stdout|stderr|err\?):\s*/, ""))
        .filter((line) => /^error: /i.test(line))
        .map((line) => line.replace(/^error: /i, ""));
    // "preview failed" says nothing new, and a line ending in ":" only introduces the next one.
    const uninformative = /^(update|preview|destroy|refresh) failed$|^an error occurred|:$/i;
    const specific = errorLines.filter((line) => !uninformative.test(line));
    const exitCode = /^code: (\d+)/m.exec(text)?.[1];
    const chosen =
        specific[0] ??
        errorLines[0] ??
        (exitCode !== undefined ? `pulumi exited with code ${exitCode}` : text.split("\n")[0].trim());
    return chosen.length > 300 ? `${chosen.slice(0, 297)}...` : chosen;
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------
// Process entry

/**
 * Runs a tool's main function as the process: expected failures print one
 * line; anything else is a bug and keeps its stack trace for the report.
 */
export function runAsProcess(main: () => Promise<number>): void {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            if (error instanceof UserFacingError) {
                console.error(`error: ${error.message}`);
            } else {
                console.error(error);
            }
            process.exitCode = 1;
        },
    );
}
