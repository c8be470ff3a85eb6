import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { RecordedInvoke, RecordedResource, ResourceGraph, recordRegistrations } from "./resource-graph";

export { isSecretEnvelope, SECRET_SIG, SECRET_SIG_VALUE, unwrapSecrets } from "./resource-graph";
import { REPO_ROOT } from "./stack-files";

export type { RecordedInvoke, RecordedResource } from "./resource-graph";

/**
 * Runs the stack program on Pulumi's mock runtime: no CLI, no cloud. It records every resource
 * the program registers, with the inputs and the resource options the engine would receive,
 * so tests and `npm run plan` can look at what `pulumi up` would create.
 */

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_ORGANIZATION = "organization";
/** What the AL2023 SSM parameter returns under mocks, per architecture. */
export const MOCK_AMI = { x86_64: "ami-0a1b2c3d4e5f60718", arm64: "ami-0f1e2d3c4b5a69788" } as const;

export interface ProgramRun {
    readonly stack: string;
    readonly resources: readonly RecordedResource[];
    readonly invokes: readonly RecordedInvoke[];
    /** The stack outputs, resolved. */
    readonly outputs: Record<string, unknown>;
    /** Names of the stack outputs that are secrets. */
    readonly secretOutputs: readonly string[];
    /** The same resources, with the lookups between them. */
    readonly graph: ResourceGraph;
}

export interface RunOptions {
    readonly project: string;
    readonly stack: string;
    /** Fully qualified config, values as engine strings. */
    readonly config: Record<string, string>;
    /** Fully qualified keys the engine marks secret. */
    readonly secretKeys?: readonly string[];
    /** Outputs of referenced stacks, by fully qualified stack name. */
    readonly stackOutputs?: Record<string, Record<string, unknown>>;
    readonly organization?: string;
    /** Entry module; default: the project's stacks/index.ts. */
    readonly entry?: string;
    /** The directory holding Pulumi.yaml and the stack files (the engine's root directory); default: the repository. */
    readonly root?: string;
}

/**
 * Tells the program where its project directory is, as the language host does with
 * PULUMI_NODEJS_ROOT_DIRECTORY (`pulumi.runtime.getRootDirectory`); setMocks leaves it unset.
 */
function setRootDirectory(root: string): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const state = require("@pulumi/pulumi/runtime/state") as { getStore?: () => { settings?: { options?: { rootDirectory?: string } } } };
    const options = state.getStore?.().settings?.options;
    if (options === undefined) {
        throw new Error("@pulumi/pulumi no longer exposes runtime/state.getStore; update tools/mock-runtime.ts");
    }
    options.rootDirectory = root;
}

/**
 * Resolves an Output to a promise; assertions then run outside `apply`, where they can fail.
 * The SDK's own `promise()` also rejects when the output failed, instead of never resolving.
 */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    const sdkPromise = (output as unknown as { promise?: () => Promise<T> }).promise;
    if (typeof sdkPromise === "function") {
        return sdkPromise.call(output);
    }
    return new Promise((resolve) => output.apply((value) => {
        resolve(value);
        return value;
    }));
}

function shortHash(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** When every mocked API Gateway client certificate expires. */
export const MOCK_CLIENT_CERTIFICATE_EXPIRY = "2027-12-01T00:00:00Z";

function mockCertificatePem(name: string): string {
    return `-----BEGIN CERTIFICATE-----\nmock-${shortHash(name, 48)}\n-----END CERTIFICATE-----\n`;
}

function fakeIp(name: string): string {
    const n = parseInt(shortHash(name, 4), 16);
    return `203.0.113.${(n % 250) + 2}`;
}

/** Computed outputs the real provider would return, for the types the program reads. */
function computedState(type: string, name: string, inputs: Record<string, unknown>, region: string): { id: string; state: Record<string, unknown> } {
    const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;
    switch (type) {
        case "awsx:ec2:Vpc": {
            // One subnet per zone of each spec type the program asks for.
            const specTypes = ((inputs.subnetSpecs as Array<{ type: string }> | undefined) ?? []).map((spec) => spec.type);
            const subnets = (type: string) => (specTypes.includes(type) ? ["a", "b"].map((zone) => `subnet-${shortHash(`${name}${type}${zone}`, 17)}`) : []);
            return {
                id: "",
                state: {
                    vpcId: `vpc-${shortHash(name, 17)}`,
                    publicSubnetIds: [`subnet-${shortHash(name + "a", 17)}`, `subnet-${shortHash(name + "b", 17)}`],
                    privateSubnetIds: [],
                    isolatedSubnetIds: subnets("Isolated"),
                },
            };
        }
        case "aws:ec2/amiFromInstance:AmiFromInstance":
            return { id: `ami-${shortHash(name, 17)}`, state: { arn: arnOf("ec2", `image/ami-${shortHash(name, 17)}`), rootDeviceName: "/dev/xvda", manageEbsSnapshots: true } };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { id: `lt-${shortHash(name, 17)}`, state: { arn: arnOf("ec2", `launch-template/lt-${shortHash(name, 17)}`), latestVersion: 1, defaultVersion: 1 } };
        case "aws:lb/targetGroup:TargetGroup": {
            const suffix = `targetgroup/${name}/${shortHash(name, 16)}`;
            return { id: arnOf("elasticloadbalancing", suffix), state: { arn: arnOf("elasticloadbalancing", suffix), arnSuffix: suffix } };
        }
        case "aws:ec2/securityGroup:SecurityGroup":
            return { id: `sg-${shortHash(name, 17)}`, state: { arn: arnOf("ec2", `security-group/${name}`) } };
        case "aws:ec2/instance:Instance":
            return { id: `i-${shortHash(name, 17)}`, state: { arn: arnOf("ec2", `instance/${name}`) } };
        case "aws:ec2/keyPair:KeyPair":
            return { id: `${name}-${shortHash(name, 6)}`, state: { keyName: `${name}-${shortHash(name, 6)}` } };
        case "aws:ec2/eip:Eip": {
            const ip = fakeIp(name);
            const dnsRegion = region === "us-east-1" ? "compute-1" : `${region}.compute`;
            return {
                id: `eipalloc-${shortHash(name, 17)}`,
                state: { allocationId: `eipalloc-${shortHash(name, 17)}`, publicIp: ip, publicDns: `ec2-${ip.replace(/\./g, "-")}.${dnsRegion}.amazonaws.com` },
            };
        }
        case "tls:index/privateKey:PrivateKey":
            return {
                id: name,
                state: {
                    publicKeyOpenssh: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${shortHash(name, 43)}\n`,
                    privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nmock-${shortHash(name, 32)}\n-----END OPENSSH PRIVATE KEY-----\n`,
                    privateKeyPem: `-----BEGIN PRIVATE KEY-----\nmock-${shortHash(name, 32)}\n-----END PRIVATE KEY-----\n`,
                },
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            return { id: shortHash(name, 20), state: { certPem: mockCertificatePem(name), readyForRenewal: false } };
        case "tls:index/certRequest:CertRequest":
            return { id: shortHash(name, 20), state: { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\nmock-${shortHash(name, 48)}\n-----END CERTIFICATE REQUEST-----\n` } };
        case "aws:apigateway/clientCertificate:ClientCertificate":
            // API Gateway's client certificates last 365 days.
            return { id: shortHash(name, 6), state: { pemEncodedCertificate: mockCertificatePem(name), expirationDate: MOCK_CLIENT_CERTIFICATE_EXPIRY, arn: `arn:aws:apigateway:${region}::/clientcertificates/${shortHash(name, 6)}` } };
        case "aws:apigateway/restApi:RestApi":
            return {
                id: shortHash(name, 10),
                state: {
                    rootResourceId: shortHash(name + "root", 10),
                    arn: arnOf("apigateway", `/restapis/${shortHash(name, 10)}`),
                    executionArn: arnOf("execute-api", shortHash(name, 10)),
                },
            };
        case "aws:apigatewayv2/api:Api": {
            const id = shortHash(name, 10);
            return {
                id,
                state: { arn: `arn:aws:apigateway:${region}::/apis/${id}`, apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`, executionArn: arnOf("execute-api", id) },
            };
        }
        case "aws:apigatewayv2/domainName:DomainName": {
            const domainName = String(inputs.domainName);
            const configuration = inputs.domainNameConfiguration as Record<string, unknown>;
            return {
                id: domainName,
                state: {
                    arn: `arn:aws:apigateway:${region}::/domainnames/${domainName}`,
                    domainNameConfiguration: { ...configuration, targetDomainName: `d-${shortHash(name, 10)}.execute-api.${region}.amazonaws.com`, hostedZoneId: `Z${shortHash(region, 13).toUpperCase()}` },
                },
            };
        }
        case "aws:lb/listener:Listener": {
            const suffix = `listener/net/${name}/${shortHash(name, 16)}/${shortHash(name + "listener", 16)}`;
            return { id: arnOf("elasticloadbalancing", suffix), state: { arn: arnOf("elasticloadbalancing", suffix) } };
        }
        case "aws:lambda/function:Function": {
            const functionName = (inputs.name as string | undefined) ?? `${name}-${shortHash(name, 7)}`;
            const arn = arnOf("lambda", `function:${functionName}`);
            // The URI API Gateway integrations invoke, as the provider computes it.
            return { id: functionName, state: { arn, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`, qualifiedArn: `${arn}:$LATEST`, version: "$LATEST" } };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const logGroupName = (inputs.name as string | undefined) ?? `${(inputs.namePrefix as string | undefined) ?? name}${shortHash(name, 26)}`;
            return { id: logGroupName, state: { name: logGroupName, arn: arnOf("logs", `log-group:${logGroupName}`) } };
        }
        case "aws:lb/loadBalancer:LoadBalancer": {
            const dnsName = `${name}-${shortHash(name, 10)}.elb.${region}.amazonaws.com`;
            return {
                id: arnOf("elasticloadbalancing", `loadbalancer/net/${name}/${shortHash(name, 16)}`),
                state: { dnsName, arn: arnOf("elasticloadbalancing", `loadbalancer/net/${name}/${shortHash(name, 16)}`), arnSuffix: `net/${name}/${shortHash(name, 16)}` },
            };
        }
        case "aws:apigateway/apiKey:ApiKey":
            // API Gateway generates a 40-character key when none is given.
            return { id: shortHash(name, 10), state: { value: (inputs.value as string | undefined) ?? shortHash(`key:${name}`, 40) } };
        case "aws:iam/role:Role":
            return { id: `${name}-${shortHash(name, 7)}`, state: { name: `${name}-${shortHash(name, 7)}`, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${name}-${shortHash(name, 7)}` } };
        case "aws:acm/certificate:Certificate": {
            // One domain, one DNS validation option: the CNAME ACM asks for, as ACM spells it.
            const domainName = String(inputs.domainName);
            const arn = arnOf("acm", `certificate/${shortHash(name, 8)}-${shortHash(name + "cert", 4)}-${shortHash(name + "uuid", 12)}`);
            return {
                id: arn,
                state: {
                    arn,
                    domainValidationOptions: [
                        {
                            domainName,
                            resourceRecordName: `_${shortHash(domainName, 32)}.${domainName}.`,
                            resourceRecordType: "CNAME",
                            resourceRecordValue: `_${shortHash(domainName + "value", 32)}.acm-validations.aws.`,
                        },
                    ],
                },
            };
        }
        case "aws:route53/record:Record": {
            const fqdn = String(inputs.name).replace(/\.$/, "");
            return { id: `${String(inputs.zoneId)}_${fqdn}_${String(inputs.type)}`, state: { fqdn } };
        }
        case "aws:apigateway/domainName:DomainName": {
            const domainName = String(inputs.domainName);
            return {
                id: domainName,
                state: {
                    arn: `arn:aws:apigateway:${region}::/domainnames/${domainName}`,
                    regionalDomainName: `d-${shortHash(name, 10)}.execute-api.${region}.amazonaws.com`,
                    regionalZoneId: `Z${shortHash(region, 13).toUpperCase()}`,
                },
            };
        }
        case "aws:apigatewayv2/api:Api": {
            const apiId = shortHash(name, 10);
            const scheme = inputs.protocolType === "WEBSOCKET" ? "wss" : "https";
            return { id: apiId, state: { executionArn: arnOf("execute-api", apiId), apiEndpoint: `${scheme}://${apiId}.execute-api.${region}.amazonaws.com`, arn: `arn:aws:apigateway:${region}::/apis/${apiId}` } };
        }
        case "aws:dynamodb/table:Table": {
            const tableName = (inputs.name as string | undefined) ?? `${name}-${shortHash(name, 7)}`;
            return { id: tableName, state: { name: tableName, arn: arnOf("dynamodb", `table/${tableName}`) } };
        }
        case "aws:wafv2/webAcl:WebAcl": {
            const aclName = (inputs.name as string | undefined) ?? `${name}-${shortHash(name, 7)}`;
            const id = `${shortHash(name, 8)}-${shortHash(name + "acl", 4)}-${shortHash(name + "uuid", 12)}`;
            return { id, state: { name: aclName, arn: arnOf("wafv2", `regional/webacl/${aclName}/${id}`) } };
        }
        default: {
            // Most resources only need an id, a name and an ARN that other resources can point at.
            const [provider, module] = type.split(":");
            const service = provider === "aws" ? module.split("/")[0] : provider;
            const id = `${name}-${shortHash(type + name, 8)}`;
            return { id, state: { arn: arnOf(service, `${name}/${id}`), name: (inputs.name as string | undefined) ?? id } };
        }
    }
}

class RecordingMocks implements pulumi.runtime.Mocks {
    readonly invokes: RecordedInvoke[] = [];
    readonly states = new Map<string, { id: string | undefined; inputs: Record<string, unknown>; state: Record<string, unknown> }>();

    constructor(
        private readonly region: string,
        private readonly stackOutputs: Record<string, Record<string, unknown>>,
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, unknown>;
        let result: { id: string; state: Record<string, unknown> };
        if (args.type === "pulumi:pulumi:StackReference") {
            const stackName = String(inputs.name ?? args.name);
            const outputs = this.stackOutputs[stackName];
            if (outputs === undefined) {
                throw new Error(`mock: no outputs registered for referenced stack ${stackName}`);
            }
            result = { id: stackName, state: { name: stackName, outputs, secretOutputNames: [] } };
        } else {
            result = computedState(args.type, args.name, inputs, this.region);
            result = { id: result.id, state: { ...inputs, ...result.state } };
        }
        const id = args.custom ? result.id : undefined;
        this.states.set(`${args.type}::${args.name}`, { id, inputs, state: result.state });
        return { id, state: result.state };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const inputs = args.inputs as Record<string, unknown>;
        this.invokes.push({ token: args.token, inputs });
        if (args.token === "aws:ssm/getParameter:getParameter") {
            const parameter = String(inputs.name);
            const ami = parameter.endsWith("arm64") ? MOCK_AMI.arm64 : MOCK_AMI.x86_64;
            return { name: parameter, type: "String", value: ami, insecureValue: ami, arn: `arn:aws:ssm:${this.region}::parameter${parameter}`, version: 1 };
        }
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        }
        if (args.token === "aws:cloudwatch/getLogGroups:getLogGroups") {
            // A fresh account: no log groups yet.
            return { id: this.region, logGroupNamePrefix: inputs.logGroupNamePrefix, logGroupNames: [], arns: [] };
        }
        if (args.token === "aws:index/getAvailabilityZones:getAvailabilityZones") {
            // Three standard zones, whatever the filters ask: the filters are the program's to get right.
            const names = ["a", "b", "c"].map((letter) => `${this.region}${letter}`);
            return { names, zoneIds: names.map((_, i) => `${this.region}-az${i + 1}`), groupNames: [this.region], id: this.region, state: inputs.state };
        }
        throw new Error(`mock: no answer for invoke ${args.token}`);
    }
}

/** The mocks as the SDK sees them, with every invoke's answer kept next to its request. */
function withRecordedAnswers(mocks: RecordingMocks): pulumi.runtime.Mocks {
    return {
        newResource: (args) => mocks.newResource(args),
        call: (args) => {
            const result = mocks.call(args);
            const index = mocks.invokes.length - 1;
            mocks.invokes[index] = { ...mocks.invokes[index], result };
            return result;
        },
    };
}

/** Removes the entry from the require cache so loading it runs the program afresh. */
function forgetEntryModule(entry: string): void {
    // Only the entry runs the program when it is loaded; infra/ and stacks/ hold components
    // and functions without module state, so they are loaded once per test process.
    delete require.cache[require.resolve(entry)];
}

/**
 * Stops the SDK from recording where each resource was created while a mock run lasts, and
 * returns what puts it back. For every resource the SDK lifts the stack trace limit, captures
 * the whole stack and parses it into source positions (private `Resource.stackTrace`), which it
 * sends the engine for its error messages; the mocks never see them, and this took about a
 * third of a run. Only a speed-up: without that function (a newer SDK), nothing changes.
 */
function withoutSourcePositions(): () => void {
    const resource = pulumi.Resource as unknown as { stackTrace?: (skip: number) => unknown[] };
    const recordPositions = resource.stackTrace;
    if (typeof recordPositions !== "function") {
        return () => undefined;
    }
    resource.stackTrace = () => [];
    return () => {
        resource.stackTrace = recordPositions;
    };
}

/** The SDK's own wait for outstanding engine calls; internal, hence the guarded lookup. */
async function waitForOutstandingRegistrations(): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
    if (typeof settings.waitForRPCs !== "function") {
        throw new Error("@pulumi/pulumi no longer exposes runtime/settings.waitForRPCs; update tools/mock-runtime.ts");
    }
    await settings.waitForRPCs();
}

/**
 * A failed program's pending registrations never settle; the engine would have ended the
 * process. Drop them from the SDK's leak detector (internal), which would otherwise report
 * them when the test process exits.
 */
function forgetAbandonedPromises(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { leakedPromises?: () => unknown };
    debuggable.leakedPromises?.();
}

async function resolveOutputs(exported: unknown): Promise<{ outputs: Record<string, unknown>; secretOutputs: string[] }> {
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [key, value] of Object.entries((exported ?? {}) as Record<string, unknown>)) {
        if (pulumi.Output.isInstance(value)) {
            outputs[key] = await promiseOf(value);
            if (await pulumi.isSecret(value)) {
                secretOutputs.push(key);
            }
        } else {
            outputs[key] = value;
        }
    }
    return { outputs, secretOutputs };
}

/**
 * Runs the program for one stack under mocks. A program that throws (a config error, say)
 * rejects with that error; `resourcesRegisteredBefore(error)` then tells what it had
 * registered.
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
    const region = options.config["aws:region"] ?? "us-east-1";
    const mocks = new RecordingMocks(region, options.stackOutputs ?? {});
    await pulumi.runtime.setMocks(withRecordedAnswers(mocks), options.project, options.stack, false, options.organization ?? MOCK_ORGANIZATION);
    pulumi.runtime.setAllConfig(options.config, [...(options.secretKeys ?? [])]);
    setRootDirectory(options.root ?? REPO_ROOT);

    const resources: RecordedResource[] = [];
    recordRegistrations(pulumi.runtime.getMonitor(), (type, name) => mocks.states.get(`${type}::${name}`), resources);

    // The engine ends a program whose resource registration fails (a required stack output
    // missing, a throw inside apply); under mocks such a failure is only an unhandled rejection.
    let failRun: (reason: unknown) => void = () => undefined;
    const registrationFailure = new Promise<never>((_, reject) => {
        failRun = reject;
    });
    const onUnhandled = (reason: unknown) => failRun(reason);
    process.prependListener("unhandledRejection", onUnhandled);
    // The SDK records a full stack trace for every resource; mapping each through the source
    // maps a TypeScript loader enables costs more than the rest of a run.
    const sourceMapsWereEnabled = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    // Nor does a run need the frames themselves: an Error created while the program runs records
    // none (the SDK's own "where was this resource created" traces are dropped, messages stay).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const restoreSourcePositions = withoutSourcePositions();
    try {
        const entry = options.entry ?? path.join(REPO_ROOT, "stacks", "index.ts");
        forgetEntryModule(entry);
        let exported: unknown;
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            exported = require(entry);
        } catch (error) {
            await waitForOutstandingRegistrations();
            throw error;
        }
        // A program may export a promise of its outputs (the gateway checks its origin first).
        const exportedValue = await Promise.race([Promise.resolve(exported), registrationFailure]);
        const { outputs, secretOutputs } = await Promise.race([resolveOutputs(exportedValue), registrationFailure]);
        await Promise.race([waitForOutstandingRegistrations(), registrationFailure]);
        return { stack: options.stack, resources, invokes: mocks.invokes, outputs, secretOutputs, graph: new ResourceGraph(resources) };
    } catch (error) {
        // Let the failed run's remaining registrations settle while the listener still
        // swallows their rejections, so they cannot fail the next run.
        await Promise.race([waitForOutstandingRegistrations().catch(() => undefined), new Promise((r) => setTimeout(r, 100))]);
        forgetAbandonedPromises();
        throw Object.assign(error instanceof Error ? error : new Error(String(error)), { registeredResources: [...resources] });
    } finally {
        process.removeListener("unhandledRejection", onUnhandled);
        process.setSourceMapsEnabled(sourceMapsWereEnabled);
        Error.stackTraceLimit = stackTraceLimit;
        restoreSourcePositions();
    }
}

/** What a failed run had registered before it threw (attached by `runProgram`). */
export function resourcesRegisteredBefore(error: unknown): readonly RecordedResource[] {
    return ((error as { registeredResources?: RecordedResource[] }).registeredResources ?? []);
}
