// Reading raw config strings into typed values, and collecting every problem into one error.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../defaults";
import { ConfigSource, LOG_RETENTION_DAYS, MonitoringConfig, PROJECT_NAMESPACE, RawConfig } from "./types";
import { EMAIL } from "./formats";
import { closestKey, configurationReport } from "../config-keys";

export interface ConfigProblem {
    /** Fully qualified key, e.g. `hello-gateway:throttleBurstLimit`. */
    readonly key: string;
    /** What was given, already made safe to print (secrets are never echoed). */
    readonly given: string;
    /** What is accepted. */
    readonly expected: string;
    /** `Pulumi.<stack>.yaml:<line>` where the key is written, or the file alone for a key it does not set. */
    readonly where?: string;
}

/**
 * Thrown before any resource is registered. A RunError, so the CLI prints the message alone,
 * without a JavaScript stack trace.
 */
export class ConfigError extends pulumi.RunError {
    readonly problems: readonly ConfigProblem[];

    constructor(
        readonly stack: string,
        problems: readonly ConfigProblem[],
        source?: ConfigSource,
    ) {
        const located = problems.map((problem) => locate(problem, stack, source));
        super(formatProblems(stack, located));
        this.problems = located;
        this.name = "ConfigError";
    }
}

/** The problem with the file and line of its key; an environment variable has neither. */
function locate(problem: ConfigProblem, stack: string, source: ConfigSource | undefined): ConfigProblem {
    if (problem.where !== undefined || problem.key.startsWith("environment variable ")) {
        return problem;
    }
    const file = source?.file ?? `Pulumi.${stack}.yaml`;
    const line = source?.keyLines[problem.key];
    return { ...problem, where: line === undefined ? file : `${file}:${line}` };
}

/** One problem as a report line: where, the key, what was given and what is accepted. */
export function problemLine(problem: ConfigProblem): string {
    return `${problem.where ? `${problem.where}: ` : ""}${problem.key}: got ${problem.given}; expected ${problem.expected}`;
}

function formatProblems(stack: string, problems: readonly ConfigProblem[]): string {
    return configurationReport([stack], problems.map(problemLine));
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

/** The longest part of a value an error echoes: a 10 kB message is named, not printed whole. */
export const MAX_SHOWN_CHARACTERS = 100;

/** A value as an error shows it: quoted, cut to MAX_SHOWN_CHARACTERS with an ellipsis and its length. */
export function shown(value: string | undefined): string {
    if (value === undefined) {
        return "nothing";
    }
    if (value.length <= MAX_SHOWN_CHARACTERS) {
        return JSON.stringify(value);
    }
    return `${JSON.stringify(`${value.slice(0, MAX_SHOWN_CHARACTERS)}…`)} (${value.length} characters)`;
}

/** Spaces, tabs or line breaks around a value: a copy-and-paste slip the engine hands on as written. */
export function hasSurroundingWhitespace(value: string): boolean {
    return value !== value.trim();
}

export type DefaultedKey = keyof typeof DEFAULTS;

export class ConfigReader {
    /** Keys already refused for the space around them: a key read twice is reported once. */
    private readonly paddedKeys = new Set<string>();
    /** Every key a parser asked for: what no parser asked for, this stack would ignore. */
    private readonly consulted = new Set<string>();

    constructor(
        readonly raw: RawConfig,
        private readonly problems: ProblemList,
    ) {}

    /**
     * The raw string, with the empty string treated as absent (the CLI's way to unset). A value
     * with space around it is refused rather than trimmed: the engine hands it on as written, so
     * `"us-east-1 "` would otherwise be right here and wrong in an ARN.
     */
    private text(key: string): string | undefined {
        this.consulted.add(key);
        const value = this.raw.values[key];
        if (value === undefined || value === "") {
            return undefined;
        }
        // A value of several lines is refused by its key's own check, which says why.
        if (hasSurroundingWhitespace(value) && !/[\r\n]/.test(value.trim())) {
            this.refusePadding(key, value);
            return value.trim() === "" ? undefined : value.trim();
        }
        return value;
    }

    private refusePadding(key: string, value: string): void {
        if (this.paddedKeys.has(key)) {
            return;
        }
        this.paddedKeys.add(key);
        this.problems.add(key, shown(value), value.trim() === "" ? "a value, or no key at all for the default (only spaces were given)" : `${JSON.stringify(value.trim())}, without the space around it`);
    }

    /** Whether the stack sets this key to exactly the empty string (as opposed to leaving it out). */
    isExplicitlyEmpty(key: string): boolean {
        this.consulted.add(key);
        return this.raw.values[key] === "";
    }

    /** The value untouched (a private key needs its trailing newline); blank counts as absent. */
    verbatim(key: DefaultedKey): string | undefined {
        this.consulted.add(key);
        const value = this.raw.values[key];
        return value === undefined || value.trim() === "" ? undefined : value;
    }

    /** Whether a parser asked for this key (whatever it found). */
    wasConsulted(key: string): boolean {
        return this.consulted.has(key);
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
        const suggestion = closestKey(value, allowed);
        return this.problems.add(key, shown(value), `one of ${allowed.join(", ")}${suggestion ? `; did you mean ${suggestion}?` : ""}`);
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
        // As for a single value: the space would reach AWS as written. The items' own checks see
        // them trimmed, so the space is the one problem reported.
        for (const item of (parsed as string[]).filter(hasSurroundingWhitespace)) {
            this.problems.add(key, shown(item), `${JSON.stringify(item.trim())}, without the space around it`);
        }
        return (parsed as string[]).map((item) => item.trim());
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
