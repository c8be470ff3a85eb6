// $disconnect: forgets the connection. API Gateway delivers it on a best-effort basis, so the
// table's TTL and the 410 handling of sendmessage clean up what it misses.
import type { WebSocketEvent, WebSocketResult } from "../websocket/events";
import { ChatRuntime, chatRuntime } from "./runtime";

export async function onDisconnect(event: WebSocketEvent, runtime: Pick<ChatRuntime, "connections">): Promise<WebSocketResult> {
    await runtime.connections.remove(event.requestContext.connectionId);
    return { statusCode: 200 };
}

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> => onDisconnect(event, chatRuntime());
