import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RouteSpec } from "./rest-route-spec";
import { resourceLabel } from "./api-resource-tree";

export interface ApiRouteArgs {
    readonly restApiId: pulumi.Input<string>;
    readonly resourceId: pulumi.Input<string>;
    readonly spec: RouteSpec<pulumi.Input<string>>;
    /** Prefix of every logical name (the component's name). */
    readonly namePrefix: string;
    /** The component the resources belong to. */
    readonly parent: pulumi.Resource;
}

/**
 * One route: its method, the HTTP_PROXY integration behind it and, with `body=`, the model the
 * method validates request bodies against. Like CDK's `Method` with an `HttpIntegration`.
 */
export class ApiRoute {
    readonly method: aws.apigateway.Method;
    readonly integration: aws.apigateway.Integration;
    readonly model?: aws.apigateway.Model;

    constructor(args: ApiRouteArgs) {
        const { spec } = args;
        const opts = { parent: args.parent };
        const name = `${args.namePrefix}-${resourceLabel(spec.path)}-${spec.method.httpMethod.toLowerCase()}`;
        if (spec.bodyModel) {
            this.model = new aws.apigateway.Model(
                `${name}-body`,
                {
                    restApi: args.restApiId,
                    name: spec.bodyModel.name,
                    description: `Request body of ${spec.method.httpMethod} ${spec.path}`,
                    contentType: spec.bodyModel.contentType,
                    schema: spec.bodyModel.schema,
                },
                opts,
            );
        }
        const { requestModels, ...method } = spec.method;
        this.method = new aws.apigateway.Method(
            name,
            {
                restApi: args.restApiId,
                resourceId: args.resourceId,
                ...method,
                // The model's own name output, so the method waits for the model it refers to.
                ...(this.model && requestModels ? { requestModels: { [spec.bodyModel!.contentType]: this.model.name } } : {}),
            },
            opts,
        );
        this.integration = new aws.apigateway.Integration(
            `${name}-integration`,
            { restApi: args.restApiId, resourceId: args.resourceId, httpMethod: this.method.httpMethod, ...spec.integration },
            opts,
        );
    }

    /** What a deployment must wait for. */
    get resources(): pulumi.Resource[] {
        return [this.method, this.integration, ...(this.model ? [this.model] : [])];
    }
}
