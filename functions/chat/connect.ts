// $connect: records the connection. A 200 accepts it; an error refuses the handshake.
import type { WebSocketEvent, WebSocketResult } from "../websocket/events";
import { ChatRuntime, chatRuntime } from "./runtime";

export async function onConnect(event: WebSocketEvent, runtime: Pick<ChatRuntime, "connections" | "now">): Promise<WebSocketResult> {
    const principalId = event.requestContext.authorizer?.principalId;
    await runtime.connections.add(event.requestContext.connectionId, runtime.now(), principalId);
    return { statusCode: 200 };
}

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> => onConnect(event, chatRuntime());
