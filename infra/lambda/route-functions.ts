// The functions a route table runs: one LambdaFunction per distinct `lambda:<name>`, shared by
// every route naming it, whichever API type serves the routes.
import * as pulumi from "@pulumi/pulumi";
import type { RouteDefinition } from "../routes";
import { LambdaFunction, LambdaFunctionArgs } from "./function";
import { bundleFunction, functionArchive } from "./package";
import { awsFunctionName } from "./source";

export { awsFunctionName };

/** What every function of the table shares: the settings of LambdaFunctionArgs that are not per function. */
export type RouteFunctionSettings = Omit<LambdaFunctionArgs, "functionName" | "code" | "handler" | "environment">;

/** The distinct function names of a route table, in the order routes first name them. */
export function routeFunctionNames(routes: readonly RouteDefinition[]): string[] {
    return [...new Set(routes.flatMap((route) => (route.lambda ? [route.lambda.name] : [])))];
}

/**
 * Bundles and creates each function the routes name, once: `{ hello: LambdaFunction }`. The
 * component of each is named `<prefix>-<name>`, as is the function in AWS. Empty when no route
 * runs a function.
 */
export function routeFunctions(
    prefix: string,
    routes: readonly RouteDefinition[],
    settings: RouteFunctionSettings,
    opts?: pulumi.ComponentResourceOptions,
): Record<string, LambdaFunction> {
    const functions: Record<string, LambdaFunction> = {};
    for (const route of routes) {
        if (!route.lambda || functions[route.lambda.name]) {
            continue;
        }
        const functionName = awsFunctionName(prefix, route.lambda.name);
        functions[route.lambda.name] = new LambdaFunction(
            functionName,
            { ...settings, functionName, code: functionArchive(bundleFunction(route.lambda.sourceFile)) },
            opts,
        );
    }
    return functions;
}
