// sendmessage: broadcasts {"action":"sendmessage","text":"..."} to every open connection and
// forgets the connections API Gateway reports gone (410).
import type { WebSocketEvent, WebSocketResult } from "../websocket/events";
import { ChatRuntime, chatRuntime } from "./runtime";
import { usageHelp } from "./usage";

/**
 * The longest text relayed. API Gateway accepts WebSocket frames of up to 32 KB and messages of
 * up to 128 KB (WebSocket API quotas); a broadcast this size to many connections is billed per
 * 32 KB, so the room keeps messages short.
 */
export const MAX_TEXT_LENGTH = 4096;

export interface BroadcastReport {
    readonly delivered: number;
    readonly gone: readonly string[];
}

export function messageText(body: string | null | undefined): string | undefined {
    try {
        const text = (JSON.parse(body ?? "") as { text?: unknown }).text;
        return typeof text === "string" && text.trim() !== "" && text.length <= MAX_TEXT_LENGTH ? text : undefined;
    } catch {
        return undefined;
    }
}

export async function broadcast(text: string, runtime: Pick<ChatRuntime, "connections" | "replies" | "now">): Promise<BroadcastReport> {
    const ids = await runtime.connections.open(runtime.now());
    const results = await Promise.all(ids.map(async (id) => ({ id, result: await runtime.replies.post(id, { action: "sendmessage", text }) })));
    const gone = results.filter(({ result }) => result === "gone").map(({ id }) => id);
    await Promise.all(gone.map((id) => runtime.connections.remove(id)));
    return { delivered: results.length - gone.length, gone };
}

export async function onSendMessage(event: WebSocketEvent, runtime: Pick<ChatRuntime, "connections" | "replies" | "now" | "actions">): Promise<WebSocketResult> {
    const text = messageText(event.body);
    if (text === undefined) {
        await runtime.replies.post(
            event.requestContext.connectionId,
            usageHelp(runtime.actions, undefined, `sendmessage needs a "text" string of 1 to ${MAX_TEXT_LENGTH} characters.`),
        );
        return { statusCode: 200 };
    }
    const report = await broadcast(text, runtime);
    console.log(JSON.stringify({ message: "broadcast", delivered: report.delivered, gone: report.gone.length }));
    return { statusCode: 200 };
}

export const handler = (event: WebSocketEvent): Promise<WebSocketResult> => onSendMessage(event, chatRuntime());
