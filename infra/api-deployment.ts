import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ApiDeploymentArgs {
    readonly restApiId: pulumi.Input<string>;
    /** A hash of everything the deployment serves (see `deploymentTrigger`). */
    readonly trigger: pulumi.Input<string>;
    /** The methods, integrations and models it snapshots. */
    readonly routeResources: pulumi.Resource[];
    readonly name: string;
    readonly parent: pulumi.Resource;
}

/**
 * A snapshot of the API, replaced whenever its trigger changes: API Gateway does not notice
 * that a method or integration changed (pulumi/pulumi#5849), so the identity is a hash of them,
 * as CDK derives a deployment's logical id. Replacement keeps the default create-before-delete.
 */
export class ApiDeployment {
    readonly deployment: aws.apigateway.Deployment;

    constructor(args: ApiDeploymentArgs) {
        this.deployment = new aws.apigateway.Deployment(
            args.name,
            {
                restApi: args.restApiId,
                description: "hello-gateway routes; replaced whenever a route or the origin changes",
                triggers: { routes: args.trigger },
            },
            { parent: args.parent, dependsOn: args.routeResources },
        );
    }
}
