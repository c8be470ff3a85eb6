import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The resource label in logical names: `root` for `/`, the path without its leading slash
 * otherwise (`hello`, `api/{id}`). A literal `/root` is spelled `/root` so it cannot take the
 * root's names.
 */
export function resourceLabel(path: string): string {
    if (path === "/") {
        return "root";
    }
    const label = path.slice(1);
    return label === "root" ? "/root" : label;
}

export interface ApiResourceTreeArgs {
    readonly restApiId: pulumi.Input<string>;
    readonly rootResourceId: pulumi.Input<string>;
    /** Prefix of every logical name (the component's name). */
    readonly namePrefix: string;
    /** The component the resources belong to. */
    readonly parent: pulumi.Resource;
}

/**
 * The API's resource tree, like CDK's `Resource.addResource`: one `aws.apigateway.Resource`
 * per distinct path prefix, created once and shared, so `/api` and `/api/{id}` share `/api`.
 */
export class ApiResourceTree {
    private readonly ids = new Map<string, pulumi.Input<string>>();

    constructor(private readonly args: ApiResourceTreeArgs) {
        this.ids.set("/", args.rootResourceId);
    }

    /** The id of the resource at `path` (`/` is the API's root), creating missing ancestors. */
    resourceIdOf(path: string): pulumi.Input<string> {
        const known = this.ids.get(path);
        if (known !== undefined) {
            return known;
        }
        const cut = path.lastIndexOf("/");
        const parentPath = cut === 0 ? "/" : path.slice(0, cut);
        const parentId = this.resourceIdOf(parentPath);
        const resource = new aws.apigateway.Resource(
            `${this.args.namePrefix}-${resourceLabel(path)}`,
            { restApi: this.args.restApiId, parentId, pathPart: path.slice(cut + 1) },
            { parent: this.args.parent },
        );
        this.ids.set(path, resource.id);
        return resource.id;
    }

    /** The paths that have a resource of their own (the root excluded), in creation order. */
    get paths(): string[] {
        return [...this.ids.keys()].filter((path) => path !== "/");
    }
}
