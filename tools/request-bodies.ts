/**
 * Request bodies for the smoke test: one that a route's draft-4 JSON Schema accepts and one it
 * refuses, each confirmed with ajv before it is sent, so a failed check is the gateway's and
 * never the generator's.
 */
import Ajv04 from "ajv-draft-04";

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

function isSchema(value: unknown): value is Schema {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstType(schema: Schema): string | undefined {
    if (Array.isArray(schema.type)) {
        return typeof schema.type[0] === "string" ? schema.type[0] : undefined;
    }
    if (typeof schema.type === "string") {
        return schema.type;
    }
    return isSchema(schema.properties) || Array.isArray(schema.required) ? "object" : undefined;
}

function numberIn(schema: Schema, integer: boolean): number {
    const step = integer ? 1 : 0.5;
    const multiple = typeof schema.multipleOf === "number" ? schema.multipleOf : undefined;
    let value: number;
    if (typeof schema.minimum === "number") {
        value = schema.minimum + (schema.exclusiveMinimum === true ? step : 0);
    } else if (typeof schema.maximum === "number") {
        value = Math.min(1, schema.maximum - (schema.exclusiveMaximum === true ? step : 0));
    } else {
        value = 1;
    }
    if (integer) {
        value = Math.ceil(value);
    }
    return multiple === undefined ? value : Math.ceil(value / multiple) * multiple;
}

/** A value the schema most likely accepts: defaults, first enum values, minimal sizes. */
export function sampleOf(schema: unknown, depth = 0): unknown {
    if (!isSchema(schema) || depth > MAX_DEPTH) {
        return {};
    }
    if ("default" in schema) {
        return schema.default;
    }
    if (Array.isArray(schema.enum) && schema.enum.length > 0) {
        return schema.enum[0];
    }
    for (const keyword of ["allOf", "anyOf", "oneOf"]) {
        const branches = schema[keyword];
        if (Array.isArray(branches) && branches.length > 0 && firstType(schema) === undefined) {
            return sampleOf(branches[0], depth + 1);
        }
    }
    switch (firstType(schema)) {
        case "object": {
            const properties = isSchema(schema.properties) ? schema.properties : {};
            const required = Array.isArray(schema.required) ? schema.required.filter((name): name is string => typeof name === "string") : [];
            return Object.fromEntries(required.map((name) => [name, sampleOf(properties[name], depth + 1)]));
        }
        case "array": {
            const count = typeof schema.minItems === "number" ? schema.minItems : 0;
            return Array.from({ length: count }, () => sampleOf(schema.items, depth + 1));
        }
        case "string": {
            const min = typeof schema.minLength === "number" ? schema.minLength : 0;
            const max = typeof schema.maxLength === "number" ? schema.maxLength : 5;
            const length = Math.max(min, Math.min(5, max), 1);
            return "smoke".repeat(Math.ceil(length / 5)).slice(0, length);
        }
        case "integer":
            return numberIn(schema, true);
        case "number":
            return numberIn(schema, false);
        case "boolean":
            return true;
        case "null":
            return null;
        default:
            return {};
    }
}

/** Values a schema may refuse: of another type, empty, or outside an enum. */
function violationCandidates(schema: Schema): unknown[] {
    const type = firstType(schema);
    const candidates: unknown[] = [];
    if (type === "object") {
        candidates.push([], {}, "smoke");
    } else if (type !== undefined) {
        candidates.push(type === "string" ? 0 : "smoke", {});
    }
    if (Array.isArray(schema.enum)) {
        candidates.push("not-one-of-the-enum-values");
    }
    candidates.push(null);
    return candidates;
}

export interface BodyPair {
    /** JSON text the schema accepts. */
    readonly valid: string;
    /** JSON text the schema refuses. */
    readonly invalid: string;
}

/** A valid and an invalid body for a schema text, or why none could be made. */
export function bodiesFor(schemaText: string): BodyPair | { problem: string } {
    const schema: unknown = JSON.parse(schemaText);
    if (!isSchema(schema)) {
        return { problem: "the schema is not a JSON object" };
    }
    const validate = new Ajv04({ strict: false }).compile(schema);
    const valid = sampleOf(schema);
    if (!validate(valid)) {
        return { problem: `no valid body could be derived from the schema (tried ${JSON.stringify(valid)}); give the failing properties a default` };
    }
    const invalid = violationCandidates(schema).find((candidate) => !validate(candidate));
    if (invalid === undefined) {
        return { problem: "the schema accepts every body the smoke test tries, so there is no invalid one to send" };
    }
    return { valid: JSON.stringify(valid), invalid: JSON.stringify(invalid) };
}
