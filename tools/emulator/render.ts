/**
 * Renders one stack's recorded resource graph (a mock run of the real program) as Terraform
 * JSON for the hashicorp/aws provider, so Terraform and a real provider can apply it against
 * an AWS emulator.
 *
 * Every input that came from another resource becomes a Terraform reference: the mock run
 * records, per input property, the resources its value was computed from, and the mocks give
 * every computed id and ARN a unique value, so the renderer finds which attribute of which of
 * those resources the value is (or contains) and writes `${aws_x.name.attr}` instead. A mock
 * value left over as a literal is an error, as is a type or an input with no mapping in
 * terraform-types.ts. Nothing is dropped silently: what cannot be emulated is rendered as a
 * `terraform_data` stand-in and listed with its reason.
 */
import { createHash } from "node:crypto";
import { RecordedInvoke, RecordedResource, ResourceGraph, unwrapSecrets } from "../resource-graph";
import { renderAwsxVpc, AWSX_VPC_TYPE, AWSX_VPC_APPROXIMATION } from "./awsx-vpc";
import { ArgMapping, EMULATOR_GAPS, INVOKES, isStructural, NOT_EMULATED, RESOURCE_TYPES, ResourceMapping, snakeCase, UNEXERCISED } from "./terraform-types";

const TYPES_FILE = "tools/emulator/terraform-types.ts";
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
/** The owner of values that belong to no resource of the stack: the account, invokes, prerequisites. */
const GLOBAL = "(global)";
/** Values shorter than this are not looked for inside longer strings (too likely by chance). */
const MIN_SUBSTRING = 6;

/** What the renderer needs from one mock run of the program. */
export interface RecordedStack {
    readonly stack: string;
    readonly graph: ResourceGraph;
    readonly invokes: readonly RecordedInvoke[];
    readonly outputs: Record<string, unknown>;
    readonly secretOutputs: readonly string[];
}

/** A value the emulator supplies for something outside the stacks (a hosted zone the config names). */
export interface Prerequisite {
    /** The literal as it appears in the config. */
    readonly value: string;
    /** The Terraform expression that stands in for it. */
    readonly expression: string;
    readonly resource: { readonly type: string; readonly label: string; readonly body: Record<string, unknown> };
    /** For the printed list. */
    readonly reason: string;
}

export interface RenderOptions {
    readonly region: string;
    /** The account id the mock run put in ARNs and policies (the mock runtime's MOCK_ACCOUNT_ID). */
    readonly mockAccountId: string;
    /** The emulator endpoint every AWS service is pointed at. */
    readonly endpoint: string;
    readonly prerequisites?: readonly Prerequisite[];
    /** Public keys for tls keys the mirror cannot create, by resource name (OpenSSH format). */
    readonly generatedPublicKeys?: Readonly<Record<string, string>>;
    /** The zip of each Lambda function's code, by resource name (tools/emulator/lambda-packages.ts). */
    readonly functionPackages?: Readonly<Record<string, { readonly file: string; readonly sourceCodeHash: string }>>;
}

/** One line of the printed not-emulated list. */
export interface NotEmulatedEntry {
    readonly what: string;
    readonly reason: string;
}

export interface RenderedStack {
    readonly config: Record<string, unknown>;
    readonly notEmulated: readonly NotEmulatedEntry[];
    /** Addresses of resources with retainOnDelete: removed from state before destroy, as Pulumi keeps them. */
    readonly retained: readonly string[];
    /** The StackReference variables, by Pulumi output name. */
    readonly referenceVariables: Readonly<Record<string, string>>;
    readonly resourceCount: number;
}

/** Every problem the renderer found, at once. */
export class RenderError extends Error {
    constructor(readonly stack: string, readonly problems: readonly string[]) {
        super(`cannot render stack ${stack} for Terraform:\n  ${problems.join("\n  ")}`);
        this.name = "RenderError";
    }
}

interface Source {
    readonly value: string;
    /** A Terraform expression, without `${}`. */
    readonly expression: string;
    /** The resource (URN) it belongs to, or GLOBAL (the account, invokes, prerequisites). */
    readonly owner: string;
    /** Computed by the provider (an id, an ARN), as opposed to an input echoed back. */
    readonly computed: boolean;
}

/** A Terraform address label from a Pulumi resource name. */
export function labelOf(name: string): string {
    const label = name.replace(/[^A-Za-z0-9_-]/g, "_");
    return /^[A-Za-z_]/.test(label) ? label : `_${label}`;
}

/** A literal string in Terraform JSON: `${` and `%{` start templates, so they are escaped. */
export function literal(text: string): string {
    return text.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function leafValues(value: unknown, path: string, into: Array<[string, string]>): void {
    if (typeof value === "string") {
        into.push([path, value]);
    } else if (Array.isArray(value)) {
        value.forEach((item, index) => leafValues(item, `${path}[${index}]`, into));
    } else if (isRecord(value)) {
        for (const [key, item] of Object.entries(value)) leafValues(item, path === "" ? key : `${path}.${key}`, into);
    }
}

/** Nested Pulumi keys as Terraform spells them (invoke arguments). */
function snakeKeys(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(snakeKeys);
    if (!isRecord(value)) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [snakeCase(key), snakeKeys(item)]));
}

function valueAt(value: unknown, dottedPath: string): unknown {
    let current = value;
    for (const part of dottedPath.replace(/\[(\d+)\]/g, ".$1").split(".")) {
        if (current === undefined || current === null) return undefined;
        current = (current as Record<string, unknown>)[part];
    }
    return current;
}

function sha(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** The renderer's view of one stack, built once. */
class StackRenderer {
    private readonly problems: string[] = [];
    private readonly notEmulated: NotEmulatedEntry[] = [];
    private readonly resourceBlocks: Record<string, Record<string, unknown>> = {};
    private readonly dataBlocks: Record<string, Record<string, unknown>> = {};
    private readonly variables: Record<string, unknown> = {};
    private readonly referenceVariables: Record<string, string> = {};
    private readonly retained: string[] = [];
    /** Addresses (or address lists) per resource URN, for depends_on. */
    private readonly addresses = new Map<string, string[]>();
    private readonly sourcesByOwner = new Map<string, Source[]>();
    private readonly globalSources: Source[] = [];
    private resourceCount = 0;

    constructor(private readonly run: RecordedStack, private readonly options: RenderOptions) {}

    render(): RenderedStack {
        const graph = this.run.graph;
        this.globalSources.push({ value: this.options.mockAccountId, expression: "data.aws_caller_identity.current.account_id", owner: GLOBAL, computed: true });
        this.dataBlocks.aws_caller_identity = { current: {} };
        this.renderInvokes();
        for (const prerequisite of this.options.prerequisites ?? []) {
            this.addResource(prerequisite.resource.type, prerequisite.resource.label, prerequisite.resource.body);
            this.globalSources.push({ value: prerequisite.value, expression: prerequisite.expression, owner: GLOBAL, computed: true });
            this.notEmulated.push({ what: `${prerequisite.resource.type}.${prerequisite.resource.label}`, reason: prerequisite.reason });
        }
        // Sources first (every resource's address and attributes), so references may point anywhere.
        for (const resource of graph.resources) {
            this.registerSources(resource);
        }
        for (const resource of graph.resources) {
            this.renderResource(resource);
        }
        const outputs = this.renderOutputs();
        if (this.problems.length > 0) {
            throw new RenderError(this.run.stack, this.problems);
        }
        const config: Record<string, unknown> = {
            terraform: { required_providers: { aws: { source: "hashicorp/aws", version: "5.100.0" } } },
            provider: { aws: this.providerBlock() },
            ...(Object.keys(this.variables).length > 0 ? { variable: this.variables } : {}),
            data: this.dataBlocks,
            resource: this.resourceBlocks,
            ...(Object.keys(outputs).length > 0 ? { output: outputs } : {}),
        };
        return {
            config,
            notEmulated: this.notEmulated,
            retained: this.retained,
            referenceVariables: this.referenceVariables,
            resourceCount: this.resourceCount,
        };
    }

    private providerBlock(): Record<string, unknown> {
        const endpoint = this.options.endpoint;
        const services = ["acm", "apigateway", "apigatewayv2", "autoscaling", "cloudwatch", "cognitoidp", "dynamodb", "ec2", "elbv2", "iam", "kms", "lambda", "logs", "route53", "sns", "ssm", "sts", "wafv2"];
        return {
            region: this.options.region,
            access_key: "test",
            secret_key: "test",
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
            skip_region_validation: true,
            endpoints: Object.fromEntries(services.map((service) => [service, endpoint])),
        };
    }

    private addResource(type: string, label: string, body: Record<string, unknown>): string {
        const blocks = (this.resourceBlocks[type] ??= {});
        if (blocks[label] !== undefined) {
            this.problems.push(`two resources render as ${type}.${label}`);
        }
        blocks[label] = body;
        this.resourceCount++;
        return `${type}.${label}`;
    }

    private renderInvokes(): void {
        this.run.invokes.forEach((invoke, index) => {
            const mapping = INVOKES[invoke.token];
            if (mapping === undefined) {
                this.problems.push(`invoke ${invoke.token} has no Terraform data source: add it to INVOKES in ${TYPES_FILE}`);
                return;
            }
            const label = `invoke_${index}`;
            const body: Record<string, unknown> = {};
            for (const [key, value] of Object.entries(invoke.inputs)) {
                const argument = mapping.args[key];
                if (argument === undefined) {
                    this.problems.push(`invoke ${invoke.token}: input ${key} has no mapping: add it to INVOKES in ${TYPES_FILE}`);
                    continue;
                }
                body[argument] = this.keepDerived(snakeKeys(value));
            }
            (this.dataBlocks[mapping.terraform] ??= {})[label] = body;
            for (const [key, attribute] of Object.entries(mapping.results)) {
                const value = invoke.result?.[key];
                const expression = `data.${mapping.terraform}.${label}.${attribute}`;
                const elements: Array<[unknown, string]> = Array.isArray(value) ? value.map((item, i) => [item, `${expression}[${i}]`]) : [[value, expression]];
                for (const [item, itemExpression] of elements) {
                    if (typeof item === "string" && item !== "") {
                        this.globalSources.push({ value: item, expression: itemExpression, owner: GLOBAL, computed: true });
                    }
                }
            }
        });
    }

    // -----------------------------------------------------------------------
    // Sources: what each resource offers to the values of others

    private addSource(owner: RecordedResource, value: unknown, expression: string, computed: boolean): void {
        if (typeof value !== "string" || value === "") return;
        const sources = this.sourcesByOwner.get(owner.urn) ?? [];
        sources.push({ value, expression, owner: owner.urn, computed });
        this.sourcesByOwner.set(owner.urn, sources);
    }

    private registerSources(resource: RecordedResource): void {
        if (resource.type === STACK_REFERENCE_TYPE) {
            const outputs = (resource.state.outputs ?? {}) as Record<string, unknown>;
            for (const [key, value] of Object.entries(outputs)) {
                const variable = `${labelOf(resource.name)}_${key}`;
                this.referenceVariables[key] = variable;
                this.variables[variable] = { type: "any" };
                // Another stack's outputs arrive like config: a literal copy is not this stack's
                // mock value leaking, and what does depend on the reference is traced to it.
                this.addSource(resource, value, `var.${variable}`, false);
                // A list output (the VPC link's subnets): each element traces to its index.
                if (Array.isArray(value)) {
                    value.forEach((item, index) => this.addSource(resource, item, `var.${variable}[${index}]`, false));
                }
            }
            return;
        }
        if (resource.type === AWSX_VPC_TYPE) {
            let rendered: ReturnType<typeof renderAwsxVpc>;
            try {
                const trace = (value: unknown, where: string) =>
                    this.trace(value, this.candidatesFor(this.run.graph.propertyDependenciesOf(resource, where.split(".")[0])), new Set(), `${resource.type} ${resource.name}.${where}`);
                rendered = renderAwsxVpc(resource, labelOf(resource.name), trace);
            } catch (error) {
                this.problems.push(...String(error instanceof Error ? error.message : error).split("\n"));
                return;
            }
            for (const block of rendered.resources) this.addResource(block.type, block.label, block.body);
            for (const block of rendered.data) (this.dataBlocks[block.type] ??= {})[block.label] = block.body;
            for (const source of rendered.sources) this.addSource(resource, source.value, source.expression, true);
            this.addresses.set(resource.urn, rendered.resources.map((block) => `${block.type}.${block.label}`));
            this.notEmulated.push({ what: `${resource.type} ${resource.name}`, reason: AWSX_VPC_APPROXIMATION });
            return;
        }
        if (isStructural(resource.type, resource.custom)) return;
        const stand = NOT_EMULATED[resource.type];
        if (stand !== undefined) {
            const address = `terraform_data.${labelOf(resource.name)}`;
            this.addresses.set(resource.urn, [address]);
            for (const key of stand.outputs ?? []) {
                this.addSource(resource, key === "id" ? resource.id : resource.state[key], `${address}.output.${snakeCase(key)}`, true);
            }
            return;
        }
        const mapping = RESOURCE_TYPES[resource.type];
        if (mapping === undefined) return; // reported when rendered
        const address = `${mapping.terraform}.${labelOf(resource.name)}`;
        this.addresses.set(resource.urn, [address]);
        // Computed: a value the provider makes up, as opposed to one of the inputs echoed back.
        const inputLeaves: Array<[string, string]> = [];
        leafValues(unwrapSecrets(resource.inputs), "", inputLeaves);
        const inputValues = new Set(inputLeaves.map(([, value]) => value));
        for (const [path, attribute] of Object.entries(mapping.attributes ?? {})) {
            const expression = attribute.includes("@") ? attribute.replace(/@/g, address) : `${address}.${attribute}`;
            const state = valueAt(resource.state, path);
            // A number another resource reads as a string (a launch template's latest version in
            // the group's `launchTemplate.version`): matched exactly only, never inside text.
            const value = typeof state === "number" ? String(state) : state;
            this.addSource(resource, value, expression, typeof value === "string" && !inputValues.has(value));
        }
        this.addSource(resource, resource.id, `${address}.id`, resource.id !== undefined && !inputValues.has(resource.id));
        for (const [key, value] of Object.entries(resource.inputs)) {
            const argument = mapping.args[key];
            if (argument !== undefined && key !== "tags") {
                this.addSource(resource, value, `${address}.${typeof argument === "string" ? argument : argument.name}`, false);
            }
        }
    }

    /** Every computed value of the stack: none of them may survive as a literal. */
    private computedValues(): Source[] {
        return [...this.sourcesByOwner.values()].flat().filter((source) => source.computed && source.value.length >= MIN_SUBSTRING);
    }

    // -----------------------------------------------------------------------
    // Tracing one value to its sources

    /**
     * The value with every part that came from `candidates` written as a reference. Records
     * which owners it referenced.
     */
    private trace(value: unknown, candidates: readonly Source[], referenced: Set<string>, where: string): unknown {
        if (typeof value === "string") {
            return this.traceString(value, candidates, referenced, where);
        }
        if (Array.isArray(value)) {
            return value.map((item, index) => this.trace(item, candidates, referenced, `${where}[${index}]`));
        }
        if (isRecord(value)) {
            return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.trace(item, candidates, referenced, `${where}.${key}`)]));
        }
        return value;
    }

    private traceString(value: string, candidates: readonly Source[], referenced: Set<string>, where: string): string {
        const exact = candidates.find((source) => source.value === value);
        if (exact) {
            referenced.add(exact.owner);
            return `\${${exact.expression}}`;
        }
        // Longest first, so an ARN wins over the id inside it.
        const parts = [...candidates].filter((source) => source.value.length >= MIN_SUBSTRING).sort((a, b) => b.value.length - a.value.length);
        let pieces: Array<string | Source> = [value];
        for (const source of parts) {
            pieces = pieces.flatMap((piece) => {
                if (typeof piece !== "string" || !piece.includes(source.value)) return [piece];
                const split = piece.split(source.value);
                return split.flatMap((text, index) => (index === 0 ? [text] : [source, text]));
            });
        }
        let rendered = "";
        for (const piece of pieces) {
            if (typeof piece === "string") {
                this.checkNoComputedValue(piece, where);
                rendered += literal(piece);
            } else {
                referenced.add(piece.owner);
                rendered += `\${${piece.expression}}`;
            }
        }
        return rendered;
    }

    /** A mock-computed id or ARN left in a literal would mean a value that was not traced. */
    private checkNoComputedValue(text: string, where: string): void {
        for (const source of this.computedValues()) {
            if (text.includes(source.value)) {
                const owner = this.run.graph.byUrn(source.owner);
                this.problems.push(
                    `${where}: contains ${JSON.stringify(source.value)} (${source.expression}${owner ? ` of ${owner.type} ${owner.name}` : ""}) ` +
                        "but does not depend on it: a value the renderer cannot trace to its source",
                );
                return;
            }
        }
    }

    private candidatesFor(dependencies: readonly RecordedResource[]): Source[] {
        const owners = new Set<string>();
        for (const dependency of dependencies) {
            owners.add(dependency.urn);
            for (const custom of this.run.graph.customResourcesUnder(dependency)) owners.add(custom.urn);
        }
        return [...[...owners].flatMap((urn) => this.sourcesByOwner.get(urn) ?? []), ...this.globalSources];
    }

    private dependsOn(resources: readonly RecordedResource[], referenced: ReadonlySet<string>): string[] {
        const addresses = new Set<string>();
        for (const resource of resources) {
            for (const custom of [resource, ...this.run.graph.customResourcesUnder(resource)]) {
                if (referenced.has(custom.urn)) continue;
                for (const address of this.addresses.get(custom.urn) ?? []) addresses.add(address);
            }
        }
        return [...addresses].sort();
    }

    // -----------------------------------------------------------------------
    // Resources

    private renderResource(resource: RecordedResource): void {
        if (resource.type === STACK_REFERENCE_TYPE || resource.type === AWSX_VPC_TYPE || isStructural(resource.type, resource.custom)) return;
        const what = `${resource.type} ${resource.name}`;
        const stand = NOT_EMULATED[resource.type];
        if (stand !== undefined) {
            this.renderStandIn(resource, stand.keep, stand.outputs ?? []);
            this.notEmulated.push({ what, reason: stand.reason });
            return;
        }
        const mapping = RESOURCE_TYPES[resource.type];
        if (mapping === undefined) {
            this.problems.push(`${what}: type ${resource.type} has no Terraform mapping: add an entry to RESOURCE_TYPES in ${TYPES_FILE} (or to NOT_EMULATED with the reason)`);
            return;
        }
        const unexercised = UNEXERCISED[resource.type];
        if (unexercised !== undefined) {
            this.notEmulated.push({ what, reason: unexercised });
        }
        const label = labelOf(resource.name);
        const referenced = new Set<string>();
        const body: Record<string, unknown> = {};
        const inputs = unwrapSecrets(resource.inputs) as Record<string, unknown>;
        for (const [key, value] of Object.entries(inputs)) {
            const v6Only = mapping.v6Only?.[key];
            if (v6Only !== undefined) {
                this.notEmulated.push({ what: `${what}.${key}`, reason: `not in provider v5.100 (pulumi-aws 7 is built on v6), left out: ${v6Only}` });
                continue;
            }
            const argument = mapping.args[key];
            if (argument === undefined) {
                this.problems.push(`${what}: input ${key} has no Terraform mapping: add it to the args of ${resource.type} in ${TYPES_FILE}`);
                continue;
            }
            const spec: ArgMapping = typeof argument === "string" ? { name: argument } : argument;
            if (spec.archive) {
                const archive = this.options.functionPackages?.[resource.name];
                if (archive === undefined) {
                    this.problems.push(`${what}.${key}: an archive with no package written for it: pass functionPackages (tools/emulator/lambda-packages.ts)`);
                    continue;
                }
                // A path in the working directory Terraform runs in, and the hash the provider compares.
                body[spec.name] = `\${path.module}/${archive.file}`;
                body.source_code_hash = archive.sourceCodeHash;
                continue;
            }
            const dependencies = this.run.graph.propertyDependenciesOf(resource, key);
            const custom = dependencies.flatMap((dependency) => this.run.graph.customResourcesUnder(dependency).concat(dependency.type === AWSX_VPC_TYPE ? [dependency] : []));
            const derived = mapping.derived?.[key];
            const referencedHere = new Set<string>();
            const traced = derived !== undefined ? this.keepDerived(value) : this.trace(value, this.candidatesFor(dependencies), referencedHere, `${what}.${key}`);
            referencedHere.forEach((urn) => referenced.add(urn));
            if (derived !== undefined && custom.length > 0) {
                this.notEmulated.push({ what: `${what}.${key}`, reason: `kept as computed under mocks: ${derived}` });
            }
            if (derived === undefined && custom.length > 0 && referencedHere.size === 0) {
                this.problems.push(
                    `${what}.${key}: computed from ${custom.map((d) => `${d.type} ${d.name}`).join(", ")}, but no part of its value is an output of them: a value the renderer cannot trace to its source`,
                );
            }
            const converted = spec.convert ? spec.convert(traced) : traced;
            body[spec.name] = spec.map ? converted : this.terraformKeys(converted, mapping);
        }
        if (mapping.autoName !== undefined && body[mapping.autoName] === undefined) {
            // Pulumi's auto-name: the resource name and a random suffix.
            body[mapping.autoName] = `${resource.name}-${sha(resource.urn, 7)}`;
        }
        const dependsOn = this.dependsOn(this.run.graph.dependenciesOf(resource), referenced);
        if (dependsOn.length > 0) body.depends_on = dependsOn;
        const lifecycle: Record<string, unknown> = {};
        const ignored = resource.ignoreChanges.map((key) => this.argumentName(mapping, key));
        const gap = EMULATOR_GAPS[resource.type];
        for (const argument of gap?.arguments ?? []) {
            if (body[argument] === undefined) continue;
            ignored.push(argument);
            this.notEmulated.push({ what: `${what}.${argument}`, reason: gap.reason });
        }
        for (const argument of gap?.invented ?? []) {
            if (body[argument] !== undefined) continue; // set by the program: a real diff would count
            ignored.push(argument);
            this.notEmulated.push({ what: `${what}.${argument}`, reason: gap.reason });
        }
        if (ignored.length > 0) lifecycle.ignore_changes = ignored;
        if (Object.keys(lifecycle).length > 0) body.lifecycle = lifecycle;
        if (mapping.timeouts && resource.customTimeouts) body.timeouts = { ...resource.customTimeouts };
        const address = this.addResource(mapping.terraform, label, body);
        if (resource.retainOnDelete) {
            this.retained.push(address);
            this.notEmulated.push({ what: `${what} (retainOnDelete)`, reason: "Terraform has no such option: removed from the state before destroy, as Pulumi keeps it" });
        }
    }

    private keepDerived(value: unknown): unknown {
        if (typeof value === "string") return literal(value);
        if (Array.isArray(value)) return value.map((item) => this.keepDerived(item));
        if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.keepDerived(v)]));
        return value;
    }

    private argumentName(mapping: ResourceMapping, key: string): string {
        const argument = mapping.args[key];
        return argument === undefined ? snakeCase(key) : typeof argument === "string" ? argument : argument.name;
    }

    /** Nested Pulumi keys to Terraform ones: snake_case, or the type's block name. */
    private terraformKeys(value: unknown, mapping: ResourceMapping): unknown {
        if (Array.isArray(value)) return value.map((item) => this.terraformKeys(item, mapping));
        if (!isRecord(value)) return value;
        return Object.fromEntries(
            Object.entries(value).map(([key, item]) => [
                mapping.blocks?.[key] ?? snakeCase(key),
                key === "tags" ? item : this.terraformKeys(item, mapping),
            ]),
        );
    }

    private renderStandIn(resource: RecordedResource, keep: readonly string[], outputs: readonly string[]): void {
        const referenced = new Set<string>();
        const input: Record<string, unknown> = {};
        const inputs = unwrapSecrets(resource.inputs);
        for (const path of keep) {
            const key = path.split(".")[0];
            const value = valueAt(inputs, path);
            if (value === undefined) continue;
            input[snakeCase(path.replace(/\./g, "_"))] = this.trace(value, this.candidatesFor(this.run.graph.propertyDependenciesOf(resource, key)), referenced, `${resource.type} ${resource.name}.${path}`);
        }
        for (const key of outputs) {
            const generated = key === "publicKeyOpenssh" ? this.options.generatedPublicKeys?.[resource.name] : undefined;
            const value = generated ?? (key === "id" ? resource.id : resource.state[key]);
            if (typeof value === "string") input[snakeCase(key)] = literal(value);
        }
        const body: Record<string, unknown> = { input };
        const dependsOn = this.dependsOn(this.run.graph.dependenciesOf(resource), referenced);
        if (dependsOn.length > 0) body.depends_on = dependsOn;
        this.addResource("terraform_data", labelOf(resource.name), body);
    }

    // -----------------------------------------------------------------------
    // Stack outputs

    private renderOutputs(): Record<string, unknown> {
        const everything = [...[...this.sourcesByOwner.values()].flat(), ...this.globalSources];
        const outputs: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(this.run.outputs)) {
            const traced = this.trace(value, everything, new Set(), `stack output ${name}`);
            outputs[name] = { value: traced, ...(this.run.secretOutputs.includes(name) ? { sensitive: true } : {}) };
        }
        return outputs;
    }
}

export function renderStack(run: RecordedStack, options: RenderOptions): RenderedStack {
    return new StackRenderer(run, options).render();
}
