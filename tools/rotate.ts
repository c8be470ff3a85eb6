/**
 * `npm run rotate-client-certificate -- <env> [--yes]`
 *
 * Rotates the API Gateway client certificate the origin's httpd requires, with no failed
 * request in between (docs/origin-tls.md):
 *
 * 1. a new certificate: `hello-gateway:clientCertificateGeneration` goes up by one in the origin
 *    stack's file;
 * 2. the origin re-provisioned: its update creates the next certificate, keeps the current one
 *    and has httpd trust both;
 * 3. group mode only, the fleet refreshed: the update built a new image and started an instance
 *    refresh, which the provider does not wait for (tools/instance-refresh.ts cites its docs).
 *    Until every old instance is gone, some instances trust only the current certificate, so
 *    this waits for the refresh to be Successful and stops, explaining, if it fails, is
 *    cancelled or takes too long;
 * 4. the gateway redeployed: its update points the stage at the new certificate.
 *
 * Until step 4 the stage presents the old certificate, which every instance still trusts;
 * afterwards the new one, which every instance trusts since steps 2 and 3. A failure stops the
 * sequence where it is.
 */
// First: the SDK then loads without the modules only function serialization needs.
import "./defer-sdk-modules";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../infra/defaults";
import { Environment, HelpRequested, REPO_ROOT, parseCommandLine, parseEnvironment, runAsProcess, stacksOf, summarizeEngineError, UserFacingError } from "./cli-env";
import {
    OrchestrateDeps,
    StackOps,
    createAutomationStackOps,
    localPreflight,
    localSshSourceCheck,
    processTerminal,
    terminalPrompt,
} from "./orchestrate";
import { InstanceRefreshReader, awsInstanceRefreshReader, refreshProblem, waitForInstanceRefresh } from "./instance-refresh";

const USAGE = "usage: npm run rotate-client-certificate -- <dev|prod> [--yes]";
export const GENERATION_KEY = "hello-gateway:clientCertificateGeneration";

export interface RotateRequest {
    env: Environment;
    yes: boolean;
}

export function parseRotateArgs(argv: readonly string[]): RotateRequest {
    const parsed = parseCommandLine(argv, { flags: ["--yes"] });
    const [env, ...extra] = parsed.positionals;
    if (extra.length > 0) {
        throw new UserFacingError(`unexpected argument "${extra[0]}": ${USAGE}`);
    }
    return { env: parseEnvironment(env, USAGE), yes: parsed.flags.has("--yes") };
}

const GENERATION_LINE = /^(\s*)hello-gateway:clientCertificateGeneration:\s*(\S+)\s*$/m;

/** The generation a stack file sets, or the project default when it sets none. */
export function generationIn(stackFile: string): number {
    const match = GENERATION_LINE.exec(stackFile);
    if (match === null) {
        return DEFAULTS.clientCertificateGeneration;
    }
    const value = Number(match[2]);
    if (!Number.isInteger(value) || value < 1) {
        throw new UserFacingError(`${GENERATION_KEY} is ${JSON.stringify(match[2])} in the stack file; expected a whole number from 1`);
    }
    return value;
}

/**
 * The stack file with the generation set, everything else (comments included) as it was: the
 * line is replaced where it is, or added at the end of the `config:` block.
 */
export function withGeneration(stackFile: string, generation: number): string {
    if (GENERATION_LINE.test(stackFile)) {
        return stackFile.replace(GENERATION_LINE, (_line, indent: string) => `${indent}${GENERATION_KEY}: ${generation}`);
    }
    const indent = /^(\s+)\S/m.exec(stackFile.slice(stackFile.indexOf("config:")))?.[1] ?? "  ";
    const separator = stackFile.endsWith("\n") ? "" : "\n";
    return `${stackFile}${separator}${indent}# API Gateway client certificate generation (npm run rotate-client-certificate).\n${indent}${GENERATION_KEY}: ${generation}\n`;
}

/** Where the origin stack's file is; the command changes it and the user commits it. */
export interface StackFiles {
    read(stack: string): string;
    write(stack: string, text: string): void;
}

export const repoStackFiles: StackFiles = {
    read: (stack) => fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8"),
    write: (stack, text) => fs.writeFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), text),
};

/** How a group-mode rotation waits for the fleet's instance refresh. */
export interface RefreshWaitDeps {
    /** DescribeInstanceRefreshes in the origin's region. */
    reader(region: string): InstanceRefreshReader;
    now(): number;
    sleep(ms: number): Promise<void>;
    timeoutMs: number;
    pollMs: number;
}

/** The real wait: AWS, the wall clock, up to 45 minutes read every 15 s. */
export const awsRefreshWait: RefreshWaitDeps = {
    reader: awsInstanceRefreshReader,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    timeoutMs: 45 * 60_000,
    pollMs: 15_000,
};

export interface RotateDeps extends OrchestrateDeps {
    stackFiles: StackFiles;
    refreshWait: RefreshWaitDeps;
}

/** One step of a rotation, in the order they run ("fleet refreshed" in group mode only). */
export type RotationStep = "new certificate" | "origin re-provisioned" | "fleet refreshed" | "gateway redeployed";
export const ROTATION_STEPS: readonly RotationStep[] = ["new certificate", "origin re-provisioned", "fleet refreshed", "gateway redeployed"];

export async function rotateClientCertificate(argv: readonly string[], deps: RotateDeps): Promise<number> {
    const { terminal } = deps;
    let request: RotateRequest;
    let stacks: StackOps;
    try {
        request = parseRotateArgs(argv);
        // The same checks as a deploy: the origin is re-provisioned over SSH from this machine.
        const report = await deps.preflight({ operation: "deploy", env: request.env, yes: request.yes, skipSshCheck: false, newestAmi: false });
        terminal.line(`Pulumi CLI ${report.pulumiCli.version}; AWS credentials from ${report.awsCredentialSource}`);
        const { origin, gateway, originOwner } = stacksOf(request.env);
        if (originOwner !== undefined) {
            // An HTTP API presents no client certificate; the origin's is rotated with the REST gateway that does.
            throw new UserFacingError(`${request.env} presents no client certificate (an HTTP API reaches ${origin} through its VPC link): rotate ${originOwner} instead (npm run rotate-client-certificate -- ${originOwner})`);
        }
        if (!request.yes) {
            if (!deps.prompt.interactive) {
                throw new UserFacingError(`refusing to rotate ${request.env} unconfirmed: stdin is not a terminal; pass --yes`);
            }
            const answer = (await deps.prompt.ask(`Rotate the client certificate of ${request.env} (update ${origin}, then ${gateway})? Type "${request.env}" to confirm: `)).trim();
            if (answer !== request.env) {
                throw new UserFacingError(`aborted: expected "${request.env}", got "${answer}"; nothing was changed`);
            }
        }
        await deps.checkSshSource(origin);
        stacks = deps.openStacks(report.pulumiCli);
    } catch (error) {
        if (error instanceof HelpRequested) {
            terminal.line(USAGE);
            return 0;
        }
        if (error instanceof UserFacingError) {
            terminal.errorLine(`error: ${error.message}`);
            return 1;
        }
        throw error;
    }

    const { origin, gateway } = stacksOf(request.env);
    const before = await stacks.outputs(origin);
    const deployCommand = `npm run deploy -- ${request.env}`;

    // Group mode: the refreshes the group already had, so the one this update starts is told apart.
    const groupBefore = typeof before.autoScalingGroupName === "string" ? before.autoScalingGroupName : undefined;
    let knownRefreshes: Set<string> = new Set();
    if (groupBefore !== undefined) {
        if (typeof before.region !== "string") {
            terminal.errorLine(`error: stack ${origin} exports no region, which the wait for its instance refresh needs: run npm run deploy -- ${request.env} first; nothing was changed`);
            return 1;
        }
        try {
            const refreshes = await deps.refreshWait.reader(before.region).refreshesOf(groupBefore);
            knownRefreshes = new Set(refreshes.map((refresh) => refresh.id));
        } catch (error) {
            terminal.errorLine(`error: cannot read the instance refreshes of ${groupBefore}: ${error instanceof Error ? error.message : String(error)}; nothing was changed`);
            return 1;
        }
    }

    // 1. A new certificate: the next generation, recorded where the origin stack reads it.
    let generation: number;
    try {
        const file = deps.stackFiles.read(origin);
        generation = generationIn(file) + 1;
        deps.stackFiles.write(origin, withGeneration(file, generation));
    } catch (error) {
        terminal.errorLine(`error: cannot update Pulumi.${origin}.yaml: ${error instanceof Error ? error.message : String(error)}; nothing was changed`);
        return 1;
    }
    terminal.line(`==> new certificate: ${GENERATION_KEY}: ${generation} in Pulumi.${origin}.yaml (commit it)`);

    // 2. The origin: the next certificate exists and httpd trusts it next to the current one.
    terminal.line(`==> origin re-provisioned: up ${origin}`);
    try {
        await stacks.up(origin, terminal.engine);
    } catch (error) {
        terminal.errorLine(`error: up of stack ${origin} failed: ${summarizeEngineError(error)}; ${gateway} was not touched and still presents the current certificate`);
        terminal.errorLine(`hint: fix the cause and run npm run deploy -- ${request.env}: the origin then trusts both certificates, and the gateway switches`);
        return 1;
    }

    // 3. Group mode: every instance replaced by one that trusts both certificates.
    const afterOrigin = await stacks.outputs(origin);
    const groupAfter = typeof afterOrigin.autoScalingGroupName === "string" ? afterOrigin.autoScalingGroupName : undefined;
    if (groupAfter !== undefined && groupAfter === groupBefore) {
        const { refreshWait } = deps;
        const minutes = Math.round(refreshWait.timeoutMs / 60_000);
        terminal.line(`==> fleet refreshed: waiting for the instance refresh of ${groupAfter} (up to ${minutes} minutes)`);
        let outcome;
        try {
            outcome = await waitForInstanceRefresh({
                reader: refreshWait.reader(String(afterOrigin.region)),
                groupName: groupAfter,
                knownBefore: knownRefreshes,
                timeoutMs: refreshWait.timeoutMs,
                pollMs: refreshWait.pollMs,
                now: refreshWait.now,
                sleep: refreshWait.sleep,
                progress: (line) => terminal.line(line),
            });
        } catch (error) {
            terminal.errorLine(`error: cannot read the instance refreshes of ${groupAfter}: ${error instanceof Error ? error.message : String(error)}; ${gateway} was not touched and still presents the current certificate`);
            terminal.errorLine(`hint: once ${groupAfter}'s refresh is Successful, switch the gateway with ${deployCommand}`);
            return 1;
        }
        if (outcome.kind !== "successful") {
            terminal.errorLine(`error: ${refreshProblem(outcome, groupAfter, minutes, deployCommand)}`);
            terminal.errorLine(`${gateway} was not touched: it still presents the current certificate, which every instance trusts`);
            return 1;
        }
    } else if (groupAfter !== undefined) {
        // A group the update created: its instances all booted from the new image.
        terminal.line(`==> fleet refreshed: ${groupAfter} is new, every instance booted from the image that trusts both certificates`);
    }

    // 4. The gateway: the stage presents the new certificate.
    terminal.line(`==> gateway redeployed: up ${gateway}`);
    try {
        await stacks.up(gateway, terminal.engine);
    } catch (error) {
        terminal.errorLine(`error: up of stack ${gateway} failed: ${summarizeEngineError(error)}; it still presents the previous certificate, which ${origin} still trusts`);
        return 1;
    }

    terminal.line(`client certificate ${String(before.clientCertificateId ?? "(none)")} -> ${String(afterOrigin.clientCertificateId)}, expires ${String(afterOrigin.clientCertificateExpiration)}`);
    return 0;
}

if (require.main === module) {
    runAsProcess(() =>
        rotateClientCertificate(process.argv.slice(2), {
            preflight: localPreflight(),
            checkSshSource: localSshSourceCheck(),
            openStacks: (pulumiCli) => createAutomationStackOps({ workDir: REPO_ROOT, pulumiCli }),
            prompt: terminalPrompt(),
            terminal: processTerminal,
            stackFiles: repoStackFiles,
            refreshWait: awsRefreshWait,
        }),
    );
}
