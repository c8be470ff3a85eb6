// The REST API's route model as plain data: what each route's method and integration will be,
// generic over references so the same spec builds the resources and feeds the deployment hash.
// Kept apart from HelloApi so the route component and the API both import it, one way only.
import type { RequestValidationConfig } from "./config/types";
import type { HttpMethod, RouteDefinition } from "./routes";

/**
 * The values a route refers to that only exist once other resources do: the origin URL, the
 * VPC link, the authorizer and the request validators. Generic so the same spec both creates
 * the resources (with Outputs) and is hashed into the deployment trigger (with strings).
 */
export interface RouteRefs<Ref> {
    /** The origin's base URL, ending in `/`; a route's origin path is appended to it. */
    readonly uri: Ref;
    readonly connectionId?: Ref;
    readonly authorizerId?: Ref;
    /** The validator of required parameters (absent when none are required). */
    readonly requestValidatorId?: Ref;
    /** The validator of request bodies, for routes with `body=`. */
    readonly bodyValidatorId?: Ref;
    /** Each function a `-> lambda:<name>` route runs, by name: its `invokeArn`. */
    readonly functionInvokeArns?: Readonly<Record<string, Ref>>;
}

/** What every route shares that is known when the program starts. */
export interface RouteOptions {
    /** The route table. Default: `GET / -> /` and `GET /hello -> /`. */
    readonly routes?: readonly RouteDefinition[];
    readonly integrationTimeoutMs: number;
    readonly authorization: "NONE" | "AWS_IAM" | "COGNITO_USER_POOLS";
    readonly apiKeyRequired: boolean;
    readonly requestValidation: RequestValidationConfig;
    /** Whether the stage caches: GET routes then key their cache on required query and path parameters. */
    readonly cacheEnabled: boolean;
    /** The origin's certificate comes from this project's private root: integrations skip only the supported-CA check. Default: false. */
    readonly skipOriginCertificateCheck?: boolean;
}

/** Appends a route's origin path to the origin's base URL, for either kind of reference. */
export type UriJoin<Ref> = (baseUrl: Ref, originPath: string) => Ref;

/**
 * One route of the API: a path, its method, and the integration behind it: HTTP_PROXY to the
 * origin, or AWS_PROXY to a function of this repository (`-> lambda:<name>`).
 */
export interface RouteSpec<Ref = string> {
    /** The resource path, `/` for the root. */
    readonly path: string;
    readonly method: {
        readonly httpMethod: HttpMethod;
        readonly authorization: RouteOptions["authorization"];
        readonly authorizerId?: Ref;
        readonly apiKeyRequired: boolean;
        readonly requestParameters: Record<string, boolean>;
        readonly requestValidatorId?: Ref;
        /** Content type to model name, for a route with `body=`. */
        readonly requestModels?: Record<string, string>;
    };
    readonly integration: {
        /** HTTP_PROXY to the origin; AWS_PROXY to a Lambda function (payload format 1.0). */
        readonly type: "HTTP_PROXY" | "AWS_PROXY";
        /** The route's own method to the origin; always POST to Lambda's Invoke API. */
        readonly integrationHttpMethod: HttpMethod;
        /** The origin URL of the route, or the function's invokeArn. */
        readonly uri: Ref;
        readonly timeoutMilliseconds: number;
        readonly passthroughBehavior: "WHEN_NO_MATCH";
        readonly connectionType: "INTERNET" | "VPC_LINK";
        readonly connectionId?: Ref;
        /** Path parameters forwarded to the origin URI's placeholders; absent when there are none. */
        readonly requestParameters?: Record<string, string>;
        readonly cacheKeyParameters: string[];
        /**
         * Set for this project's origin, whose certificate comes from a private root: API
         * Gateway skips only the check that a supported CA issued it, and still checks its
         * hostname, expiry and the presence of a root CA (API_TlsConfig,
         * https://docs.aws.amazon.com/apigateway/latest/api/API_TlsConfig.html; docs/origin-tls.md).
         * Absent for an `originUrl` backend, whose certificate must come from a CA API Gateway trusts.
         */
        readonly tlsConfig?: { readonly insecureSkipVerification: true };
    };
    /** The model a `body=` route validates request bodies against. */
    readonly bodyModel?: { readonly name: string; readonly contentType: "application/json"; readonly schema: string };
}

/** The seed's routes, what `hello-gateway:routes` defaults to: both proxied to the origin's root. */
export const DEFAULT_ROUTES: readonly RouteDefinition[] = [
    { source: "GET / -> /", method: "GET", path: "/", segments: [], originPath: "", pathParameters: [] },
    { source: "GET /hello -> /", method: "GET", path: "/hello", segments: [{ kind: "literal", text: "hello" }], originPath: "", pathParameters: [] },
];

/** An API Gateway model name (alphanumeric) for a route's body: `PostOrdersIdBody`. */
export function bodyModelName(route: Pick<RouteDefinition, "method" | "path">): string {
    const words = `${route.method.toLowerCase()} ${route.path}`.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
    return `${words.map((word) => word[0].toUpperCase() + word.slice(1)).join("")}Body`;
}

/**
 * The API's routes, one spec each: what creates the methods and integrations and what the
 * deployment trigger hashes, so the two cannot drift apart.
 */
export function routeSpecs<Ref>(refs: RouteRefs<Ref>, options: RouteOptions, join: UriJoin<Ref>): RouteSpec<Ref>[] {
    const queryParameters = options.requestValidation.queryParameters.map((name) => `method.request.querystring.${name}`);
    const headers = options.requestValidation.headers.map((name) => `method.request.header.${name}`);
    const validatesParameters = queryParameters.length + headers.length > 0;
    const modelNames = new Set<string>();
    return (options.routes ?? DEFAULT_ROUTES).map((route) => {
        const pathParameters = route.pathParameters.map((name) => `method.request.path.${name}`);
        const requestParameters = Object.fromEntries([...queryParameters, ...headers, ...pathParameters].map((parameter) => [parameter, true]));
        let bodyModel: RouteSpec["bodyModel"];
        if (route.bodySchema) {
            let name = bodyModelName(route);
            for (let n = 2; modelNames.has(name); n++) {
                name = `${bodyModelName(route)}${n}`;
            }
            modelNames.add(name);
            bodyModel = { name, contentType: "application/json", schema: route.bodySchema.text };
        }
        const requestValidatorId = bodyModel ? refs.bodyValidatorId : validatesParameters ? refs.requestValidatorId : undefined;
        // Only GET is cached; its responses differ by required query and path parameters, so the
        // cache must tell them apart.
        const cacheKeyParameters = options.cacheEnabled && route.method === "GET" ? [...queryParameters, ...pathParameters] : [];
        const integration: RouteSpec<Ref>["integration"] = route.lambda
            ? lambdaIntegration(route.lambda.name, refs, options, cacheKeyParameters)
            : {
                  type: "HTTP_PROXY",
                  integrationHttpMethod: route.method,
                  uri: join(refs.uri, route.originPath),
                  timeoutMilliseconds: options.integrationTimeoutMs,
                  passthroughBehavior: "WHEN_NO_MATCH",
                  connectionType: refs.connectionId === undefined ? "INTERNET" : "VPC_LINK",
                  connectionId: refs.connectionId,
                  ...(route.pathParameters.length > 0
                      ? { requestParameters: Object.fromEntries(route.pathParameters.map((name) => [`integration.request.path.${name}`, `method.request.path.${name}`])) }
                      : {}),
                  cacheKeyParameters,
                  ...(options.skipOriginCertificateCheck ? { tlsConfig: { insecureSkipVerification: true } } : {}),
              };
        return {
            path: route.path,
            method: {
                httpMethod: route.method,
                authorization: options.authorization,
                authorizerId: refs.authorizerId,
                apiKeyRequired: options.apiKeyRequired,
                requestParameters,
                requestValidatorId,
                ...(bodyModel ? { requestModels: { [bodyModel.contentType]: bodyModel.name } } : {}),
            },
            integration,
            ...(bodyModel ? { bodyModel } : {}),
        };
    });
}

/**
 * A Lambda proxy integration: API Gateway POSTs the whole request, as a payload format 1.0
 * event, to Lambda's Invoke API at the function's invokeArn, and returns what the function
 * answers. Path parameters arrive in the event, so nothing is mapped; the function's own
 * timeout sits below this one (LambdaFunction).
 */
function lambdaIntegration<Ref>(name: string, refs: RouteRefs<Ref>, options: RouteOptions, cacheKeyParameters: string[]): RouteSpec<Ref>["integration"] {
    const invokeArn = refs.functionInvokeArns?.[name];
    if (invokeArn === undefined) {
        throw new Error(`No function "${name}" was given for the routes that name lambda:${name}`);
    }
    return {
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: invokeArn,
        timeoutMilliseconds: options.integrationTimeoutMs,
        passthroughBehavior: "WHEN_NO_MATCH",
        connectionType: "INTERNET",
        cacheKeyParameters,
    };
}

/** `routeSpecs` with every reference resolved: what the trigger hashes and the specs compare. */
export function resolvedRouteSpecs(refs: RouteRefs<string>, options: RouteOptions): RouteSpec<string>[] {
    return routeSpecs(refs, options, (baseUrl, originPath) => `${baseUrl}${originPath}`);
}

