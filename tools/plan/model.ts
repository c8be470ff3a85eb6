/**
 * What `npm run plan` produces for an environment: per stack the tree of resources it would
 * create and its outputs, and the architecture diagram of both stacks.
 */
import type { Layer } from "../../infra/config";
import type { ProgramRun } from "../mock-runtime";
import type { Diagram } from "./diagram";
import type { OriginFile } from "./origin-files";

/** One property worth showing, already formatted; a secret shows as `[secret]`. */
export interface KeyProperty {
    readonly label: string;
    readonly value: string;
}

/** A resource in the plan tree: children are the resources it parents. */
export interface PlanNode {
    readonly type: string;
    readonly name: string;
    readonly operation: "create" | "read";
    readonly properties: readonly KeyProperty[];
    /** Resource options that change what `destroy` or `up` does: retainOnDelete, ignoreChanges, ... */
    readonly flags: readonly string[];
    readonly children: readonly PlanNode[];
}

export interface PlannedOutput {
    readonly name: string;
    /** Formatted for display; `[secret]` for a secret output. */
    readonly value: string;
    readonly secret: boolean;
}

export interface StackPlan {
    readonly stack: string;
    readonly layer: Layer;
    /** The configuration the stack ran with (fully qualified keys, engine strings). */
    readonly config: Readonly<Record<string, string>>;
    /** Everything the mock run recorded, for callers that need more than the tree. */
    readonly run: ProgramRun;
    /** Rooted at the stack resource (`pulumi:pulumi:Stack`), like `pulumi preview`. */
    readonly tree: PlanNode;
    /** In the order the program exports them. */
    readonly outputs: readonly PlannedOutput[];
    readonly counts: { readonly create: number; readonly read: number };
}

export interface EnvironmentPlan {
    /** dev or prod, or a fixture environment. */
    readonly env: string;
    readonly project: string;
    readonly origin: StackPlan;
    readonly gateway: StackPlan;
    /** The fully qualified stack name the gateway's StackReference reads. */
    readonly originReference: string;
    readonly diagram: Diagram;
    readonly mermaid: string;
    /** What provisioning writes on the origin (its scripts and their files), secrets as markers. */
    readonly originFiles: readonly OriginFile[];
    /** Things the reader should know about this offline run (encrypted values, redirected references). */
    readonly notes: readonly string[];
}

/** A gateway-only stack (`hello-gateway:originUrl`): planned alone, its backend drawn as external. */
export interface GatewayOnlyPlan {
    /** The stack's name (onprem). */
    readonly env: string;
    readonly project: string;
    readonly gateway: StackPlan;
    /** The backend the stack's routes proxy to. */
    readonly originUrl: string | undefined;
    readonly diagram: Diagram;
    readonly mermaid: string;
    readonly notes: readonly string[];
}

/** What `npm run plan` prints and draws: an environment's two stacks, or one gateway-only stack. */
export type AnyPlan = EnvironmentPlan | GatewayOnlyPlan;

export function isEnvironmentPlan(plan: AnyPlan): plan is EnvironmentPlan {
    return "origin" in plan;
}
