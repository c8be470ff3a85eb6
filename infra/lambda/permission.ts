// Who may invoke a function: API Gateway, for one route of one API, never without a source.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The execute-api ARN of one route of an API, on any stage: `<executionArn>/*\/<METHOD><path>`.
 * API Gateway invokes a function with the ARN of the method it serves, so a permission with
 * this source lets only that API's route call the function. As CDK's `Method.methodArn` builds
 * it (aws-cdk-lib/aws-apigateway/lib/method.ts `pathForArn`, restapi.ts `arnForExecuteApi`):
 * ANY becomes `*`, and each path parameter, greedy `{proxy+}` included, becomes `*`, which in
 * an ARN pattern also matches the slashes a greedy path spans. The stage is `*`: a permission
 * survives a renamed stage, and the API id already pins it to this API.
 */
export function executeApiSourceArn(executionArn: string, method: string, path: string): string {
    const arnMethod = method === "ANY" ? "*" : method;
    const arnPath = path.replace(/\{[^}]*\}/g, "*");
    return `${executionArn}/*/${arnMethod}${arnPath}`;
}

export interface InvokePermissionArgs {
    /** The function's name or ARN (`LambdaFunction.functionName`). */
    readonly functionName: pulumi.Input<string>;
    /** The API's execution ARN (`RestApi.executionArn`, `apigatewayv2.Api.executionArn`). */
    readonly executionArn: pulumi.Input<string>;
    readonly method: string;
    /** The route's path, `/greet`, `/items/{id}`, `/api/{proxy+}`. */
    readonly path: string;
}

/**
 * `lambda:InvokeFunction` for API Gateway on one route. `sourceArn` is required here by type:
 * a permission for the service principal without one would let any API in any account that
 * knows the function's ARN invoke it.
 */
export function routeInvokePermission(name: string, args: InvokePermissionArgs, opts: pulumi.CustomResourceOptions): aws.lambda.Permission {
    return new aws.lambda.Permission(
        name,
        {
            action: "lambda:InvokeFunction",
            function: args.functionName,
            principal: "apigateway.amazonaws.com",
            sourceArn: pulumi.output(args.executionArn).apply((executionArn) => executeApiSourceArn(executionArn, args.method, args.path)),
        },
        opts,
    );
}
