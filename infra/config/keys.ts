// Which keys a stack may set, and the raw strings read from the engine or the offline loader.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { PULUMI_ENGINE_KEYS, UNDECRYPTED_SECRET_PLACEHOLDER, closestKey } from "../config-keys";
import { DEFAULTS, TAKE_NEWEST_AMI_ENV } from "../defaults";
import { ConfigSource, PROJECT_NAMESPACE, RawConfig, StackIdentity } from "./types";
import { ProblemList, qualify } from "./reader";

/** Every `hello-gateway:` key the program reads; the Pulumi.yaml schema declares the same set. */
export const CONFIG_KEYS: readonly string[] = ["layer", ...Object.keys(DEFAULTS)];

/** The keys a provider package reads from its namespace: the getters of its `config` module. */
function providerConfigKeys(configModule: object): string[] {
    return Object.entries(Object.getOwnPropertyDescriptors(configModule))
        .filter(([, descriptor]) => descriptor.get !== undefined)
        .map(([name]) => name);
}

/**
 * Every key a stack may set, by namespace: this project's declared keys, the provider settings
 * of the two provider packages the program configures through stack config (@pulumi/aws and
 * @pulumi/tls; @pulumi/command and @pulumi/awsx read none), and the engine's own `pulumi:` keys.
 */
export function knownConfigKeys(): Readonly<Record<string, readonly string[]>> {
    /* eslint-disable @typescript-eslint/no-require-imports */
    return {
        [PROJECT_NAMESPACE]: CONFIG_KEYS,
        aws: providerConfigKeys(require("@pulumi/aws/config")),
        tls: providerConfigKeys(require("@pulumi/tls/config")),
        pulumi: PULUMI_ENGINE_KEYS.map((key) => key.slice("pulumi:".length)),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * A misspelled key is otherwise read by nobody: the program would silently use the default
 * (an unauthenticated API for `authmode`). Each unknown key is refused with the closest known
 * one, a near-miss namespace included (`hello_gateway:` for `hello-gateway:`).
 */
export function checkKeysAreKnown(keys: readonly string[], stack: string, problems: ProblemList): void {
    const known = knownConfigKeys();
    for (const key of keys) {
        const separator = key.indexOf(":");
        const namespace = separator < 0 ? PROJECT_NAMESPACE : key.slice(0, separator);
        const name = key.slice(separator + 1);
        if (known[namespace]?.includes(name)) {
            continue;
        }
        // A key of another namespace under this one (hello-gateway:region for aws:region) first.
        const elsewhere = Object.keys(known).find((other) => other !== namespace && known[other].includes(name));
        const likelyNamespace = elsewhere ?? (known[namespace] ? namespace : closestKey(namespace, Object.keys(known)));
        const likelyName = likelyNamespace === undefined ? undefined : closestKey(name, known[likelyNamespace]);
        const hint =
            likelyName !== undefined
                ? `a key this program reads; did you mean ${likelyNamespace}:${likelyName}?`
                : known[namespace]
                  ? `one of the ${namespace}: keys in docs/configuration.md`
                  : `a key in one of the namespaces this program reads (${Object.keys(known).join(", ")})`;
        problems.add(key, `an unknown key in Pulumi.${stack}.yaml`, hint);
    }
}

/**
 * Offline, a `secure:` value arrives as a placeholder. The SSH private key is meant to be a
 * secret and is read as one without its value; any other key cannot be checked or used
 * without its value, so it is refused with what to do.
 */
export function withoutUndecryptedValues(raw: RawConfig, stack: string, problems: ProblemList): RawConfig {
    const values: Record<string, string | undefined> = { ...raw.values };
    for (const [key, value] of Object.entries(raw.values)) {
        if (value === UNDECRYPTED_SECRET_PLACEHOLDER && key !== "sshPrivateKey") {
            problems.add(
                key,
                `an encrypted value in Pulumi.${stack}.yaml, which cannot be decrypted offline`,
                `a plain value for the offline plan and tests (only sshPrivateKey is meant to be a secret); \`pulumi preview --stack ${stack}\` decrypts and checks it`,
            );
            values[key] = undefined;
        }
    }
    return { ...raw, values };
}

/**
 * Raw configuration from the engine's full key/value map (`pulumi.runtime.allConfig()` under
 * the CLI, the offline loader's map in plan and tests): nothing is interpreted yet.
 */
export function rawConfigFrom(
    all: Readonly<Record<string, string>>,
    isSecret: (qualifiedKey: string) => boolean,
    environmentRegion?: string,
): RawConfig {
    const values: Record<string, string | undefined> = {};
    const secretKeys = new Set<string>();
    for (const key of CONFIG_KEYS) {
        values[key] = all[qualify(key)];
        if (isSecret(qualify(key))) {
            secretKeys.add(key);
        }
    }
    return { keys: Object.keys(all), values, region: all["aws:region"] ?? environmentRegion, secretKeys, readProjectFile: readRepositoryFile };
}

/** Reads the raw strings from the engine. Everything else happens in `parseConfig`. */
export function readConfig(): RawConfig {
    const source = stackFileSource(pulumi.getStack(), projectDirectory());
    return {
        ...rawConfigFrom(pulumi.runtime.allConfig(), isConfigSecret, process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION),
        takeNewestAmi: process.env[TAKE_NEWEST_AMI_ENV],
        ...(source ? { source } : {}),
    };
}

/**
 * The directory holding Pulumi.yaml: the engine tells the program (PULUMI_NODEJS_ROOT_DIRECTORY,
 * `pulumi.runtime.getRootDirectory`); without it (a bare test runner), this repository.
 */
function projectDirectory(): string {
    const root = pulumi.runtime.getRootDirectory();
    return path.isAbsolute(root) ? root : REPOSITORY_ROOT;
}

/**
 * Where each key of `Pulumi.<stack>.yaml` is written, for errors that point at the line.
 * Undefined when the file cannot be read or parsed (the CLI has then refused it already).
 */
export function stackFileSource(stack: string, root: string): ConfigSource | undefined {
    const file = `Pulumi.${stack}.yaml`;
    let text: string;
    try {
        text = fs.readFileSync(path.join(root, file), "utf8");
    } catch {
        return undefined;
    }
    const lineCounter = new YAML.LineCounter();
    const document = YAML.parseDocument(text, { version: "1.1", lineCounter });
    const config = document.errors.length === 0 ? document.get("config", true) : undefined;
    if (!YAML.isMap(config)) {
        return undefined;
    }
    const keyLines: Record<string, number> = {};
    for (const pair of config.items) {
        const offset = YAML.isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        if (offset !== undefined) {
            keyLines[qualify(String((pair.key as YAML.Scalar).value))] = lineCounter.linePos(offset).line;
        }
    }
    return { file, keyLines };
}

/** The repository root: route schemas are named relative to it, whatever the working directory. */
const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** A repository file's text, or undefined when there is no such file. */
export function readRepositoryFile(relativePath: string): string | undefined {
    const file = path.resolve(REPOSITORY_ROOT, relativePath);
    if (!file.startsWith(REPOSITORY_ROOT + path.sep)) {
        return undefined;
    }
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/**
 * Whether the engine marked a config key secret. The SDK keeps this check internal
 * (`runtime/config.isConfigSecret`); a missing function means a newer SDK moved it, and the
 * key then counts as secret so the program never refuses a correctly stored key.
 */
function isConfigSecret(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
    return typeof runtimeConfig.isConfigSecret === "function" ? runtimeConfig.isConfigSecret(fullKey) : true;
}

export function currentIdentity(): StackIdentity {
    return {
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        organization: pulumi.getOrganization(),
    };
}
