// $default: every message no action route takes. It answers the sender with usage help.
import type { WebSocketEvent, WebSocketResult } from "../websocket/events";
import { selectRoute } from "../websocket/route-selection";
import { ChatRuntime, chatRuntime } from "./runtime";
import { usageHelp } from "./usage";

export async function onDefault(event: WebSocketEvent, runtime: Pick<ChatRuntime, "replies" | "actions">): Promise<WebSocketResult> {
    const frame = event.isBase64Encoded && event.body ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
    const selection = selectRoute(frame, runtime.actions);
    await runtime.replies.post(event.requestContext.connectionId, usageHelp(runtime.actions, selection.reason));
    return { statusCode: 200 };
}

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> => onDefault(event, chatRuntime());
