import type { EnforcementLevel } from "@pulumi/policy";
import { environmentOf } from "../infra/stack-names";

/**
 * How hard the pack enforces, per stack: findings block a prod deployment and only warn on
 * dev. The level follows the environment, so an environment's origin and gateway stacks
 * (`prod-origin`, `prod`) are treated alike.
 */

/** Environments whose findings are reported without blocking the deployment. */
export const ADVISORY_ENVIRONMENTS: readonly string[] = ["dev"];

export { environmentOf };

/**
 * Advisory for dev, mandatory for everything else: a stack the pack does not know, or no stack
 * name at all, fails closed.
 */
export function enforcementLevelFor(stack: string | undefined): EnforcementLevel {
    if (stack === undefined || stack === "") {
        return "mandatory";
    }
    return ADVISORY_ENVIRONMENTS.includes(environmentOf(stack)) ? "advisory" : "mandatory";
}

/**
 * The stack being previewed or updated, as the Pulumi CLI tells a Node.js policy pack: it
 * starts the pack with PULUMI_STACK (and PULUMI_NODEJS_STACK) in its environment.
 */
export function stackFromEnvironment(env: Readonly<Record<string, string | undefined>>): string | undefined {
    return env.PULUMI_STACK || env.PULUMI_NODEJS_STACK || undefined;
}
