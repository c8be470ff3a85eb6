import { ConfigError, parseConfig, problemLine, rawConfigFrom } from "../infra/config";
import { configurationReport } from "../infra/config-keys";
import { REPO_ROOT, StackFileReport, committedStacks, loadProject, readStackConfig } from "./stack-files";

/**
 * Every configuration problem of one stack, offline, in one list: what the CLI would refuse in
 * the stack file (YAML, declared types, required keys; tools/stack-files.ts) and what the
 * program refuses (infra/config/), so a type problem on one key never hides a problem on
 * another. A key the stack file already fails on (a value of the wrong type, a required key
 * missing) is reported once, from the stack file. Checks that need the origin's outputs (mode, region) run in the program.
 */
export function stackConfigProblems(project: string, stack: string, root = REPO_ROOT, organization = "organization"): string[] {
    return problemsOfReport(project, stack, readStackConfig(stack, root), organization);
}

/** The same, for a stack file already read: its own problems, then the program's on the rest. */
export function problemsOfReport(project: string, stack: string, report: StackFileReport, organization = "organization"): string[] {
    const problems = [...report.problems];
    if (report.unreadable) {
        // A missing file or a YAML syntax error alone: every key would otherwise look missing.
        return problems;
    }
    try {
        const raw = rawConfigFrom(report.config, (key) => report.encryptedKeys.includes(key));
        parseConfig({ ...raw, source: { file: `Pulumi.${stack}.yaml`, keyLines: report.lines } }, { project, stack, organization });
    } catch (error) {
        if (!(error instanceof ConfigError)) {
            throw error;
        }
        problems.push(
            ...error.problems
                .filter((problem) => !report.refusedKeys.includes(problem.key))
                .map(problemLine),
        );
    }
    return problems;
}

/** The problems of several stacks (an environment's origin and gateway), in order, all at once. */
export function configProblemsOf(project: string, stacks: readonly string[], root = REPO_ROOT): string[] {
    return stacks.flatMap((stack) => stackConfigProblems(project, stack, root));
}

/** The program's refusal of every committed stack file, in one report; undefined when all are fine. */
export function committedStackFilesReport(root = REPO_ROOT): string | undefined {
    const project = loadProject(root).name;
    const refused = committedStacks(root)
        .map((stack) => [stack, stackConfigProblems(project, stack, root)] as const)
        .filter(([, problems]) => problems.length > 0);
    return refused.length === 0
        ? undefined
        : configurationReport(
              refused.map(([stack]) => stack),
              refused.flatMap(([, problems]) => problems),
          );
}
