import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/**
 * Which property paths of a resource arrived as Pulumi secrets.
 *
 * The engine sends a policy pack every property with its secret envelope intact, but
 * @pulumi/policy 1.21 strips the envelopes before a validation sees `args.props`
 * (`deserializeProperties(..., false)`), so a rule cannot tell an encrypted
 * `connection.privateKey` from a plain one (pulumi/pulumi-policy#241). This module keeps that
 * one fact on the side: `trackWireSecrets` notes where the engine's envelopes were, the mock
 * evaluator notes where the recorded inputs' envelopes were, and rules ask `isSecretAt`.
 */

/** A property path: `["connection", "privateKey"]`, `["ingress", 0, "cidrBlocks"]`. */
export type PropertyPath = readonly (string | number)[];

/** Secret paths (joined with ".") of each props object a rule may be handed. */
const secretPathsOfProps = new WeakMap<object, ReadonlySet<string>>();

/**
 * The key @pulumi/policy's proxies answer with the object they wrap (its internal
 * `getSpecialProxyTarget`); a plain object has no such key and stands for itself.
 */
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

export function pathKey(path: PropertyPath): string {
    return path.join(".");
}

function isSecretEnvelope(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[specialSigKey] === specialSecretSig;
}

/**
 * A value without its secret envelopes, and the paths where envelopes were. Other special
 * values (assets, resource references) are copied as they are.
 */
export function splitSecrets(value: unknown): { plain: unknown; secretPaths: Set<string> } {
    const secretPaths = new Set<string>();
    const walk = (current: unknown, path: (string | number)[]): unknown => {
        if (isSecretEnvelope(current)) {
            secretPaths.add(pathKey(path));
            return walk(current.value, path);
        }
        if (Array.isArray(current)) {
            return current.map((item, index) => walk(item, [...path, index]));
        }
        if (typeof current === "object" && current !== null) {
            return Object.fromEntries(Object.entries(current).map(([key, item]) => [key, walk(item, [...path, key])]));
        }
        return current;
    };
    return { plain: walk(value, []), secretPaths };
}

/**
 * The object behind @pulumi/policy's proxies. Reading through it never throws for a value that
 * is unknown during a preview: such a value reads as the engine's unknown sentinel.
 */
export function rawPropsOf(props: object): Record<string, unknown> {
    const target = (props as Record<string, unknown>)[PROXY_TARGET_KEY];
    return (typeof target === "object" && target !== null ? target : props) as Record<string, unknown>;
}

/** Records which paths of `props` were secret; `props` is the object a rule will be handed. */
export function rememberSecretPaths(props: object, secretPaths: ReadonlySet<string>): void {
    secretPathsOfProps.set(rawPropsOf(props), secretPaths);
}

/** Whether the value at `path` arrived as a secret, itself or inside a secret parent. */
export function isSecretAt(props: object, path: PropertyPath): boolean {
    const secretPaths = secretPathsOfProps.get(rawPropsOf(props));
    if (secretPaths === undefined) {
        // Answering "not secret" here would report every credential; answering "secret" would
        // pass them all. Neither is true, so refuse.
        throw new Error(
            "policy/secrets: no secret information was recorded for these props; " +
                "the pack must call trackWireSecrets() before serving, and evaluators must call rememberSecretPaths()",
        );
    }
    for (let length = path.length; length >= 0; length--) {
        if (secretPaths.has(pathKey(path.slice(0, length)))) {
            return true;
        }
    }
    return false;
}

interface WireStruct {
    toJavaScript(): Record<string, unknown>;
}

interface DeserializeModule {
    deserializeProperties: (struct: WireStruct, proxySecrets: boolean) => Record<string, unknown>;
}

let trackingWireSecrets = false;

/**
 * Makes the policy SDK note the secret paths of every resource it deserializes for a
 * validation. It wraps the SDK's internal `deserializeProperties`, which its server looks up
 * on the module at each call, so the props the rules get are unchanged. Fails loudly if a
 * future SDK moved that function, rather than letting the secrets rule pass or fail blindly.
 */
export function trackWireSecrets(): void {
    if (trackingWireSecrets) {
        return;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const deserialize = require("@pulumi/policy/deserialize") as Partial<DeserializeModule>;
    const original = deserialize.deserializeProperties;
    if (typeof original !== "function") {
        throw new Error("@pulumi/policy no longer exports deserialize.deserializeProperties; update policy/secrets.ts");
    }
    deserialize.deserializeProperties = (struct, proxySecrets) => {
        const props = original(struct, proxySecrets);
        rememberSecretPaths(props, splitSecrets(struct.toJavaScript()).secretPaths);
        return props;
    };
    trackingWireSecrets = true;
}
