import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { UNDECRYPTED_SECRET_PLACEHOLDER } from "../infra/config-keys";

/**
 * Reads Pulumi.yaml and the stack files the way the Pulumi CLI does, so that `npm run plan`
 * and the tests accept and refuse exactly what `pulumi up` accepts and refuses, and hand the
 * program exactly the strings the engine would.
 *
 * What the CLI does, read from its source (pulumi/pulumi, sdk/go/common):
 * - `encoding/marshal.go` parses stack files with gopkg.in/yaml.v2, a YAML 1.1 parser, so
 *   this loader parses with the `yaml` package in its YAML 1.1 mode (`yes`/`on` are booleans,
 *   `0x10` is an integer).
 * - `resource/config/value.go` (`unmarshalValue`) first decodes a value into a Go string.
 *   yaml.v2 then keeps the scalar's own text (`10.0`, `0x10`, `True` stay as written; null
 *   becomes ""). Only a list or map becomes an "object", which the program gets as JSON.
 * - `workspace/config.go` (`validateStackConfigValues`) checks every key Pulumi.yaml declares
 *   with a `type` through `workspace/project.go` (`ValidateConfigValue`): a string is any
 *   scalar; an integer is a scalar that Go's `strconv.Atoi` parses (optional sign, decimal
 *   digits, within int64), so `"20"` passes and `10.0` or `0x10` do not; a boolean is the text
 *   `true` or `false` exactly; an array is a list whose items pass the item type after a JSON
 *   round trip (numbers are numbers there, so `- 10` is not a string item).
 * - Declared keys without a default are required; the CLI lists every missing one at once.
 * Unlike the CLI, which stops at the first bad value, this loader reports every problem.
 */

export const REPO_ROOT = path.resolve(__dirname, "..");

/** The types Pulumi.yaml may declare for a config key. */
const DECLARABLE_TYPES = ["string", "integer", "boolean", "array"] as const;
type DeclaredType = (typeof DECLARABLE_TYPES)[number];
const DECLARATION_FIELDS = new Set(["type", "items", "description", "secret", "default"]);

/** The largest value Go's strconv.Atoi returns on a 64-bit machine. */
const GO_INT_MAX = 2n ** 63n - 1n;
const GO_INT_MIN = -(2n ** 63n);

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
    /**
     * Fully qualified key (`hello-gateway:layer`, `aws:region`) to the string the engine hands
     * the program. An encrypted value, which cannot be decrypted offline, is
     * UNDECRYPTED_SECRET_PLACEHOLDER; its key is in `encryptedKeys`.
     */
    readonly config: Record<string, string>;
    /** Keys whose stack-file value is `secure:` (encrypted): pass them as secret keys. */
    readonly encryptedKeys: string[];
}

export interface StackFileReport extends StackConfigFile {
    /** Everything the CLI would refuse, each naming the file (and the line where there is one). */
    readonly problems: string[];
    /** The keys those problems are about: values left out, required keys missing. */
    readonly refusedKeys: string[];
    /** The 1-based line each fully qualified key is written on in the stack file. */
    readonly lines: Readonly<Record<string, number>>;
    /**
     * The file itself cannot be read (missing, or not YAML): its one problem says so, and no
     * key-level check follows, since every key would look missing.
     */
    readonly unreadable: boolean;
}

/** A stack file the CLI would refuse; the message lists every problem. */
export class StackFileError extends Error {
    constructor(
        readonly stack: string,
        readonly problems: readonly string[],
    ) {
        super(`Pulumi.${stack}.yaml cannot be used (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):\n  - ${problems.join("\n  - ")}`);
        this.name = "StackFileError";
    }
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface ParsedYaml {
    readonly document: YAML.Document.Parsed | undefined;
    readonly lines: YAML.LineCounter;
    readonly problems: string[];
}

/** Parses a YAML file as the CLI's YAML 1.1 parser would; syntax errors name the file and line. */
function parseYamlFile(file: string): ParsedYaml {
    const name = path.basename(file);
    const lines = new YAML.LineCounter();
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        return { document: undefined, lines, problems: [`${name}: cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`] };
    }
    return parsedYamlText(name, text, lines);
}

/**
 * What a newcomer most likely did, for the parser errors a stack file edit most often gives; the
 * parser's own words name YAML's grammar, not the edit.
 */
function syntaxHint(code: string, text: string, line: number): string | undefined {
    const lines = text.split(/\r?\n/);
    switch (code) {
        case "BLOCK_AS_IMPLICIT_KEY": {
            // Either this line's value holds ": " (helloMessage: Note: hi), or the next line is
            // indented deeper than this key, which makes this value a key of its own.
            const value = (lines[line - 1] ?? "").split(": ").slice(1).join(": ");
            if (value.includes(": ")) {
                return `line ${line}'s value holds ": ", so it needs quotes`;
            }
            const next = lines.findIndex((candidate, index) => index >= line && candidate.trim() !== "" && !candidate.trim().startsWith("#"));
            return next >= 0 ? `line ${next + 1} is indented deeper than the key above it` : undefined;
        }
        case "MULTILINE_IMPLICIT_KEY":
            return "a key needs a space after its colon: key: value";
        case "MISSING_CHAR": {
            // The parser notices at the end of the file; the quote that was opened is on the first
            // line with an odd number of double quotes.
            const opened = lines.findIndex((candidate) => (candidate.replace(/\\"/g, "").match(/"/g) ?? []).length % 2 === 1);
            return opened >= 0 ? `the quote opened on line ${opened + 1} is not closed` : undefined;
        }
        default:
            return undefined;
    }
}

/**
 * Parsing is a pure function of a file's name and text, and the same few stack files are read
 * hundreds of times in one test run (every spec loads its stacks): a parse is kept per name and
 * text, so an edited file is parsed afresh. Callers only read the documents.
 */
const parsedYamlByText = new Map<string, ParsedYaml>();

function parsedYamlText(name: string, text: string, lines: YAML.LineCounter): ParsedYaml {
    const cacheKey = `${name}\0${text}`;
    const cached = parsedYamlByText.get(cacheKey);
    if (cached !== undefined) {
        return { ...cached, problems: [...cached.problems] };
    }
    const document = YAML.parseDocument(text, { version: "1.1", prettyErrors: false, uniqueKeys: true, lineCounter: lines });
    // Only the first syntax error: the parser's later ones follow from it (one tab gives six).
    const problems = document.errors.slice(0, 1).map((error) => {
        const where = lines.linePos(error.pos[0]);
        const hint = syntaxHint(error.code, text, where.line);
        return `${name}:${where.line}:${where.col}: ${error.message.split("\n")[0]}${hint ? ` (${hint})` : ""}`;
    });
    const parsed = { document: problems.length === 0 ? document : undefined, lines, problems };
    parsedYamlByText.set(cacheKey, parsed);
    return { ...parsed, problems: [...problems] };
}

function lineOf(lines: YAML.LineCounter, node: unknown): number | string {
    const offset = (node as YAML.Node | undefined)?.range?.[0];
    return offset === undefined ? "?" : lines.linePos(offset).line;
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
    const { document, problems } = parseYamlFile(path.join(root, "Pulumi.yaml"));
    const project: unknown = document?.toJS();
    problems.push(...(document ? projectSchemaProblems(project) : []));
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

/** Stack names that have a Pulumi.<stack>.yaml in root. */
export function committedStacks(root = REPO_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

function qualifiedKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** The value yaml.v2 decodes into a Go interface{}: a timestamp stays its text, as in yaml.v2. */
function goValueOf(node: unknown): unknown {
    if (YAML.isScalar(node)) {
        if (node.value instanceof Date) {
            return (node as YAML.Scalar & { source?: string }).source;
        }
        return node.value;
    }
    if (YAML.isSeq(node)) {
        return node.items.map(goValueOf);
    }
    if (YAML.isMap(node)) {
        const result: Record<string, unknown> = {};
        for (const pair of node.items) {
            result[String(goValueOf(pair.key))] = goValueOf(pair.value);
        }
        return result;
    }
    return null;
}

/** A stack value as the CLI holds it: the engine string, and whether it is a list or map. */
interface EngineValue {
    readonly text: string;
    readonly object: boolean;
    readonly secure: boolean;
}

function engineValueOf(node: unknown): EngineValue {
    if (YAML.isMap(node) || YAML.isSeq(node)) {
        const value = goValueOf(node);
        if (isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string") {
            return { text: value.secure, object: false, secure: true };
        }
        return { text: JSON.stringify(value), object: true, secure: false };
    }
    if (YAML.isScalar(node)) {
        // yaml.v2 decodes a scalar into a Go string as the text written, and null as "".
        const source = (node as YAML.Scalar & { source?: string }).source;
        return { text: node.value === null ? "" : String(source ?? node.value), object: false, secure: false };
    }
    return { text: "", object: false, secure: false };
}

/** Go's strconv.Atoi: optional sign, decimal digits, and within int64. */
function parsesAsGoInt(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) {
        return false;
    }
    const value = BigInt(text);
    return value >= GO_INT_MIN && value <= GO_INT_MAX;
}

/** `ValidateConfigValue` for one item of a list, after the JSON round trip the CLI makes. */
function itemMatches(type: DeclaredType, item: unknown): boolean {
    switch (type) {
        case "string":
            return typeof item === "string";
        case "integer":
            return (typeof item === "number" && Number.isInteger(item)) || (typeof item === "string" && parsesAsGoInt(item));
        case "boolean":
            return typeof item === "boolean" || item === "true" || item === "false";
        case "array":
            return false;
    }
}

/** Whether the CLI accepts this stack value for a key declared with this type. */
export function matchesDeclaredType(declaration: ConfigDeclaration, value: EngineValue): boolean {
    switch (declaration.type) {
        case "string":
            return !value.object;
        case "integer":
            return !value.object && parsesAsGoInt(value.text);
        case "boolean":
            return !value.object && (value.text === "true" || value.text === "false");
        case "array": {
            if (!value.object) {
                return false;
            }
            const parsed: unknown = JSON.parse(value.text);
            const itemType = declaration.items?.type;
            return Array.isArray(parsed) && itemType !== undefined && parsed.every((item) => itemMatches(itemType, item));
        }
    }
}

/** The longest value a problem echoes, as infra/config's `shown` cuts values: enough to recognise it. */
const MAX_SHOWN_CHARACTERS = 100;

/**
 * A value cut to MAX_SHOWN_CHARACTERS with an ellipsis and its length, so a 10 kB value is named,
 * not printed; a scalar quoted (a list or map is shown as its JSON).
 */
function shortened(text: string, quoted: boolean): string {
    const quote = (part: string) => (quoted ? JSON.stringify(part) : part);
    return text.length <= MAX_SHOWN_CHARACTERS ? quote(text) : `${quote(`${text.slice(0, MAX_SHOWN_CHARACTERS)}…`)} (${text.length} characters)`;
}

function typeName(declaration: ConfigDeclaration): string {
    return declaration.type === "array" ? `array<${declaration.items?.type}>` : declaration.type;
}

/**
 * The merged configuration of one stack, with every problem the CLI would refuse it for:
 * YAML syntax, values of the wrong declared type, required keys missing. A value of the wrong
 * type is left out of `config`, so that the program's own checks report only the rest.
 */
export function readStackConfig(stack: string, root = REPO_ROOT): StackFileReport {
    const project = loadProject(root);
    const fileName = `Pulumi.${stack}.yaml`;
    const file = path.join(root, fileName);
    if (!fs.existsSync(file)) {
        const known = committedStacks(root).join(", ");
        return { config: {}, encryptedKeys: [], problems: [`${fileName}: no such stack file (stacks here: ${known})`], refusedKeys: [], lines: {}, unreadable: true };
    }
    const { document, lines, problems } = parseYamlFile(file);
    const keyLines: Record<string, number> = {};
    const config: Record<string, string> = {};
    const encryptedKeys: string[] = [];
    const refusedKeys: string[] = [];
    for (const [key, declaration] of Object.entries(project.config)) {
        if ("default" in declaration) {
            const value = declaration.default;
            config[qualifiedKey(project.name, key)] = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
        }
    }
    const configNode = document?.get("config", true);
    if (document && configNode !== undefined && configNode !== null && !YAML.isMap(configNode)) {
        problems.push(`${fileName}:${lineOf(lines, configNode)}: config must be a map of keys to values`);
    }
    /** Where each key present was first written, to refuse it written again under its other spelling. */
    const firstWritten = new Map<string, { rawKey: string; line: number | string }>();
    if (document && YAML.isMap(configNode)) {
        for (const pair of configNode.items) {
            const rawKey = YAML.isScalar(pair.key) ? String((pair.key as YAML.Scalar & { source?: string }).source ?? pair.key.value) : String(pair.key);
            const qualified = qualifiedKey(project.name, rawKey);
            const line = lineOf(lines, pair.key);
            const value = engineValueOf(pair.value);
            // YAML refuses a key written twice as such; `throttleRateLimit` and
            // `hello-gateway:throttleRateLimit` are two YAML keys but one config key.
            const first = firstWritten.get(qualified);
            if (first !== undefined) {
                problems.push(`${fileName}:${line}: ${qualified}: set twice, as ${first.rawKey} (line ${first.line}) and as ${rawKey}, which name the same key (a key without a namespace is ${project.name}'s); keep one`);
                refusedKeys.push(qualified);
                delete config[qualified];
                continue;
            }
            firstWritten.set(qualified, { rawKey, line });
            if (typeof line === "number") keyLines[qualified] = line;
            if (value.secure) {
                // Offline there is no passphrase or KMS key: the value is carried as a placeholder.
                encryptedKeys.push(qualified);
                config[qualified] = UNDECRYPTED_SECRET_PLACEHOLDER;
                continue;
            }
            const shortKey = qualified.startsWith(`${project.name}:`) ? qualified.slice(project.name.length + 1) : undefined;
            const declaration = shortKey === undefined ? undefined : project.config[shortKey];
            if (declaration && !matchesDeclaredType(declaration, value)) {
                const shown = shortened(value.text, !value.object);
                problems.push(`${fileName}:${line}: ${qualified}: ${shown} is not of the declared type ${typeName(declaration)} (Pulumi.yaml)`);
                delete config[qualified];
                refusedKeys.push(qualified);
                continue;
            }
            config[qualified] = value.text;
        }
    }
    if (document) {
        const missing = Object.entries(project.config)
            .filter(([key, declaration]) => !("default" in declaration) && !firstWritten.has(qualifiedKey(project.name, key)))
            .map(([key]) => qualifiedKey(project.name, key));
        for (const key of missing) {
            problems.push(`${fileName}: ${key}: required (declared in Pulumi.yaml without a default) but not set`);
            refusedKeys.push(key);
        }
    }
    return { config, encryptedKeys, problems, refusedKeys, lines: keyLines, unreadable: document === undefined };
}

/** The merged configuration of one stack; throws a StackFileError listing every problem. */
export function loadStackConfig(stack: string, root = REPO_ROOT): StackConfigFile {
    const { config, encryptedKeys, problems } = readStackConfig(stack, root);
    if (problems.length > 0) {
        throw new StackFileError(stack, problems);
    }
    return { config, encryptedKeys };
}
