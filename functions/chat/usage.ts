// The usage help the chat answers with when a message reaches no action.
import { RouteSelection } from "../websocket/route-selection";

export interface UsageHelp {
    readonly action: "usage";
    readonly message: string;
    readonly actions: readonly string[];
    readonly example: { readonly action: "sendmessage"; readonly text: string };
}

const WHY: Record<NonNullable<RouteSelection["reason"]>, string> = {
    empty: "The message was empty.",
    "not-json": "The message is not JSON.",
    "no-action": 'The message has no "action" string.',
    "unknown-action": "No route serves that action.",
};

export function usageHelp(actions: readonly string[], reason?: RouteSelection["reason"], detail?: string): UsageHelp {
    const why = detail ?? (reason ? WHY[reason] : "");
    return {
        action: "usage",
        message: `${why} Send a JSON message with an "action": ${actions.join(", ") || "sendmessage"}.`.trim(),
        actions,
        example: { action: "sendmessage", text: "hello, room" },
    };
}
