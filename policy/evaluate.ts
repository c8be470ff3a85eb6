import type {
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { enforcementLevelFor } from "./enforcement";
import { POLICIES } from "./rules";
import { rememberSecretPaths, splitSecrets } from "./secrets";

/**
 * Runs the pack's rules over what a program registered under Pulumi's mocks, the way
 * @pulumi/policy's analyzer server runs them over what the engine sends: resource rules get
 * each resource's inputs, stack rules get every resource's state (inputs plus computed
 * outputs), both without secret envelopes and with the secret paths remembered for
 * `isSecretAt`. It never starts a server, so tests can use it.
 */

export type Policy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * What the rules are run over: one registered resource as the engine would hand it to the
 * analyzer. The pack declares only the shape it reads; the mock runtime's recorded graph
 * (tools/resource-graph.ts) has it, and so could any other recording.
 */
export interface AnalyzedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** Looked up (a StackReference) rather than registered: only stack rules see it. */
    readonly read: boolean;
    /** Inputs as the engine receives them, secrets wrapped in the wire's envelope. */
    readonly inputs: Record<string, unknown>;
    /** Inputs plus computed outputs. */
    readonly state: Record<string, unknown>;
    readonly parentUrn: string;
    readonly dependencyUrns: readonly string[];
    /** Per input property, the resources its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly ignoreChanges: readonly string[];
    readonly customTimeouts: { create: string; update: string; delete: string } | undefined;
}

export interface Finding {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource the finding is about; undefined when a stack rule blames the whole stack. */
    readonly urn: string | undefined;
    readonly message: string;
}

export interface EvaluationOptions {
    /** The stack the resources belong to; it decides the enforcement level, as in the pack. */
    readonly stack: string;
    /** Default: every rule of the pack. */
    readonly policies?: readonly Policy[];
}

/** What `args.notApplicable()` throws; the server treats it as "this rule does not apply". */
class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
    throw new NotApplicable(reason ?? "Policy does not apply");
}

/** The type test @pulumi/policy uses: the generated class's `__pulumiType` token. */
function pulumiTypeOf(value: unknown): string | undefined {
    const token = (value as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof token === "string" && token !== "" ? token : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    return pulumiTypeOf(resourceClass) === type;
}

/** Props as a rule sees them: plain values, with the secret paths remembered. */
function propsWithoutSecrets(values: Record<string, unknown>): Record<string, unknown> {
    const { plain, secretPaths } = splitSecrets(values);
    const props = plain as Record<string, unknown>;
    rememberSecretPaths(props, secretPaths);
    return props;
}

const SECONDS_PER_UNIT: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };

/** Seconds in a Go duration string such as `15m` or `1h30m`. */
function durationSeconds(duration: string): number {
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
        total += Number(amount) * SECONDS_PER_UNIT[unit];
    }
    return total;
}

function customTimeoutsOf(resource: AnalyzedResource): PolicyCustomTimeouts {
    const timeouts = resource.customTimeouts;
    return {
        createSeconds: durationSeconds(timeouts?.create ?? ""),
        updateSeconds: durationSeconds(timeouts?.update ?? ""),
        deleteSeconds: durationSeconds(timeouts?.delete ?? ""),
    };
}

/** The options the mocks can tell; the rest never reach them (see PULUMI-FACTS). */
function optionsOf(resource: AnalyzedResource): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [...resource.ignoreChanges],
        aliases: [],
        customTimeouts: customTimeoutsOf(resource),
        additionalSecretOutputs: [],
        parent: resource.parentUrn === "" ? undefined : resource.parentUrn,
    };
}

function isResourcePolicy(policy: Policy): policy is ResourceValidationPolicy {
    return "validateResource" in policy && policy.validateResource !== undefined;
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
    return "validateStack" in policy && typeof policy.validateStack === "function";
}

/** The server's level for a policy with no pack config: its own level, else the pack's. */
function levelOf(policy: Policy, packLevel: EnforcementLevel): EnforcementLevel {
    const level = policy.enforcementLevel ?? packLevel;
    // The server runs "remediate" policies' validations as mandatory.
    return level === "remediate" ? "mandatory" : level;
}

async function runIgnoringNotApplicable(validation: () => Promise<void> | void): Promise<void> {
    try {
        await validation();
    } catch (error) {
        if (!(error instanceof NotApplicable)) {
            throw error;
        }
    }
}

function resourceArgs(resource: AnalyzedResource): ResourceValidationArgs {
    const props = propsWithoutSecrets(resource.inputs);
    return {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: optionsOf(resource),
        stackTags: new Map<string, string>(),
        isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
        asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({}) as T,
        notApplicable,
    };
}

function stackResources(resources: readonly AnalyzedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const policyResources = resources.map((resource) => {
        const props = propsWithoutSecrets(resource.state);
        const policyResource: PolicyResource = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: optionsOf(resource),
            dependencies: [],
            propertyDependencies: {},
            isType: (resourceClass) => isTypeOf(resource.type, resourceClass),
            asType: ((resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? props : undefined)) as PolicyResource["asType"],
        };
        byUrn.set(resource.urn, policyResource);
        return policyResource;
    });
    resources.forEach((resource, index) => {
        const policyResource = policyResources[index];
        policyResource.parent = byUrn.get(resource.parentUrn);
        policyResource.dependencies = resource.dependencyUrns
            .map((urn) => byUrn.get(urn))
            .filter((dependency): dependency is PolicyResource => dependency !== undefined);
        policyResource.propertyDependencies = Object.fromEntries(
            Object.entries(resource.propertyDependencies).map(([property, urns]) => [
                property,
                urns.map((urn) => byUrn.get(urn)).filter((dependency): dependency is PolicyResource => dependency !== undefined),
            ]),
        );
    });
    return policyResources;
}

/** Runs the rules over one program run's resources and returns every violation they report. */
export async function evaluatePolicies(resources: readonly AnalyzedResource[], options: EvaluationOptions): Promise<Finding[]> {
    const policies = options.policies ?? POLICIES;
    const packLevel = enforcementLevelFor(options.stack);
    const findings: Finding[] = [];
    const reporterFor = (policy: Policy, defaultUrn: string | undefined): ReportViolation => (message, urn) => {
        findings.push({ policyName: policy.name, enforcementLevel: levelOf(policy, packLevel), urn: urn ?? defaultUrn, message });
    };
    const enabled = policies.filter((policy) => levelOf(policy, packLevel) !== "disabled");

    // The engine analyzes resources it registers; reads (StackReference) only appear in the stack.
    for (const resource of resources.filter((r) => !r.read)) {
        for (const policy of enabled.filter(isResourcePolicy)) {
            const validations: ResourceValidation[] = ([] as ResourceValidation[]).concat(policy.validateResource ?? []);
            // Like the server: one typed validation of another type is skipped without a call.
            const onlyType = validations.length === 1 ? pulumiTypeOf(validations[0]) : undefined;
            if (onlyType !== undefined && onlyType !== resource.type) {
                continue;
            }
            for (const validation of validations) {
                // Fresh args per validation, as the server deserializes afresh for each.
                await runIgnoringNotApplicable(() => validation(resourceArgs(resource), reporterFor(policy, resource.urn)));
            }
        }
    }

    const inStack = stackResources(resources);
    for (const policy of enabled.filter(isStackPolicy)) {
        const onlyType = pulumiTypeOf(policy.validateStack);
        if (onlyType !== undefined && !inStack.some((resource) => resource.type === onlyType)) {
            continue;
        }
        const args: StackValidationArgs = {
            resources: inStack,
            stackTags: new Map<string, string>(),
            getConfig: <T extends object>() => ({}) as T,
            notApplicable,
        };
        await runIgnoringNotApplicable(() => policy.validateStack(args, reporterFor(policy, undefined)));
    }
    return findings;
}
