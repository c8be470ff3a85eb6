import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GatewayConfig, ORIGIN_STACK_SUFFIX, OriginConfig, RawConfig, StackConfig, parseConfig, qualify, rawConfigFrom } from "../infra/config";
import { MOCK_ORGANIZATION, ProgramRun, RecordedResource, runProgram } from "../tools/mock-runtime";
import { REPO_ROOT, committedStacks, loadStackConfig } from "../tools/stack-files";

export { promiseOf, unwrapSecrets, isSecretEnvelope } from "../tools/mock-runtime";

export const PROJECT = "hello-gateway";

/**
 * Overrides for one origin instance, whatever the stack file sizes the fleet at: a public origin
 * cannot be a group (prod-origin ships one), so a spec that turns an origin public sets these.
 */
export const SINGLE_INSTANCE: Readonly<Record<string, string>> = { minInstances: "1", maxInstances: "1" };

/** The committed stack files, or a copy of them (the user-edit spec runs the suites on one). */
export const COMMITTED_ROOT = REPO_ROOT;

/** The origin stack file's own values that its outputs carry: where it runs and how it is reached. */
function originFacts(environment: string, root: string): { region: string; originMode: string } {
    try {
        const { config } = loadStackConfig(`${environment}${ORIGIN_STACK_SUFFIX}`, root);
        return { region: config["aws:region"] ?? "us-east-1", originMode: config[qualify("originMode")] ?? "public" };
    } catch {
        return { region: "us-east-1", originMode: "public" };
    }
}

/**
 * What a deployed origin stack exports, as the gateway's StackReference would read it: a
 * fixture owned by the tests, whose region and origin mode follow that environment's origin
 * stack file (a private origin also exports its NLB).
 */
export function originOutputsFor(environment: string, root = COMMITTED_ROOT): Record<string, unknown> {
    const { region, originMode } = originFacts(environment, root);
    return originMode === "private" ? privateOriginOutputs(environment, region) : publicOriginOutputs(environment, region);
}

/**
 * A deployed private origin for the gateway stack under test, whatever its origin stack file
 * says: in the gateway's own region (a VPC link reaches an NLB of its region only), so a spec
 * that turns a gateway private holds whichever region the user's stack files name.
 */
export function privateOriginOutputsFor(gatewayStack: string, root = COMMITTED_ROOT): Record<string, unknown> {
    const { config } = loadStackConfig(gatewayStack, root);
    return privateOriginOutputs(gatewayStack, config["aws:region"] ?? "us-east-1");
}

/**
 * A deployed public origin for the gateway stack under test, in the gateway's own region: the
 * stage presents the origin's client certificate, a regional resource, so a public origin in
 * another region is refused too, whichever region the user's stack files name.
 */
export function publicOriginOutputsFor(gatewayStack: string, root = COMMITTED_ROOT): Record<string, unknown> {
    const { config } = loadStackConfig(gatewayStack, root);
    return publicOriginOutputs(gatewayStack, config["aws:region"] ?? "us-east-1");
}

/** What a private origin exports: its public outputs, and the NLB the VPC link targets. */
function privateOriginOutputs(environment: string, region: string): Record<string, unknown> {
    const nlbDns = `hello-${environment}-nlb-0123456789.elb.${region}.amazonaws.com`;
    return {
        ...publicOriginOutputs(environment, region),
        originUrl: `https://${nlbDns}/`,
        originMode: "private",
        originNlbArn: `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/net/hello-${environment}-nlb/0123456789abcdef`,
        originNlbDnsName: nlbDns,
        originNlbListenerArn: `arn:aws:elasticloadbalancing:${region}:123456789012:listener/net/hello-${environment}-nlb/0123456789abcdef/fedcba9876543210`,
        originVpcLinkSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
        originVpcLinkSecurityGroupId: "sg-0vpclink00000000",
    };
}

export function publicOriginOutputs(environment: string, region = "us-east-1"): Record<string, unknown> {
    const octet = environment === "prod" ? 20 : 10;
    return {
        originMode: "public",
        region,
        helloMessage: "Hello from the origin fixture",
        originUrl: `https://ec2-198-51-100-${octet}.compute-1.amazonaws.com/`,
        instanceId: "i-0123456789abcdef0",
        publicIp: `198.51.100.${octet}`,
        publicDns: `ec2-198-51-100-${octet}.compute-1.amazonaws.com`,
        vpcId: "vpc-0123456789abcdef0",
        securityGroupId: "sg-0123456789abcdef0",
        clientCertificateId: `${environment}cc1`,
        clientCertificateExpiration: "2027-12-01T00:00:00Z",
    };
}

export interface StackRunOptions {
    /** Where the stack files are; default: the committed ones. */
    readonly root?: string;
    /** Config to set or (with `undefined`) remove on top of the committed files; short keys are namespaced. */
    readonly overrides?: Record<string, string | undefined>;
    /** Short or qualified keys to mark secret (encrypted stack values always are). */
    readonly secretKeys?: readonly string[];
    /** Outputs of referenced stacks; default: a deployed origin for both environments. */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
}

const asCommittedRuns = new Map<string, Promise<ProgramRun>>();

/**
 * Runs one stack (Pulumi.yaml defaults, then its stack file) under mocks. A run without
 * overrides is the stack as its file says; several specs read it, so it runs once per test
 * process and root and is shared (treat it as read-only).
 */
export function runStack(stack: string, options: StackRunOptions = {}): Promise<ProgramRun> {
    if (options.overrides === undefined && options.secretKeys === undefined && options.stackOutputs === undefined) {
        const key = `${options.root ?? COMMITTED_ROOT}\0${stack}`;
        let run = asCommittedRuns.get(key);
        if (run === undefined) {
            run = runFreshStack(stack, options);
            asCommittedRuns.set(key, run);
        }
        return run;
    }
    return runFreshStack(stack, options);
}

/** The environments with a committed origin stack: dev and prod, and any a user adds. */
export function originEnvironments(root = COMMITTED_ROOT): string[] {
    return committedStacks(root)
        .filter((stack) => stack.endsWith(ORIGIN_STACK_SUFFIX))
        .map((stack) => stack.slice(0, -ORIGIN_STACK_SUFFIX.length));
}

/** Every committed origin stack, deployed. */
function deployedOrigins(root: string): Record<string, Record<string, unknown>> {
    return Object.fromEntries(originEnvironments(root).map((env) => [`${MOCK_ORGANIZATION}/${PROJECT}/${env}${ORIGIN_STACK_SUFFIX}`, originOutputsFor(env, root)]));
}

/** A temporary copy of Pulumi.yaml and every committed stack file, for a spec that edits them. */
export function copyOfStackFiles(prefix: string, root = COMMITTED_ROOT): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    for (const name of ["Pulumi.yaml", ...committedStacks(root).map((stack) => `Pulumi.${stack}.yaml`)]) {
        fs.copyFileSync(path.join(root, name), path.join(copy, name));
    }
    return copy;
}

function runFreshStack(stack: string, options: StackRunOptions): Promise<ProgramRun> {
    const root = options.root ?? COMMITTED_ROOT;
    const loaded = loadStackConfig(stack, root);
    const config = { ...loaded.config };
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
        root,
        config,
        secretKeys: [...loaded.encryptedKeys, ...(options.secretKeys ?? []).map(qualify)],
        organization: MOCK_ORGANIZATION,
        stackOutputs: options.stackOutputs ?? deployedOrigins(root),
    });
}

/** The raw configuration a stack hands the program (Pulumi.yaml defaults, the stack file, then overrides by short key). */
export function rawConfigOfStack(stack: string, overrides: Record<string, string> = {}, root = COMMITTED_ROOT): RawConfig {
    const { config, encryptedKeys } = loadStackConfig(stack, root);
    const all = { ...config };
    for (const [key, value] of Object.entries(overrides)) {
        all[qualify(key)] = value;
    }
    return rawConfigFrom(all, (key) => encryptedKeys.includes(key));
}

/** A stack's configuration as the program would parse it: where specs take their expectations. */
export function parsedConfigOf(stack: string, root = COMMITTED_ROOT): StackConfig {
    const { config, encryptedKeys } = loadStackConfig(stack, root);
    return parseConfig(rawConfigFrom(config, (key) => encryptedKeys.includes(key)), {
        project: PROJECT,
        stack,
        organization: MOCK_ORGANIZATION,
    });
}

export function originConfigOf(stack: string, root = COMMITTED_ROOT): OriginConfig {
    const config = parsedConfigOf(stack, root);
    if (config.layer !== "origin") throw new Error(`${stack} is not an origin stack`);
    return config;
}

export function gatewayConfigOf(stack: string, root = COMMITTED_ROOT): GatewayConfig {
    const config = parsedConfigOf(stack, root);
    if (config.layer !== "gateway") throw new Error(`${stack} is not a gateway stack`);
    return config;
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

/** The 1-based line of a file on which `text` first appears; fails when it does not. */
export function lineOf(file: string, text: string): number {
    const index = fs.readFileSync(file, "utf8").split("\n").findIndex((line) => line.includes(text));
    if (index < 0) {
        throw new Error(`${text} not found in ${file}`);
    }
    return index + 1;
}

/** A resource added to a recorded run, as if the program had registered it. */
export function extra(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
    return {
        type,
        name,
        id: name,
        urn: `urn:pulumi:dev::hello-gateway::${type}::${name}`,
        custom: true,
        read: false,
        inputs,
        state: inputs,
        parentUrn: "",
        dependencyUrns: [],
        propertyDependencies: {},
        retainOnDelete: false,
        protect: false,
        ignoreChanges: [],
        customTimeouts: undefined,
        replacementTrigger: undefined,
    };
}
