/**
 * Which backend the Pulumi CLI will use, and whether the stacks can encrypt and read their
 * secrets there. Pulumi Cloud holds the secrets key itself; a self-managed backend (file://,
 * s3://, gs://, azblob://) encrypts with a passphrase unless the stack names a secrets provider,
 * and the Automation API cannot prompt for one: without PULUMI_CONFIG_PASSPHRASE every operation
 * fails after the engine has started.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

export interface BackendProbe {
    env: NodeJS.ProcessEnv;
    homeDir: string;
    /** The file's text, or undefined when it does not exist. */
    readFile(filePath: string): string | undefined;
}

export const localBackendProbe = (env: NodeJS.ProcessEnv, homeDir: string): BackendProbe => ({
    env,
    homeDir,
    readFile: (filePath) => (fs.existsSync(filePath) ? fs.readFileSync(filePath, "utf8") : undefined),
});

function parsed(text: string | undefined, asJson: boolean): Record<string, unknown> {
    if (text === undefined) {
        return {};
    }
    try {
        const value = asJson ? JSON.parse(text) : yaml.load(text);
        return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
        return {};
    }
}

/**
 * The backend URL, looked up the way the CLI does: PULUMI_BACKEND_URL, then the project's
 * `backend.url`, then the login `pulumi login` stored in $PULUMI_HOME/credentials.json.
 */
export function currentBackendUrl(probe: BackendProbe, projectRoot: string): string | undefined {
    if (probe.env.PULUMI_BACKEND_URL) {
        return probe.env.PULUMI_BACKEND_URL;
    }
    const project = parsed(probe.readFile(path.join(projectRoot, "Pulumi.yaml")), false);
    const projectBackend = (project.backend as { url?: unknown } | undefined)?.url;
    if (typeof projectBackend === "string" && projectBackend !== "") {
        return projectBackend;
    }
    const pulumiHome = probe.env.PULUMI_HOME || path.join(probe.homeDir, ".pulumi");
    const current = parsed(probe.readFile(path.join(pulumiHome, "credentials.json")), true).current;
    return typeof current === "string" && current !== "" ? current : undefined;
}

export function isSelfManagedBackend(url: string): boolean {
    return /^(file|s3|gs|azblob):\/\//.test(url);
}

/** The `secretsprovider:` a stack file names, if any (absent for the passphrase provider). */
export function stackSecretsProvider(probe: BackendProbe, projectRoot: string, stack: string): string | undefined {
    const provider = parsed(probe.readFile(path.join(projectRoot, `Pulumi.${stack}.yaml`)), false).secretsprovider;
    return typeof provider === "string" && provider !== "" ? provider : undefined;
}

/** One line saying what to set, or undefined when the stacks' secrets will work on this backend. */
export function secretsProviderProblem(probe: BackendProbe, projectRoot: string, stacks: readonly string[]): string | undefined {
    const url = currentBackendUrl(probe, projectRoot);
    if (url === undefined || !isSelfManagedBackend(url)) {
        return undefined;
    }
    const passphraseStacks = stacks.filter((stack) => {
        const provider = stackSecretsProvider(probe, projectRoot, stack);
        return provider === undefined || provider === "passphrase";
    });
    if (passphraseStacks.length === 0 || probe.env.PULUMI_CONFIG_PASSPHRASE !== undefined || probe.env.PULUMI_CONFIG_PASSPHRASE_FILE) {
        return undefined;
    }
    return (
        `the backend ${url} is self-managed, so stacks ${passphraseStacks.join(" and ")} encrypt their secrets with a passphrase nobody can type here: ` +
        `set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or give them a secrets provider ` +
        `(pulumi stack change-secrets-provider awskms://alias/<key> --stack <stack>)`
    );
}
