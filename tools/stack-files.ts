import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

/**
 * Reads the committed Pulumi.yaml and stack files the way the CLI does: the project's `config:`
 * defaults first, then the stack file on top, every value turned into the string the engine
 * hands a program (lists and objects as JSON). The same loader serves the tests and
 * `npm run plan`, so both see exactly the configuration `pulumi up` would.
 */

export const REPO_ROOT = path.resolve(__dirname, "..");

/** The types Pulumi.yaml may declare for a config key. */
const DECLARABLE_TYPES = ["string", "integer", "boolean", "array"] as const;
type DeclaredType = (typeof DECLARABLE_TYPES)[number];
const DECLARATION_FIELDS = new Set(["type", "items", "description", "secret", "default"]);

export interface ConfigDeclaration {
    readonly type: DeclaredType;
    readonly items?: { readonly type: DeclaredType };
    readonly description?: string;
    readonly secret?: boolean;
    readonly default?: unknown;
}

export interface ProjectFile {
    readonly name: string;
    readonly main?: string;
    readonly config: Readonly<Record<string, ConfigDeclaration>>;
}

export interface StackConfigFile {
    /** Fully qualified key (`hello-gateway:layer`, `aws:region`) to engine string value. */
    readonly config: Record<string, string>;
    /** Keys whose stack-file value is `secure:` (encrypted); they cannot be read offline. */
    readonly encryptedKeys: string[];
}

function readYaml(file: string): unknown {
    return yaml.load(fs.readFileSync(file, "utf8"));
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function typeOfValue(value: unknown): DeclaredType | "other" {
    if (typeof value === "string") return "string";
    if (typeof value === "boolean") return "boolean";
    if (typeof value === "number" && Number.isInteger(value)) return "integer";
    if (Array.isArray(value)) return "array";
    return "other";
}

/** Problems the CLI would report for the project file's config schema; empty when valid. */
export function projectSchemaProblems(project: unknown): string[] {
    const problems: string[] = [];
    if (!isRecord(project) || typeof project.name !== "string") {
        return ["Pulumi.yaml: needs a name"];
    }
    const config = project.config ?? {};
    if (!isRecord(config)) {
        return ["Pulumi.yaml: config must be a map"];
    }
    for (const [key, declaration] of Object.entries(config)) {
        if (!isRecord(declaration)) {
            problems.push(`${key}: a declaration must be a map with a type`);
            continue;
        }
        for (const field of Object.keys(declaration)) {
            if (!DECLARATION_FIELDS.has(field)) {
                problems.push(`${key}: unknown field "${field}"`);
            }
        }
        const type = declaration.type;
        if (!(DECLARABLE_TYPES as readonly unknown[]).includes(type)) {
            problems.push(`${key}: type must be one of ${DECLARABLE_TYPES.join(", ")}`);
            continue;
        }
        if (type === "array" && !(isRecord(declaration.items) && (DECLARABLE_TYPES as readonly unknown[]).includes(declaration.items.type))) {
            problems.push(`${key}: an array needs items with a type`);
        }
        if (declaration.secret === true && "default" in declaration) {
            problems.push(`${key}: a secret cannot have a default (the CLI then demands an encrypted value)`);
        }
        if ("default" in declaration && typeOfValue(declaration.default) !== type) {
            problems.push(`${key}: default ${JSON.stringify(declaration.default)} is not of type ${type}`);
        }
    }
    return problems;
}

export function loadProject(root = REPO_ROOT): ProjectFile {
    const project = readYaml(path.join(root, "Pulumi.yaml"));
    const problems = projectSchemaProblems(project);
    if (problems.length > 0) {
        throw new Error(`Pulumi.yaml is invalid:\n  ${problems.join("\n  ")}`);
    }
    const record = project as Record<string, unknown>;
    return {
        name: record.name as string,
        main: record.main as string | undefined,
        config: (record.config ?? {}) as Record<string, ConfigDeclaration>,
    };
}

/** Stack names that have a committed Pulumi.<stack>.yaml. */
export function committedStacks(root = REPO_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

function engineString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

function qualifiedKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The merged configuration of one stack. Throws, like the CLI, when a required key (declared
 * without default) is missing or a value does not match its declared type.
 */
export function loadStackConfig(stack: string, root = REPO_ROOT): StackConfigFile {
    const project = loadProject(root);
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`No stack file ${path.basename(file)} (committed stacks: ${committedStacks(root).join(", ")})`);
    }
    const stackFile = readYaml(file);
    const stackValues = isRecord(stackFile) && isRecord(stackFile.config) ? stackFile.config : {};

    const config: Record<string, string> = {};
    const encryptedKeys: string[] = [];
    const problems: string[] = [];
    for (const [key, declaration] of Object.entries(project.config)) {
        if ("default" in declaration) {
            config[qualifiedKey(project.name, key)] = engineString(declaration.default);
        }
    }
    for (const [key, value] of Object.entries(stackValues)) {
        const qualified = qualifiedKey(project.name, key);
        if (isRecord(value) && typeof value.secure === "string") {
            encryptedKeys.push(qualified);
            continue;
        }
        const shortKey = qualified.startsWith(`${project.name}:`) ? qualified.slice(project.name.length + 1) : undefined;
        const declaration = shortKey === undefined ? undefined : project.config[shortKey];
        if (declaration && typeOfValue(value) !== declaration.type) {
            problems.push(`${qualified}: ${JSON.stringify(value)} is not of the declared type ${declaration.type}`);
        }
        config[qualified] = engineString(value);
    }
    for (const [key, declaration] of Object.entries(project.config)) {
        const qualified = qualifiedKey(project.name, key);
        if (!("default" in declaration) && !(qualified in config) && !encryptedKeys.includes(qualified)) {
            problems.push(`${qualified}: required (declared in Pulumi.yaml without a default) but not set`);
        }
    }
    if (problems.length > 0) {
        throw new Error(`Pulumi.${stack}.yaml is invalid:\n  ${problems.join("\n  ")}`);
    }
    return { config, encryptedKeys };
}
