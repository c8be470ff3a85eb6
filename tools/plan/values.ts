/**
 * Reading recorded inputs for display without ever reading into a secret: the helpers the
 * plan's tree and its diagram share.
 */
import { isSecretEnvelope } from "../resource-graph";

/** Marks a value that sat inside a secret: shown as `[secret]`, never read further. */
export const SECRET = Symbol("secret");

/** The input at a dotted path; SECRET as soon as the path enters a secret. */
export function inputAt(inputs: Record<string, unknown>, dottedPath: string): unknown {
    let current: unknown = inputs;
    for (const segment of dottedPath.split(".")) {
        if (isSecretEnvelope(current)) {
            return SECRET;
        }
        if (typeof current !== "object" || current === null) {
            return undefined;
        }
        current = (current as Record<string, unknown>)[segment];
    }
    return isSecretEnvelope(current) ? SECRET : current;
}

interface SecurityRule {
    protocol?: string;
    fromPort?: number;
    toPort?: number;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
}

/** One text per security group rule: `tcp 22 from 203.0.113.0/24`. */
export function ruleTexts(rules: unknown, direction: "from" | "to"): string[] | undefined {
    if (!Array.isArray(rules)) {
        return undefined;
    }
    return (rules as SecurityRule[]).map((rule) => {
        const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
        const ranges = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].join(" ");
        return `${rule.protocol ?? "?"} ${ports} ${direction} ${ranges || "nowhere"}`;
    });
}

/** A picker sees plain inputs only: anything secret inside them has become SECRET first. */
export function pickSafely(inputs: Record<string, unknown>, pick: (inputs: Record<string, unknown>) => unknown): unknown {
    const masked = (value: unknown): unknown => {
        if (isSecretEnvelope(value)) {
            return SECRET;
        }
        if (Array.isArray(value)) {
            return value.map(masked);
        }
        if (typeof value === "object" && value !== null) {
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, masked(inner)]));
        }
        return value;
    };
    return pick(masked(inputs) as Record<string, unknown>);
}
