import { qualify } from "../infra/config";
import { MOCK_ORGANIZATION, ProgramRun, RecordedResource, runProgram } from "../tools/mock-runtime";
import { loadStackConfig } from "../tools/stack-files";

export { promiseOf, unwrapSecrets, isSecretEnvelope } from "../tools/mock-runtime";

export const PROJECT = "hello-gateway";

/**
 * What a deployed origin stack exports, as the gateway's StackReference would read it. The
 * committed prod origin is private: it also exports its NLB.
 */
export function originOutputsFor(environment: string): Record<string, unknown> {
    if (environment === "prod") {
        return {
            ...publicOriginOutputs(environment),
            originUrl: "http://hello-prod-nlb-0123456789.elb.us-east-1.amazonaws.com/",
            originMode: "private",
            originNlbArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/hello-prod-nlb/0123456789abcdef",
            originNlbDnsName: "hello-prod-nlb-0123456789.elb.us-east-1.amazonaws.com",
        };
    }
    return publicOriginOutputs(environment);
}

export function publicOriginOutputs(environment: string): Record<string, unknown> {
    return {
        originMode: "public",
        originUrl: `http://ec2-198-51-100-${environment === "prod" ? 20 : 10}.compute-1.amazonaws.com/`,
        instanceId: "i-0123456789abcdef0",
        publicIp: `198.51.100.${environment === "prod" ? 20 : 10}`,
        publicDns: `ec2-198-51-100-${environment === "prod" ? 20 : 10}.compute-1.amazonaws.com`,
        vpcId: "vpc-0123456789abcdef0",
        securityGroupId: "sg-0123456789abcdef0",
    };
}

export interface StackRunOptions {
    /** Config to set or (with `undefined`) remove on top of the committed files; short keys are namespaced. */
    readonly overrides?: Record<string, string | undefined>;
    /** Short or qualified keys to mark secret. */
    readonly secretKeys?: readonly string[];
    /** Outputs of referenced stacks; default: a deployed origin for both environments. */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
}

const committedRuns = new Map<string, Promise<ProgramRun>>();

/**
 * Runs one committed stack (Pulumi.yaml defaults, then its stack file) under mocks. A run
 * without options is the committed stack itself; several specs read it, so it runs once per
 * test process and is shared (treat it as read-only).
 */
export function runStack(stack: string, options: StackRunOptions = {}): Promise<ProgramRun> {
    if (options.overrides === undefined && options.secretKeys === undefined && options.stackOutputs === undefined) {
        let run = committedRuns.get(stack);
        if (run === undefined) {
            run = runFreshStack(stack, options);
            committedRuns.set(stack, run);
        }
        return run;
    }
    return runFreshStack(stack, options);
}

function runFreshStack(stack: string, options: StackRunOptions): Promise<ProgramRun> {
    const config = { ...loadStackConfig(stack).config };
    for (const [key, value] of Object.entries(options.overrides ?? {})) {
        if (value === undefined) {
            delete config[qualify(key)];
        } else {
            config[qualify(key)] = value;
        }
    }
    return runProgram({
        project: PROJECT,
        stack,
        config,
        secretKeys: (options.secretKeys ?? []).map(qualify),
        organization: MOCK_ORGANIZATION,
        stackOutputs: options.stackOutputs ?? {
            [`${MOCK_ORGANIZATION}/${PROJECT}/dev-origin`]: originOutputsFor("dev"),
            [`${MOCK_ORGANIZATION}/${PROJECT}/prod-origin`]: originOutputsFor("prod"),
        },
    });
}

export function resourcesOfType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

/** The single resource of a type; fails when there is none or more than one. */
export function theOne(run: ProgramRun, type: string): RecordedResource {
    const found = resourcesOfType(run, type);
    if (found.length !== 1) {
        throw new Error(`expected exactly one ${type}, found ${found.length}`);
    }
    return found[0];
}

export function byName(run: ProgramRun, name: string): RecordedResource {
    const found = run.resources.find((resource) => resource.name === name);
    if (!found) {
        throw new Error(`no resource named ${name}; have: ${run.resources.map((r) => r.name).join(", ")}`);
    }
    return found;
}

/** Names of the resources a resource explicitly depends on (dependsOn and input dependencies). */
export function dependencyNames(run: ProgramRun, resource: RecordedResource): string[] {
    return resource.dependencyUrns.map((urn) => run.resources.find((r) => r.urn === urn)?.name ?? urn);
}

export function parentName(run: ProgramRun, resource: RecordedResource): string | undefined {
    return run.graph.parentOf(resource)?.name;
}
