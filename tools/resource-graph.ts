/**
 * The resource graph a program registers, as recorded under Pulumi's mock runtime: every
 * resource with its inputs, the state the mock returned and the resource options the engine
 * would receive, plus the references between resources (parent, dependencies, and per input
 * property the resources its value was computed from).
 *
 * This module owns the recording (it hooks the SDK's monitor) and the lookups between
 * resources (children, dependencies, property dependencies, a component's resources). Its readers
 * (the plan's tree and diagram, the policy specs, the emulator's Terraform renderer) each
 * take what they need through the accessors below; the policy pack itself declares the small
 * shape it reads (policy/evaluate.ts), so nothing in policy/ depends on tools/.
 */

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /** The provider id (custom resources only). */
    readonly id: string | undefined;
    readonly custom: boolean;
    /** Looked up (a StackReference), not created. */
    readonly read: boolean;
    /** Inputs as the engine receives them; secrets still wrapped. */
    readonly inputs: Record<string, unknown>;
    /** State the mock returned: inputs plus the computed outputs. */
    readonly state: Record<string, unknown>;
    readonly parentUrn: string;
    readonly dependencyUrns: readonly string[];
    /** Per input property, the resources whose outputs its value was computed from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly retainOnDelete: boolean;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    readonly customTimeouts: { create: string; update: string; delete: string } | undefined;
    /** The `replacementTrigger` option: a change of it replaces the resource. */
    readonly replacementTrigger: unknown;
    /** The `import` option: the id of an existing resource to adopt. */
    readonly importId?: string;
}

export interface RecordedInvoke {
    readonly token: string;
    readonly inputs: Record<string, unknown>;
    /** What the mock answered. */
    readonly result?: Record<string, unknown>;
}

/** Pulumi's marker for a secret value on the wire; mocks receive secret inputs wrapped in it. */
export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretEnvelope(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG] === SECRET_SIG_VALUE;
}

/** The value inside secret envelopes, recursively: what the provider would finally see. */
export function unwrapSecrets(value: unknown): unknown {
    if (isSecretEnvelope(value)) {
        return unwrapSecrets(value.value);
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** The stack resource every other resource of a program hangs under. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** One program run's resources, with the lookups its readers share. */
export class ResourceGraph {
    private readonly byUrnMap: ReadonlyMap<string, RecordedResource>;
    private readonly childrenMap: ReadonlyMap<string, readonly RecordedResource[]>;

    constructor(readonly resources: readonly RecordedResource[]) {
        this.byUrnMap = new Map(resources.map((resource) => [resource.urn, resource]));
        const children = new Map<string, RecordedResource[]>();
        for (const resource of resources) {
            const siblings = children.get(resource.parentUrn) ?? [];
            siblings.push(resource);
            children.set(resource.parentUrn, siblings);
        }
        this.childrenMap = children;
    }

    byUrn(urn: string): RecordedResource | undefined {
        return this.byUrnMap.get(urn);
    }

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }

    /** The stack resource, when the run recorded it. */
    stackResource(): RecordedResource | undefined {
        return this.resources.find((resource) => resource.type === STACK_TYPE);
    }

    /** Resources whose parent is `urn`, in registration order. */
    childrenOf(urn: string): readonly RecordedResource[] {
        return this.childrenMap.get(urn) ?? [];
    }

    parentOf(resource: RecordedResource): RecordedResource | undefined {
        return this.byUrnMap.get(resource.parentUrn);
    }

    /** Every resource `resource` depends on (dependsOn and the resources of its inputs). */
    dependenciesOf(resource: RecordedResource): RecordedResource[] {
        return this.resolve(resource.dependencyUrns);
    }

    /** The resources the value of one input property was computed from. */
    propertyDependenciesOf(resource: RecordedResource, property: string): RecordedResource[] {
        return this.resolve(resource.propertyDependencies[property] ?? []);
    }

    /** The custom resources under a component (itself, when it is custom): what waiting for it means. */
    customResourcesUnder(resource: RecordedResource): RecordedResource[] {
        if (resource.custom) {
            return [resource];
        }
        return this.childrenOf(resource.urn).flatMap((child) => this.customResourcesUnder(child));
    }

    private resolve(urns: readonly string[]): RecordedResource[] {
        return urns.map((urn) => this.byUrnMap.get(urn)).filter((resource): resource is RecordedResource => resource !== undefined);
    }
}

// ---------------------------------------------------------------------------
// Recording under mocks

/**
 * The fields of the SDK's RegisterResourceRequest (a read's ReadResourceRequest has some of
 * them) that a record keeps. Read one by one: `toObject()` would also convert the whole input
 * struct and the SDK's stack trace of every resource, which the record does not use.
 */
export interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getCustom?(): boolean;
    getProtect?(): boolean;
    getRetainondelete?(): boolean;
    getIgnorechangesList?(): string[];
    getImportid?(): string;
    getPropertydependenciesMap?(): { forEach(visit: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getCustomtimeouts?(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getReplacementTrigger?(): { toJavaScript(): unknown } | undefined;
}

/** What the mocks answered for one registration: its id, inputs and state. */
export interface MockedState {
    readonly id: string | undefined;
    readonly inputs: Record<string, unknown>;
    readonly state: Record<string, unknown>;
}

export function recordOf(req: RegisterRequest, urn: string, mocked: MockedState | undefined, read: boolean): RecordedResource {
    const importId = req.getImportid?.();
    return {
        type: req.getType(),
        name: req.getName(),
        urn,
        id: mocked?.id,
        custom: read || req.getCustom?.() === true,
        read,
        inputs: mocked?.inputs ?? {},
        state: mocked?.state ?? {},
        parentUrn: req.getParent(),
        dependencyUrns: req.getDependenciesList() ?? [],
        propertyDependencies: propertyDependenciesOf(req),
        retainOnDelete: req.getRetainondelete?.() === true,
        protect: req.getProtect?.() === true,
        ignoreChanges: req.getIgnorechangesList?.() ?? [],
        customTimeouts: customTimeoutsOf(req.getCustomtimeouts?.()),
        replacementTrigger: req.getReplacementTrigger?.()?.toJavaScript(),
        ...(importId ? { importId } : {}),
    };
}

function propertyDependenciesOf(req: RegisterRequest): Record<string, string[]> {
    const dependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((value, key) => {
        dependencies[key] = value.getUrnsList();
    });
    return dependencies;
}

function customTimeoutsOf(timeouts: { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined): RecordedResource["customTimeouts"] {
    if (!timeouts || (!timeouts.getCreate() && !timeouts.getUpdate() && !timeouts.getDelete())) {
        return undefined;
    }
    return { create: timeouts.getCreate(), update: timeouts.getUpdate(), delete: timeouts.getDelete() };
}

type Callback = (err: unknown, response: { getUrn(): string; toString(): string } | undefined) => void;
type MonitorCall = (req: RegisterRequest, callback: Callback) => void;

/**
 * Hooks the SDK's (mock) monitor so every registration (create) and read (a StackReference)
 * that succeeds lands in `into`, with the state `mockedStateOf` says the mocks returned.
 */
export function recordRegistrations(
    monitor: unknown,
    mockedStateOf: (type: string, name: string) => MockedState | undefined,
    into: RecordedResource[],
): void {
    const calls = monitor as { registerResource: MonitorCall; readResource: MonitorCall };
    for (const method of ["registerResource", "readResource"] as const) {
        const original = calls[method].bind(calls);
        calls[method] = (req, callback) => {
            original(req, (err, response) => {
                if (!err && response) {
                    into.push(recordOf(req, response.getUrn(), mockedStateOf(req.getType(), req.getName()), method === "readResource"));
                    // The SDK puts every response into a debug line (`resp: ${response}`) whether
                    // or not debug logging is on, and a message's toString() prints its whole
                    // state, a function's code archive among it: most of a chat stack's run.
                    response.toString = () => `${method} response for ${response.getUrn()}`;
                }
                callback(err, response);
            });
        };
    }
}
