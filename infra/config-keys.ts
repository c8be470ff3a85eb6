import { distance } from "fastest-levenshtein";

// Kept apart from config.ts, which loads the Pulumi SDK, so the offline loader in tools/ can
// share these without paying for it.

/**
 * What the offline loader (tools/stack-files.ts) hands the program for a `secure:` value in a
 * stack file: without the stack's passphrase or KMS key it cannot be decrypted. The program
 * treats a key with this value as "encrypted, not readable here", never as the value itself.
 * Under `pulumi up` the engine always decrypts first, so this string never arrives there.
 */
export const UNDECRYPTED_SECRET_PLACEHOLDER = "[secret: encrypted in the stack file, not decrypted offline]";

/**
 * Keys of the `pulumi:` namespace that the engine itself reads from stack configuration
 * (pulumi.com/docs/iac/concepts/config and .../resources/names): disabling default providers
 * and the autonaming settings.
 */
export const PULUMI_ENGINE_KEYS: readonly string[] = ["pulumi:disable-default-providers", "pulumi:autonaming"];

/**
 * The known key closest to a misspelled one, compared case-insensitively as the Pulumi CLI
 * compares attribute names (workspace/project.go, findClosestKey); undefined when nothing is
 * close enough to be a plausible typo (a third of the key's length, at least 2 edits).
 */
export function closestKey(needle: string, candidates: Iterable<string>): string | undefined {
    const limit = Math.max(2, Math.floor(needle.length / 3));
    let best: string | undefined;
    let bestDistance = limit + 1;
    for (const candidate of [...candidates].sort()) {
        const d = distance(needle.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

/**
 * The one report of a refused configuration: every problem, each on its own line with its file,
 * line and key, for one stack or both stacks of an environment.
 */
export function configurationReport(stacks: readonly string[], problemLines: readonly string[]): string {
    const noun = problemLines.length === 1 ? "problem" : "problems";
    const [only] = stacks;
    const what = stacks.length === 1 ? `stack "${only}"` : `stacks ${stacks.map((stack) => `"${stack}"`).join(" and ")}`;
    return [
        `Invalid configuration for ${what} (${problemLines.length} ${noun}):`,
        ...problemLines.map((line) => `  - ${line}`),
        stacks.length === 1
            ? `Set a value with \`pulumi config set <key> <value> --stack ${only}\` or edit Pulumi.${only}.yaml.`
            : "Set a value with `pulumi config set <key> <value> --stack <stack>` or edit the stack file each line names.",
    ].join("\n");
}
