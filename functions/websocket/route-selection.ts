// How API Gateway picks the route for a WebSocket message with the route selection expression
// `$request.body.action`, as a pure function: the chat client, the smoke test and the local
// test server use it to know which handler a frame reaches.
//
// AWS: "If the route selection expression cannot be evaluated against the message, or no
// matching route key is found, the $default route is selected" (API Gateway Developer Guide,
// "Working with routes for WebSocket APIs", apigateway-websocket-api-develop-routes.html).

/** The expression this project's WebSocket APIs use: the `action` field of a JSON message. */
export const ROUTE_SELECTION_EXPRESSION = "$request.body.action";

/** The routes API Gateway itself defines; every other route key is an action name. */
export const PREDEFINED_ROUTE_KEYS = ["$connect", "$disconnect", "$default"] as const;

export interface RouteSelection {
    /** The route key the message goes to: an action route, or `$default`. */
    readonly routeKey: string;
    /** Why `$default` was chosen, for the usage-help answer; absent for an action route. */
    readonly reason?: "empty" | "not-json" | "no-action" | "unknown-action";
}

/**
 * The route a message frame reaches, given the action route keys the API has (without the
 * predefined `$` routes, which a message never selects).
 */
export function selectRoute(frame: string | undefined | null, actionRouteKeys: readonly string[]): RouteSelection {
    if (frame === undefined || frame === null || frame.trim() === "") {
        return { routeKey: "$default", reason: "empty" };
    }
    let message: unknown;
    try {
        message = JSON.parse(frame);
    } catch {
        return { routeKey: "$default", reason: "not-json" };
    }
    const action = typeof message === "object" && message !== null && !Array.isArray(message) ? (message as Record<string, unknown>).action : undefined;
    if (typeof action !== "string") {
        return { routeKey: "$default", reason: "no-action" };
    }
    if (!actionRouteKeys.includes(action) || action.startsWith("$")) {
        return { routeKey: "$default", reason: "unknown-action" };
    }
    return { routeKey: action };
}
