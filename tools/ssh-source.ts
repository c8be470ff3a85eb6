/**
 * Before `npm run deploy` touches an origin stack: is this machine allowed to reach the new
 * instance's port 22? Provisioning dials from here, and an address outside `sshAllowedCidrs`
 * costs a quarter of an hour of retries before the update fails (see worstCaseDialSeconds in
 * infra/compute.ts). The machine's public address comes from an address echo that AWS runs.
 */
import * as ipaddr from "ipaddr.js";
import { loadStackConfig, REPO_ROOT } from "./stack-files";
import { runAsProcess, UserFacingError } from "./cli-env";

/** AWS's own address echo: answers with the caller's public IPv4 address and a newline. */
export const ADDRESS_ECHO_URL = "https://checkip.amazonaws.com/";
/** Long enough for a slow link, short enough that a blocked echo costs little. */
export const ADDRESS_ECHO_TIMEOUT_MS = 3_000;

export const SKIP_SSH_CHECK_FLAG = "--skip-ssh-check";

/** This machine's public address as the echo sees it; a UserFacingError when that fails. */
export async function fetchPublicAddress(url: string = ADDRESS_ECHO_URL, timeoutMs: number = ADDRESS_ECHO_TIMEOUT_MS): Promise<string> {
    const cannot = (why: string) =>
        new UserFacingError(
            `cannot tell this machine's public address from ${url} (${why}); SSH provisioning needs it inside sshAllowedCidrs: pass ${SKIP_SSH_CHECK_FLAG} to deploy without the check`,
        );
    let body: string;
    try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) {
            throw cannot(`HTTP ${response.status}`);
        }
        body = (await response.text()).trim();
    } catch (error) {
        if (error instanceof UserFacingError) {
            throw error;
        }
        const name = (error as Error).name;
        throw cannot(name === "TimeoutError" || name === "AbortError" ? `no answer within ${timeoutMs / 1000} s` : (error as Error).message);
    }
    if (!ipaddr.isValid(body)) {
        throw cannot(`answered ${JSON.stringify(body.slice(0, 40))}, not an IP address`);
    }
    return ipaddr.process(body).toString();
}

/** The stack's `sshAllowedCidrs` as the CLI would merge it (Pulumi.yaml default, then the stack file). */
export function sshAllowedCidrsOf(stack: string, root: string = REPO_ROOT): string[] {
    const raw = loadStackConfig(stack, root).config["hello-gateway:sshAllowedCidrs"];
    const parsed: unknown = raw === undefined ? [] : JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
}

/** Whether the address lies in one of the ranges (of its own address family). */
export function addressAllowed(address: string, cidrs: readonly string[]): boolean {
    const parsed = ipaddr.process(address);
    return cidrs.some((cidr) => {
        if (!ipaddr.isValidCIDR(cidr)) {
            return false;
        }
        const [network, prefix] = ipaddr.parseCIDR(cidr);
        return network.kind() === parsed.kind() && parsed.match(network, prefix);
    });
}

/** The one line `npm run deploy` stops with when the address is outside the ranges; undefined when inside. */
export function sshSourceProblem(address: string, cidrs: readonly string[], stack: string): string | undefined {
    if (addressAllowed(address, cidrs)) {
        return undefined;
    }
    const ranges = cidrs.length > 0 ? cidrs.join(", ") : "none";
    const host = ipaddr.process(address).kind() === "ipv4" ? `${address}/32` : `${address}/128`;
    return (
        `this machine's public address ${address} is not in ${stack}'s sshAllowedCidrs (${ranges}), so provisioning over SSH could not connect; ` +
        `add it (pulumi config set --path 'sshAllowedCidrs[${cidrs.length}]' ${host} --stack ${stack}) or, deploying through a proxy, pass ${SKIP_SSH_CHECK_FLAG}`
    );
}

/** The real check: the address AWS's echo sees against the origin stack file's ranges. */
export function localSshSourceCheck(
    lookupAddress: () => Promise<string> = () => fetchPublicAddress(),
    projectRoot: string = REPO_ROOT,
): (originStack: string) => Promise<void> {
    return async (originStack) => {
        const cidrs = sshAllowedCidrsOf(originStack, projectRoot);
        const problem = sshSourceProblem(await lookupAddress(), cidrs, originStack);
        if (problem !== undefined) {
            throw new UserFacingError(problem);
        }
    };
}

// `npm run check-ssh -- <origin stack>`: the same check on its own, for CI before `pulumi up`.
if (require.main === module) {
    runAsProcess(async () => {
        const stack = process.argv[2];
        if (stack === undefined || !stack.endsWith("-origin")) {
            throw new UserFacingError("usage: npm run check-ssh -- <dev-origin|prod-origin>");
        }
        await localSshSourceCheck()(stack);
        console.log(`ok: this machine's public address is in ${stack}'s sshAllowedCidrs`);
        return 0;
    });
}
