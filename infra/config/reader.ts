// Reading raw config strings into typed values, and collecting every problem into one error.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../defaults";
import { LOG_RETENTION_DAYS, MonitoringConfig, PROJECT_NAMESPACE, RawConfig } from "./types";
import { EMAIL } from "./formats";

export interface ConfigProblem {
    /** Fully qualified key, e.g. `hello-gateway:throttleBurstLimit`. */
    readonly key: string;
    /** What was given, already made safe to print (secrets are never echoed). */
    readonly given: string;
    /** What is accepted. */
    readonly expected: string;
}

/**
 * Thrown before any resource is registered. A RunError, so the CLI prints the message alone,
 * without a JavaScript stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: readonly ConfigProblem[],
    ) {
        super(formatProblems(stack, problems));
        this.name = "ConfigError";
    }
}

function formatProblems(stack: string, problems: readonly ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    const lines = problems.map((p) => `  - ${p.key}: got ${p.given}; expected ${p.expected}`);
    return [
        `Invalid configuration for stack "${stack}" (${problems.length} ${noun}):`,
        ...lines,
        `Set a value with \`pulumi config set <key> <value> --stack ${stack}\` or edit Pulumi.${stack}.yaml.`,
    ].join("\n");
}

/** Collects problems so that one error can name every bad key at once. */
export class ProblemList {
    readonly problems: ConfigProblem[] = [];

    add(shortKey: string, given: string, expected: string): undefined {
        this.problems.push({ key: qualify(shortKey), given, expected });
        return undefined;
    }

    /** A problem with an environment variable the program reads, named as the shell spells it. */
    addVariable(name: string, given: string, expected: string): undefined {
        this.problems.push({ key: `environment variable ${name}`, given, expected });
        return undefined;
    }
}

export function qualify(shortKey: string): string {
    return shortKey.includes(":") ? shortKey : `${PROJECT_NAMESPACE}:${shortKey}`;
}

export function shown(value: string | undefined): string {
    return value === undefined ? "nothing" : JSON.stringify(value);
}

export type DefaultedKey = keyof typeof DEFAULTS;

export class ConfigReader {
    constructor(
        readonly raw: RawConfig,
        private readonly problems: ProblemList,
    ) {}

    /** The raw string, with the empty string treated as absent (the CLI's way to unset). */
    private text(key: string): string | undefined {
        const value = this.raw.values[key];
        return value === undefined || value.trim() === "" ? undefined : value.trim();
    }

    /** The value untouched (a private key needs its trailing newline); blank counts as absent. */
    verbatim(key: DefaultedKey): string | undefined {
        const value = this.raw.values[key];
        return value === undefined || value.trim() === "" ? undefined : value;
    }

    string(key: DefaultedKey): string {
        return this.text(key) ?? String(DEFAULTS[key]);
    }

    optionalString(key: DefaultedKey): string | undefined {
        return this.text(key);
    }

    oneOf<T extends string>(key: string, allowed: readonly T[], fallback?: T): T | undefined {
        const value = this.text(key);
        if (value === undefined) {
            if (fallback !== undefined) {
                return fallback;
            }
            return this.problems.add(key, "nothing", `one of ${allowed.join(", ")} (required)`);
        }
        if ((allowed as readonly string[]).includes(value)) {
            return value as T;
        }
        return this.problems.add(key, shown(value), `one of ${allowed.join(", ")}`);
    }

    integer(key: DefaultedKey, min: number, max: number, unit: string): number | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return DEFAULTS[key] as number;
        }
        const expected = `a whole number of ${unit} from ${min} to ${max}`;
        if (!/^[+-]?\d+$/.test(value)) {
            return this.problems.add(key, shown(value), expected);
        }
        const parsed = Number(value);
        if (parsed < min || parsed > max) {
            return this.problems.add(key, shown(value), expected);
        }
        return parsed;
    }

    integerIn(key: DefaultedKey, allowed: readonly number[], what: string): number | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return DEFAULTS[key] as number;
        }
        if (/^\d+$/.test(value) && allowed.includes(Number(value))) {
            return Number(value);
        }
        return this.problems.add(key, shown(value), `${what}: ${allowed.join(", ")}`);
    }

    boolean(key: DefaultedKey): boolean | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return DEFAULTS[key] as boolean;
        }
        if (value === "true" || value === "false") {
            return value === "true";
        }
        return this.problems.add(key, shown(value), "true or false");
    }

    stringList(key: DefaultedKey): string[] | undefined {
        const value = this.text(key);
        if (value === undefined) {
            return [...(DEFAULTS[key] as string[])];
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
            return this.problems.add(key, shown(value), "a list of strings (a YAML list in the stack file)");
        }
        return parsed as string[];
    }

    isSecret(key: string): boolean {
        return this.raw.secretKeys.has(key);
    }
}

export function parseMonitoring(reader: ConfigReader, problems: ProblemList): MonitoringConfig {
    const alarmEmail = reader.optionalString("alarmEmail");
    if (alarmEmail !== undefined && !EMAIL.test(alarmEmail)) {
        problems.add("alarmEmail", shown(alarmEmail), "one email address such as ops@example.com, or empty for no notifications");
    }
    return { alarmEmail };
}

export function parseLogRetention(reader: ConfigReader): number {
    return (
        reader.integerIn("logRetentionDays", LOG_RETENTION_DAYS, "a retention CloudWatch Logs accepts, in days") ??
        DEFAULTS.logRetentionDays
    );
}
