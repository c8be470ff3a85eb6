/**
 * The one place where stack configuration is read, validated and turned into typed objects.
 *
 * `parseConfig` is pure: it takes the raw strings the Pulumi engine hands a program and either
 * returns a typed config or throws one `ConfigError` that lists every bad key. The stack
 * programs call `readConfig`, which only collects the raw strings, so every rule here is
 * tested directly, without the engine.
 */
import { closestKey } from "../config-keys";
import { DEFAULTS } from "../defaults";
import { ORIGIN_STACK_SUFFIX, environmentOf } from "../stack-names";
import { CommonConfig, LAYERS, RawConfig, StackConfig, StackIdentity } from "./types";
import { ConfigError, ConfigReader, DefaultedKey, ProblemList, hasSurroundingWhitespace, shown } from "./reader";
import { AWS_PACKAGE, KNOWN_REGIONS } from "./formats";
import { parseOrigin } from "./origin";
import { parseGateway } from "./gateway";
import { checkKeysAreKnown, withoutUndecryptedValues } from "./keys";
import { changedFromDefault } from "./websocket";

export { ORIGIN_STACK_SUFFIX, environmentOf };
export { DEFAULTS };
export * from "./types";
export * from "./reader";
export * from "./formats";
export * from "./origin";
export * from "./gateway";
export * from "./http-api";
export * from "./websocket";
export * from "./keys";

/** The keys the other layer's parser asks for, read off a parse of the same values that is thrown away. */
function keysTheOtherLayerReads(raw: RawConfig, config: StackConfig): (key: string) => boolean {
    const scratch = new ConfigReader(raw, new ProblemList());
    if (config.layer === "origin") {
        parseGateway(scratch, new ProblemList(), config, raw);
    } else {
        parseOrigin(scratch, new ProblemList(), config);
    }
    return (key) => scratch.wasConsulted(key);
}

/**
 * A key of the other layer, set in this stack's file to anything but its default, would be
 * ignored without a word: the origin's helloMessage or instanceType in the gateway's file, the
 * gateway's throttleRateLimit in the origin's. Each is refused, naming the file that reads it.
 * A key this layer reads only under some setting (apiKeyRateLimit without authMode apiKey, a
 * WAF rate limit with the WAF off) stays accepted: keeping a tuning while its switch is off is
 * a normal edit. Only checked once everything else is valid: a parser that stopped at an
 * earlier error has not asked for everything yet.
 */
function refuseOtherLayersKeys(raw: RawConfig, reader: ConfigReader, config: StackConfig, problems: ProblemList): void {
    const unread = (Object.keys(DEFAULTS) as DefaultedKey[]).filter((key) => changedFromDefault(raw, key) && !reader.wasConsulted(key));
    if (unread.length === 0) {
        return;
    }
    const otherLayerReads = keysTheOtherLayerReads(raw, config);
    const [thisStack, otherLayer, otherFile] =
        config.layer === "origin" ? ["an origin stack", "gateway", `Pulumi.${config.environment}.yaml`] : ["a gateway stack", "origin", `Pulumi.${config.environment}${ORIGIN_STACK_SUFFIX}.yaml`];
    for (const key of unread.filter(otherLayerReads)) {
        problems.add(key, shown(raw.values[key]), `no ${key} in ${thisStack}, which ignores it: the ${otherLayer} stack reads it (${otherFile})`);
    }
}

/** Validates everything for the stack's layer and throws one ConfigError naming each bad key. */
export function parseConfig(raw: RawConfig, identity: StackIdentity): StackConfig {
    const problems = new ProblemList();
    checkKeysAreKnown(raw.keys, identity.stack, problems);
    const reader = new ConfigReader(withoutUndecryptedValues(raw, identity.stack, problems), problems);
    const layer = reader.oneOf("layer", LAYERS);
    if (layer === "gateway" && identity.stack.endsWith(ORIGIN_STACK_SUFFIX)) {
        problems.add("layer", shown(layer), `origin: the stack "${identity.stack}" is named as an origin stack`);
    }
    const region = raw.region?.trim();
    if (!region) {
        problems.add("aws:region", raw.region ? shown(raw.region) : "nothing", "the AWS region to deploy to, e.g. us-east-1 (required)");
    } else if (hasSurroundingWhitespace(raw.region ?? "")) {
        // The engine hands the provider the value as written: the space would reach every ARN.
        problems.add("aws:region", shown(raw.region), `${JSON.stringify(region)}, without the space around it`);
    } else if (!KNOWN_REGIONS.includes(region)) {
        const suggestion = closestKey(region, KNOWN_REGIONS);
        problems.add("aws:region", shown(region), `an AWS region from the list ${AWS_PACKAGE} ships${suggestion ? `; did you mean ${suggestion}?` : ", e.g. us-east-1"}`);
    }
    const environment = environmentOf(identity.stack);
    const common: CommonConfig = {
        identity,
        ...(raw.source ? { source: raw.source } : {}),
        region: region ?? "",
        environment,
        tags: {
            Project: identity.project,
            Environment: environment,
            Stack: identity.stack,
            ManagedBy: "pulumi",
        },
    };
    let config: StackConfig | undefined;
    if (layer === "origin") {
        config = parseOrigin(reader, problems, common);
    } else if (layer === "gateway") {
        config = parseGateway(reader, problems, common, raw);
    }
    if (config !== undefined && problems.problems.length === 0) {
        refuseOtherLayersKeys(raw, reader, config, problems);
    }
    if (problems.problems.length > 0 || config === undefined) {
        throw new ConfigError(identity.stack, problems.problems, raw.source);
    }
    return config;
}
